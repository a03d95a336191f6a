using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Training;

/// <summary>
/// The model: the motion encoder (a ViT over motion-patch images, or the small built-in "bag" encoder), the text
/// encoder (a BERT/DistilBERT-style transformer), the projection heads and the temperature. Flat fields so that
/// <c>--set model.vitDepth=4</c> works; <see cref="ModelFactory"/> turns them into the Models project's records.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>"vit" (motion patches through a Vision Transformer, MotionTextModel), "raw" (the "no patches" baseline
    /// of Table 4: a transformer of the ViT's sizes over the z-scored frames, J x 3 features per frame), "interaction"
    /// (Table 7: one shared ViT per person of an InterHuman folder, features concatenated) or "bag" (built-in
    /// bag-of-patches + bag-of-words encoders: seconds to train, used by the tests and as a sanity baseline).</summary>
    public string Architecture { get; init; } = "vit";
    public int PatchSize { get; init; } = 16;
    public int MaxFrames { get; init; } = 224;
    public int VitWidth { get; init; } = 192;
    public int VitDepth { get; init; } = 12;
    public int VitHeads { get; init; } = 3;
    public int VitMlp { get; init; } = 768;
    /// <summary>"mean" (mean of patch tokens + fc_norm, the reference) or "cls".</summary>
    public string VitPooling { get; init; } = "mean";
    public float VitDropout { get; init; }
    /// <summary>"bert" or "distilbert".</summary>
    public string TextKind { get; init; } = "bert";
    public int TextWidth { get; init; } = 256;
    public int TextDepth { get; init; } = 4;
    public int TextHeads { get; init; } = 4;
    public int TextFfn { get; init; } = 1024;
    public int TextMaxPositions { get; init; } = 512;
    public float TextDropout { get; init; } = 0.1f;
    /// <summary>"cls" (the reference) or "mean" (masked mean).</summary>
    public string TextPooling { get; init; } = "cls";
    public int EmbeddingDim { get; init; } = 256;
    public float HeadDropout { get; init; } = 0.5f;
    public float Temperature { get; init; } = 0.07f;
    public bool LearnableTemperature { get; init; }
    /// <summary>Architecture "lex": the motion encoder under the lexical head, "vit" (motion patches) or "raw" (frames).</summary>
    public string LexMotionEncoder { get; init; } = "vit";
    /// <summary>Architecture "lex": τ of the InfoNCE on the normalised lexical vectors (LexLIP: 0.05, fixed).</summary>
    public float LexTemperature { get; init; } = 0.05f;
    /// <summary>Architecture "lex": weight of the FLOPS sparsity regulariser on each tower (LexLIP: 0.002).</summary>
    public float LexFlopsWeight { get; init; } = 0.002f;
    /// <summary>Architecture "lex": steps over which the FLOPS weight ramps up quadratically from 0 (SPLADE [R]; weight at
    /// step t = lexFlopsWeight·min(1, (t/steps)²)); 0 applies the full weight from the first step (LexLIP).</summary>
    public int LexFlopsWarmupSteps { get; init; }

    /// <summary>Architecture "lex": the training phase (lex-facts §4): "cmlp" (phase 4 LexCMLP, contrastive on the
    /// lexical vectors; from scratch it is the "†" baseline), "mlm" (phase 1 LexMLM: text MLM + weak-decoder bottleneck on
    /// the captions) or "mmm" (phase 3 LexMMM: the weak decoder reconstructs the caption from the motion's vocabulary
    /// distribution, text side kept by its phase-1 losses). Each phase is its own run; train.initFrom chains them.</summary>
    public string LexPhase { get; init; } = "cmlp";

    /// <summary>Architecture "lex": the vocabulary the lexical vectors range over (lex-facts §2 [D]): "full" (every word
    /// piece of the run's vocabulary, e.g. BERT's 30,522, the special tokens excluded: the method) or "captions" (only the word pieces that occur in
    /// the training captions, for CPU speed; the run keeps them in lexical-vocabulary.txt and the next phase inherits them).</summary>
    public string LexVocabulary { get; init; } = "full";

    /// <summary>Architecture "caption": decoder layers of the caption decoder (causal self-attention, cross-attention to the ViT's tokens, MLP).</summary>
    public int CaptionDepth { get; init; } = 2;
    /// <summary>Architecture "caption": the decoder's width; 0 = model.textWidth.</summary>
    public int CaptionWidth { get; init; }
    /// <summary>Architecture "caption": the decoder's heads; 0 = model.textHeads.</summary>
    public int CaptionHeads { get; init; }
    /// <summary>Architecture "caption": the decoder's MLP width; 0 = model.textFfn.</summary>
    public int CaptionMlp { get; init; }
    public float CaptionDropout { get; init; } = 0.1f;
    /// <summary>Architecture "caption": keep the ViT motion encoder fixed (e.g. from train.initFrom a retrieval run); false fine-tunes it with the decoder.</summary>
    public bool CaptionFreezeEncoder { get; init; }
    /// <summary>Architecture "caption": weight of the retrieval InfoNCE added to the caption cross-entropy (0: captioning only).</summary>
    public float CaptionContrastiveWeight { get; init; }
    /// <summary>Architecture "caption": a Lex run folder (model.architecture = lex over the ViT) whose motions' top lexical
    /// words prefix the decoder's memory (<see cref="CaptionLexWords"/>); relative paths resolve like train.initFrom. Empty: none.</summary>
    public string CaptionLexRun { get; init; } = "";
    /// <summary>Architecture "caption": K, the most top lexical words of <see cref="CaptionLexRun"/>'s motion vector that
    /// enter the decoder as extra memory tokens (1-64); 0 (default): no prefix.</summary>
    public int CaptionLexWords { get; init; }

    /// <summary>Whether the model reads raw frames (its input width is 3 x the skeleton's joints).</summary>
    public bool ReadsRawFrames() => Architecture == "raw" || (Architecture == "lex" && LexMotionEncoder == "raw");
}

/// <summary>Where the data comes from and how it is split and tokenised.</summary>
public sealed record DataSpec
{
    /// <summary>A HumanML3D/KIT-format folder (MotionDataset.Load).</summary>
    public string Dir { get; init; } = "data/synthetic";
    public string TrainSplit { get; init; } = "train";
    public string ValSplit { get; init; } = "val";
    public string TestSplit { get; init; } = "test";
    /// <summary>A WordPiece vocab.txt; null builds a word-level vocabulary from the training captions (models trained from scratch).</summary>
    public string? VocabPath { get; init; }
    /// <summary>Longest token sequence ([CLS] and [SEP] included).</summary>
    public int MaxTokens { get; init; } = 64;
    /// <summary>Use only the first N clips of the training split (null: all); with <see cref="MixWith"/>, of each dataset.</summary>
    public int? MaxTrainClips { get; init; }
    /// <summary>Use only the first N clips of evaluation splits (null: all).</summary>
    public int? MaxEvalClips { get; init; }
    /// <summary>Train on each motion's first caption only (as evaluation does) instead of a random one per epoch; for overfitting checks.</summary>
    public bool FirstCaptionOnly { get; init; }
    /// <summary>Threads that build patch batches: 0 (the default) = the run's engine threads (train.threads).</summary>
    public int Workers { get; init; }
    /// <summary>Other dataset folders, separated by ';', whose training splits join the training data (paper Table 11,
    /// "trained on both"): each keeps its own skeleton and statistics, every skeleton maps to the same patch image.
    /// Evaluation and model selection use <see cref="Dir"/>. Patch architectures only ("vit", "bag").</summary>
    public string? MixWith { get; init; }
    /// <summary>Two-person data: swap which person comes first in training with probability 1/2 (InterGen's augmentation).</summary>
    public bool SwapPersons { get; init; } = true;

    /// <summary>The folders of <see cref="MixWith"/> (none when empty).</summary>
    public IReadOnlyList<string> MixDirs() =>
        (MixWith ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The optimisation recipe (reference: Adam, groups 1e-4/1e-5/1e-4, cosine with period 2x the run, batch 128).</summary>
public sealed record TrainSpec
{
    public int Epochs { get; init; } = 50;
    public int BatchSize { get; init; } = 128;
    public float MotionLr { get; init; } = 1e-4f;
    public float TextLr { get; init; } = 1e-5f;
    public float HeadLr { get; init; } = 1e-4f;
    public float TemperatureLr { get; init; } = 1e-4f;
    /// <summary>"adam" (L2 decay, the reference) or "adamw" (decoupled decay).</summary>
    public string Optimizer { get; init; } = "adam";
    public float WeightDecay { get; init; }
    public int WarmupSteps { get; init; }
    /// <summary>Cosine period as a multiple of the run's optimiser steps (the reference: 2, so the LR only halves).</summary>
    public float CosinePeriodFactor { get; init; } = 2f;
    /// <summary>Micro-batches per optimiser step (the batch is split into this many parts; gradients add up).</summary>
    public int GradAccumulation { get; init; } = 1;
    /// <summary>Global gradient-norm clip (0: none, the reference).</summary>
    public float ClipGradNorm { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>"val" (best validation motion->text R@1, the default) or "test" (the reference's test-set selection).</summary>
    public string Selection { get; init; } = "val";
    /// <summary>Evaluate (and select) every N epochs; the last epoch is always evaluated.</summary>
    public int EvalEvery { get; init; } = 1;
    /// <summary>Also save <c>last</c> every N optimiser steps inside an epoch (0: only at epoch ends and on interruption).</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>Epochs of masked-language-model pre-training of the text encoder on the training captions before the
    /// contrastive phase (0: none, the reference; "vit" architecture only).</summary>
    public int MlmEpochs { get; init; }
    public float MlmLr { get; init; } = 5e-4f;
    /// <summary>Drop the last incomplete batch of an epoch (the reference: true).</summary>
    public bool DropLast { get; init; } = true;
    /// <summary>Start from the weights of another run instead of a fresh initialisation (fine-tuning, paper Tables 5
    /// and 11): a run folder (its best checkpoint, else last) or a checkpoint file of a run with the same model shape.
    /// The new run uses that run's vocabulary (unless data.vocabPath is set) and its own data's statistics; the
    /// optimiser and the schedule start afresh.</summary>
    public string? InitFrom { get; init; }
    /// <summary>A timm ViT checkpoint (.safetensors) that initialises the motion encoder (paper Table 4 "pretrained";
    /// position embeddings resampled to the patch grid); "vit" and "interaction" only.</summary>
    public string? InitMotionEncoder { get; init; }
    /// <summary>The engine that trains: "mw" (the workbench's own engine, the CPU default) or "torch" (TorchSharp/LibTorch,
    /// for GPUs; needs MotionWorkbench.Torch, which mw and the notebook kernel load). Both write the same run folder and
    /// checkpoints.</summary>
    public string Engine { get; init; } = "mw";
    /// <summary>"cpu", "cuda" (first GPU; "cuda:N" for another) or "auto" (CUDA when the torch engine sees one, else the CPU).
    /// The own engine runs on the CPU only.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Engine threads (kernels, GEMM splits, patch building, evaluation; the torch engine's intra-op threads): 0 =
    /// the process's setting (mw --threads, MW_THREADS, a notebook's threads, else the cores this process may use). A run
    /// writes the count it used here in config.json and a resume keeps it (<see cref="RunThreads"/>).</summary>
    public int Threads { get; init; }
}

/// <summary>A whole run: name, model, data and recipe. Saved as <c>config.json</c> in the run folder before step 0.</summary>
public sealed record RunConfig
{
    public string Name { get; init; } = "run";
    public string Preset { get; init; } = "custom";
    public ModelSpec Model { get; init; } = new();
    public DataSpec Data { get; init; } = new();
    public TrainSpec Train { get; init; } = new();

    /// <summary>CI: a 2-layer 64-wide ViT with 32-frame patches and a 2-layer 64-wide text encoder, a handful of steps.</summary>
    public static RunConfig Smoke => new()
    {
        Name = "smoke", Preset = "Smoke",
        Model = new ModelSpec
        {
            PatchSize = 16, MaxFrames = 64, VitWidth = 64, VitDepth = 2, VitHeads = 2, VitMlp = 128,
            TextWidth = 64, TextDepth = 2, TextHeads = 2, TextFfn = 128, TextMaxPositions = 64, EmbeddingDim = 64, HeadDropout = 0.1f,
        },
        Data = new DataSpec { MaxTrainClips = 64, MaxEvalClips = 64, MaxTokens = 32 },
        Train = new TrainSpec { Epochs = 2, BatchSize = 16, MotionLr = 1e-3f, TextLr = 1e-3f, HeadLr = 1e-3f },
    };

    /// <summary>
    /// 2 CPU cores, about 5-8 minutes: ViT-Tiny's width and heads (192, 3; MLP 768) with 4 blocks instead of 12, on
    /// 16 x 16 patches of 112 frames (5.6 s, 35 tokens), and a bert-mini-sized text encoder (4 x 256, 4 heads) over a
    /// vocabulary built from the training captions, all trained from scratch. Nothing is pretrained, so the text LR is
    /// raised to the motion LR (the reference's 1e-5 barely moves a random encoder in 200 steps) and all groups use
    /// 5e-4 with a 20-step warm-up; batch 64 keeps 63 negatives per pair and gives 100 steps per epoch on the ~6,400
    /// synthetic training pairs; 7 epochs (measured ~105-127 samples/s on a quiet 2-core machine, under 1 min per epoch;
    /// ~31-37 samples/s when other jobs share the cores).
    /// </summary>
    public static RunConfig Laptop => new()
    {
        Name = "laptop", Preset = "Laptop",
        Model = new ModelSpec
        {
            PatchSize = 16, MaxFrames = 112, VitWidth = 192, VitDepth = 4, VitHeads = 3, VitMlp = 768,
            TextWidth = 256, TextDepth = 4, TextHeads = 4, TextFfn = 1024, TextMaxPositions = 64, HeadDropout = 0.1f,
        },
        Data = new DataSpec { MaxTokens = 48 },
        Train = new TrainSpec { Epochs = 7, BatchSize = 64, MotionLr = 5e-4f, TextLr = 5e-4f, HeadLr = 5e-4f, WarmupSteps = 20 },
    };

    /// <summary>The reference: ViT-B/16 (224 frames) + DistilBERT-base, Adam 1e-4/1e-5/1e-4, batch 128, 50 epochs.</summary>
    public static RunConfig Paper => new()
    {
        Name = "paper", Preset = "Paper",
        Model = new ModelSpec
        {
            PatchSize = 16, MaxFrames = 224, VitWidth = 768, VitDepth = 12, VitHeads = 12, VitMlp = 3072,
            TextKind = "distilbert", TextWidth = 768, TextDepth = 6, TextHeads = 12, TextFfn = 3072, TextMaxPositions = 512,
            HeadDropout = 0.5f,
        },
        Data = new DataSpec { MaxTokens = 512 },
        Train = new TrainSpec(),
    };

    public static IReadOnlyList<string> PresetNames { get; } = ["Smoke", "Laptop", "Paper"];

    /// <summary>A preset by name (case-insensitive).</summary>
    public static RunConfig FromPreset(string name) => name.ToLowerInvariant() switch
    {
        "smoke" => Smoke,
        "laptop" => Laptop,
        "paper" => Paper,
        _ => throw new ArgumentException($"unknown preset '{name}' (known: {string.Join(", ", PresetNames)})"),
    };

    /// <summary>Checks the values a run depends on; throws with every problem listed.</summary>
    public RunConfig Validate()
    {
        var errors = new List<string>();
        var m = Model;
        if (!ModelFactory.Architectures.Contains(m.Architecture)) errors.Add($"model.architecture must be one of {string.Join(", ", ModelFactory.Architectures)}, got '{m.Architecture}'");
        if (Data.MixDirs().Count > 0 && (m.Architecture is "interaction" || m.ReadsRawFrames()))
            errors.Add($"data.mixWith mixes skeletons through motion patches; model.architecture '{m.Architecture}' cannot (raw frames differ in width per skeleton; interactions need InterHuman pairs)");
        if (Train.InitMotionEncoder is not null && m.Architecture is not ("vit" or "interaction") && !(m.Architecture == "lex" && m.LexMotionEncoder == "vit"))
            errors.Add($"train.initMotionEncoder loads a timm ViT; model.architecture '{m.Architecture}' has no ViT");
        if (Train.InitFrom is not null && Train.InitMotionEncoder is not null)
            errors.Add("train.initFrom and train.initMotionEncoder both set: start either from a run or from a timm ViT");
        if (m.Architecture == "lex")
        {
            if (m.LexMotionEncoder is not ("vit" or "raw")) errors.Add($"model.lexMotionEncoder must be 'vit' or 'raw', got '{m.LexMotionEncoder}'");
            if (m.LexPhase is not ("cmlp" or "mlm" or "cmmm" or "mmm")) errors.Add($"model.lexPhase must be 'mlm' (LexMLM), 'cmmm' (CMMM), 'mmm' (LexMMM) or 'cmlp' (LexCMLP), got '{m.LexPhase}'");
            if (m.LexVocabulary is not ("full" or "captions")) errors.Add($"model.lexVocabulary must be 'full' (the whole vocabulary) or 'captions' (the word pieces of the training captions), got '{m.LexVocabulary}'");
            if (m.LexPhase == "cmmm" && m.LexMotionEncoder != "vit") errors.Add("model.lexPhase = cmmm masks motion-patch tokens: it needs model.lexMotionEncoder = vit");
            if (!(m.LexTemperature > 0)) errors.Add($"model.lexTemperature must be positive, got {m.LexTemperature}");
            if (!(m.LexFlopsWeight >= 0)) errors.Add($"model.lexFlopsWeight must be non-negative, got {m.LexFlopsWeight}");
            if (m.LexFlopsWarmupSteps < 0) errors.Add($"model.lexFlopsWarmupSteps must be 0 (no warm-up) or a positive number of steps, got {m.LexFlopsWarmupSteps}");
        }
        if (m.Architecture != "caption" && (m.CaptionLexWords != 0 || !string.IsNullOrWhiteSpace(m.CaptionLexRun)))
            errors.Add($"model.captionLexRun / model.captionLexWords prefix the caption decoder; model.architecture '{m.Architecture}' has none");
        if (m.Architecture == "caption")
        {
            int w = m.CaptionWidth > 0 ? m.CaptionWidth : m.TextWidth, h = m.CaptionHeads > 0 ? m.CaptionHeads : m.TextHeads;
            if (m.CaptionDepth < 1) errors.Add($"model.captionDepth must be at least 1, got {m.CaptionDepth}");
            if (m.CaptionWidth < 0 || m.CaptionHeads < 0 || m.CaptionMlp < 0) errors.Add("model.captionWidth, captionHeads and captionMlp must be positive (or 0: the text encoder's)");
            else if (h <= 0 || w % h != 0) errors.Add($"the caption decoder's width ({w}) must be divisible by its heads ({h})");
            if (m.CaptionDropout is < 0 or >= 1) errors.Add($"model.captionDropout must be in [0, 1), got {m.CaptionDropout}");
            if (!(m.CaptionContrastiveWeight >= 0) || float.IsInfinity(m.CaptionContrastiveWeight)) errors.Add($"model.captionContrastiveWeight must be a finite number >= 0, got {m.CaptionContrastiveWeight}");
            if (Train.MlmEpochs > 0) errors.Add("train.mlmEpochs: the caption model does not pre-train its text encoder; start from a retrieval run with train.initFrom instead");
            if (m.CaptionLexWords < 0 || m.CaptionLexWords > CaptionLexPrefix.MaxWords) errors.Add($"model.captionLexWords must be 0 (no prefix) to {CaptionLexPrefix.MaxWords} words, got {m.CaptionLexWords}");
            else if (m.CaptionLexWords > 0 && string.IsNullOrWhiteSpace(m.CaptionLexRun)) errors.Add($"model.captionLexWords = {m.CaptionLexWords} needs model.captionLexRun (the Lex run whose top words prefix the decoder)");
            else if (m.CaptionLexWords == 0 && !string.IsNullOrWhiteSpace(m.CaptionLexRun)) errors.Add($"model.captionLexRun = {m.CaptionLexRun} needs model.captionLexWords > 0 (how many of its top words prefix the decoder)");
        }
        if (m.PatchSize is not (8 or 16 or 32)) errors.Add($"model.patchSize must be 8, 16 or 32, got {m.PatchSize}");
        if (m.MaxFrames <= 0 || m.MaxFrames % m.PatchSize != 0) errors.Add($"model.maxFrames ({m.MaxFrames}) must be a positive multiple of model.patchSize ({m.PatchSize})");
        if (m.VitHeads <= 0 || m.VitWidth % m.VitHeads != 0) errors.Add($"model.vitWidth ({m.VitWidth}) must be divisible by model.vitHeads ({m.VitHeads})");
        if (m.TextHeads <= 0 || m.TextWidth % m.TextHeads != 0) errors.Add($"model.textWidth ({m.TextWidth}) must be divisible by model.textHeads ({m.TextHeads})");
        if (m.VitPooling is not ("mean" or "cls")) errors.Add($"model.vitPooling must be 'mean' or 'cls', got '{m.VitPooling}'");
        if (m.TextPooling is not ("mean" or "cls")) errors.Add($"model.textPooling must be 'mean' or 'cls', got '{m.TextPooling}'");
        if (m.TextKind is not ("bert" or "distilbert")) errors.Add($"model.textKind must be 'bert' or 'distilbert', got '{m.TextKind}'");
        if (m.EmbeddingDim <= 0) errors.Add($"model.embeddingDim must be positive, got {m.EmbeddingDim}");
        if (!(m.Temperature > 0)) errors.Add($"model.temperature must be positive, got {m.Temperature}");
        if (m.HeadDropout is < 0 or >= 1) errors.Add($"model.headDropout must be in [0, 1), got {m.HeadDropout}");
        if (Data.MaxTokens < 3 || Data.MaxTokens > m.TextMaxPositions) errors.Add($"data.maxTokens ({Data.MaxTokens}) must be in [3, model.textMaxPositions = {m.TextMaxPositions}]");
        if (Data.Workers < 0 || Data.Workers > Tensors.ThreadSetting.Max) errors.Add($"data.workers must be 0 (the engine threads) or a thread count from 1 to {Tensors.ThreadSetting.Max}, got {Data.Workers}");
        if (Train.Threads < 0 || Train.Threads > Tensors.ThreadSetting.Max)
            errors.Add($"train.threads must be 0 (the default: mw --threads, MW_THREADS, else the cores this process may use) or a thread count from 1 to {Tensors.ThreadSetting.Max}, got {Train.Threads}");
        var t = Train;
        if (t.Epochs < 1) errors.Add($"train.epochs must be at least 1, got {t.Epochs}");
        if (t.BatchSize < 2) errors.Add($"train.batchSize must be at least 2 (a contrastive batch needs negatives), got {t.BatchSize}");
        if (t.GradAccumulation < 1 || t.BatchSize % t.GradAccumulation != 0) errors.Add($"train.gradAccumulation ({t.GradAccumulation}) must be >= 1 and divide train.batchSize ({t.BatchSize})");
        if (t.BatchSize / Math.Max(1, t.GradAccumulation) < 2) errors.Add("train.batchSize / train.gradAccumulation must be at least 2");
        if (t.Optimizer is not ("adam" or "adamw")) errors.Add($"train.optimizer must be 'adam' or 'adamw', got '{t.Optimizer}'");
        if (t.Engine is not ("mw" or "torch")) errors.Add($"train.engine must be 'mw' (the own engine) or 'torch' (TorchSharp), got '{t.Engine}'");
        if (!(t.Device is "cpu" or "auto" or "cuda" || (t.Device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.Device.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))))
            errors.Add($"train.device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got '{t.Device}'");
        else if (t.Engine == "mw" && t.Device.StartsWith("cuda", StringComparison.Ordinal))
            errors.Add($"train.device = {t.Device} needs train.engine = torch (the own engine runs on the CPU only)");
        if (t.Selection is not ("val" or "test")) errors.Add($"train.selection must be 'val' or 'test', got '{t.Selection}'");
        if (!(t.CosinePeriodFactor > 0)) errors.Add($"train.cosinePeriodFactor must be positive, got {t.CosinePeriodFactor}");
        if (t.MlmEpochs < 0) errors.Add($"train.mlmEpochs must be >= 0, got {t.MlmEpochs}");
        if (t.MlmEpochs > 0 && m.Architecture == "bag") errors.Add("train.mlmEpochs needs a transformer text encoder (the bag model has none)");
        if (t.EvalEvery < 1) errors.Add($"train.evalEvery must be at least 1, got {t.EvalEvery}");
        foreach (var (name, lr) in new[] { ("motionLr", t.MotionLr), ("textLr", t.TextLr), ("headLr", t.HeadLr), ("temperatureLr", t.TemperatureLr) })
            if (!(lr >= 0) || float.IsInfinity(lr)) errors.Add($"train.{name} must be a finite non-negative number, got {lr}");
        if (errors.Count > 0) throw new ArgumentException("invalid run configuration:\n  " + string.Join("\n  ", errors));
        return this;
    }

    // ------------------------------------------------------------------------------------------------------------
    // JSON

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The configuration without its thread count, for asking whether a saved run is the requested one (a run
    /// records the count it used; a request with train.threads = 0 leaves it to the process).</summary>
    public RunConfig WithoutThreads() => this with { Train = Train with { Threads = 0 } };

    public static RunConfig FromJson(string json, string source = "config")
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, Json) ?? throw new InvalidDataException($"{source}: empty configuration");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid run configuration: {e.Message}", e);
        }
    }

    public const string FileName = "config.json";

    /// <summary>Writes <c>config.json</c> in <paramref name="runDir"/> atomically.</summary>
    public void Save(string runDir) => Files.WriteText(Path.Combine(runDir, FileName), ToJson() + "\n");

    /// <summary>Reads <c>runDir/config.json</c>.</summary>
    public static RunConfig Load(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no run configuration (is '{runDir}' a run folder written by mw train?)", path);
        return FromJson(File.ReadAllText(path), path);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Typed overrides

    /// <summary>Every settable key (e.g. <c>train.epochs</c>) with its type name.</summary>
    public static IReadOnlyList<(string Key, string Type)> Keys()
    {
        var keys = new List<(string, string)>();
        foreach (var (section, type) in Sections())
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                keys.Add(($"{section}.{Camel(p.Name)}", TypeName(p.PropertyType)));
        keys.Add(("name", "string"));
        return keys;
    }

    /// <summary>
    /// Applies <c>key=value</c> overrides, each parsed against the property's type. Keys are <c>section.property</c>
    /// (case-insensitive; the section may be left out when the property name is unique). Throws naming the key and the
    /// expected type for unknown keys and bad values.
    /// </summary>
    public RunConfig WithOverrides(IEnumerable<string> assignments)
    {
        var root = JsonSerializer.SerializeToNode(this, Json)!.AsObject();
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"override '{assignment}' is not key=value (e.g. train.epochs=3)");
            string key = assignment[..eq].Trim(), text = assignment[(eq + 1)..].Trim();
            var (section, property) = Resolve(key);
            var value = Parse(key, property.PropertyType, text);
            if (section is null) root[Camel(property.Name)] = value;
            else root[section]!.AsObject()[Camel(property.Name)] = value;
        }
        return root.Deserialize<RunConfig>(Json)!;
    }

    private static IEnumerable<(string Section, Type Type)> Sections() =>
        [("model", typeof(ModelSpec)), ("data", typeof(DataSpec)), ("train", typeof(TrainSpec))];

    private static (string? Section, PropertyInfo Property) Resolve(string key)
    {
        var parts = key.Split('.');
        if (parts.Length == 1 && parts[0].Equals("name", StringComparison.OrdinalIgnoreCase))
            return (null, typeof(RunConfig).GetProperty(nameof(Name))!);
        var candidates = new List<(string, PropertyInfo)>();
        foreach (var (section, type) in Sections())
        {
            if (parts.Length == 2 && !parts[0].Equals(section, StringComparison.OrdinalIgnoreCase)) continue;
            if (parts.Length > 2) break;
            var p = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => p.CanWrite && p.Name.Equals(parts[^1], StringComparison.OrdinalIgnoreCase));
            if (p is not null) candidates.Add((section, p));
        }
        if (candidates.Count == 1) return candidates[0];
        if (candidates.Count > 1) throw new ArgumentException($"override key '{key}' is ambiguous: say {string.Join(" or ", candidates.Select(c => $"{c.Item1}.{Camel(c.Item2.Name)}"))}");
        var known = Keys().Select(k => k.Key).ToList();
        var near = known.Where(k => k.Contains(parts[^1], StringComparison.OrdinalIgnoreCase) || parts[^1].Contains(k.Split('.')[^1], StringComparison.OrdinalIgnoreCase)).ToList();
        throw new ArgumentException($"unknown configuration key '{key}'" + (near.Count > 0 ? $" (did you mean {string.Join(", ", near)}?)" : "") +
            $"; known keys: {string.Join(", ", known)}");
    }

    private static JsonNode? Parse(string key, Type type, string text)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null || !type.IsValueType)
        {
            if (text is "null" or "") return null;
            type = underlying ?? type;
        }
        string expected = TypeName(type);
        try
        {
            if (type == typeof(string)) return JsonValue.Create(text);
            if (type == typeof(int)) return JsonValue.Create(int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture));
            if (type == typeof(float))
            {
                float f = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (!float.IsFinite(f)) throw new FormatException();
                return JsonValue.Create(f);
            }
            if (type == typeof(bool))
                return text.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" => JsonValue.Create(true),
                    "false" or "0" or "no" => JsonValue.Create(false),
                    _ => throw new FormatException(),
                };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"override {key}={text}: '{text}' is not a valid {expected}");
        }
        throw new ArgumentException($"override {key}: properties of type {expected} cannot be set from the command line");
    }

    private static string TypeName(Type t)
    {
        var u = Nullable.GetUnderlyingType(t);
        if (u is not null) return TypeName(u) + " or null";
        return t == typeof(int) ? "integer" : t == typeof(float) ? "number" : t == typeof(bool) ? "boolean (true/false)" : t == typeof(string) ? "string" : t.Name;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

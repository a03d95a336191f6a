namespace MotionWorkbench.Models;

/// <summary>
/// The model: the motion encoder (a ViT over motion-patch images, or the small built-in "bag" encoder), the text
/// encoder (a BERT/DistilBERT-style transformer), the projection heads and the temperature. Flat fields so that
/// <c>--set model.vitDepth=4</c> works; <see cref="ModelFactory"/> turns them into the model records (<see cref="MotionTextModelConfig"/>, ...).
/// Part of the run configuration (<c>model.*</c> in <c>config.json</c>).
/// </summary>
public sealed record ModelSpec
{
    /// <summary>"vit" (motion patches through a Vision Transformer, MotionTextModel), "resnet" (motion patches through a
    /// BasicBlock ResNet, model.resnet*), "raw" (the "no patches" baseline
    /// of Table 4: a transformer of the ViT's sizes over the z-scored frames, J x 3 features per frame), "interaction"
    /// (Table 7: one shared patch encoder per person of an InterHuman folder, features concatenated) or "bag" (built-in
    /// bag-of-patches + bag-of-words encoders: seconds to train, used by the tests and as a sanity baseline).</summary>
    public Architecture Architecture { get; init; } = Architecture.Vit;
    /// <summary>Architectures "interaction" and "caption": their motion-patch encoder, "vit" (model.vit*) or "resnet"
    /// (model.resnet*). The other architectures name theirs in model.architecture (vit, resnet, raw) or model.lexMotionEncoder (lex).</summary>
    public Architecture MotionEncoder { get; init; } = Architecture.Vit;
    /// <summary>ResNet encoders: BasicBlocks per stage, "2,2,2,3" (the layout of the ImageNet ResNet-18 of the weights store,
    /// resnet18-imagenet) or "2,2,2,2" (torchvision's resnet18).</summary>
    public string ResnetStages { get; init; } = "2,2,2,3";
    /// <summary>ResNet encoders: channels of the stem and the first stage (64 for ResNet-18); the features are 8 x this wide.</summary>
    public int ResnetWidth { get; init; } = 64;
    /// <summary>ResNet encoders: "train" (BatchNorm normalises with the batch statistics in training and updates the running
    /// ones, PyTorch's default) or "frozen" (the running statistics stay at their loaded values and normalise in training
    /// too; BatchNorm's weights and biases still train: a fine-tuning recipe that needs pretrained statistics).</summary>
    public string ResnetBatchNorm { get; init; } = "train";
    public int PatchSize { get; init; } = 16;
    public int MaxFrames { get; init; } = 224;
    public int VitWidth { get; init; } = 192;
    public int VitDepth { get; init; } = 12;
    public int VitHeads { get; init; } = 3;
    public int VitMlp { get; init; } = 768;
    /// <summary>"mean" (mean of patch tokens + fc_norm, the reference) or "cls".</summary>
    public string VitPooling { get; init; } = "mean";
    public float VitDropout { get; init; }
    /// <summary>"bert" or "distilbert" (sized by the text* settings below, from scratch), or a pretrained tower of the
    /// weights store, "minilm-l6" or "arctic-xs" (sizes, vocabulary and starting weights fixed by the store; see
    /// <see cref="Models.TextKind"/> and <see cref="WithTextKind"/>).</summary>
    public TextKind TextKind { get; init; } = TextKind.Bert;
    public int TextWidth { get; init; } = 256;
    public int TextDepth { get; init; } = 4;
    public int TextHeads { get; init; } = 4;
    public int TextFfn { get; init; } = 1024;
    public int TextMaxPositions { get; init; } = 512;
    public float TextDropout { get; init; } = 0.1f;
    /// <summary>"cls" (the reference) or "mean" (masked mean). A pretrained text kind sets its own (<see cref="WithTextKind"/>).</summary>
    public string TextPooling { get; init; } = "cls";
    public int EmbeddingDim { get; init; } = 256;
    public float HeadDropout { get; init; } = 0.5f;
    public float Temperature { get; init; } = 0.07f;
    public bool LearnableTemperature { get; init; }
    /// <summary>Architecture "lex": the motion encoder under the lexical head, "vit" (motion patches) or "raw" (frames).</summary>
    public Architecture LexMotionEncoder { get; init; } = Architecture.Vit;
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
    public LexVocabularyMode LexVocabulary { get; init; } = LexVocabularyMode.Full;

    /// <summary>Architecture "caption": decoder layers of the caption decoder (causal self-attention, cross-attention to the ViT's tokens, MLP).</summary>
    public int CaptionDepth { get; init; } = 2;
    /// <summary>Architecture "caption": the decoder's width; 0 = model.textWidth.</summary>
    public int CaptionWidth { get; init; }
    /// <summary>Architecture "caption": the decoder's heads; 0 = model.textHeads.</summary>
    public int CaptionHeads { get; init; }
    /// <summary>Architecture "caption": the decoder's MLP width; 0 = model.textFfn.</summary>
    public int CaptionMlp { get; init; }
    public float CaptionDropout { get; init; } = 0.1f;
    /// <summary>Architecture "caption": keep the motion encoder fixed (e.g. from train.initFrom a retrieval run; a ResNet then
    /// also keeps its BatchNorm running statistics); false fine-tunes it with the decoder.</summary>
    public bool CaptionFreezeEncoder { get; init; }
    /// <summary>Architecture "caption": weight of the retrieval InfoNCE added to the caption cross-entropy (0: captioning only).</summary>
    public float CaptionContrastiveWeight { get; init; }
    /// <summary>Architecture "caption": a Lex run folder (model.architecture = lex over the ViT) whose motions' top lexical
    /// words prefix the decoder's memory (<see cref="CaptionLexWords"/>); relative paths resolve like train.initFrom. Empty: none.</summary>
    public string CaptionLexRun { get; init; } = "";
    /// <summary>Architecture "caption": K, the most top lexical words of <see cref="CaptionLexRun"/>'s motion vector that
    /// enter the decoder as extra memory tokens (1-64); 0 (default): no prefix.</summary>
    public int CaptionLexWords { get; init; }

    /// <summary>The text settings a pretrained <see cref="TextKind"/> fixes (its sizes) or chooses (its pooling), by property name.</summary>
    public static IReadOnlyList<string> PretrainedTextSettings { get; } =
        [nameof(TextWidth), nameof(TextDepth), nameof(TextHeads), nameof(TextFfn), nameof(TextMaxPositions), nameof(TextPooling)];

    /// <summary>
    /// The spec with <paramref name="kind"/> as its text tower. A pretrained kind also takes the sizes its weights fix
    /// (width, depth, heads, FFN, 512 positions) and its own pooling, except the settings named in <paramref name="keep"/>
    /// (property names of <see cref="PretrainedTextSettings"/>, e.g. a pooling the user chose), which stay as they are:
    /// a kept size that contradicts the weights is then named by <see cref="TextKindConflicts"/>.
    /// "bert" and "distilbert" change nothing else.
    /// </summary>
    public ModelSpec WithTextKind(TextKind kind, IReadOnlyCollection<string>? keep = null)
    {
        if (kind.PretrainedConfig is not { } c) return this with { TextKind = kind };
        bool Take(string setting) => keep is null || !keep.Contains(setting);
        return this with
        {
            TextKind = kind,
            TextWidth = Take(nameof(TextWidth)) ? c.Width : TextWidth,
            TextDepth = Take(nameof(TextDepth)) ? c.Depth : TextDepth,
            TextHeads = Take(nameof(TextHeads)) ? c.Heads : TextHeads,
            TextFfn = Take(nameof(TextFfn)) ? c.MlpDim : TextFfn,
            TextMaxPositions = Take(nameof(TextMaxPositions)) ? c.MaxPositions : TextMaxPositions,
            TextPooling = Take(nameof(TextPooling)) ? kind.DefaultPooling : TextPooling,
        };
    }

    /// <summary>
    /// For a pretrained <see cref="TextKind"/>: one message per text size that contradicts its weights
    /// ("model.textWidth = 256 contradicts minilm-l6's weights (384) ..."); empty otherwise.
    /// </summary>
    public IReadOnlyList<string> TextKindConflicts()
    {
        if (TextKind.PretrainedConfig is not { } c) return [];
        var errors = new List<string>();
        foreach (var (setting, value, fixedBy) in new[] { ("textWidth", TextWidth, c.Width), ("textDepth", TextDepth, c.Depth), ("textHeads", TextHeads, c.Heads),
            ("textFfn", TextFfn, c.MlpDim), ("textMaxPositions", TextMaxPositions, c.MaxPositions) })
            if (value != fixedBy)
                errors.Add($"model.{setting} = {value} contradicts the weights of model.textKind = {TextKind} ({fixedBy}); leave it out (--set model.textKind={TextKind} fills the tower's sizes) or set {fixedBy}");
        return errors;
    }

    /// <summary>Whether the model reads raw frames (its input width is 3 x the skeleton's joints).</summary>
    public bool ReadsRawFrames() => Architecture == Architecture.Raw || (Architecture == Architecture.Lex && LexMotionEncoder == Architecture.Raw);

    /// <summary>The model's motion encoder: "vit", "resnet" or "raw" (model.architecture itself, model.lexMotionEncoder for
    /// lex, model.motionEncoder for interaction and caption), or "bag".</summary>
    public Architecture MotionEncoderKind() => Architecture switch
    {
        var a when a == Architecture.Lex => LexMotionEncoder,
        var a when a == Architecture.Interaction || a == Architecture.Caption => MotionEncoder,
        var a => a,
    };

    /// <summary>model.resnetStages as four block counts; null with a message when it is not four positive integers.</summary>
    public int[]? ResNetStageDepths(out string? error)
    {
        var parts = (ResnetStages ?? "").Split(',', StringSplitOptions.TrimEntries);
        var depths = new int[parts.Length];
        bool ok = parts.Length == 4;
        for (int i = 0; ok && i < parts.Length; i++)
            ok = int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out depths[i]) && depths[i] is >= 1 and <= 64;
        error = ok ? null : $"model.resnetStages must be four positive block counts separated by commas (2,2,2,3: the ImageNet ResNet-18 of resnet18-imagenet; 2,2,2,2: torchvision's resnet18), got '{ResnetStages}'";
        return ok ? depths : null;
    }

    /// <summary>model.resnetBatchNorm as the encoder's policy; null with a message when it is not "train" or "frozen".</summary>
    public ResNetBatchNorm? ResNetBatchNormPolicy(out string? error)
    {
        error = null;
        if (ResnetBatchNorm == "train") return Models.ResNetBatchNorm.Train;
        if (ResnetBatchNorm == "frozen") return Models.ResNetBatchNorm.Frozen;
        error = $"model.resnetBatchNorm must be 'train' (batch statistics, running ones updated) or 'frozen' (the loaded running statistics kept), got '{ResnetBatchNorm}'";
        return null;
    }
}

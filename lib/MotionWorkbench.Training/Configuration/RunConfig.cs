using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Training;

/// <summary>A whole run: name, model, data and recipe. Saved as <c>config.json</c> in the run folder before step 0.</summary>
public sealed partial record RunConfig
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
        if (Choice.Check(m.Architecture) is string badArchitecture) errors.Add(badArchitecture);
        if (Data.MixDirs().Count > 0 && (m.Architecture == Architecture.Interaction || m.ReadsRawFrames()))
            errors.Add($"data.mixWith mixes skeletons through motion patches; model.architecture '{m.Architecture}' cannot (raw frames differ in width per skeleton; interactions need InterHuman pairs)");
        var encoder = m.MotionEncoderKind();
        if (Train.InitMotionEncoder is string initMotion)
        {
            if (encoder != Architecture.Vit && encoder != Architecture.Resnet)
                errors.Add($"train.initMotionEncoder loads a timm ViT or ResNet weights; model.architecture '{m.Architecture}' has a '{encoder}' motion encoder");
            else if (MotionEncoderInit.Check(initMotion, encoder) is string badInit) errors.Add(badInit);
        }
        if (Train.InitFrom is not null && Train.InitMotionEncoder is not null)
            errors.Add("train.initFrom and train.initMotionEncoder both set: start either from a run or from pretrained motion-encoder weights");
        if (m.Architecture == Architecture.Interaction || m.Architecture == Architecture.Caption)
        {
            if (!m.MotionEncoder.IsPatchEncoder) errors.Add($"model.motionEncoder must be 'vit' or 'resnet' (the patch encoder of '{m.Architecture}'), got '{m.MotionEncoder}'");
        }
        else if (m.MotionEncoder != Architecture.Vit)
            errors.Add($"model.motionEncoder = {m.MotionEncoder} chooses the encoder of 'interaction' and 'caption' only; for model.architecture '{m.Architecture}' " +
                (m.Architecture == Architecture.Lex ? "set model.lexMotionEncoder" : "set model.architecture (vit, resnet or raw)"));
        if (encoder == Architecture.Resnet)
        {
            if (m.ResNetStageDepths(out var badStages) is null) errors.Add(badStages!);
            if (m.ResnetWidth < 1) errors.Add($"model.resnetWidth must be positive, got {m.ResnetWidth}");
            if (m.ResNetBatchNormPolicy(out var badPolicy) is not { } policy) errors.Add(badPolicy!);
            else if (policy == ResNetBatchNorm.Frozen && Train.InitMotionEncoder is null && Train.InitFrom is null)
                errors.Add("model.resnetBatchNorm = frozen keeps the running statistics at their loaded values, but this run loads none " +
                    "(set train.initMotionEncoder, e.g. resnet18-imagenet, or train.initFrom; from scratch use resnetBatchNorm = train)");
            if (m.MaxFrames < ResNetConfig.TotalStride || PatchOptions.PartCount * m.PatchSize < ResNetConfig.TotalStride)
                errors.Add($"the ResNet's input ({m.MaxFrames} x {PatchOptions.PartCount * m.PatchSize}: model.maxFrames x 5 x model.patchSize) must be at least {ResNetConfig.TotalStride} x {ResNetConfig.TotalStride}");
        }
        if (m.Architecture == Architecture.Lex)
        {
            if (!Architecture.LexMotionEncoders.Contains(m.LexMotionEncoder)) errors.Add($"model.lexMotionEncoder must be 'vit', 'raw' or 'resnet', got '{m.LexMotionEncoder}'");
        if (m.LexPhase is not ("cmlp" or "mlm" or "cmmm" or "mmm")) errors.Add($"model.lexPhase must be 'mlm' (LexMLM), 'cmmm' (CMMM), 'mmm' (LexMMM) or 'cmlp' (LexCMLP), got '{m.LexPhase}'");
            if (Choice.Check(m.LexVocabulary) is string badVocabulary) errors.Add(badVocabulary);
            if (m.LexPhase == "cmmm" && m.LexMotionEncoder != Architecture.Vit) errors.Add("model.lexPhase = cmmm masks motion-patch tokens: it needs model.lexMotionEncoder = vit");
            if (!(m.LexTemperature > 0)) errors.Add($"model.lexTemperature must be positive, got {m.LexTemperature}");
            if (!(m.LexFlopsWeight >= 0)) errors.Add($"model.lexFlopsWeight must be non-negative, got {m.LexFlopsWeight}");
            if (m.LexFlopsWarmupSteps < 0) errors.Add($"model.lexFlopsWarmupSteps must be 0 (no warm-up) or a positive number of steps, got {m.LexFlopsWarmupSteps}");
        }
        if (m.Architecture != Architecture.Caption && (m.CaptionLexWords != 0 || !string.IsNullOrWhiteSpace(m.CaptionLexRun)))
            errors.Add($"model.captionLexRun / model.captionLexWords prefix the caption decoder; model.architecture '{m.Architecture}' has none");
        if (m.Architecture == Architecture.Caption)
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
        if (PatchOptions.CheckPatchSize(m.PatchSize, "model.patchSize") is string badPatchSize) errors.Add(badPatchSize);
        if (m.MaxFrames <= 0 || m.MaxFrames % m.PatchSize != 0) errors.Add($"model.maxFrames ({m.MaxFrames}) must be a positive multiple of model.patchSize ({m.PatchSize})");
        if (m.VitHeads <= 0 || m.VitWidth % m.VitHeads != 0) errors.Add($"model.vitWidth ({m.VitWidth}) must be divisible by model.vitHeads ({m.VitHeads})");
        if (m.TextHeads <= 0 || m.TextWidth % m.TextHeads != 0) errors.Add($"model.textWidth ({m.TextWidth}) must be divisible by model.textHeads ({m.TextHeads})");
        if (m.VitPooling is not ("mean" or "cls")) errors.Add($"model.vitPooling must be 'mean' or 'cls', got '{m.VitPooling}'");
        errors.AddRange(TextTowerErrors());
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
        if (Choice.Check(t.Engine) is string badEngine) errors.Add(badEngine);
        if (!(t.Device is "cpu" or "auto" or "cuda" || (t.Device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.Device.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))))
            errors.Add($"train.device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got '{t.Device}'");
        else if (t.Engine == TrainingEngine.Mw && t.Device.StartsWith("cuda", StringComparison.Ordinal))
            errors.Add($"train.device = {t.Device} needs train.engine = torch (the own engine runs on the CPU only)");
        if (t.Selection is not ("val" or "test")) errors.Add($"train.selection must be 'val' or 'test', got '{t.Selection}'");
        if (!(t.CosinePeriodFactor > 0)) errors.Add($"train.cosinePeriodFactor must be positive, got {t.CosinePeriodFactor}");
        if (t.MlmEpochs < 0) errors.Add($"train.mlmEpochs must be >= 0, got {t.MlmEpochs}");
        if (t.MlmEpochs > 0 && m.Architecture == Architecture.Bag) errors.Add("train.mlmEpochs needs a transformer text encoder (the bag model has none)");
        if (t.EvalEvery < 1) errors.Add($"train.evalEvery must be at least 1, got {t.EvalEvery}");
        foreach (var (name, lr) in new[] { ("motionLr", t.MotionLr), ("textLr", t.TextLr), ("headLr", t.HeadLr), ("temperatureLr", t.TemperatureLr) })
            if (!(lr >= 0) || float.IsInfinity(lr)) errors.Add($"train.{name} must be a finite non-negative number, got {lr}");
        if (t.WarmupSteps < 0) errors.Add($"train.warmupSteps must be 0 (no warm-up) or a positive number of steps, got {t.WarmupSteps}");
        if (t.CheckpointEverySteps < 0) errors.Add($"train.checkpointEverySteps must be 0 (save 'last' at epoch ends only) or a positive number of steps, got {t.CheckpointEverySteps}");
        foreach (var (name, value) in new[] { ("weightDecay", t.WeightDecay), ("clipGradNorm", t.ClipGradNorm), ("mlmLr", t.MlmLr) })
            if (!(value >= 0) || float.IsInfinity(value)) errors.Add($"train.{name} must be a finite number >= 0, got {value}");
        foreach (var (name, value) in new[] { ("maxTrainClips", Data.MaxTrainClips), ("maxEvalClips", Data.MaxEvalClips) })
            if (value is < 1) errors.Add($"data.{name} must be at least 1 (or null: all clips), got {value}");
        foreach (var (name, value) in new[] { ("trainSplit", Data.TrainSplit), ("valSplit", Data.ValSplit), ("testSplit", Data.TestSplit) })
            if (string.IsNullOrWhiteSpace(value)) errors.Add($"data.{name} must name a split (e.g. train, val, test), got '{value}'");
        errors.AddRange(IgnoredSettings()); // one rule: a changed setting this run would not read (RunConfig.IgnoredSettings.cs)
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
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { OmitLaterKeysAtTheirDefaults } },
    };

    /// <summary>
    /// The format of <c>config.json</c> does not change for a run that does not use a key added after it was fixed
    /// (<c>tests/MotionWorkbench.Training.Tests/Fixtures/configs-0d055ac</c>): such a key is written only when the run
    /// uses it. The ResNet settings (<c>model.resnetStages</c>, <c>resnetWidth</c>, <c>resnetBatchNorm</c>) when the motion
    /// encoder is a ResNet or they differ from their defaults; <c>model.motionEncoder</c> when not "vit" (ModelSpec lives in
    /// Models, so here rather than as attributes; Training's own records say it with <c>JsonIgnore</c>, as <c>train.threads</c>
    /// while 0). A missing key reads as its default.
    /// </summary>
    private static void OmitLaterKeysAtTheirDefaults(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Type == typeof(ModelSpec))
        {
            var defaults = new ModelSpec();
            foreach (var p in info.Properties)
            {
                switch (p.Name)
                {
                    case "resnetStages":
                    case "resnetWidth":
                    case "resnetBatchNorm":
                        var get = p.Get!;
                        object? fallback = get(defaults);
                        p.ShouldSerialize = (owner, value) => ((ModelSpec)owner).MotionEncoderKind() == Architecture.Resnet || !Equals(value, fallback);
                        break;
                    case "motionEncoder":
                        p.ShouldSerialize = (_, value) => !Equals(value, Architecture.Vit);
                        break;
                }
            }
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The configuration without its thread count, for asking whether a saved run is the requested one (a run
    /// records the count it used; a request with train.threads = 0 leaves it to the process).</summary>
    public RunConfig WithoutThreads() => this with { Train = Train with { Threads = 0 } };

    /// <summary>Whether <paramref name="other"/> is the same run as this one: equal up to the thread count (what a resume checks).</summary>
    public bool SameRunAs(RunConfig other) => WithoutThreads().ToJson() == other.WithoutThreads().ToJson();

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
}

using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// The motion-language model: <c>motion_encoder</c> (ViT or raw sequence), <c>text_encoder</c> (DistilBERT/BERT),
/// <c>motion_head</c> and <c>text_head</c> (projection heads into the embedding), and, when learnable,
/// <c>logit_scale</c> = log(1/τ). Embeddings are L2-normalised; the loss is CLIP's symmetric InfoNCE.
/// With <see cref="People"/> = 2 it is the two-person model (paper Table 7, <see cref="InteractionModel"/>): the one
/// shared <c>motion_encoder</c> is applied to each person and the two features, concatenated, are projected by
/// <c>motion_head</c> (2·FeatureDim → E); the only difference is that width.
/// </summary>
public sealed class MotionTextModel : Module
{
    internal const string Format = "MotionWorkbench.MotionTextModel";

    /// <summary>The file format of a two-person model (<see cref="InteractionModel"/>; its files keep this name).</summary>
    internal const string PairFormat = "MotionWorkbench.InteractionModel";

    public MotionTextModelConfig Config { get; }

    /// <summary>People per motion: 1, or 2 for a two-person interaction (the motion head reads both people's features).</summary>
    public int People { get; }

    public MotionEncoder MotionEncoder { get; }
    public TextEncoder TextEncoder { get; }
    public ProjectionHead MotionHead { get; }
    public ProjectionHead TextHead { get; }

    /// <summary>log(1/τ), shape (1), only when the temperature is learnable.</summary>
    public Tensor? LogitScale { get; }

    private MotionTextModel(MotionTextModelConfig config, ulong seed, int people)
    {
        config.Validate();
        if (people is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(people), people, "a motion-text model reads one person or two");
        Config = config;
        People = people;
        MotionEncoder = Child("motion_encoder", MotionEncoder.Create(config.Motion, seed * 7 + 1));
        TextEncoder = Child("text_encoder", new TextEncoder(config.Text, seed * 7 + 2));
        MotionHead = Child("motion_head", new ProjectionHead(people * MotionEncoder.FeatureDim, config.EmbeddingDim, config.HeadDropout, seed * 7 + 3));
        TextHead = Child("text_head", new ProjectionHead(TextEncoder.FeatureDim, config.EmbeddingDim, config.HeadDropout, seed * 7 + 4));
        if (config.LearnableTemperature)
        {
            LogitScale = Param("logit_scale", 1);
            LogitScale.Data[0] = MathF.Log(1f / config.Temperature);
        }
    }

    /// <summary>A freshly initialised one-person model (deterministic in <paramref name="seed"/>).</summary>
    public static MotionTextModel Create(MotionTextModelConfig config, ulong seed) => new(config, seed, people: 1);

    /// <summary>A freshly initialised model of <paramref name="people"/> people per motion (1, or 2: <see cref="InteractionModel.Create"/>).</summary>
    public static MotionTextModel Create(MotionTextModelConfig config, ulong seed, int people) => new(config, seed, people);

    /// <summary>The current logit scale 1/τ.</summary>
    public float Scale => LogitScale is null ? 1f / Config.Temperature : MathF.Exp(LogitScale.Data[0]);

    /// <summary>Motion features before the head (B, FeatureDim) of a one-person model.</summary>
    public Tensor MotionFeatures(MotionInput input)
    {
        RequirePeople(1);
        return MotionEncoder.Forward(input);
    }

    /// <summary>Concatenated features of the two people (B, 2·FeatureDim), before the head, of a two-person model.</summary>
    public Tensor MotionFeatures(MotionInput person1, MotionInput person2)
    {
        RequirePeople(2);
        var f1 = MotionEncoder.Forward(person1);
        var f2 = MotionEncoder.Forward(person2);
        if (f1.Shape[0] != f2.Shape[0]) throw new ArgumentException($"interaction: person 1 has {f1.Shape[0]} motions, person 2 has {f2.Shape[0]}");
        return Ops.Concat([f1, f2], 1);
    }

    /// <summary>Text features before the head (B, FeatureDim).</summary>
    public Tensor TextFeatures(EncodedBatch batch) => TextEncoder.Forward(batch);

    /// <summary>L2-normalised motion embeddings (B, EmbeddingDim) of a one-person model.</summary>
    public Tensor EncodeMotion(MotionInput input) => Ops.L2Normalize(MotionHead.Forward(MotionFeatures(input)));

    /// <summary>L2-normalised interaction embeddings (B, EmbeddingDim) of a two-person model.</summary>
    public Tensor EncodeMotion(MotionInput person1, MotionInput person2) => Ops.L2Normalize(MotionHead.Forward(MotionFeatures(person1, person2)));

    /// <summary>L2-normalised text embeddings (B, EmbeddingDim).</summary>
    public Tensor EncodeText(EncodedBatch batch) => Ops.L2Normalize(TextHead.Forward(TextEncoder.Forward(batch)));

    /// <summary>Symmetric InfoNCE on normalised text and motion embeddings (row i of each is a positive pair).</summary>
    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Contrastive.Loss(text, motion, 1f / Config.Temperature, LogitScale);

    /// <summary>The optimiser groups: "motion", "text", "heads" and, when learnable, "temperature".</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() =>
        Contrastive.ParameterGroups(MotionEncoder, TextEncoder, MotionHead, TextHead, LogitScale);

    /// <summary>Each motion-encoder layer's attention probabilities of the last forward (set <see cref="MotionEncoder.KeepAttention"/> first).</summary>
    public IReadOnlyList<AttentionMap> MotionAttentionMaps() => MotionEncoder.AttentionMaps();

    /// <summary>Imports pretrained weights into the motion encoder: a timm ViT checkpoint into a ViT (<see cref="VitCheckpoint"/>),
    /// a torchvision-named ResNet state dict into a ResNet (<see cref="ResNetCheckpoint"/>).</summary>
    public ImportReport LoadPretrainedMotionEncoder(string path) => LoadPretrainedMotionEncoder(MotionEncoder, path);

    /// <summary>Imports pretrained weights into <paramref name="encoder"/> (a ViT: timm names; a ResNet: torchvision names); other encoders take none.</summary>
    public static ImportReport LoadPretrainedMotionEncoder(MotionEncoder encoder, string path) => encoder switch
    {
        VisionTransformer vit => VitCheckpoint.Load(vit, path),
        ResNetEncoder resnet => ResNetCheckpoint.Load(resnet, path),
        _ => throw new InvalidOperationException($"{path}: the motion encoder is a {encoder.GetType().Name}; only a ViT (timm checkpoint) or a ResNet (torchvision names) takes pretrained weights"),
    };

    /// <summary>
    /// Imports the text encoder from a Hugging Face checkpoint (see <see cref="TextCheckpoint"/>) or from a
    /// <see cref="MaskedLanguageModel"/> saved by <see cref="MaskedLanguageModel.Save"/> (its encoder).
    /// </summary>
    public ImportReport LoadPretrainedTextEncoder(string path)
    {
        var (tensors, metadata) = Safetensors.Read(path);
        if (metadata.TryGetValue("format", out var f) && f == MaskedLanguageModel.Format)
        {
            var mlm = MaskedLanguageModel.Load(path);
            if (mlm.Config with { Dropout = Config.Text.Dropout, Pooling = Config.Text.Pooling } != Config.Text)
                throw new InvalidDataException($"{path}: the pre-trained text encoder ({mlm.Config}) does not match the model's ({Config.Text})");
            TextEncoder.LoadStateDict(mlm.Encoder.StateDict(), strict: true, source: path);
            return new ImportReport(TextEncoder.NamedParameters().Select(p => p.Name).ToList(), mlm.Head.NamedParameters().Select(p => "mlm." + p.Name + " (MLM head)").ToList(), []);
        }
        return TextCheckpoint.Load(TextEncoder, tensors, path);
    }

    /// <summary>Writes the parameters (and a ResNet's running statistics) as safetensors with the JSON config in the metadata (atomically); a two-person model in its own format.</summary>
    public void Save(string path) => ModelFiles.Save(this, path, People == 2 ? PairFormat : Format, Config.ToJson());

    /// <summary>Rebuilds a one-person model from a file written by <see cref="Save"/> (config from its metadata, strict load).</summary>
    public static MotionTextModel Load(string path) => Load(path, people: 1);

    /// <summary>Rebuilds a model of <paramref name="people"/> people from its file; a file of the other kind is an error naming its format.</summary>
    internal static MotionTextModel Load(string path, int people)
    {
        var (tensors, config) = ModelFiles.Read(path, people == 2 ? PairFormat : Format);
        var model = Create(config, 0, people);
        model.LoadStateDict(tensors, strict: true, source: path);
        return model;
    }

    /// <summary>Reads only the config of a saved one-person model.</summary>
    public static MotionTextModelConfig ReadConfig(string path) => ModelFiles.Read(path, Format).Config;

    private void RequirePeople(int people)
    {
        if (People != people)
            throw new ArgumentException(People == 2
                ? "the two-person model encodes two motions per row: call EncodeMotion(person1, person2)"
                : "a one-person model encodes one motion per row: call EncodeMotion(input)");
    }
}

/// <summary>Model files: safetensors with metadata "format" and "config" (the JSON config).</summary>
internal static class ModelFiles
{
    public static void Save(Module model, string path, string format, string configJson)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // parameters and buffers (a ResNet's BatchNorm running statistics; the other encoders have none, so their files are unchanged)
        Safetensors.Write(path, model.NamedState(), new Dictionary<string, string> { ["format"] = format, ["config"] = configJson });
    }

    public static (Dictionary<string, Tensor> Tensors, MotionTextModelConfig Config) Read(string path, string format)
    {
        var (tensors, metadata) = Safetensors.Read(path);
        if (!metadata.TryGetValue("format", out var f) || f != format)
            throw new InvalidDataException($"{path}: not a {format} file (metadata format is '{(f ?? "missing")}')");
        if (!metadata.TryGetValue("config", out var json)) throw new InvalidDataException($"{path}: the metadata has no 'config'");
        try { return (tensors, MotionTextModelConfig.FromJson(json)); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{path}: the config in the metadata is not valid: {e.Message}", e); }
    }
}

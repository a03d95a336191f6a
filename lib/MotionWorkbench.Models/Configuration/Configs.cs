using System.Text.Json;
using System.Text.Json.Serialization;
using MotionWorkbench.Patches;

namespace MotionWorkbench.Models;

/// <summary>How the ViT turns its tokens into one feature vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VitPooling>))]
public enum VitPooling
{
    /// <summary>Mean of the patch tokens (class token excluded) followed by a fresh <c>fc_norm</c> (timm global_pool="avg"; the reference).</summary>
    MeanPatchTokens,
    /// <summary>The class token after the final <c>norm</c> (timm global_pool="token").</summary>
    ClassToken,
}

/// <summary>Text encoder architecture family.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TextEncoderKind>))]
public enum TextEncoderKind
{
    /// <summary>DistilBERT: word + position embeddings, no token types.</summary>
    DistilBert,
    /// <summary>BERT: word + position + token-type embeddings.</summary>
    Bert,
}

/// <summary>How the text encoder pools its token outputs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TextPooling>))]
public enum TextPooling
{
    /// <summary>The [CLS] token's output (last_hidden_state[:, 0]; the reference).</summary>
    Cls,
    /// <summary>Mean over the real (attention-mask 1) tokens.</summary>
    MaskedMean,
}

/// <summary>A motion encoder's configuration: <see cref="VitConfig"/>, <see cref="RawSequenceConfig"/> or <see cref="ResNetConfig"/>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(VitConfig), "vit")]
[JsonDerivedType(typeof(RawSequenceConfig), "raw_sequence")]
[JsonDerivedType(typeof(ResNetConfig), "resnet")]
public abstract record MotionEncoderConfig
{
    /// <summary>Size of the pooled feature the encoder produces (before the projection head).</summary>
    [JsonIgnore]
    public abstract int FeatureDim { get; }

    /// <summary>Throws with a clear message when the configuration cannot build a model.</summary>
    public abstract void Validate();
}

/// <summary>
/// Vision Transformer over motion patches (B, 3, Frames, Parts·PatchSize): timm's ViT with pre-norm blocks,
/// LayerNorm eps 1e-6 and exact GELU.
/// </summary>
/// <param name="Width">Embedding width C.</param>
/// <param name="Depth">Number of blocks.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="MlpDim">MLP hidden width.</param>
/// <param name="PatchSize">8, 16 or 32 (square patches).</param>
/// <param name="Frames">Image height (time), a multiple of the patch size (224).</param>
/// <param name="Parts">Body parts (5); the image width is Parts·PatchSize.</param>
/// <param name="Pooling">Mean of patch tokens + fc_norm (reference) or class token.</param>
/// <param name="Dropout">Dropout on attention probabilities, projections and MLP (reference: 0).</param>
public sealed record VitConfig(int Width, int Depth, int Heads, int MlpDim, int PatchSize = 16, int Frames = 224, int Parts = 5,
    VitPooling Pooling = VitPooling.MeanPatchTokens, float Dropout = 0f) : MotionEncoderConfig
{
    /// <summary>ViT-Tiny: 192 wide, 12 blocks, 3 heads, MLP 768.</summary>
    public static VitConfig Tiny(int patchSize = 16) => new(192, 12, 3, 768, patchSize);

    /// <summary>ViT-Small: 384, 12, 6, 1536.</summary>
    public static VitConfig Small(int patchSize = 16) => new(384, 12, 6, 1536, patchSize);

    /// <summary>ViT-Base: 768, 12, 12, 3072 (the reference).</summary>
    public static VitConfig Base(int patchSize = 16) => new(768, 12, 12, 3072, patchSize);

    /// <summary>ViT-Large: 1024, 24, 16, 4096.</summary>
    public static VitConfig Large(int patchSize = 16) => new(1024, 24, 16, 4096, patchSize);

    /// <summary>A preset by name: tiny, small, base or large.</summary>
    public static VitConfig Preset(string name, int patchSize = 16) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny(patchSize),
        "small" => Small(patchSize),
        "base" => Base(patchSize),
        "large" => Large(patchSize),
        _ => throw new ArgumentException($"unknown ViT preset '{name}' (tiny, small, base, large)"),
    };

    /// <summary>Image width in pixels: Parts·PatchSize.</summary>
    [JsonIgnore] public int ImageWidth => Parts * PatchSize;

    /// <summary>Token grid rows (time windows).</summary>
    [JsonIgnore] public int GridRows => Frames / PatchSize;

    /// <summary>Token grid columns (parts).</summary>
    [JsonIgnore] public int GridColumns => ImageWidth / PatchSize;

    /// <summary>Number of patch tokens (class token excluded).</summary>
    [JsonIgnore] public int PatchCount => GridRows * GridColumns;

    /// <inheritdoc />
    [JsonIgnore] public override int FeatureDim => Width;

    /// <inheritdoc />
    public override void Validate()
    {
        if (PatchOptions.CheckPatchSize(PatchSize, "ViT patch size") is string error) throw new ArgumentException(error);
        if (Width <= 0 || Depth <= 0 || Heads <= 0 || MlpDim <= 0) throw new ArgumentException($"ViT sizes must be positive: width {Width}, depth {Depth}, heads {Heads}, MLP {MlpDim}");
        if (Width % Heads != 0) throw new ArgumentException($"ViT width {Width} is not divisible by {Heads} heads");
        if (Frames <= 0 || Frames % PatchSize != 0) throw new ArgumentException($"ViT input frames {Frames} must be a positive multiple of the patch size {PatchSize}");
        if (Parts <= 0) throw new ArgumentException($"ViT parts must be positive, got {Parts}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"ViT dropout must be in [0, 1), got {Dropout}");
    }
}

/// <summary>
/// The "no patches" baseline: per-frame Linear(J·3 → Width), sinusoidal position encoding, a post-norm transformer
/// encoder (torch's TransformerEncoderLayer, GELU) with a key-padding mask, and a masked mean over the real frames.
/// </summary>
/// <param name="InputFeatures">J·3 values per frame.</param>
/// <param name="Width">Model width (256, as TMR).</param>
/// <param name="Depth">Layers (6).</param>
/// <param name="Heads">Heads (4).</param>
/// <param name="MlpDim">Feed-forward width (1024).</param>
/// <param name="MaxFrames">Longest sequence the position encoding covers.</param>
/// <param name="Dropout">Dropout (0.1).</param>
public sealed record RawSequenceConfig(int InputFeatures, int Width = 256, int Depth = 6, int Heads = 4, int MlpDim = 1024,
    int MaxFrames = 224, float Dropout = 0.1f) : MotionEncoderConfig
{
    /// <inheritdoc />
    [JsonIgnore] public override int FeatureDim => Width;

    /// <inheritdoc />
    public override void Validate()
    {
        if (InputFeatures <= 0 || InputFeatures % 3 != 0) throw new ArgumentException($"raw-sequence input features must be a positive multiple of 3 (J·3), got {InputFeatures}");
        if (Width <= 0 || Depth <= 0 || Heads <= 0 || MlpDim <= 0 || MaxFrames <= 0) throw new ArgumentException($"raw-sequence sizes must be positive: width {Width}, depth {Depth}, heads {Heads}, MLP {MlpDim}, max frames {MaxFrames}");
        if (Width % Heads != 0) throw new ArgumentException($"raw-sequence width {Width} is not divisible by {Heads} heads");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"raw-sequence dropout must be in [0, 1), got {Dropout}");
    }
}

/// <summary>DistilBERT or BERT text encoder (post-norm, LayerNorm eps 1e-12, exact GELU).</summary>
/// <param name="Kind">DistilBERT or BERT.</param>
/// <param name="Width">Hidden size.</param>
/// <param name="Depth">Layers.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="MlpDim">Feed-forward width.</param>
/// <param name="VocabSize">30522 for bert-base-uncased.</param>
/// <param name="MaxPositions">512.</param>
/// <param name="TypeVocabSize">Token types (BERT only; 2).</param>
/// <param name="Dropout">Dropout on embeddings, attention probabilities and residual branches (0.1; HF's
/// hidden and attention dropouts, which the engine's post-norm block applies at one rate).</param>
/// <param name="Pooling">[CLS] (reference) or masked mean.</param>
/// <param name="LayerNormEps">1e-12.</param>
public sealed record TextEncoderConfig(TextEncoderKind Kind, int Width, int Depth, int Heads, int MlpDim, int VocabSize = 30522,
    int MaxPositions = 512, int TypeVocabSize = 2, float Dropout = 0.1f,
    TextPooling Pooling = TextPooling.Cls, float LayerNormEps = 1e-12f)
{
    /// <summary>distilbert-base-uncased: 6 layers, 768, 12 heads, FFN 3072.</summary>
    public static TextEncoderConfig DistilBertBase => new(TextEncoderKind.DistilBert, 768, 6, 12, 3072);

    /// <summary>google/bert_uncased_L-4_H-256_A-4.</summary>
    public static TextEncoderConfig BertMini => new(TextEncoderKind.Bert, 256, 4, 4, 1024);

    /// <summary>google/bert_uncased_L-2_H-128_A-2.</summary>
    public static TextEncoderConfig BertTiny => new(TextEncoderKind.Bert, 128, 2, 2, 512);

    /// <summary>A preset by name: distilbert-base, bert-mini or bert-tiny.</summary>
    public static TextEncoderConfig Preset(string name) => name.ToLowerInvariant() switch
    {
        "distilbert-base" or "distilbert-base-uncased" => DistilBertBase,
        "bert-mini" => BertMini,
        "bert-tiny" => BertTiny,
        _ => throw new ArgumentException($"unknown text encoder preset '{name}' (distilbert-base, bert-mini, bert-tiny)"),
    };

    /// <summary>
    /// Reads a Hugging Face config.json (model_type "bert" or "distilbert"), e.g. the files in shared/data/vocab.
    /// </summary>
    public static TextEncoderConfig FromHuggingFaceConfig(string path)
    {
        JsonElement root;
        try { root = JsonDocument.Parse(File.ReadAllText(path)).RootElement; }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { throw new InvalidDataException($"{path}: cannot read a Hugging Face config: {e.Message}", e); }
        int Int(string name) => root.TryGetProperty(name, out var v) ? v.GetInt32() : throw new InvalidDataException($"{path}: '{name}' is missing");
        float Float(string name, float fallback) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : fallback;
        string type = root.TryGetProperty("model_type", out var mt) ? mt.GetString() ?? "" : "";
        var act = root.TryGetProperty(type == "distilbert" ? "activation" : "hidden_act", out var a) ? a.GetString() : "gelu";
        if (act != "gelu") throw new InvalidDataException($"{path}: activation '{act}' is not supported (only exact 'gelu')");
        return type switch
        {
            "distilbert" => new TextEncoderConfig(TextEncoderKind.DistilBert, Int("dim"), Int("n_layers"), Int("n_heads"), Int("hidden_dim"),
                Int("vocab_size"), Int("max_position_embeddings"), 2, SameDropout(Float("dropout", 0.1f), Float("attention_dropout", 0.1f))),
            "bert" => new TextEncoderConfig(TextEncoderKind.Bert, Int("hidden_size"), Int("num_hidden_layers"), Int("num_attention_heads"), Int("intermediate_size"),
                Int("vocab_size"), Int("max_position_embeddings"), Int("type_vocab_size"),
                SameDropout(Float("hidden_dropout_prob", 0.1f), Float("attention_probs_dropout_prob", 0.1f)), TextPooling.Cls, Float("layer_norm_eps", 1e-12f)),
            _ => throw new InvalidDataException($"{path}: model_type '{type}' is not 'bert' or 'distilbert'"),
        };

        float SameDropout(float hidden, float attention) => hidden == attention ? hidden
            : throw new InvalidDataException($"{path}: hidden dropout {hidden} and attention dropout {attention} differ; one rate is supported");
    }

    /// <summary>Throws with a clear message when the configuration cannot build a model.</summary>
    public void Validate()
    {
        if (Width <= 0 || Depth <= 0 || Heads <= 0 || MlpDim <= 0 || VocabSize <= 0 || MaxPositions <= 0 || TypeVocabSize <= 0)
            throw new ArgumentException($"text encoder sizes must be positive: width {Width}, depth {Depth}, heads {Heads}, MLP {MlpDim}, vocab {VocabSize}, positions {MaxPositions}, types {TypeVocabSize}");
        if (Width % Heads != 0) throw new ArgumentException($"text encoder width {Width} is not divisible by {Heads} heads");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"text encoder dropout must be in [0, 1), got {Dropout}");
    }
}

/// <summary>
/// A motion-language model: motion encoder, text encoder, two projection heads into <see cref="EmbeddingDim"/>,
/// and the contrastive temperature (fixed 0.07 as the reference in practice, or learnable).
/// </summary>
/// <param name="Motion">ViT or raw-sequence encoder.</param>
/// <param name="Text">DistilBERT/BERT encoder.</param>
/// <param name="EmbeddingDim">256.</param>
/// <param name="HeadDropout">0.5 for HumanML3D, 0 for KIT-ML.</param>
/// <param name="Temperature">0.07 (logit scale 1/0.07).</param>
/// <param name="LearnableTemperature">Train log(1/temperature) as a parameter (group "temperature").</param>
public sealed record MotionTextModelConfig(MotionEncoderConfig Motion, TextEncoderConfig Text, int EmbeddingDim = 256,
    float HeadDropout = 0.5f, float Temperature = 0.07f, bool LearnableTemperature = false)
{
    /// <summary>The reference model: ViT-B/16 (mean pool + fc_norm) and DistilBERT-base, 256-d, dropout 0.5, τ = 0.07.</summary>
    public static MotionTextModelConfig Reference => new(VitConfig.Base(), TextEncoderConfig.DistilBertBase);

    /// <summary>Throws with a clear message when the configuration cannot build a model.</summary>
    public void Validate()
    {
        Motion.Validate();
        Text.Validate();
        if (EmbeddingDim <= 0) throw new ArgumentException($"embedding dimension must be positive, got {EmbeddingDim}");
        if (HeadDropout is < 0 or >= 1) throw new ArgumentException($"head dropout must be in [0, 1), got {HeadDropout}");
        if (!(Temperature > 0)) throw new ArgumentException($"temperature must be positive, got {Temperature}");
    }

    /// <summary>Indented JSON (System.Text.Json) that <see cref="FromJson"/> reads back.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ModelJson.Options);

    /// <summary>Reads a config written by <see cref="ToJson"/>.</summary>
    public static MotionTextModelConfig FromJson(string json) =>
        JsonSerializer.Deserialize<MotionTextModelConfig>(json, ModelJson.Options) ?? throw new InvalidDataException("model config JSON is null");
}

/// <summary>The JSON settings every model config uses.</summary>
public static class ModelJson
{
    /// <summary>Indented, camelCase properties, enums as strings.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        AllowOutOfOrderMetadataProperties = true,
    };
}

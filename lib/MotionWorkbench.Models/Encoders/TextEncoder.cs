using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>Word + position (+ token-type for BERT) embeddings, then LayerNorm and dropout (HF names).</summary>
public sealed class TextEmbeddings : Module
{
    public Embedding WordEmbeddings { get; }
    public Embedding PositionEmbeddings { get; }
    public Embedding? TokenTypeEmbeddings { get; }
    public LayerNorm LayerNorm { get; }
    public Dropout Dropout { get; }

    public TextEmbeddings(TextEncoderConfig config, ulong seed)
    {
        WordEmbeddings = Child("word_embeddings", new Embedding(config.VocabSize, config.Width));
        PositionEmbeddings = Child("position_embeddings", new Embedding(config.MaxPositions, config.Width));
        if (config.Kind == TextEncoderKind.Bert) TokenTypeEmbeddings = Child("token_type_embeddings", new Embedding(config.TypeVocabSize, config.Width));
        LayerNorm = Child("LayerNorm", new LayerNorm(config.Width, config.LayerNormEps));
        Dropout = Child("dropout", new Dropout(config.Dropout, seed));
    }

    /// <summary>ids (B·L) -> (B, L, C).</summary>
    public Tensor Forward(int[] ids, int B, int L)
    {
        var positionIds = new int[B * L];
        for (int i = 0; i < positionIds.Length; i++) positionIds[i] = i % L;
        var x = Ops.Add(WordEmbeddings.Forward(ids, B, L), PositionEmbeddings.Forward(positionIds, B, L)); // (B, L, C)
        if (TokenTypeEmbeddings is not null) x = Ops.Add(x, Ops.Reshape(Ops.Slice(TokenTypeEmbeddings.Weight, 0, 0, 1), x.Shape[2])); // token type 0 everywhere
        return Dropout.Forward(LayerNorm.Forward(x));
    }
}

/// <summary>DistilBERT's <c>transformer</c> holding <c>layer.{i}</c>.</summary>
public sealed class TextTransformer : Module
{
    public ModuleList<PostNormBlock> Layer { get; }

    public TextTransformer(TextEncoderConfig config, ulong seed) =>
        Layer = Child("layer", new ModuleList<PostNormBlock>(config.Depth, i =>
            new PostNormBlock(config.Width, config.Heads, config.MlpDim, config.Dropout, seed * 131 + (ulong)i + 1, config.LayerNormEps)));
}

/// <summary>
/// DistilBERT / BERT text encoder. Parameter names are DistilBERT's for both kinds (<c>embeddings.*</c>,
/// <c>transformer.layer.{i}.attention.q_lin</c>, <c>sa_layer_norm</c>, <c>ffn.lin1</c>, <c>output_layer_norm</c>);
/// <see cref="TextCheckpoint"/> maps BERT's names onto them. Post-norm layers, exact GELU, LayerNorm eps 1e-12.
/// </summary>
public sealed class TextEncoder : Module
{
    public TextEncoderConfig Config { get; }
    public TextEmbeddings Embeddings { get; }
    public TextTransformer Transformer { get; }

    public TextEncoder(TextEncoderConfig config, ulong seed)
    {
        config.Validate();
        Config = config;
        Embeddings = Child("embeddings", new TextEmbeddings(config, seed * 977 + 3));
        Transformer = Child("transformer", new TextTransformer(config, seed));
        Init.Bert(this, new Random(unchecked((int)(seed ^ (seed >> 32)) + 17)));
    }

    /// <summary>Feature size.</summary>
    public int FeatureDim => Config.Width;

    /// <summary>Every token's output (B, L, C) (HF last_hidden_state).</summary>
    public Tensor ForwardTokens(EncodedBatch batch) => ForwardTokens(batch.InputIds, batch.AttentionMask, batch.BatchSize, batch.Length);

    /// <summary>Every token's output (B, L, C) for ids and attention mask (B·L, 1 = real token).</summary>
    public Tensor ForwardTokens(int[] ids, int[] attentionMask, int B, int L)
    {
        if (ids.Length != B * L || attentionMask.Length != B * L) throw new ArgumentException($"text encoder: {ids.Length} ids and {attentionMask.Length} mask entries for a ({B}, {L}) batch");
        if (L > Config.MaxPositions) throw new ArgumentException($"text encoder: sequence length {L} exceeds the {Config.MaxPositions} positions (truncate the batch)");
        foreach (var id in ids) if ((uint)id >= (uint)Config.VocabSize) throw new ArgumentException($"text encoder: token id {id} is outside the vocabulary of {Config.VocabSize}");
        var padding = new bool[B * L];
        bool any = false;
        for (int i = 0; i < padding.Length; i++) { padding[i] = attentionMask[i] == 0; any |= padding[i]; }
        var h = Embeddings.Forward(ids, B, L);
        foreach (var layer in Transformer.Layer.Items) h = layer.Forward(h, any ? padding : null);
        return h;
    }

    /// <summary>Pooled features (B, C): [CLS] output or masked mean, per <see cref="TextEncoderConfig.Pooling"/>.</summary>
    public Tensor Forward(EncodedBatch batch)
    {
        var h = ForwardTokens(batch);
        return Pool(h, batch.AttentionMask);
    }

    /// <summary>Pools token outputs (B, L, C) with the attention mask (B·L).</summary>
    public Tensor Pool(Tensor h, int[] attentionMask)
    {
        int B = h.Shape[0], L = h.Shape[1], C = h.Shape[2];
        if (Config.Pooling == TextPooling.Cls) return Ops.Reshape(Ops.Slice(h, 1, 0, 1), B, C);
        return RawSequenceEncoder.MaskedMean(h, Array.ConvertAll(attentionMask, m => m != 0), B, L);
    }

    /// <summary>Keep each layer's attention probabilities on the next forwards.</summary>
    public bool KeepAttention
    {
        get => Transformer.Layer.Count > 0 && Transformer.Layer[0].Attention.KeepProbabilities;
        set { foreach (var b in Transformer.Layer.Items) b.Attention.KeepProbabilities = value; }
    }

    /// <summary>Each layer's attention probabilities of the last forward made with <see cref="KeepAttention"/> on.</summary>
    public IReadOnlyList<AttentionMap> AttentionMaps() => MotionEncoder.Maps(Transformer.Layer.Items.Select(b => b.Attention));
}

/// <summary>
/// Masked-language-model head: <c>transform</c> Linear(C → C), exact GELU, <c>layer_norm</c>, then a decoder whose
/// weight is the word-embedding table (tied, not a parameter of its own) plus <c>bias</c> (V).
/// </summary>
public sealed class MlmHead : Module
{
    private readonly Tensor wordEmbeddings;

    public Linear Transform { get; }
    public LayerNorm LayerNorm { get; }
    public Tensor Bias { get; }

    public MlmHead(TextEncoder encoder, ulong seed)
    {
        var config = encoder.Config;
        wordEmbeddings = encoder.Embeddings.WordEmbeddings.Weight;
        Transform = Child("transform", new Linear(config.Width, config.Width));
        LayerNorm = Child("layer_norm", new LayerNorm(config.Width, config.LayerNormEps));
        Bias = Param("bias", config.VocabSize);
        Init.Bert(this, new Random(unchecked((int)(seed ^ (seed >> 32)) + 29)));
    }

    /// <summary>Hidden states (N, C) -> vocabulary logits (N, V).</summary>
    public Tensor Forward(Tensor h) => Ops.Linear(LayerNorm.Forward(Transform.ForwardGelu(h)), wordEmbeddings, Bias);
}

/// <summary>
/// A text encoder with its MLM head (children <c>encoder</c> and <c>mlm</c>), for pre-training on captions when no
/// pretrained weights exist. Its encoder's state dict loads into <see cref="MotionTextModel.TextEncoder"/>
/// (<c>model.TextEncoder.LoadStateDict(mlm.Encoder.StateDict())</c>).
/// </summary>
public sealed class MaskedLanguageModel : Module
{
    internal const string Format = "MotionWorkbench.MaskedLanguageModel";

    public TextEncoderConfig Config { get; }
    public TextEncoder Encoder { get; }
    public MlmHead Head { get; }

    public MaskedLanguageModel(TextEncoderConfig config, ulong seed)
    {
        Config = config;
        Encoder = Child("encoder", new TextEncoder(config, seed));
        Head = Child("mlm", new MlmHead(Encoder, seed + 1));
    }

    /// <summary>Writes the parameters as safetensors with the JSON text-encoder config in the metadata (atomically).</summary>
    public void Save(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        MotionWorkbench.Tensors.IO.Safetensors.Write(path, NamedParameters(), new Dictionary<string, string>
        {
            ["format"] = Format,
            ["config"] = System.Text.Json.JsonSerializer.Serialize(Config, ModelJson.Options),
        });
    }

    /// <summary>Rebuilds a model written by <see cref="Save"/>.</summary>
    public static MaskedLanguageModel Load(string path)
    {
        var (tensors, metadata) = MotionWorkbench.Tensors.IO.Safetensors.Read(path);
        if (!metadata.TryGetValue("format", out var f) || f != Format) throw new InvalidDataException($"{path}: not a {Format} file (metadata format is '{f ?? "missing"}')");
        if (!metadata.TryGetValue("config", out var json)) throw new InvalidDataException($"{path}: the metadata has no 'config'");
        TextEncoderConfig config;
        try { config = System.Text.Json.JsonSerializer.Deserialize<TextEncoderConfig>(json, ModelJson.Options) ?? throw new InvalidDataException($"{path}: the config is null"); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{path}: the config in the metadata is not valid: {e.Message}", e); }
        var model = new MaskedLanguageModel(config, 0);
        model.LoadStateDict(tensors, strict: true, source: path);
        return model;
    }

    /// <summary>Vocabulary logits (B·L, V) for every position.</summary>
    public Tensor Logits(MaskedLanguageModelBatch batch)
    {
        var h = Encoder.ForwardTokens(batch.InputIds, batch.AttentionMask, batch.BatchSize, batch.Length);
        return Head.Forward(Ops.Reshape(h, batch.BatchSize * batch.Length, Encoder.Config.Width));
    }

    /// <summary>Mean cross-entropy over the labelled positions (labels other than <see cref="MaskedLanguageModelMasker.IgnoreLabel"/>).</summary>
    public Tensor Loss(MaskedLanguageModelBatch batch)
    {
        var rows = new List<int>();
        var targets = new List<int>();
        for (int i = 0; i < batch.Labels.Length; i++)
            if (batch.Labels[i] != MaskedLanguageModelMasker.IgnoreLabel) { rows.Add(i); targets.Add(batch.Labels[i]); }
        if (rows.Count == 0) throw new ArgumentException("MLM loss: the batch has no labelled position");
        var h = Encoder.ForwardTokens(batch.InputIds, batch.AttentionMask, batch.BatchSize, batch.Length);
        var picked = Ops.IndexSelect(Ops.Reshape(h, batch.BatchSize * batch.Length, Encoder.Config.Width), rows.ToArray()); // (N, C)
        return Ops.CrossEntropy(Head.Forward(picked), targets.ToArray());
    }
}

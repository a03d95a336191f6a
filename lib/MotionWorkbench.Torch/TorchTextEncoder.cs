using MotionWorkbench.Models;
using MotionWorkbench.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="TextEncoder"/> (DistilBERT / BERT) on TorchSharp: word + position (+ token-type 0 for
/// BERT) embeddings, LayerNorm, dropout, post-norm layers with the attention mask, then [CLS] or masked-mean pooling.
/// Parameter names: <c>{prefix}.embeddings.*</c>, <c>{prefix}.transformer.layer.{i}.*</c>. Ids (B, L) int64, attention
/// mask (B, L) (1 = real token).
/// </summary>
public sealed class TorchTextEncoder
{
    private readonly TorchModel owner;
    private readonly Parameter words, positionTable;
    private readonly Parameter? tokenTypes;
    private readonly TorchLayerNorm embeddingNorm;
    private readonly TorchPostNormBlock[] layers;

    public TorchTextEncoder(TorchModel owner, string prefix, TextEncoderConfig config)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(config);
        this.owner = owner;
        Config = config;
        words = owner.Get(TorchModel.Key(prefix, "embeddings.word_embeddings.weight"));
        positionTable = owner.Get(TorchModel.Key(prefix, "embeddings.position_embeddings.weight"));
        tokenTypes = config.Kind == TextEncoderKind.Bert ? owner.Get(TorchModel.Key(prefix, "embeddings.token_type_embeddings.weight")) : null;
        embeddingNorm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "embeddings.LayerNorm"), config.LayerNormEps);
        layers = Enumerable.Range(0, config.Depth).Select(i => new TorchPostNormBlock(owner, TorchModel.Key(prefix, $"transformer.layer.{i}"), config.Heads, config.Dropout, config.LayerNormEps)).ToArray();
    }

    public TextEncoderConfig Config { get; }

    public int FeatureDim => Config.Width;

    /// <summary>The word-embedding table (V, C) (tied to the MLM head and the text lexical head).</summary>
    public Parameter WordEmbeddings => words;

    /// <summary>Embeddings of ids (B, L): LayerNorm(word + position (+ type 0)), then dropout -> (B, L, C).</summary>
    public Tensor Embed(Tensor inputIds)
    {
        if (inputIds.dim() != 2) throw new ArgumentException($"text encoder: ids must be (B, L), got ({string.Join(", ", inputIds.shape)})");
        long L = inputIds.shape[1];
        if (L > Config.MaxPositions) throw new ArgumentException($"text encoder: sequence length {L} exceeds the {Config.MaxPositions} positions (truncate the batch)");
        var x = words.index_select(0, inputIds.reshape(-1)).view(inputIds.shape[0], L, -1) + positionTable.narrow(0, 0, L);  // (B, L, C)
        if (tokenTypes is not null) x = x + tokenTypes[0];                       // token type 0 everywhere
        return TorchOps.Dropout(owner, embeddingNorm.Forward(x), Config.Dropout);
    }

    /// <summary>Runs the layers over embedded tokens x (B, L, C) with key padding (B, L) (true = padded, or null).</summary>
    public Tensor Layers(Tensor x, Tensor? keyPadding)
    {
        foreach (var layer in layers) x = layer.Forward(x, keyPadding);
        return x;
    }

    /// <summary>Every token's output (B, L, C) (HF last_hidden_state).</summary>
    public Tensor ForwardTokens(Tensor inputIds, Tensor attentionMask)
    {
        CheckMask(inputIds, attentionMask);
        return Layers(Embed(inputIds), attentionMask.eq(0));
    }

    /// <summary>Pooled features (B, C): [CLS] output or masked mean, per <see cref="TextEncoderConfig.Pooling"/>.</summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask) => Pool(ForwardTokens(inputIds, attentionMask), attentionMask);

    /// <summary>Pools token outputs (B, L, C) with the attention mask (B, L).</summary>
    public Tensor Pool(Tensor h, Tensor attentionMask) =>
        Config.Pooling == TextPooling.Cls ? h.select(1, 0) : TorchOps.MaskedMean(h, attentionMask.ne(0));

    /// <summary>Checks a CPU batch against the vocabulary and the positions (the own engine's messages), before it goes to the device.</summary>
    public void CheckIds(EncodedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Length > Config.MaxPositions) throw new ArgumentException($"text encoder: sequence length {batch.Length} exceeds the {Config.MaxPositions} positions (truncate the batch)");
        foreach (var id in batch.InputIds)
            if ((uint)id >= (uint)Config.VocabSize) throw new ArgumentException($"text encoder: token id {id} is outside the vocabulary of {Config.VocabSize}");
    }

    private static void CheckMask(Tensor ids, Tensor mask)
    {
        if (!ids.shape.SequenceEqual(mask.shape))
            throw new ArgumentException($"text encoder: ids ({string.Join(", ", ids.shape)}) and attention mask ({string.Join(", ", mask.shape)}) differ in shape");
    }
}

/// <summary>
/// The own engine's <see cref="MlmHead"/>: <c>transform</c> Linear(C → C), exact GELU, <c>layer_norm</c>, then the tied
/// word-embedding table plus <c>bias</c> (V).
/// </summary>
public sealed class TorchMlmHead
{
    private readonly TorchLinear transform;
    private readonly TorchLayerNorm layerNorm;
    private readonly Parameter bias, words;

    public TorchMlmHead(TorchModel owner, string prefix, TorchTextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(encoder);
        transform = new TorchLinear(owner, TorchModel.Key(prefix, "transform"));
        layerNorm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "layer_norm"), encoder.Config.LayerNormEps);
        bias = owner.Get(TorchModel.Key(prefix, "bias"));
        words = encoder.WordEmbeddings;
    }

    /// <summary>Hidden states (N, C) -> vocabulary logits (N, V).</summary>
    public Tensor Forward(Tensor h) => F.linear(layerNorm.Forward(TorchOps.Gelu(transform.Forward(h))), words, bias);
}

/// <summary>
/// The own engine's <see cref="MaskedLanguageModel"/> (children <c>encoder</c> and <c>mlm</c>) on TorchSharp, for
/// pre-training a text encoder on captions; its state dict has the own model's names.
/// </summary>
public sealed class TorchMaskedLanguageModel : TorchModel
{
    public TorchMaskedLanguageModel(MaskedLanguageModel own, Device device) : base(own, device)
    {
        Config = own.Config;
        Encoder = new TorchTextEncoder(this, "encoder", own.Config);
        Head = new TorchMlmHead(this, "mlm", Encoder);
    }

    public TextEncoderConfig Config { get; }
    public TorchTextEncoder Encoder { get; }
    public TorchMlmHead Head { get; }

    /// <summary>Vocabulary logits (B·L, V) for every position.</summary>
    public Tensor Logits(Tensor inputIds, Tensor attentionMask)
    {
        var h = Encoder.ForwardTokens(inputIds, attentionMask);
        return Head.Forward(h.reshape(-1, Config.Width));
    }

    /// <summary>Mean cross-entropy over the labelled positions of labels (B, L) int64 (<see cref="MaskedLanguageModelMasker.IgnoreLabel"/> elsewhere).</summary>
    public Tensor Loss(Tensor inputIds, Tensor attentionMask, Tensor labels)
    {
        var flat = labels.reshape(-1);
        var rows = flat.ne(MaskedLanguageModelMasker.IgnoreLabel).nonzero().squeeze(1);
        if (rows.shape[0] == 0) throw new ArgumentException("MLM loss: the batch has no labelled position");
        var h = Encoder.ForwardTokens(inputIds, attentionMask).reshape(-1, Config.Width).index_select(0, rows);
        return F.cross_entropy(Head.Forward(h), flat.index_select(0, rows));
    }
}

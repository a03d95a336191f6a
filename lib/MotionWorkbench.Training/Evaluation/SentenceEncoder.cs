using MotionWorkbench.Models;
using MotionWorkbench.Pretrained;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// A text encoder with its tokenizer, in eval mode, for embedding sentences outside training: the weights store's
/// MiniLM-L6 / Arctic-xs (<see cref="FromStore"/>, pooled as each was trained) or any <see cref="TextEncoder"/> with a
/// vocabulary. <see cref="Encode"/> gives the pooled features and every token's last hidden state (<c>mw encode text</c>);
/// <see cref="Embed"/> the L2-normalised sentence embeddings (TMR's threshold protocol, zero-shot prompts).
/// </summary>
public sealed class SentenceEncoder(TextEncoder encoder, BertTokenizer tokenizer, string description)
{
    /// <summary>Sentences encoded per forward pass.</summary>
    public const int BatchSize = 64;

    public TextEncoder Encoder { get; } = CheckVocabulary(encoder, tokenizer);
    public BertTokenizer Tokenizer { get; } = tokenizer;

    /// <summary>What encodes, in words ("minilm-l6 (sentence-transformers/all-MiniLM-L6-v2 ...), attention-mask mean").</summary>
    public string Description { get; } = description;

    /// <summary>
    /// The store's text encoder <paramref name="name"/> (minilm-l6, arctic-xs; converted on first use) with its vocabulary;
    /// <paramref name="pooling"/> overrides the pooling it was trained with.
    /// </summary>
    public static SentenceEncoder FromStore(string name, PretrainedStore? store = null, TextPooling? pooling = null, Action<string>? log = null)
    {
        var weights = EncoderWeights.Resolve(name, "the text encoder", store, log);
        if (weights.Source is not { Kind: PretrainedKind.TextEncoder } source)
            throw new ArgumentException($"'{name}' is not a text encoder of the weights store (its text encoders: {string.Join(", ", TextKind.Pretrained)})");
        var encoder = PretrainedStore.LoadTextEncoder(weights.Path);
        if (pooling is { } p) encoder = Repooled(encoder, p);
        var tokenizer = BertTokenizer.FromVocabularyFile(weights.VocabularyPath!, encoder.Config.MaxPositions);
        string pooled = encoder.Config.Pooling == TextPooling.MaskedMean ? "attention-mask mean" : "[CLS]";
        return new SentenceEncoder(encoder, tokenizer, $"{source.Name} ({source.Upstream.Split(" (")[0]}), {pooled} pooling");
    }

    /// <summary><paramref name="encoder"/> with <paramref name="pooling"/> (the same weights in a new encoder; itself when it already pools so).</summary>
    public static TextEncoder Repooled(TextEncoder encoder, TextPooling pooling)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (encoder.Config.Pooling == pooling) return encoder;
        var repooled = new TextEncoder(encoder.Config with { Pooling = pooling }, seed: 0);
        repooled.LoadStateDict(encoder.StateDict(), strict: true, source: "the text encoder");
        return repooled;
    }

    /// <summary>Pooled features (B, C), every token's last hidden state (B, L, C) and the batch's attention mask, for <paramref name="texts"/> in one batch.</summary>
    public (float[] Pooled, float[] Hidden, EncodedBatch Batch) Encode(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("no text to encode");
        var batch = Tokenizer.EncodeBatch(texts);
        Encoder.Eval();
        using (Autograd.NoGrad())
        {
            var h = Encoder.ForwardTokens(batch);                  // (B, L, C)
            var pooled = Encoder.Pool(h, batch.AttentionMask);     // (B, C)
            return (pooled.Data.ToArray(), h.Data.ToArray(), batch);
        }
    }

    /// <summary>L2-normalised pooled features of every text, in batches of <see cref="BatchSize"/> (one row per text).</summary>
    public float[][] Embed(IReadOnlyList<string> texts, IProgress<(int Done, int Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int C = Encoder.FeatureDim;
        var rows = new float[texts.Count][];
        Encoder.Eval();
        using (Autograd.NoGrad())
            for (int s = 0; s < texts.Count; s += BatchSize)
            {
                int n = Math.Min(BatchSize, texts.Count - s);
                using var scope = TensorScope.Begin();
                var batch = Tokenizer.EncodeBatch(texts.Skip(s).Take(n).ToList());
                var pooled = Encoder.Forward(batch).Data;           // (n, C)
                for (int i = 0; i < n; i++) rows[s + i] = Normalised(pooled.Slice(i * C, C));
                progress?.Report((s + n, texts.Count));
            }
        return rows;
    }

    private static float[] Normalised(ReadOnlySpan<float> x)
    {
        var y = x.ToArray();
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(y);
        if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(y, norm, y);
        return y;
    }

    private static TextEncoder CheckVocabulary(TextEncoder encoder, BertTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.Vocabulary.Count > encoder.Config.VocabSize)
            throw new ArgumentException($"the vocabulary has {tokenizer.Vocabulary.Count:N0} tokens, the text encoder only {encoder.Config.VocabSize:N0}");
        return encoder;
    }
}

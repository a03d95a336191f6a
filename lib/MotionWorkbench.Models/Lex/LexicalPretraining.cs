using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// The two masked copies of a caption batch the Lex bottleneck phases read (LexMAE "inclusive" masking): one seeded
/// permutation of each caption's inner word pieces ([CLS], [SEP] and padding never masked) masks its first 30 % for
/// the encoder and its first 50 % for the weak decoder, so the decoder's mask contains the encoder's. Masked positions
/// follow BERT's 80/10/10 ([MASK] / a random word piece / unchanged). Rows index the flattened (B·L) positions.
/// </summary>
public sealed record CaptionMasks(int[] EncoderIds, int[] EncoderRows, int[] EncoderLabels, int[] DecoderIds, int[] DecoderRows, int[] DecoderLabels, bool[] Inner)
{
    public const double EncoderRatio = 0.30, DecoderRatio = 0.50;

    /// <param name="maskId">The vocabulary's [MASK] id.</param>
    /// <param name="vocabularySize">Random replacements are drawn from ids [firstWordId, vocabularySize).</param>
    public static CaptionMasks Make(EncodedBatch batch, int maskId, int vocabularySize, int firstWordId, ulong seed,
        double encoderRatio = EncoderRatio, double decoderRatio = DecoderRatio)
    {
        if (!(encoderRatio > 0 && encoderRatio <= decoderRatio && decoderRatio < 1))
            throw new ArgumentException($"caption masks: need 0 < encoder ratio ({encoderRatio}) <= decoder ratio ({decoderRatio}) < 1");
        if ((uint)maskId >= (uint)vocabularySize) throw new ArgumentException($"caption masks: [MASK] id {maskId} is outside the vocabulary of {vocabularySize}");
        int B = batch.BatchSize, L = batch.Length;
        var enc = (int[])batch.InputIds.Clone();
        var dec = (int[])batch.InputIds.Clone();
        var inner = new bool[B * L];
        List<int> er = [], el = [], dr = [], dl = [];
        for (int b = 0; b < B; b++)
        {
            int len = 0;
            for (int t = 0; t < L; t++) if (batch.AttentionMask[b * L + t] != 0) len = t + 1;
            var positions = Enumerable.Range(1, Math.Max(0, len - 2)).ToArray(); // between [CLS] and [SEP]
            foreach (var t in positions) inner[b * L + t] = true;
            if (positions.Length == 0) continue;
            var rng = new Random(unchecked((int)(seed * 0x9E3779B97F4A7C15UL >> 33) ^ (b * 7919)));
            for (int i = positions.Length - 1; i > 0; i--) { int j = rng.Next(i + 1); (positions[i], positions[j]) = (positions[j], positions[i]); }
            int ne = Math.Max(1, (int)Math.Round(positions.Length * encoderRatio)), nd = Math.Max(ne, (int)Math.Round(positions.Length * decoderRatio));
            for (int i = 0; i < nd; i++)
            {
                int at = b * L + positions[i], original = batch.InputIds[at];
                double u = rng.NextDouble();
                int replacement = u < 0.8 ? maskId : u < 0.9 ? rng.Next(Math.Min(firstWordId, vocabularySize - 1), vocabularySize) : original;
                dec[at] = replacement; dr.Add(at); dl.Add(original);
                if (i < ne) { enc[at] = replacement; er.Add(at); el.Add(original); }
            }
        }
        return new CaptionMasks(enc, [.. er], [.. el], dec, [.. dr], [.. dl], inner);
    }
}

/// <summary>
/// What the Lex bottleneck phases' caption masking needs from the run's vocabulary: its [MASK] id, its size and the
/// first word-piece id after the special tokens (random replacements are drawn from [FirstWord, VocabularySize)).
/// A Lex model gets it when it is built for a run (<c>ModelFactory.Create</c>); <see cref="Source"/> names the
/// vocabulary in messages.
/// </summary>
public sealed record CaptionMaskTokens(int? MaskId, int VocabularySize, int FirstWord, string Source)
{
    /// <summary>The mask tokens of <paramref name="vocabulary"/> (a vocabulary without [MASK] is an error only when a bottleneck phase masks).</summary>
    public static CaptionMaskTokens Of(WordPieceVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        int? maskId = vocabulary.MaskId;
        int firstWord = maskId is int m ? new[] { vocabulary.PaddingId, vocabulary.UnknownId, vocabulary.ClassifierId, vocabulary.SeparatorId, m }.Max() + 1 : 0;
        return new CaptionMaskTokens(maskId, vocabulary.Count, firstWord, vocabulary.Source);
    }

    /// <summary>The two masked copies of <paramref name="batch"/> (<see cref="CaptionMasks.Make"/>); throws naming the vocabulary when it has no [MASK].</summary>
    public CaptionMasks Make(EncodedBatch batch, ulong seed)
    {
        int maskId = MaskId ?? throw new InvalidDataException($"{Source}: the vocabulary has no [MASK] token; the Lex bottleneck phases (LexMLM, LexMMM) mask captions with it");
        return CaptionMasks.Make(batch, maskId, VocabularySize, FirstWord, seed);
    }
}

/// <summary>The weak decoder of the bottleneck phases: two post-norm (BERT-style) layers of the text width (<c>layer.{i}</c>).</summary>
public sealed class WeakDecoder : Module
{
    public ModuleList<PostNormBlock> Layer { get; }

    public WeakDecoder(TextEncoderConfig text, int depth, ulong seed)
    {
        Layer = Child("layer", new ModuleList<PostNormBlock>(depth, i =>
            new PostNormBlock(text.Width, text.Heads, text.MlpDim, text.Dropout, seed * 131 + (ulong)i + 1, text.LayerNormEps)));
        Init.Bert(this, new Random(unchecked((int)(seed ^ (seed >> 32)) + 53)));
    }

    public Tensor Forward(Tensor x, bool[]? keyPadding)
    {
        foreach (var layer in Layer.Items) x = layer.Forward(x, keyPadding);
        return x;
    }
}

/// <summary>
/// The MAE decoder of phase 2 (CMMM) [D]: the encoder's kept tokens (projected by <c>embed</c>) and a learnt
/// <c>mask_token</c> at every masked position, put back in patch order, plus <c>pos_embed</c> (1, L, C); one pre-norm
/// block, <c>norm</c>, and <c>pred</c> Linear(C → 3·P·P) predicting each masked patch's pixels.
/// </summary>
public sealed class MaskedMotionDecoder : Module
{
    public Linear Embed { get; }
    public Tensor MaskToken { get; }
    public Tensor PositionEmbedding { get; }
    public ModuleList<PreNormBlock> Blocks { get; }
    public LayerNorm Norm { get; }
    public Linear Pred { get; }
    public int Patches { get; }

    public MaskedMotionDecoder(VitConfig vit, ulong seed)
    {
        int C = vit.Width;
        Patches = vit.PatchCount;
        Embed = Child("embed", new Linear(C, C));
        MaskToken = Param("mask_token", 1, 1, C);
        PositionEmbedding = Param("pos_embed", 1, vit.PatchCount, C);
        Blocks = Child("blocks", new ModuleList<PreNormBlock>(1, i => new PreNormBlock(C, vit.Heads, vit.MlpDim, 0f, seed * 131 + (ulong)i + 1, 1e-6f)));
        Norm = Child("norm", new LayerNorm(C, 1e-6f));
        Pred = Child("pred", new Linear(C, 3 * vit.PatchSize * vit.PatchSize));
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32)) + 61));
        Init.Timm(this, rng);
        Init.TruncatedNormal(PositionEmbedding, 0.02f, rng);
        Init.Normal(MaskToken, 0.02f, rng);
    }

    /// <summary>Encoder output (B, 1 + Keep, C) of a masked forward -> predicted pixels of the masked patches (B·(L − Keep), 3·P·P), row-major by (b, masked index).</summary>
    public Tensor Forward(Tensor encoded, TokenMask mask)
    {
        int B = mask.B, L = mask.T, keep = mask.Keep, C = encoded.Shape[2];
        if (L != Patches) throw new ArgumentException($"MAE decoder: built for {Patches} patches, the mask has {L}");
        var kept = Embed.Forward(Ops.Slice(encoded, 1, 1, keep));                                   // (B, Keep, C) without the class token
        var fill = Ops.Add(Tensor.Zeros(B, L - keep, C), Ops.Reshape(MaskToken, 1, C));            // (B, L − Keep, C)
        var joined = Ops.Reshape(Ops.Concat([kept, fill], 1), B * L, C);                            // rows: kept..., masked... per batch row
        // back into patch order: row (b, t) of the full sequence comes from row (b, slot(t)) of the joined one
        var order = new int[B * L];
        for (int b = 0; b < B; b++)
        {
            var k = mask.KeptRow(b); var m = mask.MaskedRow(b);
            for (int i = 0; i < k.Length; i++) order[b * L + k[i]] = b * L + i;
            for (int i = 0; i < m.Length; i++) order[b * L + m[i]] = b * L + keep + i;
        }
        var h = Ops.Add(Ops.Reshape(Ops.IndexSelect(joined, order), B, L, C), Ops.Reshape(PositionEmbedding, L, C));
        foreach (var block in Blocks.Items) h = block.Forward(h);
        var masked = new int[B * (L - keep)];
        for (int b = 0, at = 0; b < B; b++) foreach (var t in mask.MaskedRow(b)) masked[at++] = b * L + t;
        return Pred.Forward(Ops.IndexSelect(Ops.Reshape(Norm.Forward(h), B * L, C), masked));      // (B·(L − Keep), 3·P·P)
    }
}

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

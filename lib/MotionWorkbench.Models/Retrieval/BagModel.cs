using MotionWorkbench.Patches;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// A small motion-language model with no attention, for tests and as a sanity baseline (architecture "bag"):
/// motion = mean over N x N patch tokens of GELU(Linear(patch pixels)) plus a learned per-token position bias,
/// then a linear head; text = masked mean of token plus hashed-bigram embeddings (so word order counts a little),
/// then GELU(Linear) and a linear head. Both sides are
/// L2-normalised; the loss is CLIP's symmetric InfoNCE with logit scale log(1/temperature) (learnable or fixed).
/// Trains in seconds, so overfitting and resume tests can run on it.
/// </summary>
public sealed class BagModel : Module, IRetrievalModel
{
    private readonly int patchSize, windows, hidden;
    private readonly Linear patchEmbed, motionHead, textHidden, textHead;
    private readonly Tensor position;
    private readonly Embedding tokens, bigrams;
    public const int BigramBuckets = 4096;
    private readonly Tensor logScale;
    private readonly bool learnableTemperature;

    public BagModel(ModelSpec spec, int vocabularySize, ulong seed)
    {
        patchSize = spec.PatchSize;
        windows = spec.MaxFrames / spec.PatchSize;
        hidden = spec.VitWidth;
        int pixels = 3 * patchSize * patchSize;
        patchEmbed = Child("patch_embed", new Linear(pixels, hidden));
        position = Param("pos_embed", windows * PatchOptions.PartCount, hidden);
        motionHead = Child("motion_head", new Linear(hidden, spec.EmbeddingDim));
        tokens = Child("token_embed", new Embedding(vocabularySize, spec.TextWidth));
        bigrams = Child("bigram_embed", new Embedding(BigramBuckets, spec.TextWidth));
        textHidden = Child("text_hidden", new Linear(spec.TextWidth, spec.TextWidth));
        textHead = Child("text_head", new Linear(spec.TextWidth, spec.EmbeddingDim));
        logScale = Param("logit_scale", 1);
        logScale.Data[0] = MathF.Log(1f / spec.Temperature);
        learnableTemperature = spec.LearnableTemperature;
        var rng = new Random((int)(seed % int.MaxValue));
        foreach (var (name, p) in NamedParameters())
        {
            if (name == "logit_scale") continue;
            if (name.EndsWith(".bias", StringComparison.Ordinal)) Init.Zeros(p);
            else Init.TruncatedNormal(p, name.StartsWith("token", StringComparison.Ordinal) || name.StartsWith("bigram", StringComparison.Ordinal) || name == "pos_embed" ? 0.02f : 1f / MathF.Sqrt(p.Shape[^1]), rng);
        }
    }

    public Module Module => this;

    public MotionRepresentation Representation => MotionRepresentation.Patches;

    public Tensor EncodeMotion(MotionBatch motion)
    {
        var batch = motion.RequirePatches("the bag model");
        int B = batch.BatchSize, N = patchSize, R = batch.Frames / N, P = PatchOptions.PartCount;
        if (batch.PatchSize != N || R != windows)
            throw new ArgumentException($"BagModel: batch is {Tensor.Format(batch.Shape)} with patch size {batch.PatchSize}; the model expects {windows * N} frames and patch size {N}");
        var x = Tensor.Wrap(batch.Data, B * batch.SampleLength);   // the batch's buffer may be longer (reused)
        x = Ops.Reshape(x, B, 3, R, N, P, N);                      // (B, 3, R, N, P, N)
        x = Ops.Permute(x, 0, 2, 4, 1, 3, 5);                      // (B, R, P, 3, N, N)
        x = Ops.Reshape(x, B, R * P, 3 * N * N);                    // (B, R·P, 3N²) tokens
        var h = patchEmbed.ForwardGelu(x);                          // (B, R·P, C)
        h = Ops.Add(h, position);                                   // (B, R·P, C) + (R·P, C)
        var pooled = Ops.Mean(h, 1);                                // (B, C)
        return Ops.L2Normalize(motionHead.Forward(pooled));         // (B, E)
    }

    public Tensor EncodeText(EncodedBatch batch)
    {
        int B = batch.BatchSize, L = batch.Length;
        var bigramIds = new int[B * L];
        for (int b = 0; b < B; b++)
            for (int l = 0; l < L; l++)
            {
                int prev = l == 0 ? 0 : batch.InputIds[b * L + l - 1];
                bigramIds[b * L + l] = (int)(((uint)prev * 2654435761u ^ (uint)batch.InputIds[b * L + l] * 40503u) % BigramBuckets);
            }
        var e = Ops.Add(tokens.Forward(batch.InputIds, B, L), bigrams.Forward(bigramIds, B, L)); // (B, L, C)
        // Masked mean as one product with a constant pooling matrix W (B, B·L): W[b, b·L + l] = mask[b, l] / n_b.
        // (Broadcast Mul(e, mask (B, L, 1)) followed by Sum gave non-finite gradients in the engine at the time of writing.)
        var pool = new float[B * B * L];
        for (int b = 0; b < B; b++)
        {
            float inv = 1f / Math.Max(1, batch.RowLength(b));
            for (int l = 0; l < L; l++) pool[b * B * L + b * L + l] = batch.AttentionMask[b * L + l] * inv;
        }
        var mean = Ops.MatMul(Tensor.FromArray(pool, B, B * L), Ops.Reshape(e, B * L, e.Shape[2])); // (B, C)
        var h = textHidden.ForwardGelu(mean);                       // (B, C)
        return Ops.L2Normalize(textHead.Forward(h));                // (B, E)
    }

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Ops.ClipLoss(motion, text, logScale);

    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups()
    {
        var groups = new List<(string, IReadOnlyList<Tensor>)>
        {
            ("motion", [patchEmbed.Weight, patchEmbed.Bias!, position]),
            ("text", [tokens.Weight, bigrams.Weight, textHidden.Weight, textHidden.Bias!]),
            ("heads", [motionHead.Weight, motionHead.Bias!, textHead.Weight, textHead.Bias!]),
        };
        if (learnableTemperature) groups.Add(("temperature", [logScale]));
        return groups;
    }
}

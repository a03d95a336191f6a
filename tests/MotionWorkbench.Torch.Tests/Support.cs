using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Text;
using MotionWorkbench.Training;
using TorchSharp;
using WTensor = MotionWorkbench.Tensors.Tensor;

namespace MotionWorkbench.Torch.Tests;

/// <summary>Small specs (the Smoke preset's sizes, dropout 0), batches and comparisons shared by the torch tests.</summary>
internal static class Support
{
    public const int Vocab = 100;
    public const int Joints = 22;

    /// <summary>The Smoke preset's model (ViT 64 x 2 over 64 frames, BERT 64 x 2), every dropout 0, a vocabulary of 100.</summary>
    public static ModelSpec Spec(string architecture = "vit") => RunConfig.Smoke.Model with
    {
        Architecture = architecture, VitDropout = 0f, TextDropout = 0f, HeadDropout = 0f, TextMaxPositions = 16,
    };

    public static IRetrievalModel Own(ModelSpec spec, ulong seed = 3, IReadOnlyList<int>? activeWords = null) =>
        ModelFactory.Create(spec, Vocab, seed, Joints, activeWords);

    public static float[] Random(int seed, int n, float scale = 1f)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    public static PatchBatch Patches(int seed, int B, ModelSpec spec)
    {
        int W = PatchOptions.PartCount * spec.PatchSize;
        return new PatchBatch(Random(seed, B * 3 * spec.MaxFrames * W), B, spec.MaxFrames, spec.PatchSize,
            Enumerable.Range(0, B).Select(i => $"m{i}").ToArray(), Enumerable.Repeat(spec.MaxFrames, B).ToArray(), new int[B]);
    }

    /// <summary>B raw sequences of <paramref name="T"/> frames, row b padded after T − 3b frames (at least 4).</summary>
    public static RawSequenceBatch Raw(int seed, int B, int T)
    {
        int F = 3 * Joints;
        var data = Random(seed, B * T * F);
        var mask = new float[B * T];
        var lengths = new int[B];
        for (int b = 0; b < B; b++)
        {
            lengths[b] = Math.Max(4, T - 3 * b);
            for (int t = 0; t < T; t++)
            {
                mask[b * T + t] = t < lengths[b] ? 1f : 0f;
                if (t >= lengths[b]) Array.Clear(data, (b * T + t) * F, F);
            }
        }
        return new RawSequenceBatch(data, mask, B, T, F, Enumerable.Range(0, B).Select(i => $"r{i}").ToArray(), lengths, new int[B]);
    }

    public static MotionBatch Motion(ModelSpec spec, int seed, int B) => spec.Architecture.Name switch
    {
        "raw" => new MotionBatch(MotionRepresentation.RawSequence, Raw: Raw(seed, B, spec.MaxFrames)),
        "lex" when spec.LexMotionEncoder == "raw" => new MotionBatch(MotionRepresentation.RawSequence, Raw: Raw(seed, B, spec.MaxFrames)),
        "interaction" => new MotionBatch(MotionRepresentation.PatchPair, Patches(seed, B, spec), Partner: Patches(seed + 1000, B, spec)),
        _ => MotionBatch.Of(Patches(seed, B, spec)),
    };

    /// <summary>B captions of up to L ids in [5, Vocab), row b padded after L − b tokens (at least 2).</summary>
    public static EncodedBatch Text(int seed, int B, int L)
    {
        var rng = new Random(seed);
        var ids = new int[B * L];
        var mask = new int[B * L];
        for (int b = 0; b < B; b++)
        {
            int len = Math.Max(2, L - b);
            for (int t = 0; t < L; t++)
            {
                ids[b * L + t] = t < len ? 5 + rng.Next(Vocab - 5) : 0;
                mask[b * L + t] = t < len ? 1 : 0;
            }
        }
        return new EncodedBatch(ids, mask, B, L);
    }

    /// <summary>max |a − b| over two same-shaped tensors (the torch one copied to the CPU).</summary>
    public static double MaxAbsDiff(WTensor own, torch.Tensor theirs)
    {
        var t = theirs.ToWorkbench();
        Assert.Equal(own.Shape, t.Shape);
        return MaxAbsDiff(own.ToArray(), t.ToArray());
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }

    public static double MaxAbs(ReadOnlySpan<float> a)
    {
        double m = 0;
        foreach (var v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    /// <summary>
    /// Asserts each parameter's torch gradient is within 1e-4 of its largest own-engine entry (a parameter without an own
    /// gradient must have none in torch; key biases, whose exact gradient is 0, only near 0) and returns the worst ratio.
    /// </summary>
    public static double AssertGradientsMatch(MotionWorkbench.Tensors.Nn.Module own, TorchModel model, string what)
    {
        var ownParams = own.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        double global = own.Parameters().Where(t => t.HasGrad).Max(t => MaxAbs(t.Grad));
        double worst = 0;
        int compared = 0;
        foreach (var (name, p) in model.NamedParameters())
        {
            var o = ownParams[name];
            var ownGrad = o.HasGrad ? o.Grad.ToArray() : new float[o.Size];
            var torchGrad = p.grad is { } g ? g.ToWorkbench().ToArray() : new float[o.Size];
            double scale = MaxAbs(ownGrad), diff = MaxAbsDiff(ownGrad, torchGrad);
            if (name.EndsWith("k_lin.bias", StringComparison.Ordinal) || scale <= 1e-6 * global)
            {
                Assert.True(MaxAbs(torchGrad) <= 1e-5 * global, $"{what}: {name}: own gradient up to {scale:E3}, torch {MaxAbs(torchGrad):E3} (both should be ~0)");
                continue;
            }
            worst = Math.Max(worst, diff / scale);
            Assert.True(diff <= 1e-4 * scale, $"{what}: the gradient of {name} differs by {diff / scale:E3} of its largest entry");
            compared++;
        }
        Assert.True(compared >= 10, $"{what}: only {compared} parameters have gradients");
        return worst;
    }
}

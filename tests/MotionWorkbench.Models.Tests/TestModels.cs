using MotionWorkbench.Tensors;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models.Tests;

/// <summary>Small configurations and inputs shared by the tests.</summary>
internal static class TestModels
{
    public static VitConfig TinyVit(int depth = 2, VitPooling pooling = VitPooling.MeanPatchTokens) =>
        new(Width: 32, Depth: depth, Heads: 2, MlpDim: 64, PatchSize: 16, Frames: 64, Parts: 5, Pooling: pooling);

    public static TextEncoderConfig TinyText(TextEncoderKind kind = TextEncoderKind.DistilBert, int depth = 2, TextPooling pooling = TextPooling.Cls) =>
        new(kind, Width: 32, Depth: depth, Heads: 2, MlpDim: 64, VocabSize: 50, MaxPositions: 16, Dropout: 0f, Pooling: pooling);

    public static MotionTextModelConfig TinyModel(bool learnable = false, float headDropout = 0f) =>
        new(TinyVit(), TinyText(), EmbeddingDim: 16, HeadDropout: headDropout, LearnableTemperature: learnable);

    /// <summary>Clears every parameter gradient.</summary>
    public static void ZeroGrads(MotionWorkbench.Tensors.Nn.Module module)
    {
        foreach (var p in module.Parameters()) p.ZeroGrad();
    }

    /// <summary>Backward of <paramref name="makeLoss"/> into freshly zeroed parameter gradients; returns the loss value.</summary>
    public static float Backward(MotionWorkbench.Tensors.Nn.Module module, Func<Tensor> makeLoss)
    {
        ZeroGrads(module);
        var loss = makeLoss();
        float value = loss.Item();
        loss.Backward();
        return value;
    }

    public static Tensor Random(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = Tensor.Zeros(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    /// <summary>A batch of B rows of ids in [1, vocab), the last rows padded (mask 0, id 0) after their length.</summary>
    public static EncodedBatch Batch(int seed, int B, int L, int vocab = 50)
    {
        var rng = new Random(seed);
        var ids = new int[B * L];
        var mask = new int[B * L];
        for (int b = 0; b < B; b++)
        {
            int len = Math.Max(2, L - b);
            for (int t = 0; t < L; t++)
            {
                ids[b * L + t] = t < len ? 1 + rng.Next(vocab - 1) : 0;
                mask[b * L + t] = t < len ? 1 : 0;
            }
        }
        return new EncodedBatch(ids, mask, B, L);
    }
}

using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Tensors.Optim;

namespace MotionWorkbench.Tensors.Tests;

public class BufferPoolTests
{
    [Fact]
    public void Rent_Clear_ZeroesNewAndReusedBuffers()
    {
        // regression: a freshly allocated (uninitialised) buffer was returned without clearing; fresh OS pages are
        // zero, so it only showed after a GC had recycled memory (NaN losses in the second model of `mw bench`)
        for (int round = 0; round < 20; round++)
        {
            var garbage = new float[50_000 + round];
            garbage.AsSpan().Fill(float.NaN);
            BufferPool.Return(garbage);
            var reused = BufferPool.Rent(50_000 + round, clear: true);
            Assert.All(reused, v => Assert.Equal(0f, v));
            var fresh = BufferPool.Rent(70_001 + round * 7, clear: true);
            Assert.All(fresh, v => Assert.Equal(0f, v));
        }
    }

    private static float[] TrainTwoSteps()
    {
        var block = new PreNormBlock(16, 2, 32, 0.1f, 3);
        Init.Timm(block, new Random(4));
        var store = new ParameterStore(block);
        var opt = new Adam(store, 1e-3f);
        var rng = new Random(5);
        var x = Tensor.Zeros(3, 5, 16);
        foreach (ref var v in x.Data) v = (float)rng.NextDouble() - 0.5f;
        var losses = new float[3];
        for (int s = 0; s < 3; s++)
        {
            opt.ZeroGrad();
            var loss = Ops.MeanAll(Ops.Mul(block.Forward(x), block.Forward(x)));
            losses[s] = loss.Item();
            loss.Backward();
            opt.Step();
        }
        return losses;
    }

    [Fact]
    public void Training_IsBitwiseRepeatable_AfterTheHeapIsFullOfGarbage()
    {
        var first = TrainTwoSteps();
        for (int i = 0; i < 200; i++) new float[20_000].AsSpan().Fill(float.NaN);
        BufferPool.Trim();
        GC.Collect();
        var second = TrainTwoSteps();
        Assert.Equal(first, second);
        Assert.All(second, v => Assert.True(float.IsFinite(v)));
    }
}

using MotionWorkbench.Tensors.Kernels;
using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;

/// <summary>
/// The convolution's chunked GEMM path (one image per chunk, several, an uneven last chunk) on both GEMM backends
/// against a direct double-precision convolution, and bit-identical results across calls on 3 threads. In the
/// "Gemm backend" collection: these tests change process-wide settings (the GEMM backend, the im2col budget, the
/// thread count) that the other tests of the collection also change.
/// </summary>
[Collection("Gemm backend")]
public class ConvWorkspaceTests
{
    private static float[] Floats(double[] v) => Array.ConvertAll(v, d => (float)d);

    [Theory]
    [InlineData(GemmBackend.Auto, 1 << 22)]     // the whole batch in one chunk
    [InlineData(GemmBackend.Auto, 1)]           // one image per chunk (the GEMM writes y directly)
    [InlineData(GemmBackend.Auto, 2000)]        // 2 images per chunk of 5: chunks 2, 2, 1
    [InlineData(GemmBackend.Managed, 2000)]
    [InlineData(GemmBackend.Managed, 1)]
    public void Conv2d_ChunkedGemms_MatchDirectConvolution(GemmBackend backend, int budget)
    {
        var (savedBackend, savedBudget) = (Gemm.Backend, Im2Col.BudgetFloats);
        Gemm.Backend = backend;
        Im2Col.BudgetFloats = budget;
        try
        {
            var rng = new Random(50);
            foreach (var (xs, ws, stride, padding, bias) in new[] { (new[] { 5, 3, 11, 9 }, new[] { 8, 3, 3, 3 }, 1, 1, true), (new[] { 5, 4, 12, 7 }, new[] { 6, 4, 3, 3 }, 2, 1, false), (new[] { 5, 3, 15, 10 }, new[] { 4, 3, 7, 7 }, 2, 3, true),
                (new[] { 4, 3, 24, 20 }, new[] { 5, 3, 3, 3 }, 1, 1, true),    // N = 1920 in one chunk: dW splits N over the threads
                // stride 1: dX is a transposed convolution with padding K − 1 − p (2, 4 and 1 here)
                (new[] { 5, 3, 9, 8 }, new[] { 4, 3, 3, 3 }, 1, 0, false), (new[] { 3, 2, 10, 9 }, new[] { 3, 2, 5, 5 }, 1, 0, true), (new[] { 4, 3, 7, 6 }, new[] { 5, 3, 2, 2 }, 1, 0, false) })
            {
                var x = Rand(rng, xs);
                var w = Rand(rng, ws);
                var b = bias ? Rand(rng, ws[0]) : null;
                foreach (var t in new[] { x, w, b }) if (t is not null) t.RequiresGrad = true;
                var y = Ops.Conv2d(x, w, b, stride, padding);
                var dy = Rand(rng, y.Shape);
                var reference = ConvReference.Run(x.ToArray(), xs, w.ToArray(), ws, b?.ToArray(), stride, padding, dy.ToArray());
                string what = $"{backend} budget {budget} conv {Tensor.Format(xs)} * {Tensor.Format(ws)} s{stride} p{padding}";
                AssertClose.Equal(Floats(reference.Y), y.ToArray(), 1e-4, 1e-4, what + " y");
                y.Backward(dy);
                AssertClose.Equal(Floats(reference.Dx), x.Grad, 1e-4, 1e-4, what + " dx");
                AssertClose.Equal(Floats(reference.Dw), w.Grad, 1e-3, 1e-4, what + " dw");
                if (b is not null) AssertClose.Equal(Floats(reference.Db), b.Grad, 1e-3, 1e-4, what + " db");
            }
        }
        finally { (Gemm.Backend, Im2Col.BudgetFloats) = (savedBackend, savedBudget); }
    }

    [Fact]
    public void Im2Col_ImagesPerChunk_StaysWithinTheBudgetAndBalancesChunks()
    {
        int saved = Im2Col.BudgetFloats;
        try
        {
            Im2Col.BudgetFloats = 4 << 20;
            Assert.Equal(64, Im2Col.ImagesPerChunk(64, 4608L * 21 / 2));   // half of ResNet's layer4 at 224x80: all fit
            Assert.Equal(32, Im2Col.ImagesPerChunk(64, 4608L * 21));       // layer4: 43 fit, so two balanced chunks of 32
            Assert.Equal(6, Im2Col.ImagesPerChunk(64, 576L * 1120));       // layer1: 6 fit, 11 chunks of at most 6
            Assert.Equal(1, Im2Col.ImagesPerChunk(64, 5L << 20));          // one image over the budget: one per chunk
            Assert.Throws<ArgumentOutOfRangeException>(() => Im2Col.BudgetFloats = 0);
        }
        finally { Im2Col.BudgetFloats = saved; }
    }

    [Fact]
    public void Conv_BatchNorm_MaxPool_Gradients_AreBitIdenticalAcrossCalls()
    {
        int saved = Par.Threads;
        Par.Threads = 3;
        try
        {
            var rng = new Random(51);
            var x = Rand(rng, 6, 8, 20, 12);
            var w = Rand(rng, 16, 8, 3, 3);
            var (gamma, beta) = (Rand(rng, 16), Rand(rng, 16));
            int[]? first = null;
            for (int rep = 0; rep < 6; rep++)
            {
                foreach (var t in new[] { x, w, gamma, beta }) { t.RequiresGrad = true; t.ZeroGrad(); }
                var (rm, rv) = (Tensor.Zeros(16), Tensor.Full(1f, 16));
                var h = Ops.BatchNorm2dRelu(Ops.Conv2d(x, w, null, 1, 1), gamma, beta, rm, rv, batchStatistics: true);
                var loss = Ops.SumAll(Ops.Mul(Ops.GlobalAvgPool2d(Ops.MaxPool2d(h, 3, 2, 1)), Tensor.Full(0.5f, 6, 16)));
                loss.Backward();
                var bits = x.Grad.ToArray().Concat(w.Grad.ToArray()).Concat(gamma.Grad.ToArray()).Concat(beta.Grad.ToArray()).Concat(rv.ToArray())
                    .Select(BitConverter.SingleToInt32Bits).ToArray();
                first ??= bits;
                Assert.Equal(first, bits);
            }
        }
        finally { Par.Threads = saved; }
    }
}

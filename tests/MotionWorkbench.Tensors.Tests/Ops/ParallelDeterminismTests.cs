using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;

/// <summary>Kernels split over threads give the same bits every call (partial sums per chunk, not per thread).</summary>
[Collection("Gemm backend")]
public class ParallelDeterminismTests
{
    [Fact]
    public void ForChunks_covers_the_range_once_with_fixed_chunk_boundaries()
    {
        int saved = Par.Threads;
        Par.Threads = 3;
        try
        {
            int n = 1000, chunks = Par.ChunkCount(n, 10);
            Assert.Equal(12, chunks); // 3 threads x 4 chunks
            var seen = new int[n];
            var ranges = new (int Start, int End)[chunks];
            Par.ForChunks(n, 10, 4, (c, s, e) =>
            {
                ranges[c] = (s, e);
                for (int i = s; i < e; i++) Interlocked.Increment(ref seen[i]);
            });
            Assert.All(seen, v => Assert.Equal(1, v));
            for (int c = 0; c < chunks; c++) Assert.Equal(((int)((long)n * c / chunks), (int)((long)n * (c + 1) / chunks)), ranges[c]);
            // Inside a parallel job everything runs serially as one chunk.
            int inner = -1;
            Par.ForChunks(4, 1, 4, (c, s, e) => { if (c == 0 && s == 0) inner = Par.ChunkCount(n, 10); });
            Assert.Equal(1, inner);
        }
        finally { Par.Threads = saved; }
    }

    [Fact]
    public void LayerNorm_weight_and_bias_gradients_are_bit_identical_across_calls()
    {
        int saved = Par.Threads;
        Par.Threads = 3;
        try
        {
            var rng = new Random(5);
            var x = Rand(rng, 4096, 96);
            var w = Rand(rng, 96);
            var b = Rand(rng, 96);
            var dy = Rand(rng, 4096, 96);
            int[]? firstW = null, firstB = null;
            for (int rep = 0; rep < 12; rep++)
            {
                w.RequiresGrad = true;
                b.RequiresGrad = true;
                w.ZeroGrad();
                b.ZeroGrad();
                var y = Ops.LayerNorm(x, w, b, 1e-5f);
                Ops.SumAll(Ops.Mul(y, dy)).Backward();
                var gw = w.Grad.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
                var gb = b.Grad.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
                firstW ??= gw;
                firstB ??= gb;
                Assert.Equal(firstW, gw);
                Assert.Equal(firstB, gb);
            }
        }
        finally { Par.Threads = saved; }
    }
}

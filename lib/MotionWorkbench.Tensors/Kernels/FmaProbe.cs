using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// A small FP32 peak probe: each of N threads runs 12 independent chains of Vector256 or Vector512
/// FusedMultiplyAdd (enough to hide a 4-cycle latency on 2 pipes) for a fixed time; the rate is all threads' flops
/// over the wall time, best of 3 trials. It measures the clock the cores actually run at, so it is the peak a GEMM
/// figure is judged against on this CPU (the gcc loop of perf-anchors.md, in .NET).
/// </summary>
public static class FmaProbe
{
    private const int Chains = 12;
    private const long Block = 1 << 16; // iterations between clock reads

    /// <summary>GFLOP/s of <paramref name="threads"/> threads of Vector256 FMAs, each trial about <paramref name="seconds"/>.</summary>
    public static double Vector256Gflops(int threads, double seconds = 0.1) => Measure(threads, seconds, 8, Chains256);

    /// <summary>
    /// GFLOP/s of Vector512 FMAs; throws <see cref="NotSupportedException"/> where Vector512 is not hardware-accelerated
    /// (software emulation would measure nothing useful).
    /// </summary>
    public static double Vector512Gflops(int threads, double seconds = 0.1)
    {
        if (!Vector512.IsHardwareAccelerated) throw new NotSupportedException("FMA probe: Vector512 is not hardware-accelerated on this CPU");
        return Measure(threads, seconds, 16, Chains512);
    }

    private static double Measure(int threads, double seconds, int lanes, Func<long, float> chains)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"FMA probe: thread count must be >= 1, got {threads}");
        chains(1000); // JIT
        double best = 0;
        for (int trial = 0; trial < 3; trial++)
        {
            var blocks = new long[threads];
            var sums = new float[threads]; // the chains' results, kept so the work is observable
            using var start = new Barrier(threads + 1);
            long stopAt = 0;
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                int id = t;
                workers[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    float s = 0;
                    long n = 0;
                    do { s += chains(Block); n++; } while (Stopwatch.GetTimestamp() < Volatile.Read(ref stopAt));
                    blocks[id] = n;
                    sums[id] = s;
                }) { IsBackground = true, Name = $"mw-fma-probe-{t}" };
                workers[t].Start();
            }
            Volatile.Write(ref stopAt, Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency));
            long t0 = Stopwatch.GetTimestamp();
            start.SignalAndWait();
            foreach (var w in workers) w.Join();
            double elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            double flops = blocks.Sum() * (double)Block * Chains * lanes * 2;
            best = Math.Max(best, flops / elapsed / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(long iterations)
    {
        var m = Vector256.Create(0.9999999f);
        var add = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(0.10f), a1 = Vector256.Create(0.11f), a2 = Vector256.Create(0.12f), a3 = Vector256.Create(0.13f);
        Vector256<float> a4 = Vector256.Create(0.14f), a5 = Vector256.Create(0.15f), a6 = Vector256.Create(0.16f), a7 = Vector256.Create(0.17f);
        Vector256<float> a8 = Vector256.Create(0.18f), a9 = Vector256.Create(0.19f), a10 = Vector256.Create(0.20f), a11 = Vector256.Create(0.21f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, add); a1 = Vector256.FusedMultiplyAdd(a1, m, add); a2 = Vector256.FusedMultiplyAdd(a2, m, add);
            a3 = Vector256.FusedMultiplyAdd(a3, m, add); a4 = Vector256.FusedMultiplyAdd(a4, m, add); a5 = Vector256.FusedMultiplyAdd(a5, m, add);
            a6 = Vector256.FusedMultiplyAdd(a6, m, add); a7 = Vector256.FusedMultiplyAdd(a7, m, add); a8 = Vector256.FusedMultiplyAdd(a8, m, add);
            a9 = Vector256.FusedMultiplyAdd(a9, m, add); a10 = Vector256.FusedMultiplyAdd(a10, m, add); a11 = Vector256.FusedMultiplyAdd(a11, m, add);
        }
        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(long iterations)
    {
        var m = Vector512.Create(0.9999999f);
        var add = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(0.10f), a1 = Vector512.Create(0.11f), a2 = Vector512.Create(0.12f), a3 = Vector512.Create(0.13f);
        Vector512<float> a4 = Vector512.Create(0.14f), a5 = Vector512.Create(0.15f), a6 = Vector512.Create(0.16f), a7 = Vector512.Create(0.17f);
        Vector512<float> a8 = Vector512.Create(0.18f), a9 = Vector512.Create(0.19f), a10 = Vector512.Create(0.20f), a11 = Vector512.Create(0.21f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, add); a1 = Vector512.FusedMultiplyAdd(a1, m, add); a2 = Vector512.FusedMultiplyAdd(a2, m, add);
            a3 = Vector512.FusedMultiplyAdd(a3, m, add); a4 = Vector512.FusedMultiplyAdd(a4, m, add); a5 = Vector512.FusedMultiplyAdd(a5, m, add);
            a6 = Vector512.FusedMultiplyAdd(a6, m, add); a7 = Vector512.FusedMultiplyAdd(a7, m, add); a8 = Vector512.FusedMultiplyAdd(a8, m, add);
            a9 = Vector512.FusedMultiplyAdd(a9, m, add); a10 = Vector512.FusedMultiplyAdd(a10, m, add); a11 = Vector512.FusedMultiplyAdd(a11, m, add);
        }
        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }
}

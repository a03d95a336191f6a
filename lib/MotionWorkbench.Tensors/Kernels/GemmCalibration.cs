using System.Diagnostics;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// The timing behind <see cref="GemmBackend.Auto"/> on CPUs with hardware-accelerated Vector512. At first use, on one
/// thread, the AVX-512 and AVX2 kernels and OpenBLAS (when loaded) each multiply two fixed products, one per shape
/// class: <see cref="Large"/> (a packed block of the projection/MLP shapes, C (96, 192), K 256) and <see cref="Small"/>
/// (one attention head, 71 x 71 x 64: products under <see cref="SmallProduct"/> multiply-adds), packing included, in 7
/// interleaved rounds; the best round of each counts (other processes only ever slow a round down), and
/// <see cref="GemmTiming.Decide"/> chooses. The managed kernels give identical bits, so only the OpenBLAS-or-managed
/// choice can change results, and its margin keeps a noisy timing from flipping it between processes.
/// </summary>
/// <param name="Large">Products of at least <see cref="SmallProduct"/> multiply-adds.</param>
/// <param name="Small">Smaller products (per-head attention).</param>
public sealed record GemmCalibration(GemmTiming Large, GemmTiming Small)
{
    /// <summary>Products with M·N·K below this belong to the small class.</summary>
    public const long SmallProduct = 1 << 20;

    private const int Rounds = 7;

    /// <summary>The timing of the class a product of this shape belongs to.</summary>
    public GemmTiming For(int M, int N, int K) => (long)M * N * K < SmallProduct ? Small : Large;

    /// <summary>Both classes on one line.</summary>
    public override string ToString() => $"1 thread, best of {Rounds}: large {Large}; small {Small}";

    /// <summary>Times the candidates on this thread (tens of milliseconds where Vector512 is accelerated).</summary>
    internal static GemmCalibration Measure() => new(Time(96, 192, 256, reps: 4), Time(71, 71, 64, reps: 16));

    private static unsafe GemmTiming Time(int M, int N, int K, int reps)
    {
        var rng = new Random(20261206);
        var a = new float[M * K];
        var b = new float[N * K];
        var c = new float[M * N];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble() - 0.5f;
        var candidates = Blas.Available ? new[] { GemmBackend.Avx512, GemmBackend.Avx2, GemmBackend.OpenBlas } : [GemmBackend.Avx512, GemmBackend.Avx2];
        var best = new double[candidates.Length];
        Array.Fill(best, double.PositiveInfinity);
        fixed (float* pa = a, pb = b, pc = c)
        {
            for (int round = -1; round < Rounds; round++) // round -1 warms up (JIT, pages) and is not counted
                for (int i = 0; i < candidates.Length; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int r = 0; r < reps; r++) Gemm.Serial(candidates[i], false, true, M, N, K, 1f, pa, K, pb, K, 0f, pc, N);
                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
                    if (round >= 0) best[i] = Math.Min(best[i], seconds);
                }
        }
        return GemmTiming.Decide(M, N, K, best[0], best[1], Blas.Available ? best[2] : null);
    }
}

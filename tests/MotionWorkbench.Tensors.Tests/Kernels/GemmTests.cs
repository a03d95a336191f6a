using MotionWorkbench.Tensors.Kernels;
using MotionWorkbench.Tensors.Tests.Support;

namespace MotionWorkbench.Tensors.Tests.Kernels;

/// <summary>
/// Every GEMM backend against the double-accumulating reference (<see cref="Gemm.Naive"/>): each backend this machine
/// runs, plus the managed kernels forced where their vectors are emulated in software (the AVX-512 kernel on a CPU
/// without it: correct but slower, so the forced shapes stay small).
/// </summary>
[Collection("Gemm backend")]
public class GemmTests
{
    /// <summary>The managed kernels (always; forced where not accelerated) and OpenBLAS where it loads.</summary>
    public static TheoryData<GemmBackend> AllBackends()
    {
        var d = new TheoryData<GemmBackend> { GemmBackend.Scalar, GemmBackend.Avx2, GemmBackend.Avx512 };
        if (Gemm.IsSupported(GemmBackend.OpenBlas)) d.Add(GemmBackend.OpenBlas);
        return d;
    }

    /// <summary>The backends this machine runs in hardware, the scalar kernel aside (too slow for the model shape).</summary>
    public static TheoryData<GemmBackend> AcceleratedBackends()
    {
        var d = new TheoryData<GemmBackend>();
        foreach (var b in Gemm.SupportedBackends.Where(b => b != GemmBackend.Scalar)) d.Add(b);
        if (d.Count == 0) d.Add(GemmBackend.Scalar); // a machine with neither SIMD nor OpenBLAS still checks one path
        return d;
    }

    private static readonly (int M, int N, int K)[] OddShapes =
        [(1, 1, 1), (7, 7, 7), (17, 17, 17), (65, 65, 65), (1, 65, 17), (65, 1, 7), (7, 17, 65), (17, 65, 1), (13, 33, 300), (71, 71, 64), (100, 40, 513)];

    /// <summary>Random A, B, C with leading dimensions wider than the matrices (lda = width + 3, ldb + 2, ldc + 1).</summary>
    private sealed class Problem
    {
        public readonly int M, N, K, Lda, Ldb, Ldc;
        public readonly bool TA, TB;
        public readonly float[] A, B, C;

        public Problem(int m, int n, int k, bool tA, bool tB, int seed)
        {
            (M, N, K, TA, TB) = (m, n, k, tA, tB);
            (Lda, Ldb, Ldc) = ((tA ? m : k) + 3, (tB ? k : n) + 2, n + 1);
            var rng = new Random(seed);
            A = Fill(rng, (tA ? k : m) * Lda);
            B = Fill(rng, (tB ? n : k) * Ldb);
            C = Fill(rng, m * Ldc);
        }

        public float[] Reference(float alpha, float beta)
        {
            var expected = (float[])C.Clone();
            Gemm.Naive(TA, TB, M, N, K, alpha, A, Lda, B, Ldb, beta, expected, Ldc);
            return expected;
        }

        public unsafe float[] Run(GemmBackend backend, float alpha, float beta, bool parallel, float[]? c = null)
        {
            c ??= (float[])C.Clone();
            fixed (float* pa = A, pb = B, pc = c)
            {
                if (parallel) Gemm.Run(backend, TA, TB, M, N, K, alpha, pa, Lda, pb, Ldb, beta, pc, Ldc);
                else Gemm.Serial(backend, TA, TB, M, N, K, alpha, pa, Lda, pb, Ldb, beta, pc, Ldc);
            }
            return c;
        }

        public string What(GemmBackend b, float alpha, float beta) => $"{Gemm.Name(b)} gemm {M}x{N}x{K} tA={TA} tB={TB} alpha={alpha} beta={beta}";
    }

    private static float[] Fill(Random rng, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    private static void AssertMatches(float[] expected, float[] actual, int K, string what) =>
        AssertClose.Equal(expected, actual, atol: 1e-5 * Math.Sqrt(Math.Max(K, 1)), rtol: 1e-4, what: what);

    [Theory, MemberData(nameof(AllBackends))]
    public void Backend_OddShapesAllTransposes_MatchNaiveDouble(GemmBackend backend)
    {
        foreach (var (m, n, k) in OddShapes)
            foreach (bool tA in new[] { false, true })
                foreach (bool tB in new[] { false, true })
                {
                    var p = new Problem(m, n, k, tA, tB, m * 31 + n * 7 + k + (tA ? 1000 : 0) + (tB ? 2000 : 0));
                    foreach (var (alpha, beta) in new[] { (0.5f, 0.25f), (1f, 0f), (-1.5f, 1f) })
                        AssertMatches(p.Reference(alpha, beta), p.Run(backend, alpha, beta, parallel: false), k, p.What(backend, alpha, beta));
                }
    }

    [Theory, MemberData(nameof(AllBackends))]
    public void Backend_ParallelSplitOverRowsAndColumns_MatchesNaiveDouble(GemmBackend backend)
    {
        // 300 x 200: rows of C split over the engine's threads; 40 x 600: columns.
        foreach (var (m, n, k, tA, tB) in new[] { (300, 200, 64, false, true), (40, 600, 300, true, false), (257, 129, 70, true, true) })
        {
            var p = new Problem(m, n, k, tA, tB, m + n + k);
            AssertMatches(p.Reference(0.5f, 0.25f), p.Run(backend, 0.5f, 0.25f, parallel: true), k, p.What(backend, 0.5f, 0.25f) + " (parallel)");
        }
    }

    [Theory, MemberData(nameof(AllBackends))]
    public void Backend_BetaZeroIgnoresNaNInC_AndAlphaZeroOrKZeroOnlyScalesC(GemmBackend backend)
    {
        var p = new Problem(17, 33, 9, false, false, 3);
        var nan = (float[])p.C.Clone(); // NaN in every element of C (the padding column keeps its values)
        for (int i = 0; i < p.M; i++) Array.Fill(nan, float.NaN, i * p.Ldc, p.N);
        var fromNaN = p.Run(backend, 1f, 0f, parallel: false, nan);
        AssertMatches(p.Reference(1f, 0f), fromNaN, p.K, p.What(backend, 1f, 0f) + " over a C of NaN");
        AssertMatches(p.Reference(0f, 0.5f), p.Run(backend, 0f, 0.5f, parallel: false), 1, p.What(backend, 0f, 0.5f));
        var k0 = new Problem(5, 7, 0, true, false, 4);
        AssertMatches(k0.Reference(1f, 2f), k0.Run(backend, 1f, 2f, parallel: false), 1, k0.What(backend, 1f, 2f));
    }

    // ---- the model shape 4480 x 192 x 576 on every accelerated backend, all transposes ----

    private const int BigM = 4480, BigN = 192, BigK = 576;
    private static readonly Lazy<(float[] A, float[] Bt, float[] Expected)> Big = new(() =>
    {
        var rng = new Random(4480);
        var a = Fill(rng, BigM * BigK);   // (M, K)
        var bt = Fill(rng, BigN * BigK);  // (N, K): op(B) = btᵀ
        var expected = new float[BigM * BigN];
        // Gemm.Naive on row blocks in parallel (the reference itself is the plain double loop)
        Parallel.For(0, BigM / 64, blk => Gemm.Naive(false, true, 64, BigN, BigK, 1f, a.AsSpan(blk * 64 * BigK), BigK, bt, BigK, 0f, expected.AsSpan(blk * 64 * BigN), BigN));
        return (a, bt, expected);
    });

    private static float[] Transpose(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
        return t;
    }

    [Theory, MemberData(nameof(AcceleratedBackends))]
    public unsafe void Backend_ModelShape4480x192x576_AllTransposes_MatchNaiveDouble(GemmBackend backend)
    {
        var (a, bt, expected) = Big.Value;
        var aT = Transpose(a, BigM, BigK);   // (K, M)
        var b = Transpose(bt, BigN, BigK);   // (K, N)
        foreach (bool tA in new[] { false, true })
            foreach (bool tB in new[] { false, true })
            {
                var c = new float[BigM * BigN];
                fixed (float* pa = tA ? aT : a, pb = tB ? bt : b, pc = c)
                    Gemm.Run(backend, tA, tB, BigM, BigN, BigK, 1f, pa, tA ? BigM : BigK, pb, tB ? BigK : BigN, 0f, pc, BigN);
                AssertMatches(expected, c, BigK, $"{Gemm.Name(backend)} gemm {BigM}x{BigN}x{BigK} tA={tA} tB={tB}");
            }
    }

    // ---- one summation order for every managed kernel ----

    [Fact]
    public void ManagedKernels_GiveIdenticalBits_ForAnyKernelAndAnySplit()
    {
        foreach (var (m, n, k) in new[] { (13, 33, 300), (71, 71, 64), (40, 70, 600), (100, 20, 257) })
            foreach (bool tA in new[] { false, true })
                foreach (bool tB in new[] { false, true })
                {
                    var p = new Problem(m, n, k, tA, tB, m * n + k);
                    var scalar = Bits(p.Run(GemmBackend.Scalar, 0.75f, 0.5f, parallel: false));
                    string what = $"{m}x{n}x{k} tA={tA} tB={tB}";
                    Assert.True(scalar.SequenceEqual(Bits(p.Run(GemmBackend.Avx2, 0.75f, 0.5f, parallel: false))), $"avx2 differs from scalar: {what}");
                    Assert.True(scalar.SequenceEqual(Bits(p.Run(GemmBackend.Avx512, 0.75f, 0.5f, parallel: false))), $"avx512 differs from scalar: {what}");
                    Assert.True(scalar.SequenceEqual(Bits(p.Run(GemmBackend.Managed, 0.75f, 0.5f, parallel: true))), $"managed (parallel) differs from scalar: {what}");
                    // the engine's thread split cuts M or N; any cut gives the same bits
                    Assert.True(scalar.SequenceEqual(Bits(Split(p, GemmBackend.Avx2, byRows: true, at: m / 3 + 1))), $"avx2 split over rows differs: {what}");
                    Assert.True(scalar.SequenceEqual(Bits(Split(p, GemmBackend.Avx512, byRows: false, at: n / 2 + 1))), $"avx512 split over columns differs: {what}");
                }
    }

    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static unsafe float[] Split(Problem p, GemmBackend backend, bool byRows, int at)
    {
        var c = (float[])p.C.Clone();
        fixed (float* pa = p.A, pb = p.B, pc = c)
        {
            if (byRows)
            {
                Gemm.Serial(backend, p.TA, p.TB, at, p.N, p.K, 0.75f, pa, p.Lda, pb, p.Ldb, 0.5f, pc, p.Ldc);
                float* a2 = pa + (p.TA ? at : (long)at * p.Lda);
                Gemm.Serial(backend, p.TA, p.TB, p.M - at, p.N, p.K, 0.75f, a2, p.Lda, pb, p.Ldb, 0.5f, pc + (long)at * p.Ldc, p.Ldc);
            }
            else
            {
                Gemm.Serial(backend, p.TA, p.TB, p.M, at, p.K, 0.75f, pa, p.Lda, pb, p.Ldb, 0.5f, pc, p.Ldc);
                float* b2 = pb + (p.TB ? (long)at * p.Ldb : at);
                Gemm.Serial(backend, p.TA, p.TB, p.M, p.N - at, p.K, 0.75f, pa, p.Lda, b2, p.Ldb, 0.5f, pc + at, p.Ldc);
            }
        }
        return c;
    }

    [Fact]
    public void Auto_ParallelSplit_MatchesNaiveDouble()
    {
        var p = new Problem(300, 200, 64, false, true, 9);
        AssertMatches(p.Reference(0.5f, 0.25f), p.Run(GemmBackend.Auto, 0.5f, 0.25f, parallel: true), 64, p.What(GemmBackend.Auto, 0.5f, 0.25f));
    }
}

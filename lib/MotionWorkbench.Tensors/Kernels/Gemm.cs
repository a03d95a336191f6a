using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>Which matrix-multiply implementation runs.</summary>
public enum GemmBackend
{
    /// <summary>OpenBLAS when it loaded, else the managed kernel.</summary>
    Auto,
    /// <summary>The managed blocked/packed Vector256+FMA kernel.</summary>
    Managed,
}

/// <summary>
/// Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C with op(A) (M, K), op(B) (K, N), C (M, N) and
/// leading dimensions as in BLAS. <see cref="Run"/> splits M (or N when M is small) over <see cref="Par"/> and calls
/// OpenBLAS (one thread per call) or <see cref="Managed"/>. <see cref="Naive"/> is the double-accumulating reference.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Backend choice (tests force Managed to check the fallback even when OpenBLAS is present).</summary>
    public static GemmBackend Backend { get; set; } = GemmBackend.Auto;

    /// <summary>
    /// When true (default) <see cref="Run"/> splits large products over the engine's own threads and OpenBLAS runs one
    /// thread per call (one thread pool). When false, <see cref="Run"/> makes one call and OpenBLAS uses
    /// <see cref="BlasThreads"/> threads of its own (its pthread pool), for comparison.
    /// </summary>
    public static bool SplitOverEngineThreads { get; set; } = true;

    /// <summary>OpenBLAS's own thread count (used when <see cref="SplitOverEngineThreads"/> is false).</summary>
    public static int BlasThreads
    {
        get => blasThreads;
        set { blasThreads = Math.Max(1, value); Blas.SetNumThreads(SplitOverEngineThreads ? 1 : blasThreads); }
    }

    private static int blasThreads = 1;

    /// <summary>Switches between one pool (engine threads split the GEMM) and OpenBLAS's own threads.</summary>
    public static void UseOpenBlasThreads(int threads)
    {
        SplitOverEngineThreads = false;
        BlasThreads = threads;
    }

    /// <summary>True when OpenBLAS is loaded and selected.</summary>
    public static bool UsingBlas => Backend == GemmBackend.Auto && Blas.Available;

    /// <summary>A short description of the active backend.</summary>
    public static string Describe() => UsingBlas
        ? SplitOverEngineThreads ? $"OpenBLAS ({Blas.Description}, 1 thread per call, split over {Par.Threads} engine threads)" : $"OpenBLAS ({Blas.Description}, its own {BlasThreads} threads per call)"
        : $"managed Vector256/FMA kernel ({(Fma.IsSupported ? "FMA" : "no FMA: portable path")}); OpenBLAS: {Blas.Description}";

    /// <summary>Parallel GEMM over the engine's threads (serial when small or already inside a parallel job).</summary>
    public static void Run(bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
    {
        if (M == 0 || N == 0) return;
        long flops = 2L * M * N * K;
        if (Par.Threads == 1 || flops < 4_000_000 || (!SplitOverEngineThreads && UsingBlas))
        {
            Serial(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
            return;
        }
        nint pa = (nint)A, pb = (nint)B, pc = (nint)C;
        if (M >= N || M >= 256)
        {
            // split rows of C: rows of op(A)
            Par.For(M, 16, 2, (start, end) =>
            {
                float* a = (float*)pa + (transA ? start : (long)start * lda);
                Serial(transA, transB, end - start, N, K, alpha, a, lda, (float*)pb, ldb, beta, (float*)pc + (long)start * ldc, ldc);
            });
        }
        else
        {
            Par.For(N, 16, 2, (start, end) =>
            {
                float* b = (float*)pb + (transB ? (long)start * ldb : start);
                Serial(transA, transB, M, end - start, K, alpha, (float*)pa, lda, b, ldb, beta, (float*)pc + start, ldc);
            });
        }
    }

    /// <summary>Single-threaded GEMM on the active backend.</summary>
    public static void Serial(bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
    {
        if (M == 0 || N == 0) return;
        if (UsingBlas) Blas.Gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        else Managed(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    }

    /// <summary>Reference: every product accumulated in double.</summary>
    public static void Naive(bool transA, bool transB, int M, int N, int K, float alpha, ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, float beta, Span<float> C, int ldc)
    {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double acc = 0;
                for (int p = 0; p < K; p++)
                    acc += (double)A[transA ? p * lda + i : i * lda + p] * B[transB ? j * ldb + p : p * ldb + j];
                double prev = beta == 0 ? 0 : (double)beta * C[i * ldc + j];
                C[i * ldc + j] = (float)(alpha * acc + prev);
            }
    }

    // ---- managed blocked/packed kernel: 6x16 micro-tile, 12 Vector256 accumulators ----
    private const int MR = 6, NR = 16, KC = 256, MC = 96, NC = 1024;
    [ThreadStatic] private static float[]? packA;
    [ThreadStatic] private static float[]? packB;

    /// <summary>The managed kernel (single-threaded): packs A in MR-row panels and B in NR-column panels.</summary>
    public static void Managed(bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
    {
        for (int i = 0; i < M; i++)
        {
            var row = new Span<float>(C + (long)i * ldc, N);
            if (beta == 0) row.Clear();
            else if (beta != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
        if (K == 0 || alpha == 0) return;
        packA ??= new float[MC * KC + MR * KC];
        packB ??= new float[NC * KC + NR * KC];
        fixed (float* pA = packA, pB = packB)
        {
            for (int jc = 0; jc < N; jc += NC)
            {
                int nc = Math.Min(NC, N - jc);
                for (int pc = 0; pc < K; pc += KC)
                {
                    int kc = Math.Min(KC, K - pc);
                    PackB(transB, B, ldb, pc, jc, kc, nc, pB);
                    for (int ic = 0; ic < M; ic += MC)
                    {
                        int mc = Math.Min(MC, M - ic);
                        PackA(transA, A, lda, ic, pc, mc, kc, alpha, pA);
                        for (int jr = 0; jr < nc; jr += NR)
                        {
                            int nr = Math.Min(NR, nc - jr);
                            for (int ir = 0; ir < mc; ir += MR)
                            {
                                int mr = Math.Min(MR, mc - ir);
                                MicroKernel(kc, pA + ir * kc, pB + jr * kc, C + (long)(ic + ir) * ldc + jc + jr, ldc, mr, nr);
                            }
                        }
                    }
                }
            }
        }
    }

    // A block (mc x kc) -> panels of MR rows: panel[p][r] for p in 0..kc, zero-padded, scaled by alpha.
    private static void PackA(bool transA, float* A, int lda, int i0, int p0, int mc, int kc, float alpha, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* panel = dst + ir * kc;
            for (int p = 0; p < kc; p++)
            {
                float* o = panel + p * MR;
                for (int r = 0; r < MR; r++)
                {
                    if (r >= mr) { o[r] = 0; continue; }
                    int i = i0 + ir + r, k = p0 + p;
                    o[r] = alpha * (transA ? A[(long)k * lda + i] : A[(long)i * lda + k]);
                }
            }
        }
    }

    // B block (kc x nc) -> panels of NR columns: panel[p][c], zero-padded.
    private static void PackB(bool transB, float* B, int ldb, int p0, int j0, int kc, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* panel = dst + jr * kc;
            for (int p = 0; p < kc; p++)
            {
                float* o = panel + p * NR;
                int k = p0 + p;
                if (!transB && nr == NR)
                {
                    float* src = B + (long)k * ldb + j0 + jr;
                    Vector256.Store(Vector256.Load(src), o);
                    Vector256.Store(Vector256.Load(src + 8), o + 8);
                    continue;
                }
                for (int c = 0; c < NR; c++)
                {
                    if (c >= nr) { o[c] = 0; continue; }
                    int j = j0 + jr + c;
                    o[c] = transB ? B[(long)j * ldb + k] : B[(long)k * ldb + j];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(int kc, float* a, float* b, float* c, int ldc, int mr, int nr)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]); c00 = Fmadd(a0, b0, c00); c01 = Fmadd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]); c10 = Fmadd(a1, b0, c10); c11 = Fmadd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]); c20 = Fmadd(a2, b0, c20); c21 = Fmadd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]); c30 = Fmadd(a3, b0, c30); c31 = Fmadd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]); c40 = Fmadd(a4, b0, c40); c41 = Fmadd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]); c50 = Fmadd(a5, b0, c50); c51 = Fmadd(a5, b1, c51);
            a += MR;
            b += NR;
        }
        if (mr == MR && nr == NR)
        {
            AddTo(c, c00, c01); AddTo(c + ldc, c10, c11); AddTo(c + 2 * ldc, c20, c21);
            AddTo(c + 3 * ldc, c30, c31); AddTo(c + 4 * ldc, c40, c41); AddTo(c + 5 * ldc, c50, c51);
            return;
        }
        float* tile = stackalloc float[MR * NR];
        Vector256.Store(c00, tile); Vector256.Store(c01, tile + 8);
        Vector256.Store(c10, tile + 16); Vector256.Store(c11, tile + 24);
        Vector256.Store(c20, tile + 32); Vector256.Store(c21, tile + 40);
        Vector256.Store(c30, tile + 48); Vector256.Store(c31, tile + 56);
        Vector256.Store(c40, tile + 64); Vector256.Store(c41, tile + 72);
        Vector256.Store(c50, tile + 80); Vector256.Store(c51, tile + 88);
        for (int r = 0; r < mr; r++)
            for (int col = 0; col < nr; col++)
                c[(long)r * ldc + col] += tile[r * NR + col];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(float* c, Vector256<float> v0, Vector256<float> v1)
    {
        Vector256.Store(Vector256.Load(c) + v0, c);
        Vector256.Store(Vector256.Load(c + 8) + v1, c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fmadd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
}

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// The managed GEMM driver (single-threaded), generic over its micro-kernel: C is scaled by beta, then for each block
/// of NC columns and KC steps of K it packs B into NR-column panels, for each block of MC rows packs alpha·A into
/// MR-row panels, and runs the micro-kernel over the tiles (the Goto/BLIS loop order). KC is the same for every kernel,
/// so every element of C sums the same products in the same order whatever the kernel: scalar, AVX2 and AVX-512 agree
/// bit for bit, and so does any split of M or N over threads.
/// </summary>
internal static unsafe class PackedGemm
{
    /// <summary>Steps of K per packed block (the summation blocking every managed kernel shares).</summary>
    internal const int KC = 256;
    // MC is a multiple of every kernel's MR (4, 6, 12) and NC of every NR (4, 16, 32).
    private const int MC = 96, NC = 1024, MaxMR = 12, MaxNR = 32;
    [ThreadStatic] private static float[]? packA;
    [ThreadStatic] private static float[]? packB;

    // Fully optimised from the first call (no tier-0 code): the calibration times a handful of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TKernel>(bool transA, bool transB, int M, int N, int K, float alpha, float* A, int lda, float* B, int ldb, float beta, float* C, int ldc)
        where TKernel : struct, IMicroKernel
    {
        for (int i = 0; i < M; i++)
        {
            var row = new Span<float>(C + (long)i * ldc, N);
            if (beta == 0) row.Clear();
            else if (beta != 1) TensorPrimitives.Multiply(row, beta, row);
        }
        if (K == 0 || alpha == 0) return;
        int MR = TKernel.MR, NR = TKernel.NR;
        packA ??= new float[(MC + MaxMR) * KC];
        packB ??= new float[(NC + MaxNR) * KC];
        fixed (float* pA = packA, pB = packB)
        {
            for (int jc = 0; jc < N; jc += NC)
            {
                int nc = Math.Min(NC, N - jc);
                for (int pc = 0; pc < K; pc += KC)
                {
                    int kc = Math.Min(KC, K - pc);
                    PackB(transB, B, ldb, pc, jc, kc, nc, NR, pB);
                    for (int ic = 0; ic < M; ic += MC)
                    {
                        int mc = Math.Min(MC, M - ic);
                        PackA(transA, A, lda, ic, pc, mc, kc, alpha, MR, pA);
                        for (int jr = 0; jr < nc; jr += NR)
                        {
                            int nr = Math.Min(NR, nc - jr);
                            for (int ir = 0; ir < mc; ir += MR)
                                TKernel.Tile(kc, pA + ir * kc, pB + jr * kc, C + (long)(ic + ir) * ldc + jc + jr, ldc, Math.Min(MR, mc - ir), nr);
                        }
                    }
                }
            }
        }
    }

    // A block (mc x kc) -> panels of MR rows: panel[p·MR + r] = alpha·op(A)[i0 + ir + r, p0 + p], zero-padded rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool transA, float* A, int lda, int i0, int p0, int mc, int kc, float alpha, int MR, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* panel = dst + ir * kc;
            if (transA)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = A + (long)(p0 + p) * lda + i0 + ir;
                    float* o = panel + p * MR;
                    for (int r = 0; r < mr; r++) o[r] = alpha * src[r];
                    for (int r = mr; r < MR; r++) o[r] = 0;
                }
                continue;
            }
            for (int r = 0; r < mr; r++)
            {
                float* src = A + (long)(i0 + ir + r) * lda + p0;
                for (int p = 0; p < kc; p++) panel[p * MR + r] = alpha * src[p];
            }
            for (int r = mr; r < MR; r++)
                for (int p = 0; p < kc; p++) panel[p * MR + r] = 0;
        }
    }

    // B block (kc x nc) -> panels of NR columns: panel[p·NR + j] = op(B)[p0 + p, j0 + jr + j], zero-padded columns.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool transB, float* B, int ldb, int p0, int j0, int kc, int nc, int NR, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* panel = dst + jr * kc;
            if (!transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = B + (long)(p0 + p) * ldb + j0 + jr;
                    float* o = panel + p * NR;
                    if (nr == NR && NR % 8 == 0 && Vector256.IsHardwareAccelerated)
                    {
                        for (int j = 0; j < NR; j += 8) Vector256.Store(Vector256.Load(src + j), o + j);
                        continue;
                    }
                    for (int j = 0; j < nr; j++) o[j] = src[j];
                    for (int j = nr; j < NR; j++) o[j] = 0;
                }
                continue;
            }
            for (int j = 0; j < nr; j++)
            {
                float* src = B + (long)(j0 + jr + j) * ldb + p0;
                for (int p = 0; p < kc; p++) panel[p * NR + j] = src[p];
            }
            for (int j = nr; j < NR; j++)
                for (int p = 0; p < kc; p++) panel[p * NR + j] = 0;
        }
    }
}

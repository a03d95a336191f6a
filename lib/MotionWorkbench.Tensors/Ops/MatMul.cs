using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// Matrix product C = op(A)·op(B), 2-D or batched (same leading batch dim), op = transpose when the flag is set.
//   A: (M, K) or stored (K, M) when transA; batched (Bt, ·, ·). B: (K, N) or stored (N, K) when transB. C: (M, N) / (Bt, M, N).
//   dA += dC·op(B)ᵀ (stored as op(B)·dCᵀ when transA);  dB += op(A)ᵀ·dC (stored as dCᵀ·op(A) when transB).
// GEMMs go through Kernels.Gemm (OpenBLAS or the managed kernel); batched products split the batch over the threads.
public static partial class Ops
{
    /// <summary>op(a)·op(b) for 2-D or equally batched 3-D tensors.</summary>
    public static unsafe Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank != b.Rank || a.Rank is not (2 or 3) || (a.Rank == 3 && a.Shape[0] != b.Shape[0]))
            throw new ArgumentException($"MatMul: shapes {Tensor.Format(a.Shape)} and {Tensor.Format(b.Shape)} must both be 2-D or both 3-D with the same batch");
        int batch = a.Rank == 3 ? a.Shape[0] : 1;
        int ar = a.Dim(-2), ac = a.Dim(-1), br = b.Dim(-2), bc = b.Dim(-1);
        int M = transA ? ac : ar, K = transA ? ar : ac, Kb = transB ? bc : br, N = transB ? br : bc;
        if (K != Kb) throw new ArgumentException($"MatMul: inner dimensions differ: op(a) is ({M}, {K}) from {Tensor.Format(a.Shape)}, op(b) is ({Kb}, {N}) from {Tensor.Format(b.Shape)} (transA={transA}, transB={transB})");
        var c = Tensor.Pooled(a.Rank == 3 ? [batch, M, N] : [M, N]);
        fixed (float* pa = a.Data, pb = b.Data, pc = c.Data)
            Batched(batch, transA, transB, M, N, K, pa, ac, (long)ar * ac, pb, bc, (long)br * bc, 0f, pc, N, (long)M * N);
        return c.Record("matmul", [a, b], () =>
        {
            fixed (float* pa = a.Data, pb = b.Data, pdc = c.GradSpan)
            {
                if (a.RequiresGrad)
                    fixed (float* pda = a.GradSpan)
                    {
                        if (!transA) Batched(batch, false, !transB, M, K, N, pdc, N, (long)M * N, pb, bc, (long)br * bc, 1f, pda, ac, (long)ar * ac);
                        else Batched(batch, transB, true, K, M, N, pb, bc, (long)br * bc, pdc, N, (long)M * N, 1f, pda, ac, (long)ar * ac);
                    }
                if (b.RequiresGrad)
                    fixed (float* pdb = b.GradSpan)
                    {
                        if (!transB) Batched(batch, !transA, false, K, N, M, pa, ac, (long)ar * ac, pdc, N, (long)M * N, 1f, pdb, bc, (long)br * bc);
                        else Batched(batch, true, transA, N, K, M, pdc, N, (long)M * N, pa, ac, (long)ar * ac, 1f, pdb, bc, (long)br * bc);
                    }
            }
        });
    }

    private static unsafe void Batched(int batch, bool tA, bool tB, int M, int N, int K, float* A, int lda, long strideA, float* B, int ldb, long strideB, float beta, float* C, int ldc, long strideC)
    {
        if (batch == 1)
        {
            Gemm.Run(tA, tB, M, N, K, 1f, A, lda, B, ldb, beta, C, ldc);
            return;
        }
        nint a = (nint)A, b = (nint)B, c = (nint)C;
        Par.For(batch, 1, (s, e) =>
        {
            for (int i = s; i < e; i++)
                Gemm.Serial(tA, tB, M, N, K, 1f, (float*)a + i * strideA, lda, (float*)b + i * strideB, ldb, beta, (float*)c + i * strideC, ldc);
        });
    }
}

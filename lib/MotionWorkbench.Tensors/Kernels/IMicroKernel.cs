namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel over packed panels (<see cref="PackedGemm"/>): <c>a</c> holds kc steps of MR
/// row values (a[p·MR + r], alpha already applied, zero-padded), <c>b</c> kc steps of NR column values (b[p·NR + j],
/// zero-padded). Every element accumulates its kc products in order p = 0..kc-1 with one fused multiply-add each,
/// starting from 0, and is then added to C: the order every managed kernel shares, so their results are identical.
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>Rows of a register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of a register tile.</summary>
    static abstract int NR { get; }

    /// <summary>c[r·ldc + j] += Σ_p a[p·MR + r]·b[p·NR + j] for r &lt; mr, j &lt; nr (mr ≤ MR, nr ≤ NR).</summary>
    static abstract void Tile(int kc, float* a, float* b, float* c, int ldc, int mr, int nr);
}

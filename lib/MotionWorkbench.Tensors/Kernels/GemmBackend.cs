namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// Which matrix-multiply implementation runs (<see cref="Gemm.Backend"/>; the CLI and the Experiments library set it
/// from <c>MW_GEMM</c> through <see cref="Gemm.ParseBackend"/>). The managed kernels (<see cref="Avx512"/>,
/// <see cref="Avx2"/>, <see cref="Scalar"/>) share one blocking and one summation order, so they give identical bits.
/// </summary>
public enum GemmBackend
{
    /// <summary>The dispatch rule: the fastest backend per shape class (<see cref="Gemm.Describe"/> says which and why).</summary>
    Auto,
    /// <summary>The fastest managed kernel on this CPU (<see cref="Avx512"/> where calibrated faster, else <see cref="Avx2"/>, else <see cref="Scalar"/>); never OpenBLAS.</summary>
    Managed,
    /// <summary>The managed Vector512 kernel: 12 x 32 register tiles (24 zmm accumulators), packed panels.</summary>
    Avx512,
    /// <summary>The managed Vector256 kernel: 6 x 16 register tiles (12 ymm accumulators), packed panels.</summary>
    Avx2,
    /// <summary>OpenBLAS <c>cblas_sgemm</c> (libopenblas.so.0), one thread per call, split over the engine's threads.</summary>
    OpenBlas,
    /// <summary>The managed scalar kernel (4 x 4 tiles, <see cref="MathF.FusedMultiplyAdd"/>): the portable path.</summary>
    Scalar,
}

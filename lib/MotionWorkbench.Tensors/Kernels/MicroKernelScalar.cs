using System.Runtime.CompilerServices;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// The portable micro-kernel: a 4 x 4 tile in 16 scalar accumulators with <see cref="MathF.FusedMultiplyAdd"/>, the
/// same products in the same order as the SIMD kernels (so the same bits).
/// </summary>
internal readonly unsafe struct MicroKernelScalar : IMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int kc, float* a, float* b, float* c, int ldc, int mr, int nr)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0]; c00 = MathF.FusedMultiplyAdd(a0, b0, c00); c01 = MathF.FusedMultiplyAdd(a0, b1, c01); c02 = MathF.FusedMultiplyAdd(a0, b2, c02); c03 = MathF.FusedMultiplyAdd(a0, b3, c03);
            float a1 = a[1]; c10 = MathF.FusedMultiplyAdd(a1, b0, c10); c11 = MathF.FusedMultiplyAdd(a1, b1, c11); c12 = MathF.FusedMultiplyAdd(a1, b2, c12); c13 = MathF.FusedMultiplyAdd(a1, b3, c13);
            float a2 = a[2]; c20 = MathF.FusedMultiplyAdd(a2, b0, c20); c21 = MathF.FusedMultiplyAdd(a2, b1, c21); c22 = MathF.FusedMultiplyAdd(a2, b2, c22); c23 = MathF.FusedMultiplyAdd(a2, b3, c23);
            float a3 = a[3]; c30 = MathF.FusedMultiplyAdd(a3, b0, c30); c31 = MathF.FusedMultiplyAdd(a3, b1, c31); c32 = MathF.FusedMultiplyAdd(a3, b2, c32); c33 = MathF.FusedMultiplyAdd(a3, b3, c33);
            a += 4;
            b += 4;
        }
        float* tile = stackalloc float[16] { c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 };
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++)
                c[(long)r * ldc + j] += tile[r * 4 + j];
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// The AVX2 micro-kernel: a 6 x 16 tile in 12 Vector256 accumulators (of the 16 ymm registers: 12 + 2 B vectors + 1
/// broadcast), one fused multiply-add per element and step.
/// </summary>
internal readonly unsafe struct MicroKernel256 : IMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit] // no zeroing call for the edge tile: it would spill the accumulators
    public static void Tile(int kc, float* a, float* b, float* c, int ldc, int mr, int nr)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        if (mr == 6 && nr == 16)
        {
            AddTo(c, c00, c01); AddTo(c + ldc, c10, c11); AddTo(c + 2 * ldc, c20, c21);
            AddTo(c + 3 * ldc, c30, c31); AddTo(c + 4 * ldc, c40, c41); AddTo(c + 5 * ldc, c50, c51);
            return;
        }
        float* tile = stackalloc float[6 * 16];
        Vector256.Store(c00, tile); Vector256.Store(c01, tile + 8);
        Vector256.Store(c10, tile + 16); Vector256.Store(c11, tile + 24);
        Vector256.Store(c20, tile + 32); Vector256.Store(c21, tile + 40);
        Vector256.Store(c30, tile + 48); Vector256.Store(c31, tile + 56);
        Vector256.Store(c40, tile + 64); Vector256.Store(c41, tile + 72);
        Vector256.Store(c50, tile + 80); Vector256.Store(c51, tile + 88);
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++)
                c[(long)r * ldc + j] += tile[r * 16 + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(float* c, Vector256<float> v0, Vector256<float> v1)
    {
        Vector256.Store(Vector256.Load(c) + v0, c);
        Vector256.Store(Vector256.Load(c + 8) + v1, c + 8);
    }
}

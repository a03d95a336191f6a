using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: a 12 x 32 tile in 24 Vector512 accumulators (of the 32 zmm registers: 24 + 2 B vectors +
/// 1 broadcast), one fused multiply-add per element and step; tiles of at most 16 columns (the N edge) run a 12 x 16
/// half-width loop with 12 accumulators instead of multiplying zero padding. Correct everywhere (where Vector512 is not
/// hardware-accelerated .NET runs it in software, slowly); chosen only where it is accelerated and measured faster.
/// </summary>
internal readonly unsafe struct MicroKernel512 : IMicroKernel
{
    public static int MR => 12;
    public static int NR => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit] // no zeroing call for the edge tile: it would spill the accumulators
    public static void Tile(int kc, float* a, float* b, float* c, int ldc, int mr, int nr)
    {
        if (nr <= 16)
        {
            TileHalf(kc, a, b, c, ldc, mr, nr);
            return;
        }
        Vector512<float> c00a = default, c00b = default, c01a = default, c01b = default, c02a = default, c02b = default;
        Vector512<float> c03a = default, c03b = default, c04a = default, c04b = default, c05a = default, c05b = default;
        Vector512<float> c06a = default, c06b = default, c07a = default, c07b = default, c08a = default, c08b = default;
        Vector512<float> c09a = default, c09b = default, c10a = default, c10b = default, c11a = default, c11b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]); c00a = Vector512.FusedMultiplyAdd(a0, b0, c00a); c00b = Vector512.FusedMultiplyAdd(a0, b1, c00b);
            var a1 = Vector512.Create(a[1]); c01a = Vector512.FusedMultiplyAdd(a1, b0, c01a); c01b = Vector512.FusedMultiplyAdd(a1, b1, c01b);
            var a2 = Vector512.Create(a[2]); c02a = Vector512.FusedMultiplyAdd(a2, b0, c02a); c02b = Vector512.FusedMultiplyAdd(a2, b1, c02b);
            var a3 = Vector512.Create(a[3]); c03a = Vector512.FusedMultiplyAdd(a3, b0, c03a); c03b = Vector512.FusedMultiplyAdd(a3, b1, c03b);
            var a4 = Vector512.Create(a[4]); c04a = Vector512.FusedMultiplyAdd(a4, b0, c04a); c04b = Vector512.FusedMultiplyAdd(a4, b1, c04b);
            var a5 = Vector512.Create(a[5]); c05a = Vector512.FusedMultiplyAdd(a5, b0, c05a); c05b = Vector512.FusedMultiplyAdd(a5, b1, c05b);
            var a6 = Vector512.Create(a[6]); c06a = Vector512.FusedMultiplyAdd(a6, b0, c06a); c06b = Vector512.FusedMultiplyAdd(a6, b1, c06b);
            var a7 = Vector512.Create(a[7]); c07a = Vector512.FusedMultiplyAdd(a7, b0, c07a); c07b = Vector512.FusedMultiplyAdd(a7, b1, c07b);
            var a8 = Vector512.Create(a[8]); c08a = Vector512.FusedMultiplyAdd(a8, b0, c08a); c08b = Vector512.FusedMultiplyAdd(a8, b1, c08b);
            var a9 = Vector512.Create(a[9]); c09a = Vector512.FusedMultiplyAdd(a9, b0, c09a); c09b = Vector512.FusedMultiplyAdd(a9, b1, c09b);
            var a10 = Vector512.Create(a[10]); c10a = Vector512.FusedMultiplyAdd(a10, b0, c10a); c10b = Vector512.FusedMultiplyAdd(a10, b1, c10b);
            var a11 = Vector512.Create(a[11]); c11a = Vector512.FusedMultiplyAdd(a11, b0, c11a); c11b = Vector512.FusedMultiplyAdd(a11, b1, c11b);
            a += 12;
            b += 32;
        }
        if (mr == 12 && nr == 32)
        {
            AddTo(c, c00a, c00b); AddTo(c + ldc, c01a, c01b); AddTo(c + 2 * ldc, c02a, c02b);
            AddTo(c + 3 * ldc, c03a, c03b); AddTo(c + 4 * ldc, c04a, c04b); AddTo(c + 5 * ldc, c05a, c05b);
            AddTo(c + 6 * ldc, c06a, c06b); AddTo(c + 7 * ldc, c07a, c07b); AddTo(c + 8 * ldc, c08a, c08b);
            AddTo(c + 9 * ldc, c09a, c09b); AddTo(c + 10 * ldc, c10a, c10b); AddTo(c + 11 * ldc, c11a, c11b);
            return;
        }
        float* tile = stackalloc float[12 * 32];
        Vector512.Store(c00a, tile); Vector512.Store(c00b, tile + 16); Vector512.Store(c01a, tile + 32); Vector512.Store(c01b, tile + 48);
        Vector512.Store(c02a, tile + 64); Vector512.Store(c02b, tile + 80); Vector512.Store(c03a, tile + 96); Vector512.Store(c03b, tile + 112);
        Vector512.Store(c04a, tile + 128); Vector512.Store(c04b, tile + 144); Vector512.Store(c05a, tile + 160); Vector512.Store(c05b, tile + 176);
        Vector512.Store(c06a, tile + 192); Vector512.Store(c06b, tile + 208); Vector512.Store(c07a, tile + 224); Vector512.Store(c07b, tile + 240);
        Vector512.Store(c08a, tile + 256); Vector512.Store(c08b, tile + 272); Vector512.Store(c09a, tile + 288); Vector512.Store(c09b, tile + 304);
        Vector512.Store(c10a, tile + 320); Vector512.Store(c10b, tile + 336); Vector512.Store(c11a, tile + 352); Vector512.Store(c11b, tile + 368);
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++)
                c[(long)r * ldc + j] += tile[r * 32 + j];
    }

    // A tile of at most 16 columns: the first Vector512 of each B panel row (the rest is zero padding).
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit] // no zeroing call for the edge tile: it would spill the accumulators
    private static void TileHalf(int kc, float* a, float* b, float* c, int ldc, int mr, int nr)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector512<float> c06 = default, c07 = default, c08 = default, c09 = default, c10 = default, c11 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            c00 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c01);
            c02 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c02); c03 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c03);
            c04 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c04); c05 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c05);
            c06 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c06); c07 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c07);
            c08 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b0, c08); c09 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b0, c09);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b0, c10); c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b0, c11);
            a += 12;
            b += 32;
        }
        if (mr == 12 && nr == 16)
        {
            AddTo(c, c00); AddTo(c + ldc, c01); AddTo(c + 2 * ldc, c02); AddTo(c + 3 * ldc, c03);
            AddTo(c + 4 * ldc, c04); AddTo(c + 5 * ldc, c05); AddTo(c + 6 * ldc, c06); AddTo(c + 7 * ldc, c07);
            AddTo(c + 8 * ldc, c08); AddTo(c + 9 * ldc, c09); AddTo(c + 10 * ldc, c10); AddTo(c + 11 * ldc, c11);
            return;
        }
        float* tile = stackalloc float[12 * 16];
        Vector512.Store(c00, tile); Vector512.Store(c01, tile + 16); Vector512.Store(c02, tile + 32); Vector512.Store(c03, tile + 48);
        Vector512.Store(c04, tile + 64); Vector512.Store(c05, tile + 80); Vector512.Store(c06, tile + 96); Vector512.Store(c07, tile + 112);
        Vector512.Store(c08, tile + 128); Vector512.Store(c09, tile + 144); Vector512.Store(c10, tile + 160); Vector512.Store(c11, tile + 176);
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++)
                c[(long)r * ldc + j] += tile[r * 16 + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(float* c, Vector512<float> v) => Vector512.Store(Vector512.Load(c) + v, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(float* c, Vector512<float> v0, Vector512<float> v1)
    {
        Vector512.Store(Vector512.Load(c) + v0, c);
        Vector512.Store(Vector512.Load(c + 16) + v1, c + 16);
    }
}

using System.Runtime.Intrinsics;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// GELU, exact erf form (PyTorch's default approximate='none'):
//   y = x·Φ(x) = ½·x·(1 + erf(x/√2))
//   dx += dy·(Φ(x) + x·φ(x)),  φ(x) = e^(−x²/2)/√(2π)
// x: any shape; y: same shape. Backward reads x (no extra cache). Split over the engine threads.
public static partial class Ops
{
    /// <summary>GELU (erf form).</summary>
    public static unsafe Tensor Gelu(Tensor x)
    {
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        fixed (float* px = x.Data, py = y.Data)
        {
            nint ax = (nint)px, ay = (nint)py;
            Par.For(x.Size, 16384, (s, e) => GeluForward(new ReadOnlySpan<float>((float*)ax + s, e - s), new Span<float>((float*)ay + s, e - s)));
        }
        return y.Record("gelu", [x], () =>
        {
            if (!x.RequiresGrad) return;
            fixed (float* pdy = y.GradSpan, px = x.Data, pdx = x.GradSpan)
            {
                nint ady = (nint)pdy, ax = (nint)px, adx = (nint)pdx;
                Par.For(x.Size, 16384, (s, e) => GeluBackward(new ReadOnlySpan<float>((float*)ady + s, e - s), new ReadOnlySpan<float>((float*)ax + s, e - s), new Span<float>((float*)adx + s, e - s)));
            }
        });
    }

    internal static void GeluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0, n = x.Length;
        var half = Vector256.Create(0.5f);
        var k = Vector256.Create(SimdMath.InvSqrt2);
        for (; i <= n - 8; i += 8)
        {
            var v = Vector256.Create(x.Slice(i, 8));
            (half * v * (Vector256<float>.One + SimdMath.Erf(v * k))).CopyTo(y.Slice(i, 8));
        }
        for (; i < n; i++) y[i] = 0.5f * x[i] * (1f + SimdMath.Erf(x[i] * SimdMath.InvSqrt2));
    }

    /// <summary>dx = dy·gelu'(x), overwriting (dy and dx may alias).</summary>
    internal static void GeluBackwardInto(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx)
    {
        int i = 0, n = x.Length;
        var half = Vector256.Create(0.5f);
        var k = Vector256.Create(SimdMath.InvSqrt2);
        var c = Vector256.Create(SimdMath.InvSqrt2Pi);
        for (; i <= n - 8; i += 8)
        {
            var v = Vector256.Create(x.Slice(i, 8));
            var cdf = half * (Vector256<float>.One + SimdMath.Erf(v * k));
            var pdf = c * Vector256.Exp(-half * v * v);
            (Vector256.Create(dy.Slice(i, 8)) * (cdf + v * pdf)).CopyTo(dx.Slice(i, 8));
        }
        for (; i < n; i++)
        {
            float cdf = 0.5f * (1f + SimdMath.Erf(x[i] * SimdMath.InvSqrt2));
            float pdf = SimdMath.InvSqrt2Pi * MathF.Exp(-0.5f * x[i] * x[i]);
            dx[i] = dy[i] * (cdf + x[i] * pdf);
        }
    }

    internal static void GeluBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx)
    {
        int i = 0, n = x.Length;
        var half = Vector256.Create(0.5f);
        var k = Vector256.Create(SimdMath.InvSqrt2);
        var c = Vector256.Create(SimdMath.InvSqrt2Pi);
        for (; i <= n - 8; i += 8)
        {
            var v = Vector256.Create(x.Slice(i, 8));
            var cdf = half * (Vector256<float>.One + SimdMath.Erf(v * k));
            var pdf = c * Vector256.Exp(-half * v * v);
            var g = Vector256.Create(dy.Slice(i, 8)) * (cdf + v * pdf) + Vector256.Create((ReadOnlySpan<float>)dx.Slice(i, 8));
            g.CopyTo(dx.Slice(i, 8));
        }
        for (; i < n; i++)
        {
            float cdf = 0.5f * (1f + SimdMath.Erf(x[i] * SimdMath.InvSqrt2));
            float pdf = SimdMath.InvSqrt2Pi * MathF.Exp(-0.5f * x[i] * x[i]);
            dx[i] += dy[i] * (cdf + x[i] * pdf);
        }
    }
}

using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// Global average pooling (PyTorch's adaptive_avg_pool2d(x, 1) flattened): x (B, C, H, W) -> y (B, C)
//   y[b, c] = Σ_{h, w} x[b, c, h, w] / (H·W);   dx[b, c, h, w] += dy[b, c] / (H·W)
// Nothing cached. Planes are split over the threads.
public static partial class Ops
{
    /// <summary>Mean over H and W: (B, C, H, W) -> (B, C).</summary>
    public static unsafe Tensor GlobalAvgPool2d(Tensor x)
    {
        if (x.Rank != 4) throw new ArgumentException($"GlobalAvgPool2d: input must be (B, C, H, W), got {Tensor.Format(x.Shape)}");
        int B = x.Shape[0], C = x.Shape[1], S = x.Shape[2] * x.Shape[3];
        if (S == 0) throw new ArgumentException($"GlobalAvgPool2d: input {Tensor.Format(x.Shape)} has no pixels");
        var y = Tensor.Pooled([B, C]);
        fixed (float* px = x.Data, py = y.Data)
        {
            nint ax = (nint)px, ay = (nint)py;
            Par.For(B * C, Math.Max(1, 16384 / S), (s, e) => GlobalAvgPoolForward(new ReadOnlySpan<float>((float*)ax + (long)s * S, (e - s) * S), new Span<float>((float*)ay + s, e - s), S));
        }
        return y.Record("global_avg_pool2d", [x], () =>
        {
            if (!x.RequiresGrad) return;
            fixed (float* pdy = y.GradSpan, pdx = x.GradSpan)
            {
                nint ady = (nint)pdy, adx = (nint)pdx;
                Par.For(B * C, Math.Max(1, 16384 / S), (s, e) => GlobalAvgPoolBackward(new ReadOnlySpan<float>((float*)ady + s, e - s), new Span<float>((float*)adx + (long)s * S, (e - s) * S), S));
            }
        });
    }

    internal static void GlobalAvgPoolForward(ReadOnlySpan<float> x, Span<float> y, int S)
    {
        for (int r = 0; r < y.Length; r++) y[r] = TensorPrimitives.Sum(x.Slice(r * S, S)) / S;
    }

    internal static void GlobalAvgPoolBackward(ReadOnlySpan<float> dOut, Span<float> dX, int S)
    {
        for (int r = 0; r < dOut.Length; r++)
        {
            var d = dX.Slice(r * S, S);
            TensorPrimitives.Add(d, dOut[r] / S, d);
        }
    }
}

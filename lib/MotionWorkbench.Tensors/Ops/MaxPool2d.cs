using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// Max pooling as PyTorch's MaxPool2d (square kernel k, stride s, symmetric padding p ≤ k/2 with −∞; no dilation, floor mode):
//   y[b, c, oh, ow] = max_{i, j < k} x[b, c, oh·s − p + i, ow·s − p + j] over the positions inside x
//   x (B, C, H, W) -> y (B, C, Ho, Wo), Ho = (H + 2p − k)/s + 1
//   dx[b, c, argmax] += dy[b, c, oh, ow], the argmax being the first position in row-major window order whose value
//   equals the maximum (PyTorch's CPU kernel keeps the first maximum too; a NaN propagates to y, and its gradient goes to
//   the window's first NaN where PyTorch picks the last).
// Forward per output row: the elementwise max of the window's input rows (vector ops over W), then the max over each
// window's columns. Nothing is cached: backward finds the argmax again from x and y (both alive in the graph), so no
// index buffer is kept per pooling. Planes (b, c) are split over the threads; each plane's gradient is written by one
// thread in a fixed order.
public static partial class Ops
{
    /// <summary>Max pooling over H and W of x (B, C, H, W).</summary>
    public static unsafe Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding)
    {
        if (x.Rank != 4) throw new ArgumentException($"MaxPool2d: input must be (B, C, H, W), got {Tensor.Format(x.Shape)}");
        if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel)
            throw new ArgumentException($"MaxPool2d: needs kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2, got kernel {kernel}, stride {stride}, padding {padding}");
        int B = x.Shape[0], C = x.Shape[1], H = x.Shape[2], W = x.Shape[3];
        if (H + 2 * padding < kernel || W + 2 * padding < kernel) throw new ArgumentException($"MaxPool2d: input {Tensor.Format(x.Shape)} with padding {padding} is smaller than the kernel {kernel}");
        int Ho = (H + 2 * padding - kernel) / stride + 1, Wo = (W + 2 * padding - kernel) / stride + 1;
        var y = Tensor.Pooled([B, C, Ho, Wo]);
        int grain = Math.Max(1, 4096 / Math.Max(1, Ho * Wo));
        fixed (float* px = x.Data, py = y.Data)
        {
            nint ax = (nint)px, ay = (nint)py;
            Par.For(B * C, grain, (s, e) =>
            {
                var rowMax = BufferPool.Rent(W, clear: false);
                for (int plane = s; plane < e; plane++)
                    MaxPoolForward(new ReadOnlySpan<float>((float*)ax + (long)plane * H * W, H * W), new Span<float>((float*)ay + (long)plane * Ho * Wo, Ho * Wo), rowMax, H, W, Ho, Wo, kernel, stride, padding);
                BufferPool.Return(rowMax);
            });
        }
        return y.Record("max_pool2d", [x], () =>
        {
            if (!x.RequiresGrad) return;
            fixed (float* pdy = y.GradSpan, px = x.Data, py = y.Data, pdx = x.GradSpan)
            {
                nint ady = (nint)pdy, ax = (nint)px, ay = (nint)py, adx = (nint)pdx;
                Par.For(B * C, grain, (s, e) =>
                {
                    for (int plane = s; plane < e; plane++)
                        MaxPoolBackward(new ReadOnlySpan<float>((float*)ady + (long)plane * Ho * Wo, Ho * Wo), new ReadOnlySpan<float>((float*)ax + (long)plane * H * W, H * W),
                            new ReadOnlySpan<float>((float*)ay + (long)plane * Ho * Wo, Ho * Wo), new Span<float>((float*)adx + (long)plane * H * W, H * W), H, W, Ho, Wo, kernel, stride, padding);
                });
            }
        });
    }

    /// <summary>One plane x (H, W) -> y (Ho, Wo); <paramref name="rowMax"/>: W floats of scratch.</summary>
    internal static void MaxPoolForward(ReadOnlySpan<float> x, Span<float> y, Span<float> rowMax, int H, int W, int Ho, int Wo, int kernel, int stride, int padding)
    {
        var m = rowMax[..W];
        for (int oh = 0; oh < Ho; oh++)
        {
            int h0 = oh * stride - padding, hStart = Math.Max(h0, 0), hEnd = Math.Min(h0 + kernel, H);
            x.Slice(hStart * W, W).CopyTo(m);
            for (int ih = hStart + 1; ih < hEnd; ih++) TensorPrimitives.Max(m, x.Slice(ih * W, W), m);   // NaN propagates
            var yrow = y.Slice(oh * Wo, Wo);
            for (int ow = 0; ow < Wo; ow++)
            {
                int w0 = ow * stride - padding, wStart = Math.Max(w0, 0), wEnd = Math.Min(w0 + kernel, W);
                float best = m[wStart];
                for (int iw = wStart + 1; iw < wEnd; iw++) best = MathF.Max(best, m[iw]);
                yrow[ow] = best;
            }
        }
    }

    /// <summary>One plane: dX[argmax] += dOut, the argmax being the first window position holding y (accumulates).</summary>
    internal static void MaxPoolBackward(ReadOnlySpan<float> dOut, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dX, int H, int W, int Ho, int Wo, int kernel, int stride, int padding)
    {
        for (int oh = 0; oh < Ho; oh++)
        {
            int h0 = oh * stride - padding, hStart = Math.Max(h0, 0), hEnd = Math.Min(h0 + kernel, H);
            for (int ow = 0; ow < Wo; ow++)
            {
                float g = dOut[oh * Wo + ow], best = y[oh * Wo + ow];
                int w0 = ow * stride - padding, wStart = Math.Max(w0, 0), wEnd = Math.Min(w0 + kernel, W);
                bool nan = float.IsNaN(best);
                for (int ih = hStart; ih < hEnd; ih++)
                    for (int iw = wStart; iw < wEnd; iw++)
                    {
                        float v = x[ih * W + iw];
                        if (v == best || (nan && float.IsNaN(v)))
                        {
                            dX[ih * W + iw] += g;
                            goto next;
                        }
                    }
                next:;
            }
        }
    }
}

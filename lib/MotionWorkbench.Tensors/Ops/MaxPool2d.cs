using System.Runtime.InteropServices;

namespace MotionWorkbench.Tensors;

// Max pooling as PyTorch's MaxPool2d (square kernel k, stride s, symmetric padding p ≤ k/2 with −∞; no dilation, floor mode):
//   y[b, c, oh, ow] = max_{i, j < k} x[b, c, oh·s − p + i, ow·s − p + j] over the positions inside x
//   x (B, C, H, W) -> y (B, C, Ho, Wo), Ho = (H + 2p − k)/s + 1
//   dx[b, c, argmax] += dy[b, c, oh, ow]   (the argmax is the first maximum in row-major window order, as PyTorch's CPU
//   kernel; a NaN wins (the last one in the window) and propagates)
// Caches the argmax of every output (its index within the H·W plane, as int bits in a pooled buffer). Planes (b, c) are
// split over the threads; each plane's gradient is written by one thread in a fixed order.
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
        var argmax = y.RentCache(y.Size);
        fixed (float* px = x.Data, py = y.Data, pa = argmax)
        {
            nint ax = (nint)px, ay = (nint)py, aa = (nint)pa;
            Par.For(B * C, Math.Max(1, 4096 / Math.Max(1, Ho * Wo)), (s, e) =>
            {
                for (int plane = s; plane < e; plane++)
                    MaxPoolForward(new ReadOnlySpan<float>((float*)ax + (long)plane * H * W, H * W), new Span<float>((float*)ay + (long)plane * Ho * Wo, Ho * Wo),
                        MemoryMarshal.Cast<float, int>(new Span<float>((float*)aa + (long)plane * Ho * Wo, Ho * Wo)), H, W, Ho, Wo, kernel, stride, padding);
            });
        }
        return y.Record("max_pool2d", [x], () =>
        {
            if (!x.RequiresGrad) return;
            fixed (float* pdy = y.GradSpan, pdx = x.GradSpan, pa = argmax)
            {
                nint ady = (nint)pdy, adx = (nint)pdx, aa = (nint)pa;
                Par.For(B * C, Math.Max(1, 4096 / Math.Max(1, Ho * Wo)), (s, e) =>
                {
                    for (int plane = s; plane < e; plane++)
                        MaxPoolBackward(new ReadOnlySpan<float>((float*)ady + (long)plane * Ho * Wo, Ho * Wo), MemoryMarshal.Cast<float, int>(new ReadOnlySpan<float>((float*)aa + (long)plane * Ho * Wo, Ho * Wo)),
                            new Span<float>((float*)adx + (long)plane * H * W, H * W));
                });
            }
        });
    }

    /// <summary>One plane: y (Ho, Wo) and the argmax (index into the H·W plane) of each output.</summary>
    internal static void MaxPoolForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int H, int W, int Ho, int Wo, int kernel, int stride, int padding)
    {
        for (int oh = 0; oh < Ho; oh++)
        {
            int h0 = oh * stride - padding, hStart = Math.Max(h0, 0), hEnd = Math.Min(h0 + kernel, H);
            for (int ow = 0; ow < Wo; ow++)
            {
                int w0 = ow * stride - padding, wStart = Math.Max(w0, 0), wEnd = Math.Min(w0 + kernel, W);
                float best = float.NegativeInfinity;
                int at = hStart * W + wStart;
                for (int ih = hStart; ih < hEnd; ih++)
                    for (int iw = wStart; iw < wEnd; iw++)
                    {
                        float v = x[ih * W + iw];
                        if (v > best || float.IsNaN(v))
                        {
                            best = v;
                            at = ih * W + iw;
                        }
                    }
                y[oh * Wo + ow] = best;
                argmax[oh * Wo + ow] = at;
            }
        }
    }

    /// <summary>One plane: dX[argmax] += dOut (accumulates).</summary>
    internal static void MaxPoolBackward(ReadOnlySpan<float> dOut, ReadOnlySpan<int> argmax, Span<float> dX)
    {
        for (int i = 0; i < dOut.Length; i++) dX[argmax[i]] += dOut[i];
    }
}

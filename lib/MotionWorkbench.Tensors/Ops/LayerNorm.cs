using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors;

// Layer norm over the last axis C; x viewed as (R, C).
//   mean = Σx/C, var = Σ(x − mean)²/C (biased), rstd = 1/√(var + eps), x̂ = (x − mean)·rstd, y = x̂·weight + bias
//   dx̂ = dy·weight;  dx += rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂));  dWeight += Σ_R dy·x̂;  dBias += Σ_R dy
// Caches mean and rstd (R each). Rows are split over the threads; weight/bias grads use per-chunk partial sums (indexed by chunk, not thread, so
// the result does not depend on which thread ran which chunk).
public static partial class Ops
{
    /// <summary>Layer norm over the last axis.</summary>
    public static unsafe Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias, float eps)
    {
        int C = x.Dim(-1), R = x.Size / Math.Max(1, C);
        if (weight.Size != C || bias.Size != C) throw new ArgumentException($"LayerNorm: weight {Tensor.Format(weight.Shape)} and bias {Tensor.Format(bias.Shape)} must both have {C} elements for input {Tensor.Format(x.Shape)}");
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        var mean = y.RentCache(R);
        var rstd = y.RentCache(R);
        fixed (float* px = x.Data, pw = weight.Data, pb = bias.Data, py = y.Data, pm = mean, pr = rstd)
        {
            nint ax = (nint)px, aw = (nint)pw, ab = (nint)pb, ay = (nint)py, am = (nint)pm, ar = (nint)pr;
            Par.For(R, 64, (s, e) => LayerNormForward(new ReadOnlySpan<float>((float*)ax + (long)s * C, (e - s) * C), new ReadOnlySpan<float>((float*)aw, C), new ReadOnlySpan<float>((float*)ab, C),
                new Span<float>((float*)ay + (long)s * C, (e - s) * C), new Span<float>((float*)am + s, e - s), new Span<float>((float*)ar + s, e - s), e - s, C, eps));
        }
        return y.Record("layer_norm", [x, weight, bias], () =>
        {
            // Per-chunk (not per-thread) partial sums, added in chunk order: the same bits whichever thread ran which chunk.
            int chunks = Par.ChunkCount(R, 64);
            var partial = BufferPool.Rent(chunks * 2 * C, clear: true);
            fixed (float* pdy = y.GradSpan, px = x.Data, pw = weight.Data, pm = mean, pr = rstd, pp = partial)
            {
                float* pdx = null;
                fixed (float* pdxFixed = x.RequiresGrad ? x.GradSpan : Span<float>.Empty)
                {
                    pdx = pdxFixed;
                    nint ady = (nint)pdy, ax = (nint)px, aw = (nint)pw, am = (nint)pm, ar = (nint)pr, ap = (nint)pp, adx = (nint)pdx;
                    Par.ForChunks(R, 64, 4, (slot, s, e) =>
                    {
                        LayerNormBackward(new ReadOnlySpan<float>((float*)ady + (long)s * C, (e - s) * C), new ReadOnlySpan<float>((float*)ax + (long)s * C, (e - s) * C), new ReadOnlySpan<float>((float*)aw, C),
                            new ReadOnlySpan<float>((float*)am + s, e - s), new ReadOnlySpan<float>((float*)ar + s, e - s),
                            adx == 0 ? Span<float>.Empty : new Span<float>((float*)adx + (long)s * C, (e - s) * C),
                            new Span<float>((float*)ap + slot * 2 * C, C), new Span<float>((float*)ap + slot * 2 * C + C, C), e - s, C);
                    });
                }
            }
            for (int c = 0; c < chunks; c++)
            {
                if (weight.RequiresGrad) TensorPrimitives.Add(weight.GradSpan, partial.AsSpan(c * 2 * C, C), weight.GradSpan);
                if (bias.RequiresGrad) TensorPrimitives.Add(bias.GradSpan, partial.AsSpan(c * 2 * C + C, C), bias.GradSpan);
            }
            BufferPool.Return(partial);
        });
    }

    internal static void LayerNormForward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, Span<float> mean, Span<float> rstd, int R, int C, float eps)
    {
        for (int r = 0; r < R; r++)
        {
            var xr = x.Slice(r * C, C);
            var yr = y.Slice(r * C, C);
            float m = TensorPrimitives.Sum(xr) / C;
            TensorPrimitives.Subtract(xr, m, yr);
            float v = TensorPrimitives.SumOfSquares(yr) / C;
            float s = 1f / MathF.Sqrt(v + eps);
            mean[r] = m;
            rstd[r] = s;
            TensorPrimitives.Multiply(yr, s, yr);
            TensorPrimitives.FusedMultiplyAdd(yr, weight, bias, yr);
        }
    }

    /// <summary>Accumulates dX (when not empty), and dWeight/dBias row sums into the given partial rows.</summary>
    internal static void LayerNormBackward(ReadOnlySpan<float> dOut, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, Span<float> dX, Span<float> dWeight, Span<float> dBias, int R, int C)
    {
        Span<float> xhat = C <= 4096 ? stackalloc float[C] : new float[C];
        Span<float> dxhat = C <= 4096 ? stackalloc float[C] : new float[C];
        for (int r = 0; r < R; r++)
        {
            var dyr = dOut.Slice(r * C, C);
            TensorPrimitives.Subtract(x.Slice(r * C, C), mean[r], xhat);
            TensorPrimitives.Multiply(xhat, rstd[r], xhat);
            TensorPrimitives.FusedMultiplyAdd(dyr, xhat, dWeight, dWeight);
            TensorPrimitives.Add(dBias, dyr, dBias);
            if (dX.IsEmpty) continue;
            TensorPrimitives.Multiply(dyr, weight, dxhat);
            float meanD = TensorPrimitives.Sum(dxhat) / C;
            float meanDX = TensorPrimitives.Dot(dxhat, xhat) / C;
            var dxr = dX.Slice(r * C, C);
            float s = rstd[r];
            for (int c = 0; c < C; c++) dxr[c] += s * (dxhat[c] - meanD - xhat[c] * meanDX);
        }
    }
}

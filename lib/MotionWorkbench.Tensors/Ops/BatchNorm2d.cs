using System.Numerics.Tensors;
using System.Numerics;

namespace MotionWorkbench.Tensors;

// Batch norm over channel axis 1, as PyTorch's BatchNorm2d (x viewed as (B, C, S), S = H·W; n = B·S values per channel):
//   batch statistics (training):  mean_c = Σx/n, var_c = Σ(x − mean_c)²/n (biased), rstd_c = 1/√(var_c + eps);
//     running_mean = (1 − m)·running_mean + m·mean_c;  running_var = (1 − m)·running_var + m·var_c·n/(n − 1) (unbiased)
//   running statistics (evaluation, or frozen statistics in training): mean_c = running_mean, rstd_c = 1/√(running_var + eps)
//   x̂ = (x − mean_c)·rstd_c,  y = x̂·weight_c + bias_c
// Fused form (BatchNorm2dRelu): y = relu(x̂·weight + bias [+ residual]), the ResNet's bn -> (+ shortcut) -> relu in one pass.
//   dz = dy·[y > 0];  dResidual += dz;  dWeight_c += Σ dz·x̂;  dBias_c += Σ dz
//   batch statistics:   dx += weight_c·rstd_c·(dz − Σdz/n − x̂·Σ(dz·x̂)/n)
//   running statistics: dx += weight_c·rstd_c·dz   (the statistics are constants)
// Shapes: x, residual, y (B, C, ...); weight, bias, running_mean, running_var (C). Caches mean and rstd (C each); the
// fused form reads its output y for the ReLU mask. Channels are split over the threads and each channel's sums run in a
// fixed order (double accumulators), so results do not depend on the threads. The running statistics are updated in
// place during the forward (also under NoGrad, as PyTorch).
public static partial class Ops
{
    /// <summary>Batch norm over axis 1 with batch statistics (<paramref name="batchStatistics"/>, updating the running ones) or the running statistics.</summary>
    public static Tensor BatchNorm2d(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, bool batchStatistics, float momentum = 0.1f, float eps = 1e-5f) =>
        BatchNormCore(x, weight, bias, runningMean, runningVar, batchStatistics, momentum, eps, relu: false, residual: null);

    /// <summary>relu(BatchNorm2d(x) + residual) fused (residual optional, same shape as x).</summary>
    public static Tensor BatchNorm2dRelu(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, bool batchStatistics, float momentum = 0.1f, float eps = 1e-5f, Tensor? residual = null) =>
        BatchNormCore(x, weight, bias, runningMean, runningVar, batchStatistics, momentum, eps, relu: true, residual);

    private static unsafe Tensor BatchNormCore(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, bool batchStatistics, float momentum, float eps, bool relu, Tensor? residual)
    {
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm2d: input must be (B, C, ...), got {Tensor.Format(x.Shape)}");
        int B = x.Shape[0], C = x.Shape[1], S = x.Size / Math.Max(1, B * C);
        foreach (var (t, what) in new[] { (weight, "weight"), (bias, "bias"), (runningMean, "running_mean"), (runningVar, "running_var") })
            if (t.Size != C) throw new ArgumentException($"BatchNorm2d: {what} {Tensor.Format(t.Shape)} must have {C} elements for input {Tensor.Format(x.Shape)}");
        if (residual is not null) Tensor.CheckSameShape(x, residual, "BatchNorm2dRelu residual");
        if (momentum is < 0 or > 1 || !(eps > 0)) throw new ArgumentException($"BatchNorm2d: momentum must be in [0, 1] and eps > 0, got momentum {momentum}, eps {eps}");
        if (batchStatistics && B * S < 2) throw new ArgumentException($"BatchNorm2d: batch statistics need more than 1 value per channel, input {Tensor.Format(x.Shape)} has {B * S}");
        var y = Tensor.Pooled((int[])x.Shape.Clone());
        var mean = y.RentCache(C);
        var rstd = y.RentCache(C);
        fixed (float* px = x.Data, pw = weight.Data, pb = bias.Data, prm = runningMean.Data, prv = runningVar.Data, py = y.Data, pm = mean, pr = rstd,
               pres = residual is null ? Span<float>.Empty : residual.Data)
        {
            nint ax = (nint)px, aw = (nint)pw, ab = (nint)pb, arm = (nint)prm, arv = (nint)prv, ay = (nint)py, am = (nint)pm, ar = (nint)pr, ares = (nint)pres;
            Par.For(C, 1, (s, e) =>
            {
                for (int c = s; c < e; c++)
                {
                    if (batchStatistics) BatchStatistics((float*)ax, (float*)ay, c, B, C, S, eps, momentum, out ((float*)am)[c], out ((float*)ar)[c], ref ((float*)arm)[c], ref ((float*)arv)[c]);
                    else
                    {
                        ((float*)am)[c] = ((float*)arm)[c];
                        ((float*)ar)[c] = 1f / MathF.Sqrt(((float*)arv)[c] + eps);
                    }
                    BatchNormForward((float*)ax, (float*)ares, (float*)ay, c, B, C, S, ((float*)am)[c], ((float*)ar)[c], ((float*)aw)[c], ((float*)ab)[c], relu);
                }
            });
        }
        var parents = residual is null ? new[] { x, weight, bias } : new[] { x, weight, bias, residual };
        return y.Record(relu ? "batch_norm_relu" : "batch_norm", parents, () =>
        {
            float[]? dz = relu ? BufferPool.Rent(y.Size, clear: false) : null;
            fixed (float* pdy = y.GradSpan, px = x.Data, pw = weight.Data, py = y.Data, pm = mean, pr = rstd, pdz = dz,
                   pdx = x.RequiresGrad ? x.GradSpan : Span<float>.Empty, pdw = weight.RequiresGrad ? weight.GradSpan : Span<float>.Empty,
                   pdb = bias.RequiresGrad ? bias.GradSpan : Span<float>.Empty, pdr = residual is { RequiresGrad: true } ? residual.GradSpan : Span<float>.Empty)
            {
                nint ady = (nint)pdy, ax = (nint)px, aw = (nint)pw, ay = (nint)py, am = (nint)pm, ar = (nint)pr, adz = (nint)pdz, adx = (nint)pdx, adw = (nint)pdw, adb = (nint)pdb, adr = (nint)pdr;
                Par.For(C, 1, (s, e) =>
                {
                    var scratch = BufferPool.Rent(S, clear: false);
                    for (int c = s; c < e; c++)
                        BatchNormBackward((float*)ady, (float*)ax, (float*)ay, (float*)adz, (float*)adx, (float*)adw, (float*)adb, (float*)adr, scratch, c, B, C, S,
                            ((float*)am)[c], ((float*)ar)[c], ((float*)aw)[c], batchStatistics, relu);
                    BufferPool.Return(scratch);
                });
            }
            if (dz is not null) BufferPool.Return(dz);
        });
    }

    // Channel c's batch mean and rstd (two passes, the deviations written to y as scratch), and the running update.
    private static unsafe void BatchStatistics(float* x, float* y, int c, int B, int C, int S, float eps, float momentum, out float mean, out float rstd, ref float runningMean, ref float runningVar)
    {
        long n = (long)B * S;
        double sum = 0;
        for (int b = 0; b < B; b++) sum += TensorPrimitives.Sum(new ReadOnlySpan<float>(x + ((long)b * C + c) * S, S));
        mean = (float)(sum / n);
        double squares = 0;
        for (int b = 0; b < B; b++)
        {
            var dev = new Span<float>(y + ((long)b * C + c) * S, S);
            TensorPrimitives.Subtract(new ReadOnlySpan<float>(x + ((long)b * C + c) * S, S), mean, dev);
            squares += TensorPrimitives.SumOfSquares(dev);
        }
        double variance = squares / n;
        rstd = (float)(1.0 / Math.Sqrt(variance + eps));
        runningMean = (1 - momentum) * runningMean + momentum * mean;
        runningVar = (float)((1 - momentum) * runningVar + momentum * variance * n / (n - 1));
    }

    // One pass per row: y = max((x·scale + shift) [+ residual], 0), each step rounded as the separate elementwise ops
    // (multiply, add, add, max) would round it, so the bits are theirs; Vector.Max and MathF.Max, like
    // TensorPrimitives.Max, propagate NaN and order −0 below +0.
    private static unsafe void BatchNormForward(float* x, float* residual, float* y, int c, int B, int C, int S, float mean, float rstd, float weight, float bias, bool relu)
    {
        float scale = rstd * weight, shift = bias - mean * scale;                               // x̂·weight + bias
        var vs = new Vector<float>(scale);
        var vb = new Vector<float>(shift);
        int width = Vector<float>.Count;
        for (int b = 0; b < B; b++)
        {
            long at = ((long)b * C + c) * S;
            float* xr = x + at, yr = y + at, rr = residual == null ? null : residual + at;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
                for (; i <= S - width; i += width)
                {
                    var v = Vector.Load(xr + i) * vs + vb;
                    if (rr != null) v += Vector.Load(rr + i);
                    if (relu) v = Vector.Max(v, Vector<float>.Zero);
                    v.Store(yr + i);
                }
            for (; i < S; i++)
            {
                float v = xr[i] * scale + shift;
                if (rr != null) v += rr[i];
                yr[i] = relu ? MathF.Max(v, 0f) : v;
            }
        }
    }

    // Channel c's gradients; each pointer may be null (that gradient is not wanted; dz is null without the ReLU).
    // scratch: S floats for x − mean.
    private static unsafe void BatchNormBackward(float* dOut, float* x, float* y, float* dz, float* dX, float* dWeight, float* dBias, float* dResidual,
        Span<float> scratch, int c, int B, int C, int S, float mean, float rstd, float weight, bool batchStatistics, bool relu)
    {
        double sumDz = 0, sumDzDev = 0;
        fixed (float* centred = scratch)
            for (int b = 0; b < B; b++)
            {
                long at = ((long)b * C + c) * S;
                float* dzRow = relu ? dz + at : null;
                MaskAndCentre(dOut + at, y + at, dzRow, dzRow == null || dResidual == null ? null : dResidual + at, x + at, mean, centred, S);
                var g = new ReadOnlySpan<float>(relu ? dzRow : dOut + at, S);
                sumDz += TensorPrimitives.Sum(g);
                sumDzDev += TensorPrimitives.Dot(g, new ReadOnlySpan<float>(centred, S));         // Σ dz·(x − mean)
            }
        double sumDzXhat = sumDzDev * rstd;
        if (dWeight != null) dWeight[c] += (float)sumDzXhat;
        if (dBias != null) dBias[c] += (float)sumDz;
        if (dX == null) return;
        long n = (long)B * S;
        float k = weight * rstd;
        float meanDz = (float)(sumDz / n), devScale = (float)(-sumDzXhat / n * rstd);
        for (int b = 0; b < B; b++)
        {
            long at = ((long)b * C + c) * S;
            float* g = (relu ? dz : dOut) + at;
            if (!batchStatistics)                                                              // dx += weight·rstd·dz
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(g, S), k, new ReadOnlySpan<float>(dX + at, S), new Span<float>(dX + at, S));
            else                                                                               // dx += k·(dz − meanDz − x̂·mean(dz·x̂)), x̂ = (x − mean)·rstd
                InputGradientRow(x + at, g, dX + at, mean, devScale, -meanDz, k, S);
        }
    }

    // One pass over a row of the backward's first loop, the separate elementwise ops' roundings kept: with the ReLU (dz not
    // null) dz = dy where y > 0, else 0, and dResidual += dz (when wanted); always centred = x − mean.
    private static unsafe void MaskAndCentre(float* dy, float* y, float* dz, float* dResidual, float* x, float mean, float* centred, int S)
    {
        int i = 0, width = Vector<float>.Count;
        var vm = new Vector<float>(mean);
        if (Vector.IsHardwareAccelerated)
            for (; i <= S - width; i += width)
            {
                if (dz != null)
                {
                    var d = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(y + i), Vector<float>.Zero), Vector.Load(dy + i), Vector<float>.Zero);
                    d.Store(dz + i);
                    if (dResidual != null) (Vector.Load(dResidual + i) + d).Store(dResidual + i);
                }
                (Vector.Load(x + i) - vm).Store(centred + i);
            }
        for (; i < S; i++)
        {
            if (dz != null)
            {
                float d = y[i] > 0 ? dy[i] : 0f;
                dz[i] = d;
                if (dResidual != null) dResidual[i] += d;
            }
            centred[i] = x[i] - mean;
        }
    }

    // dx += ((((x − mean)·devScale) + dz) + negMeanDz)·k, rounded step by step as the separate elementwise ops round it.
    private static unsafe void InputGradientRow(float* x, float* dz, float* dx, float mean, float devScale, float negMeanDz, float k, int S)
    {
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> vm = new(mean), vd = new(devScale), vn = new(negMeanDz), vk = new(k);
            for (; i <= S - width; i += width)
            {
                var t = (Vector.Load(x + i) - vm) * vd + Vector.Load(dz + i) + vn;
                (t * vk + Vector.Load(dx + i)).Store(dx + i);
            }
        }
        for (; i < S; i++) dx[i] = ((x[i] - mean) * devScale + dz[i] + negMeanDz) * k + dx[i];
    }
}

using System.Numerics.Tensors;
using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;

/// <summary>Finite-difference checks of the CNN ops (plain, an input used twice) and their closed forms and errors.</summary>
/// <remarks>
/// The convolutions are checked with a step of <see cref="ConvStep"/> rather than the default 1e-3: a convolution is linear
/// in each input (and conv(conv(x, w), w) quadratic in w), so central differences have no truncation error at any step,
/// and the larger step divides float32 rounding noise by 50. The 3x3 stride-1 convolutions run through Winograd
/// F(2x2, 3x3), whose 4x4 tile transforms re-round more terms when one input moves than im2col's dot products do: at
/// h = 1e-3 that noise alone reached 1.4e-3 in the numeric derivative (the exact comparisons are in WinogradTests).
/// </remarks>
public class CnnGradTests
{
    private const float ConvStep = 0.05f;

    [Fact]
    public void Conv2d_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(40);
        Run(x => Ops.Conv2d(x[0], x[1], x[2], 1, 1), [Rand(rng, 2, 3, 5, 6), Rand(rng, 4, 3, 3, 3), Rand(rng, 4)], h: ConvStep, name: "conv 3x3 s1 p1");
        Run(x => Ops.Conv2d(x[0], x[1], null, 2, 1), [Rand(rng, 2, 2, 7, 6), Rand(rng, 3, 2, 3, 3)], h: ConvStep, name: "conv 3x3 s2 p1");
        Run(x => Ops.Conv2d(x[0], x[1], null, 2, 3), [Rand(rng, 1, 2, 9, 7), Rand(rng, 2, 2, 7, 7)], h: ConvStep, name: "conv 7x7 s2 p3");
        Run(x => Ops.Conv2d(x[0], x[1], x[2], 2, 0), [Rand(rng, 2, 3, 5, 4), Rand(rng, 4, 3, 1, 1), Rand(rng, 4)], h: ConvStep, name: "conv 1x1 s2");
    }

    [Fact]
    public void Conv2d_InputUsedTwice_Accumulates()
    {
        var rng = new Random(41);
        Run(x => Ops.Add(Ops.Conv2d(x[0], x[1], x[2], 1, 1), Ops.Conv2d(x[0], x[1], x[2], 1, 1)), [Rand(rng, 2, 2, 4, 5), Rand(rng, 3, 2, 3, 3), Rand(rng, 3)], h: ConvStep, name: "conv twice");
        Run(x => Ops.Conv2d(Ops.Conv2d(x[0], x[1], null, 1, 1), x[1], null, 1, 1), [Rand(rng, 1, 2, 4, 4), RandRange(rng, -0.5f, 0.5f, 2, 2, 3, 3)], h: ConvStep, name: "conv(conv(x, w), w)");
    }

    [Fact]
    public void Conv2d_OneByOneKernel_IsAPerPixelLinearMap()
    {
        var rng = new Random(42);
        var (x, w, b) = (Rand(rng, 2, 3, 4, 5), Rand(rng, 6, 3, 1, 1), Rand(rng, 6));
        var y = Ops.Conv2d(x, w, b);
        var viaLinear = Ops.Permute(Ops.Linear(Ops.Permute(x, 0, 2, 3, 1), Ops.Reshape(w, 6, 3), b), 0, 3, 1, 2); // (B, 6, H, W)
        AssertClose.Equal(viaLinear.ToArray(), y.ToArray(), 1e-5, 1e-5, "1x1 conv vs linear");
    }

    [Fact]
    public void Conv2d_ThrowsForChannelMismatchAndTooSmallInput()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Conv2d(Tensor.Zeros(1, 4, 8, 8), Tensor.Zeros(2, 3, 3, 3), null));
        Assert.Contains("(1, 4, 8, 8)", e.Message);
        Assert.Contains("(2, 3, 3, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.Conv2d(Tensor.Zeros(1, 3, 2, 8), Tensor.Zeros(2, 3, 7, 7), null, 2, 1));
        Assert.Contains("smaller than the kernel", e.Message);
    }

    /// <summary>
    /// x (B, C, H, W), weight and bias whose normalised values w·x̂ + b (+ the residual, or + x itself) stay at least
    /// 0.05 from the ReLU kink, with running statistics (0, 1) in eval mode.
    /// </summary>
    private static (Tensor X, Tensor W, Tensor B) AwayFromKink(Random rng, bool batch, int[] shape, Tensor? residual, bool selfResidual = false)
    {
        int C = shape[1];
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            var (x, w, b) = (Rand(rng, shape), RandRange(rng, 0.5f, 1.5f, C), RandRange(rng, -0.5f, 0.5f, C));
            var z = Ops.BatchNorm2d(x, w, b, Tensor.Zeros(C), Tensor.Full(1f, C), batch);
            var r = selfResidual ? x : residual;
            if ((r is null ? z : Ops.Add(z, r)).ToArray().All(v => Math.Abs(v) > 0.05f)) return (x, w, b);
        }
        throw new InvalidOperationException("no input away from the ReLU kink found");
    }

    [Fact]
    public void BatchNorm2d_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(43);
        foreach (bool batch in new[] { true, false })
        {
            var (rm, rv) = (RandRange(rng, -0.5f, 0.5f, 3), RandRange(rng, 0.5f, 2f, 3));
            Run(x => Ops.BatchNorm2d(x[0], x[1], x[2], rm, rv, batch), [Rand(rng, 3, 3, 2, 4), Rand(rng, 3), Rand(rng, 3)], name: $"batch_norm batch={batch}");
            Run(x => Ops.Add(Ops.BatchNorm2d(x[0], x[1], x[2], rm, rv, batch), Ops.BatchNorm2d(x[0], x[1], x[2], rm, rv, batch)), [Rand(rng, 2, 3, 3, 3), Rand(rng, 3), Rand(rng, 3)], name: $"batch_norm twice batch={batch}");
        }
    }

    [Theory]
    [InlineData(37)]   // rows of S = 37: whole vectors and a tail
    [InlineData(5)]    // shorter than one vector
    public void BatchNorm2dRelu_FusedRows_GiveTheBitsOfTheSeparateElementwiseOps(int S)
    {
        // the forward and backward each make one pass per row; their results must be those of the separate
        // TensorPrimitives ops they replace (multiply, add, add, max; mask, add, subtract; subtract, multiply-add, add,
        // multiply-add), bit for bit, with the ReLU's kink, −0 and a residual in play
        var rng = new Random(S);
        int B = 3, C = 2;
        var x = Rand(rng, B, C, 1, S);
        var residual = Rand(rng, B, C, 1, S);
        for (int i = 0; i < x.Size; i += 7) x.Data[i] = -0f;
        var (w, b) = (Tensor.FromArray([0.7f, -1.3f], C), Tensor.FromArray([0.1f, 0.05f], C));
        x.RequiresGrad = residual.RequiresGrad = true;
        var y = Ops.BatchNorm2dRelu(x, w, b, Tensor.Zeros(C), Tensor.Full(1f, C), batchStatistics: true, residual: residual);
        var dy = Rand(rng, B, C, 1, S);
        y.Backward(dy);

        var yRef = new float[y.Size];
        var (dxRef, dresRef) = (new float[x.Size], new float[x.Size]);
        for (int c = 0; c < C; c++)
        {
            int n = B * S;
            double sum = 0, squares = 0;
            var dev = new float[S];
            for (int bi = 0; bi < B; bi++) sum += TensorPrimitives.Sum(x.Data.Slice((bi * C + c) * S, S));
            float mean = (float)(sum / n);
            for (int bi = 0; bi < B; bi++)
            {
                TensorPrimitives.Subtract(x.Data.Slice((bi * C + c) * S, S), mean, dev);
                squares += TensorPrimitives.SumOfSquares(dev);
            }
            float rstd = (float)(1.0 / Math.Sqrt(squares / n + 1e-5f));
            float scale = rstd * w.Data[c], shift = b.Data[c] - mean * scale;
            var dz = new float[B * S];
            double sumDz = 0, sumDzDev = 0;
            for (int bi = 0; bi < B; bi++)
            {
                int at = (bi * C + c) * S;
                var yc = yRef.AsSpan(at, S);
                TensorPrimitives.Multiply(x.Data.Slice(at, S), scale, yc);
                TensorPrimitives.Add(yc, shift, yc);
                TensorPrimitives.Add(yc, residual.Data.Slice(at, S), yc);
                TensorPrimitives.Max(yc, 0f, yc);
                var g = dz.AsSpan(bi * S, S);
                for (int i = 0; i < S; i++) g[i] = yc[i] > 0 ? dy.Data[at + i] : 0f;
                TensorPrimitives.Add(dresRef.AsSpan(at, S), g, dresRef.AsSpan(at, S));
                TensorPrimitives.Subtract(x.Data.Slice(at, S), mean, dev);
                sumDz += TensorPrimitives.Sum(g);
                sumDzDev += TensorPrimitives.Dot(g, dev);
            }
            double sumDzXhat = sumDzDev * rstd;
            float k = w.Data[c] * rstd, meanDz = (float)(sumDz / n), devScale = (float)(-sumDzXhat / n * rstd);
            for (int bi = 0; bi < B; bi++)
            {
                int at = (bi * C + c) * S;
                TensorPrimitives.Subtract(x.Data.Slice(at, S), mean, dev);
                TensorPrimitives.MultiplyAdd(dev, devScale, dz.AsSpan(bi * S, S), dev);
                TensorPrimitives.Add(dev, -meanDz, dev);
                TensorPrimitives.MultiplyAdd(dev, k, dxRef.AsSpan(at, S), dxRef.AsSpan(at, S));
            }
        }
        Assert.Equal(yRef.Select(BitConverter.SingleToInt32Bits), y.ToArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(dxRef.Select(BitConverter.SingleToInt32Bits), x.Grad.ToArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(dresRef.Select(BitConverter.SingleToInt32Bits), residual.Grad.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void BatchNorm2dRelu_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(44);
        int[] shape = [2, 3, 3, 4];
        foreach (bool batch in new[] { true, false })
        {
            var (rm, rv) = (Tensor.Zeros(3), Tensor.Full(1f, 3));   // only read in eval mode; batch mode updates copies nobody checks here
            var (x, w, b) = AwayFromKink(rng, batch, shape, null);
            Run(t => Ops.BatchNorm2dRelu(t[0], t[1], t[2], rm, rv, batch), [x, w, b], name: $"batch_norm_relu batch={batch}");
            var residual = Rand(rng, shape);
            (x, w, b) = AwayFromKink(rng, batch, shape, residual);
            Run(t => Ops.BatchNorm2dRelu(t[0], t[1], t[2], rm, rv, batch, residual: t[3]), [x, w, b, residual], name: $"batch_norm_relu residual batch={batch}");
            (x, w, b) = AwayFromKink(rng, batch, shape, null, selfResidual: true);
            Run(t => Ops.BatchNorm2dRelu(t[0], t[1], t[2], rm, rv, batch, residual: t[0]), [x, w, b], name: $"batch_norm_relu x as its own residual batch={batch}");
        }
    }

    [Fact]
    public void BatchNorm2d_TrainingStatistics_NormaliseEachChannel_AndUpdateRunningOnesUnbiased()
    {
        var rng = new Random(45);
        var x = Rand(rng, 4, 2, 3, 3);
        var (rm, rv) = (Tensor.Zeros(2), Tensor.Full(1f, 2));
        var y = Ops.BatchNorm2d(x, Tensor.Full(1f, 2), Tensor.Zeros(2), rm, rv, batchStatistics: true, momentum: 0.1f, eps: 1e-5f).ToArray();
        int n = 4 * 9;
        for (int c = 0; c < 2; c++)
        {
            var vals = Enumerable.Range(0, 4).SelectMany(b => x.ToArray().Skip((b * 2 + c) * 9).Take(9)).Select(v => (double)v).ToArray();
            var outs = Enumerable.Range(0, 4).SelectMany(b => y.Skip((b * 2 + c) * 9).Take(9)).ToArray();
            double mean = vals.Average(), var = vals.Sum(v => (v - mean) * (v - mean)) / n;
            Assert.Equal(0, outs.Average(), 5);
            Assert.Equal(var / (var + 1e-5), outs.Select(v => (double)v * v).Average(), 4);
            Assert.Equal(0.1 * mean, rm.Data[c], 5);
            Assert.Equal(0.9 + 0.1 * var * n / (n - 1), rv.Data[c], 5);
        }
    }

    [Fact]
    public void BatchNorm2d_ThrowsForWrongSizesAndSingleValueBatches()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.BatchNorm2d(Tensor.Zeros(2, 3, 2, 2), Tensor.Zeros(4), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), true));
        Assert.Contains("weight (4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.BatchNorm2d(Tensor.Zeros(1, 3, 1, 1), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3), true));
        Assert.Contains("more than 1 value per channel", e.Message);
    }

    /// <summary>(B, C, H, W) with distinct values at least 0.05 apart (no ties in any window, even after a ±1e-3 step).</summary>
    private static Tensor DistinctValues(Random rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var order = Enumerable.Range(0, t.Size).OrderBy(_ => rng.Next()).ToArray();
        for (int i = 0; i < t.Size; i++) t.Data[i] = (order[i] - t.Size / 2) * 0.05f;
        return t;
    }

    [Fact]
    public void MaxPool2d_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(46);
        Run(x => Ops.MaxPool2d(x[0], 3, 2, 1), [DistinctValues(rng, 2, 2, 7, 6)], name: "max_pool 3x3 s2 p1");
        Run(x => Ops.MaxPool2d(x[0], 2, 2, 0), [DistinctValues(rng, 1, 2, 4, 6)], name: "max_pool 2x2 s2");
        Run(x => Ops.Add(Ops.MaxPool2d(x[0], 3, 2, 1), Ops.MaxPool2d(x[0], 2, 2, 1)), [DistinctValues(rng, 1, 2, 5, 5)], name: "max_pool twice");
    }

    [Fact]
    public void MaxPool2d_PaddingIsNeverTheMaximum_AndTiesGoToTheFirst()
    {
        var x = Tensor.Full(-5f, 1, 1, 3, 3);
        var y = Ops.MaxPool2d(x, 3, 2, 1);
        Assert.Equal([-5f, -5f, -5f, -5f], y.ToArray());
        x = Tensor.Zeros(1, 1, 2, 2);
        x.RequiresGrad = true;
        Ops.SumAll(Ops.MaxPool2d(x, 2, 2, 0)).Backward();
        Assert.Equal([1f, 0, 0, 0], x.Grad.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.MaxPool2d(Tensor.Zeros(1, 1, 4, 4), 3, 2, 2));
        x = Tensor.FromArray([1f, float.NaN, 5f, float.NaN], 1, 1, 2, 2);   // a NaN propagates; its gradient goes to the first NaN
        x.RequiresGrad = true;
        var nan = Ops.MaxPool2d(x, 2, 2, 0);
        Assert.True(float.IsNaN(nan.Item()));
        nan.Backward(Tensor.Full(1f, 1, 1, 1, 1));
        Assert.Equal([0f, 1, 0, 0], x.Grad.ToArray());
    }

    [Theory]
    [InlineData(3, 2, 1, 12, 9)]
    [InlineData(3, 2, 1, 11, 8)]
    [InlineData(2, 2, 0, 7, 6)]
    [InlineData(3, 1, 1, 6, 5)]
    [InlineData(3, 3, 0, 10, 10)]
    public void MaxPool2d_Backward_SendsEachGradientToTheWindowsFirstMaximum(int kernel, int stride, int padding, int H, int W)
    {
        // values from a small set (many ties within a window), -0 beside +0, and a few NaNs: interior and edge windows alike
        var rng = new Random(kernel * 100 + stride * 10 + padding + H);
        float[] pool = [-1f, 0f, -0f, 0.5f, 2f, 2f, float.NaN];
        var x = Tensor.Zeros(2, 3, H, W);
        for (int i = 0; i < x.Size; i++) x.Data[i] = rng.Next(20) == 0 ? float.NaN : pool[rng.Next(pool.Length - 1)];
        x.RequiresGrad = true;
        var y = Ops.MaxPool2d(x, kernel, stride, padding);
        int Ho = y.Shape[2], Wo = y.Shape[3];
        var dy = Tensor.Zeros(y.Shape);
        for (int i = 0; i < dy.Size; i++) dy.Data[i] = 1 + rng.Next(7);
        y.Backward(dy);
        var expected = new float[x.Size];
        for (int plane = 0; plane < 6; plane++)
            for (int oh = 0; oh < Ho; oh++)
                for (int ow = 0; ow < Wo; ow++)
                {
                    float best = y.Data[(plane * Ho + oh) * Wo + ow];
                    for (int i = 0, found = 0; i < kernel && found == 0; i++)
                        for (int j = 0; j < kernel && found == 0; j++)
                        {
                            int ih = oh * stride - padding + i, iw = ow * stride - padding + j;
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                            float v = x.Data[(plane * H + ih) * W + iw];
                            if (v == best || (float.IsNaN(best) && float.IsNaN(v)))
                            {
                                expected[(plane * H + ih) * W + iw] += dy.Data[(plane * Ho + oh) * Wo + ow];
                                found = 1;
                            }
                        }
                }
        Assert.Equal(expected, x.Grad.ToArray());
    }

    [Fact]
    public void GlobalAvgPool2d_Backward_MatchesFiniteDifferences_AndMeansEachPlane()
    {
        var rng = new Random(47);
        Run(x => Ops.GlobalAvgPool2d(x[0]), [Rand(rng, 2, 3, 2, 3)], name: "global_avg_pool");
        Run(x => Ops.Add(Ops.GlobalAvgPool2d(x[0]), Ops.GlobalAvgPool2d(x[0])), [Rand(rng, 2, 2, 3, 1)], name: "global_avg_pool twice");
        var x = Tensor.FromArray([1, 2, 3, 4, 10, 20, 30, 40], 1, 2, 2, 2);
        Assert.Equal([2.5f, 25f], Ops.GlobalAvgPool2d(x).ToArray());
    }
}

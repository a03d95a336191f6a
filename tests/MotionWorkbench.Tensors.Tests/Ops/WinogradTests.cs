using MotionWorkbench.Tensors.Kernels;
using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;

/// <summary>
/// The Winograd F(2x2, 3x3) and F(4x4, 3x3) paths of 3x3 stride-1 convolutions (the default: F(2x2) forward, F(4x4) in the gradient passes) (Kernels/Winograd.cs) against the direct
/// double-precision convolution and against the im2col + GEMM path they replace: even and odd output sizes (part-empty
/// edge tiles), padding 0, 1 and 2, with and without bias, one image per chunk and several, forward, dX and dW. The
/// algorithm is chosen per thread (Winograd.OnThisThread), so tests running in parallel keep the default; in the "Gemm
/// backend" collection because these tests change the process-wide workspace budget and thread count.
/// </summary>
[Collection("Gemm backend")]
public class WinogradTests
{
    private static float[] Floats(double[] v) => Array.ConvertAll(v, d => (float)d);

    public static TheoryData<int, int[], int[], int, bool, int> Cases()
    {
        var data = new TheoryData<int, int[], int[], int, bool, int>();
        foreach (int tile in new[] { 2, 4 })
        {
            data.Add(tile, [2, 3, 5, 6], [4, 3, 3, 3], 1, true, 1 << 22);     // odd height: the last tile row is part empty
            data.Add(tile, [3, 2, 8, 8], [5, 2, 3, 3], 1, false, 1 << 22);    // sizes a multiple of both tiles
            data.Add(tile, [2, 4, 7, 3], [3, 4, 3, 3], 1, true, 1);           // ResNet's 7 x 3 layer-4 shape, one image per chunk
            data.Add(tile, [3, 3, 6, 5], [2, 3, 3, 3], 0, false, 1 << 22);    // no padding (its dX is a padding-2 convolution)
            data.Add(tile, [2, 2, 4, 5], [3, 2, 3, 3], 2, true, 300);         // padding 2 (dX with padding 0), small chunks
            data.Add(tile, [5, 3, 11, 9], [8, 3, 3, 3], 1, true, 2000);       // uneven chunks
            data.Add(tile, [1, 1, 1, 1], [1, 1, 3, 3], 1, false, 1 << 22);    // a 1 x 1 image: the tile is all padding but its centre
            data.Add(tile, [2, 16, 14, 21], [8, 16, 3, 3], 1, false, 1 << 22); // more than 8 tiles a plane: whole vector groups and a tail
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Winograd_MatchesDirectConvolution_ForwardAndBothGradients(int tile, int[] xs, int[] ws, int padding, bool bias, int budget)
    {
        var savedBudget = Im2Col.BudgetFloats;
        using var scheme = Winograd.OnThisThread($"winograd{tile}");   // this thread only: F(4x4) would loosen other tests' parity
        Im2Col.BudgetFloats = budget;
        try
        {
            var rng = new Random(60 + xs[2] * 7 + padding);
            var x = Rand(rng, xs);
            var w = Rand(rng, ws);
            var b = bias ? Rand(rng, ws[0]) : null;
            foreach (var t in new[] { x, w, b }) if (t is not null) t.RequiresGrad = true;
            var y = Ops.Conv2d(x, w, b, 1, padding);
            var dy = Rand(rng, y.Shape);
            var reference = ConvReference.Run(x.ToArray(), xs, w.ToArray(), ws, b?.ToArray(), 1, padding, dy.ToArray());
            string what = $"winograd F({tile}, 3) conv {Tensor.Format(xs)} * {Tensor.Format(ws)} p{padding} budget {budget}";
            // F(2, 3) rounds as im2col does (the tolerances of ConvWorkspaceTests); F(4, 3)'s transforms round at the scale
            // of the largest terms, so its absolute tolerance is relative to the largest magnitude of each result
            double Tol(double[] r, double exact) => tile == 2 ? exact : Math.Max(exact, 2e-5 * r.Max(Math.Abs));
            AssertClose.Equal(Floats(reference.Y), y.ToArray(), Tol(reference.Y, 1e-4), 1e-4, what + " y");
            y.Backward(dy);
            AssertClose.Equal(Floats(reference.Dx), x.Grad, Tol(reference.Dx, 1e-4), 1e-4, what + " dx");
            AssertClose.Equal(Floats(reference.Dw), w.Grad, Tol(reference.Dw, 1e-3), 1e-4, what + " dw");
            if (b is not null) AssertClose.Equal(Floats(reference.Db), b.Grad, 1e-3, 1e-4, what + " db");
        }
        finally { Im2Col.BudgetFloats = savedBudget; }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Winograd_AgreesWithIm2ColGemm_OnAResNetStage(int tile)
    {
        var rng = new Random(61);
        var x = Rand(rng, 4, 16, 14, 5);
        var w = RandRange(rng, -0.1f, 0.1f, 16, 16, 3, 3);
        var winograd = ConvWithGradients(x, w, $"winograd{tile}", i => MathF.Sin(i * 0.37f));
        var im2col = ConvWithGradients(x, w, "im2col", i => MathF.Sin(i * 0.37f));
        AssertClose.Equal(im2col.Y, winograd.Y, 1e-5, 1e-5, $"y winograd{tile} vs im2col");
        AssertClose.Equal(im2col.Dx, winograd.Dx, 1e-5, 1e-5, $"dx winograd{tile} vs im2col");
        AssertClose.Equal(im2col.Dw, winograd.Dw, 1e-4, 1e-5, $"dw winograd{tile} vs im2col");
    }

    /// <summary>conv(x, w) (3x3, padding 1, no bias) under <paramref name="algorithm"/> on this thread, and the x and w gradients for dy[i] = upstream(i).</summary>
    private static (float[] Y, float[] Dx, float[] Dw) ConvWithGradients(Tensor x, Tensor w, string algorithm, Func<int, float> upstream)
    {
        using var _ = Winograd.OnThisThread(algorithm);
        var (xi, wi) = (Tensor.FromArray(x.ToArray(), x.Shape), Tensor.FromArray(w.ToArray(), w.Shape));
        xi.RequiresGrad = wi.RequiresGrad = true;
        var y = Ops.Conv2d(xi, wi, null, 1, 1);
        y.Backward(Tensor.FromArray(Enumerable.Range(0, y.Size).Select(upstream).ToArray(), y.Shape));
        return (y.ToArray(), xi.Grad.ToArray(), wi.Grad.ToArray());
    }

    [Fact]
    public void Winograd_GivesTheSameBits_OnOneAndThreeThreads()
    {
        var rng = new Random(62);
        var x = Rand(rng, 3, 8, 10, 7);
        var w = Rand(rng, 8, 8, 3, 3);
        (float[] Y, float[] Dx, float[] Dw) Run(int threads)
        {
            var savedThreads = Par.Setting;
            Par.Use(new ThreadSetting(threads, "test"));
            try { return ConvWithGradients(x, w, "auto", i => MathF.Cos(i * 0.11f)); }
            finally { Par.Use(savedThreads); }
        }
        var (a, b) = (Run(1), Run(3));
        Assert.Equal(a.Y, b.Y);
        Assert.Equal(a.Dx, b.Dx);
        Assert.Equal(a.Dw, b.Dw);
    }

    [Fact]
    public void Parse_AcceptsTheNames_AndNamesTheSettingOtherwise()
    {
        Assert.Equal((true, 2, 4), Winograd.Parse(null, "MW_CONV"));
        Assert.Equal((true, 2, 4), Winograd.Parse(" Auto ", "MW_CONV"));
        Assert.Equal((true, 2, 4), Winograd.Parse("winograd2-4", "MW_CONV"));
        Assert.Equal((true, 2, 2), Winograd.Parse("winograd2", "MW_CONV"));
        Assert.Equal((true, 4, 4), Winograd.Parse("winograd4", "MW_CONV"));
        Assert.Equal((false, (int?)null, (int?)null), Winograd.Parse("IM2COL", "MW_CONV"));
        var e = Assert.Throws<ArgumentException>(() => Winograd.Parse("fft", "MW_CONV"));
        Assert.Contains("MW_CONV", e.Message);
        Assert.Contains("fft", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Winograd.ForwardTile = 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Winograd.GradientTile = 6);
        Assert.Throws<ArgumentException>(() => Winograd.OnThisThread("winograd3"));
        using (Winograd.OnThisThread("auto"))
        {
            Assert.True(Winograd.Applies(3, 3, 1));
            Assert.False(Winograd.Applies(3, 3, 2));
            Assert.False(Winograd.Applies(7, 7, 1));
        }
    }

    [Fact]
    public void TheDefault_IsF2x2Forward_AndF4x4Gradients_BitForBit()
    {
        var rng = new Random(63);
        var x = Rand(rng, 3, 8, 10, 7);
        var w = Rand(rng, 6, 8, 3, 3);
        (float[] Y, float[] Dx, float[] Dw) Run(string algorithm) => ConvWithGradients(x, w, algorithm, i => MathF.Cos(i * 0.23f));
        var (auto, two, four) = (Run("auto"), Run("winograd2"), Run("winograd4"));
        Assert.Equal(two.Y, auto.Y);
        Assert.Equal(four.Dx, auto.Dx);
        Assert.Equal(four.Dw, auto.Dw);
        Assert.NotEqual(two.Dx, four.Dx);   // the two tiles do round differently
    }

    [Fact]
    public void OnThisThread_ChangesOnlyThisThread_AndRestores()
    {
        Assert.StartsWith("winograd2-4 (3x3 stride-1 convolutions by Winograd, F(2x2, 3x3) forward, F(4x4, 3x3) in the gradient passes", Winograd.Describe());
        using (Winograd.OnThisThread("winograd4"))
        {
            Assert.StartsWith("winograd4 (3x3 stride-1 convolutions by Winograd, F(4x4, 3x3) in every pass", Winograd.Describe());
            string? other = null;
            var thread = new Thread(() => other = Winograd.Describe());
            thread.Start();
            thread.Join();
            Assert.StartsWith("winograd2-4", other!);
        }
        Assert.StartsWith("winograd2-4", Winograd.Describe());
        using (Winograd.OnThisThread("im2col"))
        {
            Assert.False(Winograd.Applies(3, 3, 1));
            Assert.StartsWith("im2col", Winograd.Describe());
        }
    }
}

using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;

/// <summary>The lexical-head ops (Ops/Lexical.cs, Ops/TokenMasking.cs): finite differences and naive references.</summary>
public class LexicalGradTests
{
    private static bool[] Valid(int B, int T, params int[] lengths)
    {
        var v = new bool[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < lengths[b]; t++) v[b * T + t] = true;
        return v;
    }

    /// <summary>Materialised reference: max over valid t of x[b, t]·W[j] + bias[j], in double.</summary>
    private static (double[] Z, int[] Arg) NaiveMaxPool(Tensor x, Tensor w, Tensor? bias, bool[] valid)
    {
        int B = x.Shape[0], T = x.Shape[1], H = x.Shape[2], V = w.Shape[0];
        var z = new double[B * V]; var arg = new int[B * V];
        var xs = x.ToArray(); var ws = w.ToArray(); var bs = bias?.ToArray();
        for (int b = 0; b < B; b++)
            for (int j = 0; j < V; j++)
            {
                double best = double.NegativeInfinity; int at = -1;
                for (int t = 0; t < T; t++)
                {
                    if (!valid[b * T + t]) continue;
                    double s = bs?[j] ?? 0;
                    for (int h = 0; h < H; h++) s += (double)xs[(b * T + t) * H + h] * ws[j * H + h];
                    if (s > best) { best = s; at = t; }
                }
                z[b * V + j] = best; arg[b * V + j] = at;
            }
        return (z, arg);
    }

    [Theory]
    [InlineData(3, 6, 1100, 512)]   // three tiles, the last one partial
    [InlineData(2, 6, 7, 3)]
    [InlineData(2, 6, 7, 512)]      // one tile smaller than the default
    [InlineData(5, 100, 40, 16)]    // batch rows in groups of two (256 / T), the last group partial
    public void LexicalMaxPool_Forward_MatchesMaterialisedReference(int B, int T, int V, int tile)
    {
        var rng = new Random(5);
        int H = 9;
        var (x, w, b) = (Rand(rng, B, T, H), Rand(rng, V, H), Rand(rng, V));
        var valid = Valid(B, T, [.. Enumerable.Range(0, B).Select(i => T - 2 * i - (i == 3 ? T - 9 : 0))]);
        var arg = new int[B * V];
        var z = Ops.LexicalMaxPool(x, w, b, valid, arg, tile);
        Assert.Equal([B, V], z.Shape);
        var (zr, ar) = NaiveMaxPool(x, w, b, valid);
        AssertClose.Equal(zr.Select(v => (float)v).ToArray(), z.Data, 1e-4, 1e-5, "lexical max pool");
        Assert.Equal(ar, arg);
        for (int i = 0; i < B * V; i++) Assert.True(valid[(i / V) * T + arg[i]], "argmax on a padding token");
    }

    [Fact]
    public void LexicalMaxPool_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(6);
        var valid = Valid(2, 4, 4, 2);
        Run(x => Ops.LexicalMaxPool(x[0], x[1], x[2], valid, tileRows: 3), [Rand(rng, 2, 4, 5), Rand(rng, 7, 5), Rand(rng, 7)], name: "lexical_max_pool");
    }

    [Fact]
    public void LexicalMaxPool_NoBias_FloatMask_ManyTiles_MatchesFiniteDifferences()
    {
        var rng = new Random(7);
        var valid = new float[] { 1, 0, 1, 1, 0, 1, 1, 0, 0 };
        Run(x => Ops.LexicalMaxPool(x[0], x[1], null, valid, tileRows: 64), [Rand(rng, 3, 3, 4), Rand(rng, 300, 4)], name: "lexical_max_pool no bias");
    }

    [Fact]
    public void ScatterColumns_PlacesColumnsFillsTheRest_AndMatchesFiniteDifferences()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var y = Ops.ScatterColumns(x, [4, 0, 2], 5, -7f);
        Assert.Equal([2, 5], y.Shape);
        Assert.Equal(new float[] { 2, -7, 3, -7, 1, 5, -7, 6, -7, 4 }, y.ToArray());
        var rng = new Random(8);
        Run(t => Ops.ScatterColumns(t[0], [6, 1, 3, 0], 7), [Rand(rng, 3, 4)], name: "scatter_columns");
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.ScatterColumns(x, [4, 0, 5], 5));
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => Ops.ScatterColumns(x, [1, 0, 1], 5)).Message);
        Assert.Throws<ArgumentException>(() => Ops.ScatterColumns(x, [1, 0], 5));
    }

    [Fact]
    public void LexicalMaxPool_RowWithoutValidToken_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.LexicalMaxPool(Tensor.Zeros(2, 3, 4), Tensor.Zeros(5, 4), null, Valid(2, 3, 3, 0)));
        Assert.Contains("row 1", e.Message);
        Assert.Throws<ArgumentException>(() => Ops.LexicalMaxPool(Tensor.Zeros(2, 3, 4), Tensor.Zeros(5, 3), null, Valid(2, 3, 3, 3)));
        Assert.Throws<ArgumentException>(() => Ops.LexicalMaxPool(Tensor.Zeros(2, 3, 4), Tensor.Zeros(5, 4), null, new bool[5]));
    }

    private static Tensor AwayFromZero(Tensor t)
    {
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) if (Math.Abs(d[i]) < 0.05f) d[i] += d[i] < 0 ? -0.1f : 0.1f;
        return t;
    }

    [Fact]
    public void Log1pRelu_ForwardAndBackward()
    {
        var y = Ops.Log1pRelu(Tensor.FromArray([-1f, 0f, 1f, MathF.E - 1], 4));
        AssertClose.Equal([0f, 0f, MathF.Log(2), 1f], y.Data, 1e-6, 1e-6, "log1p_relu");
        var rng = new Random(8);
        Run(x => Ops.Log1pRelu(x[0]), [AwayFromZero(Rand(rng, 3, 11))], name: "log1p_relu");
    }

    [Fact]
    public void FlopsRegularizer_ForwardAndBackward()
    {
        // columns: mean |w| = 2, 0.5 -> 4 + 0.25
        var y = Ops.FlopsRegularizer(Tensor.FromArray([1f, -1f, -3f, 0f], 2, 2));
        Assert.Equal([1], y.Shape);
        Assert.Equal(4.25f, y.Item(), 5);
        var rng = new Random(9);
        Run(x => Ops.FlopsRegularizer(x[0]), [AwayFromZero(Rand(rng, 4, 6))], name: "flops");
    }

    [Fact]
    public void SoftmaxBottleneck_BackwardToLogitsOnly()
    {
        var rng = new Random(10);
        var e = Rand(rng, 6, 3);
        e.RequiresGrad = true;
        Run(x => Ops.SoftmaxBottleneck(x[0], e), [Rand(rng, 2, 6)], name: "softmax_bottleneck");
        Assert.True(!e.HasGrad || e.Grad.ToArray().All(v => v == 0), "the embedding is under stop-gradient");

        // forward = softmax(z)·E
        var z = Rand(rng, 2, 6);
        var y = Ops.SoftmaxBottleneck(z, e);
        var reference = Ops.MatMul(Ops.Softmax(z), e);
        AssertClose.Equal(reference.Data, y.Data, 1e-6, 1e-5, "softmax_bottleneck forward");
    }

    [Fact]
    public void TokenMasking_IsSeededSortedAndPartitionsEachRow()
    {
        var m = TokenMasking.Sample(4, 10, 0.75f, 42);
        Assert.Equal(2, m.Keep);
        Assert.Equal(4 * 2, m.Kept.Length);
        Assert.Equal(4 * 8, m.Masked.Length);
        for (int b = 0; b < 4; b++)
        {
            var kept = m.KeptRow(b).ToArray(); var masked = m.MaskedRow(b).ToArray();
            Assert.Equal(kept.OrderBy(v => v), kept);
            Assert.Equal(masked.OrderBy(v => v), masked);
            Assert.Equal(Enumerable.Range(0, 10), kept.Concat(masked).OrderBy(v => v));
        }
        var again = TokenMasking.Sample(4, 10, 0.75f, 42);
        Assert.Equal(m.Kept, again.Kept);
        Assert.Equal(m.Kept.AsSpan(0, 2 * 2).ToArray(), TokenMasking.Sample(2, 10, 0.75f, 42).Kept);  // rows do not depend on B
        var rows = Enumerable.Range(0, 50).Select(s => string.Join(",", TokenMasking.Sample(1, 10, 0.5f, (ulong)s).Kept)).Distinct().Count();
        Assert.True(rows > 30, $"only {rows} distinct masks over 50 seeds");
        Assert.Equal(10, TokenMasking.Sample(1, 10, 0f, 1).Keep);
        Assert.Equal(1, TokenMasking.Sample(1, 3, 0.9f, 1).Keep);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenMasking.Sample(1, 3, 1f, 1));
        Assert.Equal(m.Masked.Length, m.MaskedFlags().Count(f => f));
    }

    [Fact]
    public void GatherTokens_ForwardAndBackward()
    {
        var rng = new Random(11);
        var m = TokenMasking.Sample(3, 5, 0.4f, 7);
        var x = Rand(rng, 3, 5, 4);
        var y = Ops.GatherTokens(x, m);
        Assert.Equal([3, 3, 4], y.Shape);
        for (int b = 0; b < 3; b++)
            for (int i = 0; i < 3; i++)
                Assert.Equal(x.Data.Slice((b * 5 + m.Kept[b * 3 + i]) * 4, 4).ToArray(), y.Data.Slice((b * 3 + i) * 4, 4).ToArray());
        Run(t => Ops.GatherTokens(t[0], m), [x], name: "gather_tokens");
    }
}

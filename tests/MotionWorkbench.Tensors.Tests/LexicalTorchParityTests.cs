using MotionWorkbench.Tensors.Tests.Support;

namespace MotionWorkbench.Tensors.Tests;

/// <summary>The lexical-head ops against the naive PyTorch references written by environment/reference/lex_fixtures.py.</summary>
public class LexicalTorchParityTests
{
    private const double Atol = 1e-5, Rtol = 1e-4;

    private static void Close(Fixture f, string name, ReadOnlySpan<float> actual, double atol = Atol, double rtol = Rtol)
        => AssertClose.Equal(f.Data(name), actual, atol, rtol, $"{Path.GetFileName(f.File)}: {name}");

    [Theory]
    [InlineData(4)]      // three tiles, the last partial
    [InlineData(512)]    // one tile
    public void LexicalMaxPool_MatchesTorch(int tileRows)
    {
        var f = Fixture.Load("lex_max_pool.json");
        var (x, w, b) = (f.Tensor("x", true), f.Tensor("weight", true), f.Tensor("bias", true));
        var mask = f.Data("mask");
        var argmax = new int[f.Data("argmax").Length];
        var z = Ops.LexicalMaxPool(x, w, b, mask, argmax, tileRows);
        Close(f, "z", z.Data);
        Assert.Equal(f.Ints("argmax"), argmax);
        z.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad); Close(f, "dweight", w.Grad); Close(f, "dbias", b.Grad);
    }

    [Fact]
    public void LexicalHead_MaxPoolLog1pReluFlops_MatchesTorch()
    {
        var f = Fixture.Load("lex_max_pool.json");
        var (x, w, b) = (f.Tensor("x", true), f.Tensor("weight", true), f.Tensor("bias", true));
        var loss = Ops.FlopsRegularizer(Ops.Log1pRelu(Ops.LexicalMaxPool(x, w, b, f.Data("mask"), tileRows: 4)));
        Close(f, "flops", loss.Data);
        loss.Backward();
        Close(f, "flops_dx", x.Grad); Close(f, "flops_dweight", w.Grad); Close(f, "flops_dbias", b.Grad);
    }

    [Fact]
    public void LexicalMaxPool_OverAVocabularySubset_MatchesTorch()
    {
        // lex.vocabulary = captions: gather the active rows, pool, scatter back with -1e9 outside (LexicalHead.MaxLogitsOfHidden)
        var f = Fixture.Load("lex_max_pool_subset.json");
        var (x, w, b) = (f.Tensor("x", true), f.Tensor("weight", true), f.Tensor("bias", true));
        var active = f.Ints("active");
        var z = Ops.ScatterColumns(Ops.LexicalMaxPool(x, Ops.IndexSelect(w, active), Ops.IndexSelect(b, active), f.Data("mask"), tileRows: 2), active, w.Shape[0], -1e9f);
        Close(f, "z", z.Data);
        var lex = Ops.Log1pRelu(z);
        Close(f, "lex", lex.Data);
        var flops = Ops.FlopsRegularizer(lex);
        Close(f, "loss", flops.Data);
        Ops.Add(flops, Ops.Reshape(Ops.SumAll(Ops.Mul(lex, f.Tensor("dout"))), flops.Shape)).Backward();
        Close(f, "dx", x.Grad); Close(f, "dweight", w.Grad); Close(f, "dbias", b.Grad);
    }

    [Fact]
    public void Log1pRelu_MatchesTorch()
    {
        var f = Fixture.Load("lex_log1p_relu.json");
        var x = f.Tensor("x", true);
        var y = Ops.Log1pRelu(x);
        Close(f, "y", y.Data);
        y.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad);
    }

    [Fact]
    public void FlopsRegularizer_MatchesTorch()
    {
        var f = Fixture.Load("lex_flops.json");
        var w = f.Tensor("w", true);
        var loss = Ops.FlopsRegularizer(w);
        Close(f, "loss", loss.Data);
        loss.Backward();
        Close(f, "dw", w.Grad);
    }

    [Fact]
    public void SoftmaxBottleneck_MatchesTorch()
    {
        var f = Fixture.Load("lex_softmax_bottleneck.json");
        var (z, e) = (f.Tensor("z", true), f.Tensor("embedding", true));
        var y = Ops.SoftmaxBottleneck(z, e);
        Close(f, "y", y.Data);
        y.Backward(f.Tensor("dout"));
        Close(f, "dz", z.Grad);
        Assert.False(e.HasGrad, "stop-gradient: the embedding gets no gradient");
    }
}

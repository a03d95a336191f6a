using MotionWorkbench.Tensors.Tests.Support;

namespace MotionWorkbench.Tensors.Tests;


public class AutogradTests
{
    [Fact]
    public void Backward_DeepChain_DoesNotOverflowTheStack()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        var y = x;
        for (int i = 0; i < 100_000; i++) y = Ops.Scale(y, 1f);
        Ops.SumAll(y).Backward();
        Assert.Equal([1f, 1f], x.Grad.ToArray());
    }

    [Fact]
    public void Backward_InputUsedTwice_AccumulatesBothPaths()
    {
        var x = Tensor.FromArray([3f], 1);
        x.RequiresGrad = true;
        var y = Ops.Add(Ops.Mul(x, x), x); // x² + x -> 2x + 1 = 7
        y.Backward();
        Assert.Equal(7f, x.Grad[0]);
        Ops.Mul(x, x).Backward(); // accumulates: + 2x = 6
        Assert.Equal(13f, x.Grad[0]);
        x.ZeroGrad();
        Assert.Equal(0f, x.Grad[0]);
    }

    [Fact]
    public void NoGrad_RecordsNothing()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        Tensor y;
        using (Autograd.NoGrad()) y = Ops.Exp(x);
        Assert.False(y.RequiresGrad);
        Assert.True(Autograd.IsEnabled);
        var e = Assert.Throws<InvalidOperationException>(() => Ops.SumAll(y).Backward());
        Assert.Contains("does not require grad", e.Message);
    }

    [Fact]
    public void Backward_ReleasesIntermediates_AndSaysSo()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        var h = Ops.Exp(x);
        var loss = Ops.SumAll(h);
        loss.Backward();
        Assert.Equal(MathF.Exp(1) + MathF.Exp(2), loss.Item(), 4);
        var e = Assert.Throws<InvalidOperationException>(() => { _ = h.Data[0]; });
        Assert.Contains("retainGraph", e.Message);
        AssertClose.Equal([MathF.Exp(1), MathF.Exp(2)], x.Grad, 1e-5, 1e-6);
    }

    [Fact]
    public void Backward_RetainGraph_AllowsASecondPass()
    {
        var x = Tensor.FromArray([2f], 1);
        x.RequiresGrad = true;
        var y = Ops.Mul(x, x);
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(8f, x.Grad[0]);
    }

    [Fact]
    public void Backward_NonScalarWithoutGrad_Throws()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        x.RequiresGrad = true;
        Assert.Throws<InvalidOperationException>(() => Ops.Exp(x).Backward());
    }
}

public class TensorScopeTests
{
    [Fact]
    public void Scope_ReleasesOutputs_AndReusesBuffers()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3);
        float[] kept;
        using (Autograd.NoGrad())
        {
            Tensor y;
            using (var scope = TensorScope.Begin())
            {
                y = Ops.Exp(Ops.Scale(x, 2f));
                kept = y.ToArray();
                Assert.Equal(2, scope.Count);
            }
            Assert.Throws<InvalidOperationException>(() => y.ToArray());
        }
        Assert.Equal(MathF.Exp(6f), kept[2], 3);
        Assert.Equal([1f, 2f, 3f], x.ToArray());
    }
}

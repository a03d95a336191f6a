using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Tensors.Tests.Support;

namespace MotionWorkbench.Tensors.Tests;

/// <summary>The CNN ops against the PyTorch fixtures written by environment/reference/cnn_fixtures.py.</summary>
public class CnnTorchParityTests
{
    private const double Atol = 1e-5, Rtol = 1e-4;

    private static void Close(Fixture f, string name, ReadOnlySpan<float> actual, double atol = Atol, double rtol = Rtol)
        => AssertClose.Equal(f.Data(name), actual, atol, rtol, $"{Path.GetFileName(f.File)}: {name}");

    [Theory]
    [InlineData("conv3x3.json")]
    [InlineData("conv3x3_s2.json")]
    [InlineData("conv1x1_s2.json")]
    [InlineData("conv7x7_s2.json")]
    public void Conv2d_MatchesTorch(string file)
    {
        var f = Fixture.Load(file);
        var (x, w) = (f.Tensor("x", true), f.Tensor("weight", true));
        var b = f.Has("bias") ? f.Tensor("bias", true) : null;
        var y = Ops.Conv2d(x, w, b, f.Int("stride"), f.Int("padding"));
        Assert.Equal(f.Shape("y"), y.Shape);
        Close(f, "y", y.Data);
        y.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad); Close(f, "dweight", w.Grad);
        if (b is not null) Close(f, "dbias", b.Grad);
    }

    [Fact]
    public void BatchNorm2d_TrainingSteps_RunningStatistics_AndEvalMode_MatchTorch()
    {
        var f = Fixture.Load("batch_norm.json");
        var bn = new BatchNorm2d(4, f.Float("eps"), f.Float("momentum"));
        bn.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight"] = f.Tensor("weight"), ["bias"] = f.Tensor("bias"), ["running_mean"] = f.Tensor("running_mean0"), ["running_var"] = f.Tensor("running_var0"),
        });
        bn.Train();
        for (int step = 0; step < f.Int("steps"); step++)
        {
            var x = f.Tensor($"x{step}", true);
            var y = bn.Forward(x);
            Close(f, $"y{step}", y.Data);
            y.Backward(f.Tensor($"dout{step}"));
            Close(f, $"dx{step}", x.Grad);
            Close(f, $"running_mean{step + 1}", bn.RunningMean.Data, 1e-6, 1e-5);
            Close(f, $"running_var{step + 1}", bn.RunningVar.Data, 1e-6, 1e-5);
        }
        Close(f, "dweight", bn.Weight.Grad); Close(f, "dbias", bn.Bias.Grad);

        bn.Eval();
        bn.Weight.ZeroGrad(); bn.Bias.ZeroGrad();
        var xe = f.Tensor("x_eval", true);
        var ye = bn.Forward(xe);
        Close(f, "y_eval", ye.Data);
        ye.Backward(f.Tensor("dout_eval"));
        Close(f, "dx_eval", xe.Grad); Close(f, "dweight_eval", bn.Weight.Grad); Close(f, "dbias_eval", bn.Bias.Grad);
        Close(f, "running_mean3", bn.RunningMean.Data, 1e-6, 1e-5);   // eval mode leaves them alone
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    public void BatchNorm2dRelu_WithResidual_MatchesTorch(string mode)
    {
        var f = Fixture.Load("batch_norm_relu.json");
        var (w, b) = (f.Tensor("weight", true), f.Tensor("bias", true));
        var (rm, rv) = (f.Tensor($"{mode}.running_mean"), f.Tensor($"{mode}.running_var"));
        var (x, res) = (f.Tensor($"{mode}.x", true), f.Tensor($"{mode}.residual", true));
        var y = Ops.BatchNorm2dRelu(x, w, b, rm, rv, batchStatistics: mode == "train", f.Float("momentum"), f.Float("eps"), res);
        Close(f, $"{mode}.y", y.Data);
        y.Backward(f.Tensor($"{mode}.dout"));
        Close(f, $"{mode}.dx", x.Grad); Close(f, $"{mode}.dresidual", res.Grad);
        Close(f, $"{mode}.dweight", w.Grad); Close(f, $"{mode}.dbias", b.Grad);
        Close(f, $"{mode}.running_mean_after", rm.Data, 1e-6, 1e-5); Close(f, $"{mode}.running_var_after", rv.Data, 1e-6, 1e-5);
    }

    [Fact]
    public void MaxPool2d_WithTies_MatchesTorch()
    {
        var f = Fixture.Load("max_pool.json");
        var x = f.Tensor("x", true);
        var y = Ops.MaxPool2d(x, f.Int("kernel"), f.Int("stride"), f.Int("padding"));
        Assert.Equal(f.Shape("y"), y.Shape);
        Close(f, "y", y.Data);
        y.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad);
    }

    [Fact]
    public void GlobalAvgPool2d_MatchesTorch()
    {
        var f = Fixture.Load("global_avg_pool.json");
        var x = f.Tensor("x", true);
        var y = Ops.GlobalAvgPool2d(x);
        Close(f, "y", y.Data);
        y.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad);
    }
}

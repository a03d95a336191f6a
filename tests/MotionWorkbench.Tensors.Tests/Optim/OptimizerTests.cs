using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Tensors.Optim;

namespace MotionWorkbench.Tensors.Tests.Optim;


public class OptimizerTests
{
    [Fact]
    public void Adam_FirstStep_MovesEachParameterByLr()
    {
        // with bias correction, step 1 moves by lr·sign(g) (up to eps)
        var lin = new Linear(2, 1);
        lin.Weight.Data[0] = 1; lin.Weight.Data[1] = -1;
        var store = new ParameterStore(lin);
        var opt = new Adam(store, 0.1f);
        var loss = Ops.SumAll(lin.Forward(Tensor.FromArray([2f, 3f], 1, 2)));
        loss.Backward();
        opt.Step();
        Assert.Equal(0.9f, lin.Weight.Data[0], 5);
        Assert.Equal(-1.1f, lin.Weight.Data[1], 5);
        Assert.Equal(-0.1f, lin.Bias!.Data[0], 5);
    }

    [Fact]
    public void AdamW_DecaysWeightsIndependentlyOfTheGradient_PerGroup()
    {
        var lin = new Linear(1, 1);
        lin.Weight.Data[0] = 2f; lin.Bias!.Data[0] = 2f;
        var store = new ParameterStore(lin);
        var opt = new AdamW(store, [new ParamGroup("decay", [lin.Weight], 0.1f, 0.5f), new ParamGroup("no_decay", [lin.Bias], 0.01f)]);
        opt.Step(); // zero gradients: only the decoupled decay moves the weight
        Assert.Equal(2f * (1 - 0.1f * 0.5f), lin.Weight.Data[0], 6);
        Assert.Equal(2f, lin.Bias.Data[0], 6);
        Assert.Throws<ArgumentException>(() => new Adam(store, [new ParamGroup("a", [lin.Weight], 1f), new ParamGroup("b", [lin.Weight], 1f)]));
    }

    [Fact]
    public void ParameterStore_ZeroGrad_ClearsEveryGradient()
    {
        var mlp = new Mlp(3, 4, 0f, 1);
        Init.Timm(mlp, new Random(1));
        var store = new ParameterStore(mlp);
        Ops.SumAll(mlp.Forward(Tensor.Full(1f, 2, 3))).Backward();
        Assert.Contains(store.Grads, g => g != 0);
        Assert.Contains(mlp.Fc1.Weight.Grad.ToArray(), g => g != 0);
        store.ZeroGrad();
        Assert.All(store.Grads, g => Assert.Equal(0f, g));
        Assert.Equal(store.Count, mlp.ParameterCount());
    }

    [Fact]
    public void CosineSchedule_WarmsUpThenDecays()
    {
        var s = new CosineSchedule(period: 10, warmupSteps: 4, minFactor: 0.1f);
        Assert.Equal(0.25f, s.Factor(0), 6);
        Assert.Equal(1f, s.Factor(3), 6);
        Assert.Equal(1f, s.Factor(4), 6);
        Assert.Equal(0.55f, s.Factor(9), 5);
        Assert.Equal(0.1f, s.Factor(14), 6);
        Assert.Equal(0.1f, s.Factor(100), 6);
        var r = new CosineSchedule(period: 10, restart: true);
        Assert.Equal(1f, r.Factor(10), 6);
    }

    [Fact]
    public void ClipGlobalNorm_ScalesToMaxNorm()
    {
        float[] g = [3f, 4f];
        Assert.Equal(5f, GradClip.ClipGlobalNorm(g, 1f), 5);
        Assert.Equal(0.6f, g[0], 4);
        Assert.Equal(0.8f, g[1], 4);
        float[] small = [0.3f, 0.4f];
        GradClip.ClipGlobalNorm(small, 1f);
        Assert.Equal([0.3f, 0.4f], small);
    }
}

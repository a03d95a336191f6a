using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Tensors.Nn;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.Nn;

/// <summary>Module buffers (BatchNorm's running statistics): in state dicts and files, never trained; BatchNorm's checks.</summary>
public class BufferTests
{
    private sealed class ConvBn : Module
    {
        public Conv2d Conv { get; }
        public BatchNorm2d Bn { get; }

        public ConvBn()
        {
            Conv = Child("conv", new Conv2d(2, 3, 3, padding: 1, bias: false));
            Bn = Child("bn", new BatchNorm2d(3));
        }

        public Tensor Forward(Tensor x) => Bn.ForwardRelu(Conv.Forward(x));
    }

    private static ConvBn Randomised(int seed)
    {
        var m = new ConvBn();
        var rng = new Random(seed);
        foreach (var (_, t) in m.NamedState())
        {
            var d = t.Data;
            for (int i = 0; i < d.Length; i++) d[i] = (float)(rng.NextDouble() + 0.5);
        }
        return m;
    }

    [Fact]
    public void Buffers_AreInTheStateDictAndFiles_ButNotParameters()
    {
        var m = Randomised(1);
        Assert.Equal(["conv.weight", "bn.weight", "bn.bias"], m.NamedParameters().Select(p => p.Name));
        Assert.Equal(["bn.running_mean", "bn.running_var"], m.NamedBuffers().Select(p => p.Name));
        Assert.Equal(["conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], m.NamedState().Select(p => p.Name));
        Assert.Equal(5, m.StateDict().Count);
        Assert.False(m.Bn.RunningVar.RequiresGrad);
        Assert.Equal(m.Conv.Weight.Size + 6, new ParameterStore(m).Count);

        var path = Path.Combine(Path.GetTempPath(), $"mw-buffers-{Environment.ProcessId}.safetensors");
        try
        {
            Safetensors.Save(m, path);
            var fresh = new ConvBn();
            Safetensors.Load(fresh, path);
            Assert.Equal(m.Bn.RunningMean.ToArray(), fresh.Bn.RunningMean.ToArray());
            Assert.Equal(m.Bn.RunningVar.ToArray(), fresh.Bn.RunningVar.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LoadStateDict_RefusesNegativeOrNaNRunningVariance_NamingSourceAndTensor_AndChangesNothing()
    {
        var m = Randomised(2);
        var before = m.NamedState().Select(p => p.Tensor.ToArray()).ToList();
        foreach (var bad in new[] { -1f, float.NaN, float.PositiveInfinity })
        {
            var state = Randomised(3).StateDict();
            state["bn.running_var"].Data[1] = bad;
            var e = Assert.Throws<InvalidDataException>(() => m.LoadStateDict(state, source: "weights.safetensors"));
            Assert.Contains("weights.safetensors", e.Message);
            Assert.Contains("bn.running_var[1]", e.Message);
            Assert.Equal(before, m.NamedState().Select(p => p.Tensor.ToArray()).ToList());
        }
        var nanMean = Randomised(3).StateDict();
        nanMean["bn.running_mean"].Data[0] = float.NaN;
        Assert.Contains("bn.running_mean[0]", Assert.Throws<InvalidDataException>(() => m.LoadStateDict(nanMean, source: "f")).Message);
    }

    [Fact]
    public void FrozenStatistics_UseAndKeepTheRunningOnes_InTrainingMode()
    {
        var m = Randomised(4);
        var x = Rand(new Random(5), 2, 2, 4, 3);
        var (rm, rv) = (m.Bn.RunningMean.ToArray(), m.Bn.RunningVar.ToArray());
        m.Eval();
        var evalOut = m.Forward(x).ToArray();
        m.Train();
        m.Bn.FrozenStatistics = true;
        Assert.Equal(evalOut, m.Forward(x).ToArray());
        Assert.Equal(rm, m.Bn.RunningMean.ToArray());
        Assert.Equal(rv, m.Bn.RunningVar.ToArray());
        m.Bn.FrozenStatistics = false;
        Assert.NotEqual(evalOut, m.Forward(x).ToArray());
        Assert.NotEqual(rm, m.Bn.RunningMean.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConvBatchNormRelu_Module_Backward_MatchesFiniteDifferences(bool frozen)
    {
        var m = Randomised(6);
        m.Bn.FrozenStatistics = frozen;
        var x = Rand(new Random(7), 2, 2, 3, 4);
        Run(t => m.Forward(t[0]), [x, .. m.Parameters()], name: $"conv -> bn -> relu (frozen {frozen})");
        Assert.False(m.Bn.RunningMean.HasGrad);
    }
}

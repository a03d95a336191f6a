using MotionWorkbench.Models;
using TorchSharp;
using Xunit.Abstractions;
using WTensor = MotionWorkbench.Tensors.Tensor;

namespace MotionWorkbench.Torch.Tests;

/// <summary>
/// The TorchSharp ResNet (<see cref="TorchResNetEncoder"/>) against the own engine's <see cref="ResNetEncoder"/> on the
/// same weights: names, pooled features and tokens (max |Δ| ≤ 1e-4 of their scale), every parameter gradient (≤ 1e-4
/// of its largest entry), the running statistics after a training forward, eval and frozen-BatchNorm modes, and ten
/// gradient-descent steps (losses and running statistics stay equal).
/// </summary>
public sealed class ResNetTwinTests(ITestOutputHelper output)
{
    // a small BasicBlock ResNet of the ImageNet layout (base width 8) over motion patches of 64 x 48 (final map 2 x 2)
    private static ResNetConfig Config(ResNetBatchNorm batchNorm = ResNetBatchNorm.Train) =>
        new([2, 2, 2, 3], BaseWidth: 8, BatchNorm: batchNorm, Frames: 64, ImageWidth: 48);

    private static WTensor Patches(int seed, int B) => WTensor.FromArray(Support.Random(seed, B * 3 * 64 * 48, 2f), B, 3, 64, 48);

    private static double Scale(ReadOnlySpan<float> v) => Math.Max(Support.MaxAbs(v), 1e-6);

    [TorchTheory]
    [InlineData(ResNetBatchNorm.Train, true)]
    [InlineData(ResNetBatchNorm.Frozen, true)]
    [InlineData(ResNetBatchNorm.Train, false)]
    public void Features_tokens_gradients_and_running_statistics_match_the_own_engine(ResNetBatchNorm batchNorm, bool training)
    {
        var own = new ResNetEncoder(Config(batchNorm), 5);
        own.Train(training);
        using var scope = torch.NewDisposeScope();
        using var model = new TorchMotionEncoderModel(own, torch.CPU);
        Assert.Equal(own.NamedParameters().Select(p => p.Name), model.NamedParameters().Select(p => p.Name));
        Assert.Equal(own.NamedBuffers().Select(p => p.Name), model.NamedBuffers().Select(p => p.Name));
        Assert.IsType<TorchResNetEncoder>(model.Encoder);

        var x = Patches(11, 4);
        var dout = WTensor.FromArray(Support.Random(12, 4 * 64), 4, 64);
        var ownFeatures = own.Forward(new MotionInput(x));
        var ownCopy = ownFeatures.Detach();
        MotionWorkbench.Tensors.Ops.SumAll(MotionWorkbench.Tensors.Ops.Mul(ownFeatures, dout)).Backward();

        var features = model.Forward(new TorchMotionInput(x.ToTorch()));
        (features * dout.ToTorch()).sum().backward();
        double df = Support.MaxAbsDiff(ownCopy, features);
        output.WriteLine($"{batchNorm} training={training}: features max |Δ| {df:E2} of {Scale(ownCopy.ToArray()):E2}");
        Assert.True(df <= 1e-4 * Scale(ownCopy.ToArray()), $"features differ by {df:E3}");
        double worst = Support.AssertGradientsMatch(own, model, $"ResNet {batchNorm} training={training}");
        output.WriteLine($"worst gradient max |Δ| / max |g| {worst:E2}");
        foreach (var (name, buffer) in model.NamedBuffers())
        {
            var mine = own.StateDict()[name].ToArray();
            double d = Support.MaxAbsDiff(mine, buffer.ToWorkbench().ToArray());
            Assert.True(d <= 1e-4 * Scale(mine), $"{name} differs by {d:E3} after the forward");
        }

        using var _ = torch.no_grad();
        own.Eval();
        model.Eval();
        using var noGrad = MotionWorkbench.Tensors.Autograd.NoGrad();
        var ownTokens = own.ForwardTokens(new MotionInput(x));
        var tokens = model.ForwardTokens(new TorchMotionInput(x.ToTorch()));
        Assert.Equal(new long[] { 4, 4, 64 }, tokens.shape);
        double dt = Support.MaxAbsDiff(ownTokens, tokens);
        Assert.True(dt <= 1e-4 * Scale(ownTokens.ToArray()), $"tokens differ by {dt:E3}");
    }

    [TorchFact]
    public void Ten_gradient_descent_steps_keep_losses_and_running_statistics_equal()
    {
        // a smaller network than the parity test's (stages [1, 1, 1, 2], base width 4, 64 x 32 patches), one batch fitted
        var config = new ResNetConfig([1, 1, 1, 2], BaseWidth: 4, Frames: 64, ImageWidth: 32);
        var own = new ResNetEncoder(config, 6);
        using var scope = torch.NewDisposeScope();
        using var model = new TorchMotionEncoderModel(own, torch.CPU);
        const float lr = 0.005f;
        var losses = new List<(float Own, float Torch)>();
        var x = WTensor.FromArray(Support.Random(100, 8 * 3 * 64 * 32, 2f), 8, 3, 64, 32);   // one batch, fitted for ten steps
        var target = WTensor.FromArray(Support.Random(200, 8 * 32), 8, 32);
        for (int step = 0; step < 10; step++)
        {
            foreach (var p in own.Parameters()) p.ZeroGrad();
            var diff = MotionWorkbench.Tensors.Ops.Sub(own.Forward(new MotionInput(x)), target);
            var ownLoss = MotionWorkbench.Tensors.Ops.MeanAll(MotionWorkbench.Tensors.Ops.Mul(diff, diff));
            float ownValue = ownLoss.Item();
            ownLoss.Backward();
            foreach (var p in own.Parameters()) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad, -lr, p.Data, p.Data);

            model.ZeroGrad();
            var loss = (model.Forward(new TorchMotionInput(x.ToTorch())) - target.ToTorch()).pow(2).mean();
            loss.backward();
            using (torch.no_grad())
                foreach (var (_, p) in model.NamedParameters()) p.sub_(p.grad! * lr);
            losses.Add((ownValue, loss.ToWorkbench().Item()));
        }
        output.WriteLine(string.Join("; ", losses.Select(l => $"{l.Own:G6}/{l.Torch:G6}")));
        foreach (var (o, t) in losses) Assert.True(Math.Abs(o - t) <= 1e-4 * Math.Abs(o) + 1e-6, $"losses own {o} torch {t}");
        Assert.True(losses[^1].Own < losses[0].Own, "the loss did not fall");
        foreach (var (name, buffer) in model.NamedBuffers())
        {
            var mine = own.StateDict()[name].ToArray();
            Assert.True(Support.MaxAbsDiff(mine, buffer.ToWorkbench().ToArray()) <= 1e-4 * Scale(mine), $"{name} drifted apart over the steps");
        }
        var back = new ResNetEncoder(config, 99);
        model.CopyTo(back);
        Assert.Equal(model.GetBuffer("layer4.1.bn2.running_var").ToWorkbench().ToArray(), back.StateDict()["layer4.1.bn2.running_var"].ToArray());
    }

    [TorchFact]
    public void Negative_running_variance_and_wrong_channels_are_refused()
    {
        var own = new ResNetEncoder(Config(), 7);
        using var scope = torch.NewDisposeScope();
        using var model = new TorchMotionEncoderModel(own, torch.CPU);
        var state = own.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach());
        state["layer2.1.bn1.running_var"].Data[3] = float.NaN;
        var e = Assert.Throws<InvalidDataException>(() => model.LoadStateDict(state, source: "w.safetensors"));
        Assert.Contains("w.safetensors: layer2.1.bn1.running_var[3]", e.Message);
        var a = Assert.Throws<ArgumentException>(() => model.Forward(new TorchMotionInput(torch.zeros(2, 4, 64, 48))));
        Assert.Contains("(2, 4, 64, 48)", a.Message);
    }
}

using MotionWorkbench.Tensors;
using MotionWorkbench.Training;

namespace MotionWorkbench.Torch.Tests;

/// <summary>
/// A resume on the torch engine loads through the one strict path of both engines (Module.LoadStateDict: names, shapes,
/// finiteness): a checkpoint whose weight has the transposed shape (same number of values) or a NaN is refused, naming
/// the tensor, instead of training on.
/// </summary>
[Collection("torch-synth")]
public sealed class TorchStrictResumeTests(TorchSynthFixture fx)
{
    [TorchFact]
    public void TorchResume_TransposedWeightShape_IsRefusedNamingTheTensor()
    {
        var (run, name) = InterruptedRunWith((t, _) => Tensor.FromArray(t.Data, [.. t.Shape.Reverse()]));
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(fx.Config("torch"), run).Run(resume: true));
        Assert.Contains("shape mismatches", e.Message);
        Assert.Contains(name, e.Message);
    }

    [TorchFact]
    public void TorchResume_NaNWeight_IsRefusedNamingTheTensor()
    {
        var (run, name) = InterruptedRunWith((t, _) => { var c = Tensor.FromArray(t.Data, t.Shape); c.Data[3] = float.NaN; return c; });
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(fx.Config("torch"), run).Run(resume: true));
        Assert.Contains($"{name}[3] is not finite (NaN", e.Message);
    }

    /// <summary>An interrupted torch run whose last checkpoint has its first non-square matrix replaced by <paramref name="change"/>.</summary>
    private (string Run, string Name) InterruptedRunWith(Func<Tensor, string, Tensor> change)
    {
        string run = fx.NewRunDir("strict");
        int calls = 0;
        Assert.False(new Trainer(fx.Config("torch"), run) { StepCallback = _ => ++calls < 2 }.Run().Completed);
        string last = Path.Combine(run, Checkpoint.LastFileName);
        var (model, m, v, state, config) = Checkpoint.Read(last);
        string name = model.First(kv => kv.Value.Shape.Length == 2 && kv.Value.Shape[0] != kv.Value.Shape[1]).Key;
        var changed = model.Select(kv => (kv.Key, kv.Key == name ? change(kv.Value, kv.Key) : kv.Value)).ToList();
        Checkpoint.Save(last, config, changed, state, m, v);
        return (run, name);
    }
}

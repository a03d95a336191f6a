using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// The engine is chosen at the edge: this test project references Training without MotionWorkbench.Torch, so
/// <c>train.engine = torch</c> is one clear error saying what to reference and register, raised before anything is written.
/// </summary>
public sealed class TrainingEnginesTests
{
    [Fact]
    public void Torch_without_the_torch_library_registered_is_one_error_before_anything_is_written()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-engine-unregistered-" + Guid.NewGuid().ToString("N"));
        var config = RunConfig.Smoke with { Data = RunConfig.Smoke.Data with { Dir = Path.Combine(dir, "data") }, Train = RunConfig.Smoke.Train with { Engine = TrainingEngine.Torch, Device = "cpu" } };
        Assert.False(TrainingEngines.IsAvailable(TrainingEngine.Torch));
        Assert.True(TrainingEngines.IsAvailable(TrainingEngine.Mw));
        foreach (var run in new Action[] { () => new Trainer(config, dir).Run(), () => LexPipeline.Run(config with { Model = config.Model with { Architecture = Architecture.Lex } }, dir),
            () => Quickstart.Run(dir, Path.Combine(dir, "data"), config) })
        {
            var e = Assert.Throws<InvalidOperationException>(run);
            Assert.Contains("train.engine = torch: this program has not registered the torch engine", e.Message);
            Assert.Contains("reference lib/MotionWorkbench.Torch and call MotionWorkbench.Torch.TorchEngine.Register()", e.Message);
            Assert.False(Directory.Exists(dir), $"{dir} was written for an engine that cannot train");
        }
    }

    [Fact]
    public void Only_other_engines_register()
    {
        Assert.Contains("built in", Assert.Throws<ArgumentException>(() => TrainingEngines.Register(new Fake(TrainingEngine.Mw))).Message);
        Assert.Contains("got 'jax'", Assert.Throws<ArgumentException>(() => TrainingEngines.Register(new Fake("jax"))).Message);
        Assert.Contains("got 'jax'", Assert.Throws<ArgumentException>(() => TrainingEngines.Require("jax")).Message);
    }

    private sealed class Fake(TrainingEngine engine) : ITrainingBackendFactory
    {
        public TrainingEngine Engine => engine;
        public ITrainingBackend Create(IRetrievalModel model, RunConfig config) => throw new NotSupportedException();
    }
}

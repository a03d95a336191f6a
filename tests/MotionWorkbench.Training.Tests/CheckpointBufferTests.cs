using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>Run checkpoints carry module buffers (BatchNorm running statistics) by name, and load them back.</summary>
public class CheckpointBufferTests
{
    [Fact]
    public void A_checkpoint_saves_and_restores_running_statistics()
    {
        var config = new ResNetConfig([1, 1, 1, 1], BaseWidth: 4, Frames: 64, ImageWidth: 32);
        var model = new ResNetEncoder(config, 1);
        model.Forward(new MotionInput(MotionWorkbench.Tensors.Tensor.Full(0.5f, 2, 3, 64, 32)));   // training mode: running statistics move
        var path = Path.Combine(Path.GetTempPath(), $"mw-ckpt-buffers-{Environment.ProcessId}-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, RunConfig.Smoke, model, new TrainerState());
            var read = Checkpoint.Read(path).Model;
            Assert.Equal(model.NamedState().Select(p => p.Name).Order(), read.Keys.Order());
            var fresh = new ResNetEncoder(config, 2);
            fresh.LoadStateDict(read, strict: true, path);
            Assert.Equal(model.Bn1.RunningVar.ToArray(), fresh.Bn1.RunningVar.ToArray());
            Assert.NotEqual(new float[4].Select(_ => 1f), fresh.Bn1.RunningVar.ToArray());
        }
        finally { File.Delete(path); }
    }
}

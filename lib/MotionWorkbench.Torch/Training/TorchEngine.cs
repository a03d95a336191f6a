using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Torch;

/// <summary>
/// The torch engine for the trainer (<c>train.engine = torch</c>): <see cref="Register"/> makes it available to every
/// <see cref="Trainer"/> of the process. mw and the Experiments library (which the notebooks load) call it; a program of
/// your own that references MotionWorkbench.Torch calls it once before training.
/// </summary>
public static class TorchEngine
{
    /// <summary>Registers <see cref="TorchTrainingBackendFactory"/> with <see cref="TrainingEngines"/> (again: no change).</summary>
    public static void Register() => TrainingEngines.Register(Factory);

    private static readonly TorchTrainingBackendFactory Factory = new();
}

/// <summary>Builds a <see cref="TorchTrainingBackend"/> for <c>train.engine = torch</c> (registered by <see cref="TorchEngine.Register"/>).</summary>
public sealed class TorchTrainingBackendFactory : ITrainingBackendFactory
{
    public TrainingEngine Engine => TrainingEngine.Torch;

    public ITrainingBackend Create(IRetrievalModel model, RunConfig config) => new TorchTrainingBackend(model, config);
}

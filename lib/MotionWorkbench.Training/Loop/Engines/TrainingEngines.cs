using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>
/// What an engine other than the own one provides (the torch engine, in MotionWorkbench.Torch). A program registers it
/// with <see cref="TrainingEngines.Register"/>; this library never loads an engine by name.
/// </summary>
public interface ITrainingBackendFactory
{
    /// <summary>The <c>train.engine</c> this factory builds backends for.</summary>
    TrainingEngine Engine { get; }

    /// <summary>A backend holding a copy of <paramref name="model"/>'s current weights (a fresh initialisation, train.initFrom,
    /// a timm import or the MLM pre-training have been applied to it by the own engine) on the configured device.</summary>
    ITrainingBackend Create(IRetrievalModel model, RunConfig config);
}

/// <summary>
/// Resolves <c>train.engine</c> to an <see cref="ITrainingBackend"/>: the own engine ("mw") always; another engine
/// ("torch") once the program has registered its factory, as <c>mw</c> and the Experiments library (which the
/// notebooks load) do with <c>MotionWorkbench.Torch.TorchEngine.Register()</c>. The engine is chosen at the edge: no
/// reflection, no assembly loaded by name.
/// </summary>
public static class TrainingEngines
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<TrainingEngine, ITrainingBackendFactory> Factories = [];

    /// <summary>Makes <paramref name="factory"/>'s engine available to every <see cref="Trainer"/> of this process (registering again replaces it).</summary>
    public static void Register(ITrainingBackendFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (Choice.Check(factory.Engine) is string error) throw new ArgumentException(error, nameof(factory));
        if (factory.Engine == TrainingEngine.Mw) throw new ArgumentException("the own engine (train.engine = mw) is built in; register other engines only", nameof(factory));
        lock (Gate) Factories[factory.Engine] = factory;
    }

    /// <summary>Whether <paramref name="engine"/> can train in this process (the own engine always can).</summary>
    public static bool IsAvailable(TrainingEngine engine)
    {
        if (engine == TrainingEngine.Mw) return true;
        lock (Gate) return Factories.ContainsKey(engine);
    }

    /// <summary>
    /// Throws, before anything is written, when <paramref name="engine"/> cannot train here: an unknown name (the
    /// validator's message), or an engine this program has not registered (what to reference and call).
    /// </summary>
    public static void Require(TrainingEngine engine)
    {
        if (Choice.Check(engine) is string error) throw new ArgumentException(error);
        if (!IsAvailable(engine))
            throw new InvalidOperationException($"train.engine = {engine}: this program has not registered the {engine} engine; reference lib/MotionWorkbench.Torch " +
                "and call MotionWorkbench.Torch.TorchEngine.Register() once before training (mw and the Experiments library, which the notebooks load, do), " +
                "or train with train.engine = mw");
    }

    /// <summary>The backend of <c>config.Train.Engine</c> for <paramref name="model"/> (see <see cref="Require"/> for the errors).</summary>
    public static ITrainingBackend Create(IRetrievalModel model, RunConfig config)
    {
        var engine = config.Train.Engine;
        Require(engine);
        if (engine == TrainingEngine.Mw) return new OwnTrainingBackend(model, config);
        ITrainingBackendFactory factory;
        lock (Gate) factory = Factories[engine];
        return factory.Create(model, config);
    }
}

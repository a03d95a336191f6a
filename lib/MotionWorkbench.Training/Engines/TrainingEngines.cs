using System.Reflection;
using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>What an engine other than the own one provides (implemented in MotionWorkbench.Torch, found by name so that
/// this library does not depend on TorchSharp).</summary>
public interface ITrainingBackendFactory
{
    /// <summary>A backend holding a copy of <paramref name="model"/>'s current weights (a fresh initialisation, train.initFrom,
    /// a timm import or the MLM pre-training have been applied to it by the own engine) on the configured device.</summary>
    ITrainingBackend Create(IRetrievalModel model, RunConfig config);
}

/// <summary>Resolves <c>train.engine</c> to a <see cref="ITrainingBackend"/>.</summary>
public static class TrainingEngines
{
    /// <summary>The assembly and type of the torch engine's factory.</summary>
    public const string TorchAssembly = "MotionWorkbench.Torch", TorchFactoryType = "MotionWorkbench.Torch.TorchTrainingBackendFactory";

    private static ITrainingBackendFactory? torch;

    /// <summary>Registers the torch engine explicitly (tests, hosts that load it their own way); otherwise it is found by name.</summary>
    public static void RegisterTorch(ITrainingBackendFactory factory) => torch = factory;

    public static ITrainingBackend Create(IRetrievalModel model, RunConfig config) => config.Train.Engine switch
    {
        var e when e == TrainingEngine.Mw => new OwnTrainingBackend(model, config),
        var e when e == TrainingEngine.Torch => TorchFactory().Create(model, config),
        var e => throw new ArgumentException($"unknown train.engine '{e}' (mw, torch)"),
    };

    private static ITrainingBackendFactory TorchFactory()
    {
        if (torch is not null) return torch;
        Assembly assembly;
        try { assembly = Assembly.Load(TorchAssembly); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            // A host that loaded this library from a folder (a notebook's #r) finds the torch engine beside it.
            string beside = Path.Combine(Path.GetDirectoryName(typeof(TrainingEngines).Assembly.Location) ?? ".", TorchAssembly + ".dll");
            if (!File.Exists(beside))
                throw new InvalidOperationException($"train.engine = torch needs the {TorchAssembly} library (referenced by mw and the Experiments library " +
                    $"the notebooks load; a program of your own adds a reference to lib/{TorchAssembly}): {e.Message}", e);
            assembly = Assembly.LoadFrom(beside);
        }
        var type = assembly.GetType(TorchFactoryType, throwOnError: true)!;
        return torch = (ITrainingBackendFactory)Activator.CreateInstance(type)!;
    }
}

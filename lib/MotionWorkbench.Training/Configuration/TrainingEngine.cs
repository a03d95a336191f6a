using System.Text.Json.Serialization;
using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>
/// <c>train.engine</c>: the engine that trains, "mw" (the workbench's own float32 engine, CPU) or "torch"
/// (TorchSharp/LibTorch, CPU or CUDA; a program registers it with <see cref="TrainingEngines.Register"/>, as mw and the
/// Experiments library do). A value converts from its name (<c>Engine = "torch"</c>); see <see cref="IChoice{TSelf}"/>.
/// </summary>
[JsonConverter(typeof(ChoiceJsonConverter<TrainingEngine>))]
public readonly record struct TrainingEngine : IChoice<TrainingEngine>
{
    private readonly string? name;

    private TrainingEngine(string name) => this.name = name;

    public string Name => name ?? "";

    /// <summary>The workbench's own engine (the default).</summary>
    public static TrainingEngine Mw { get; } = new("mw");

    /// <summary>TorchSharp (MotionWorkbench.Torch).</summary>
    public static TrainingEngine Torch { get; } = new("torch");

    public static string Setting => "train.engine";
    public static string MustBe => "'mw' (the own engine) or 'torch' (TorchSharp)";
    public static IReadOnlyList<TrainingEngine> Known { get; } = [Mw, Torch];

    public static TrainingEngine Of(string name) => new(name);

    public static implicit operator TrainingEngine(string name) => new(name);

    public override string ToString() => Name;
}

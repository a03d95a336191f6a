using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Tensors.Nn;
using Module = MotionWorkbench.Tensors.Nn.Module;
using MotionWorkbench.Tensors.Optim;

namespace MotionWorkbench.Training;

/// <summary>Where a run stands: the next (epoch, batch) to run, counters, the best selection metric so far.</summary>
public sealed record TrainerState
{
    /// <summary>The epoch to continue in (0-based).</summary>
    public int Epoch { get; init; }
    /// <summary>The next batch of <see cref="Epoch"/> to run.</summary>
    public int BatchInEpoch { get; init; }
    /// <summary>Optimiser steps done.</summary>
    public int GlobalStep { get; init; }
    public long SamplesSeen { get; init; }
    public double ElapsedSeconds { get; init; }
    /// <summary>Best selection metric (motion->text R@1 on the selection split) and the epoch (1-based) that reached it.</summary>
    public double BestMetric { get; init; } = double.NegativeInfinity;
    public int BestEpoch { get; init; }
    public bool Completed { get; init; }
    /// <summary>Sum and count of the train losses of <see cref="Epoch"/>'s batches so far, so that an epoch resumed in its
    /// middle still logs the mean over all its batches.</summary>
    public double EpochLossSum { get; init; }
    public int EpochLossCount { get; init; }
    /// <summary>Adam's step count (bias correction).</summary>
    public int OptimizerSteps { get; init; }
    /// <summary>Each dropout stream's counter, by module name, so dropout masks continue where they stopped.</summary>
    public Dictionary<string, ulong> DropoutCounters { get; init; } = [];
    /// <summary>The engine that wrote the checkpoint ("mw", "torch"; null in checkpoints from before train.engine).</summary>
    public string? Engine { get; init; }
    /// <summary>The torch engine's CPU random-generator state (base64 of torch.random.get_rng_state()), so that dropout
    /// masks on the CPU continue exactly on resume (a CUDA generator's state is not saved); null for the own engine,
    /// whose streams are <see cref="DropoutCounters"/>.</summary>
    public string? EngineRandomState { get; init; }
}

/// <summary>
/// A checkpoint file (safetensors): the model's parameters under <c>model.NAME</c>, optionally Adam's moments under
/// <c>optim.m</c>/<c>optim.v</c> (flat, in parameter-store order), and metadata <c>state</c> (a <see cref="TrainerState"/>),
/// <c>config</c> (the <see cref="RunConfig"/>) and <c>format</c>. Written atomically (temp file + rename).
/// </summary>
public static class Checkpoint
{
    public const string Format = "motionworkbench-checkpoint-1";
    public const string LastFileName = "last.safetensors";
    public const string BestFileName = "best.safetensors";

    public static void Save(string path, RunConfig config, Module model, TrainerState state, Adam? optimizer = null) =>
        Save(path, config, model.NamedParameters(), state, optimizer?.M, optimizer?.V);

    /// <summary>Writes parameters given by name (an engine's weights copied to the CPU) and, when given, Adam's first and
    /// second moments flat in the own engine's parameter order (<see cref="ParameterStore"/> offsets).</summary>
    public static void Save(string path, RunConfig config, IEnumerable<(string Name, Tensor Value)> parameters, TrainerState state, float[]? m = null, float[]? v = null)
    {
        var tensors = new List<(string, Tensor)>();
        foreach (var (name, p) in parameters) tensors.Add(("model." + name, p));
        if (m is not null && v is not null)
        {
            tensors.Add(("optim.m", Tensor.Wrap(m, m.Length)));
            tensors.Add(("optim.v", Tensor.Wrap(v, v.Length)));
        }
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["state"] = JsonSerializer.Serialize(state, RunConfig.Json),
            ["config"] = config.ToJson(),
        };
        Safetensors.Write(path, tensors, meta); // Safetensors.Write goes through AtomicFile
    }

    /// <summary>Reads a checkpoint: parameters by name (without the prefix), the optimiser moments if present, the state.</summary>
    public static (Dictionary<string, Tensor> Model, float[]? M, float[]? V, TrainerState State, RunConfig Config) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found", path);
        var (tensors, meta) = Safetensors.Read(path);
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not a MotionWorkbench checkpoint (metadata 'format' is '{format ?? "missing"}', expected '{Format}')");
        var state = JsonSerializer.Deserialize<TrainerState>(meta["state"], RunConfig.Json) ?? throw new InvalidDataException($"{path}: empty trainer state");
        var config = RunConfig.FromJson(meta["config"], path + " (metadata 'config')");
        var model = tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value);
        var m = tensors.TryGetValue("optim.m", out var tm) ? tm.ToArray() : null;
        var v = tensors.TryGetValue("optim.v", out var tv) ? tv.ToArray() : null;
        return (model, m, v, state, config);
    }

    /// <summary>SHA-256 of a checkpoint file (hex), the key of the embedding cache.</summary>
    public static string Hash(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s)).ToLowerInvariant();
    }
}

/// <summary>
/// The engine state a bitwise resume needs besides the weights and Adam's moments: each <see cref="DropoutRng"/>'s
/// counter (found on the model's modules by field type, named module:field) and Adam's step count.
/// </summary>
public static class EngineState
{
    /// <summary>Every dropout stream reachable from <paramref name="model"/> (fields and properties of its modules), by a stable name.</summary>
    public static IEnumerable<(string Name, DropoutRng Rng)> DropoutStreams(Module model)
    {
        foreach (var (moduleName, module) in model.NamedModules())
        {
            var seen = new HashSet<DropoutRng>(ReferenceEqualityComparer.Instance);
            for (var t = module.GetType(); t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (f.FieldType == typeof(DropoutRng) && f.GetValue(module) is DropoutRng rng && seen.Add(rng))
                        yield return ($"{moduleName}:{f.Name}", rng);
            }
        }
    }

    public static Dictionary<string, ulong> CaptureDropout(Module model) =>
        DropoutStreams(model).ToDictionary(d => d.Name, d => d.Rng.Counter);

    public static void RestoreDropout(Module model, IReadOnlyDictionary<string, ulong> counters, string source)
    {
        var streams = DropoutStreams(model).ToList();
        var missing = streams.Where(s => !counters.ContainsKey(s.Name)).Select(s => s.Name).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{source}: no saved counter for dropout stream(s) {string.Join(", ", missing)}");
        foreach (var (name, rng) in streams) rng.Counter = counters[name];
    }
}

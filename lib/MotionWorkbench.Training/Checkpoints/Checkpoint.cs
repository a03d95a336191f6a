using System.Security.Cryptography;
using System.Text.Json;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using Module = MotionWorkbench.Tensors.Nn.Module;
using MotionWorkbench.Tensors.Optim;

namespace MotionWorkbench.Training;

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

    /// <summary>Writes the model's parameters and buffers (BatchNorm running statistics; none in the other models) and Adam's moments.</summary>
    public static void Save(string path, RunConfig config, Module model, TrainerState state, Adam? optimizer = null) =>
        Save(path, config, model.NamedState(), state, optimizer?.M, optimizer?.V);

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

using System.Reflection;
using MotionWorkbench.Tensors;
using Module = MotionWorkbench.Tensors.Nn.Module;

namespace MotionWorkbench.Training;

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

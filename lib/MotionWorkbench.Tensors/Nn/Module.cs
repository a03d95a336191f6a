namespace MotionWorkbench.Tensors.Nn;

/// <summary>
/// Base of every layer. Parameters and child modules are registered explicitly, in order, inside the constructor
/// (<see cref="Param"/>, <see cref="Child{T}"/>); no reflection, so the state dict's names and order are fixed
/// (e.g. <c>blocks.3.attn.qkv.weight</c>). Train/eval mode propagates to children.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor? Param, Module? Child)> entries = [];

    /// <summary>True in training mode (dropout active); see <see cref="Train"/> and <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a zero-initialised parameter (RequiresGrad) under <paramref name="name"/>.</summary>
    protected Tensor Param(string name, params int[] shape)
    {
        CheckName(name);
        var t = Tensor.Zeros(shape);
        t.RequiresGrad = true;
        t.Name = name;
        entries.Add((name, t, null));
        return t;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T Child<T>(string name, T module) where T : Module
    {
        CheckName(name);
        entries.Add((name, null, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.')) throw new ArgumentException($"{GetType().Name}: registration name '{name}' must be non-empty and contain no '.'");
        if (entries.Any(e => e.Name == name)) throw new ArgumentException($"{GetType().Name}: '{name}' is registered twice");
    }

    /// <summary>Every parameter with its dotted name, in registration order (depth first).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (name, param, child) in entries)
        {
            if (param is not null) yield return (prefix + name, param);
            else foreach (var p in child!.NamedParameters(prefix + name + ".")) yield return p;
        }
    }

    /// <summary>Every parameter, in state-dict order.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    /// <summary>Every module below this one (depth first, this one first) with its dotted name.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix.TrimEnd('.'), this);
        foreach (var (name, _, child) in entries)
            if (child is not null)
                foreach (var m in child.NamedModules(prefix + name + ".")) yield return m;
    }

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Size);

    /// <summary>Switches this module and its children to training mode (or eval when false).</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = training;
        return this;
    }

    /// <summary>Switches to evaluation mode (dropout off).</summary>
    public Module Eval() => Train(false);

    /// <summary>The parameters by name (the tensors themselves, not copies).</summary>
    public Dictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);

    /// <summary>
    /// Copies <paramref name="state"/> into the parameters. Shapes must match exactly. With <paramref name="strict"/>,
    /// missing and unexpected keys are an error listing all of them; otherwise only matching names load and the
    /// returned report lists the rest.
    /// </summary>
    /// <summary>The first five items and how many more: a mismatch against a 200-tensor checkpoint stays a few lines.</summary>
    public static string FirstFew(IReadOnlyList<string> items, string separator) =>
        string.Join(separator, items.Take(5)) + (items.Count > 5 ? $"{separator}... and {items.Count - 5} more" : "");

    public LoadReport LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true, string source = "state dict")
    {
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var badShapes = own.Where(kv => state.TryGetValue(kv.Key, out var t) && !t.Shape.AsSpan().SequenceEqual(kv.Value.Shape))
            .Select(kv => $"{kv.Key}: {source} has {Tensor.Format(state[kv.Key].Shape)}, the module expects {Tensor.Format(kv.Value.Shape)}").ToList();
        if (badShapes.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var msg = $"cannot load {source} into {GetType().Name}:";
            if (badShapes.Count > 0) msg += "\n  shape mismatches: " + FirstFew(badShapes, "; ");
            if (missing.Count > 0) msg += "\n  missing keys: " + FirstFew(missing, ", ");
            if (unexpected.Count > 0) msg += "\n  unexpected keys: " + FirstFew(unexpected, ", ");
            throw new InvalidDataException(msg);
        }
        foreach (var (name, t) in own)
            if (state.TryGetValue(name, out var src)) src.Data.CopyTo(t.Data);
        return new LoadReport(missing, unexpected);
    }
}

/// <summary>Keys that did not load (non-strict loads only).</summary>
public sealed record LoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected);

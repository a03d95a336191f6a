namespace MotionWorkbench.Tensors.Nn;

/// <summary>
/// Base of every layer. Parameters, buffers and child modules are registered explicitly, in order, inside the
/// constructor (<see cref="Param"/>, <see cref="Buffer"/>, <see cref="Child{T}"/>); no reflection, so the state dict's
/// names and order are fixed (e.g. <c>blocks.3.attn.qkv.weight</c>). Train/eval mode propagates to children.
/// Buffers (PyTorch's <c>register_buffer</c>: BatchNorm's <c>running_mean</c>/<c>running_var</c>) are state that is not
/// trained: they are in <see cref="StateDict"/>, <see cref="NamedState"/> and so in saved files, but not in
/// <see cref="NamedParameters"/> (the optimiser, the parameter arena, gradient checks). A module without buffers has
/// the same state dict as before buffers existed.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor? Param, Module? Child, bool IsBuffer)> entries = [];

    /// <summary>True in training mode (dropout active); see <see cref="Train"/> and <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a zero-initialised parameter (RequiresGrad) under <paramref name="name"/>.</summary>
    protected Tensor Param(string name, params int[] shape)
    {
        CheckName(name);
        var t = Tensor.Zeros(shape);
        t.RequiresGrad = true;
        t.Name = name;
        entries.Add((name, t, null, false));
        return t;
    }

    /// <summary>Registers a buffer (not trained, no gradient) filled with <paramref name="fill"/> under <paramref name="name"/>.</summary>
    protected Tensor Buffer(string name, float fill, params int[] shape)
    {
        CheckName(name);
        var t = Tensor.Full(fill, shape);
        t.Name = name;
        entries.Add((name, t, null, true));
        return t;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T Child<T>(string name, T module) where T : Module
    {
        CheckName(name);
        entries.Add((name, null, module, false));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.')) throw new ArgumentException($"{GetType().Name}: registration name '{name}' must be non-empty and contain no '.'");
        if (entries.Any(e => e.Name == name)) throw new ArgumentException($"{GetType().Name}: '{name}' is registered twice");
    }

    /// <summary>Every parameter with its dotted name, in registration order (depth first); buffers are not parameters.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "") => Walk(prefix, parameters: true, buffers: false);

    /// <summary>Every buffer (<see cref="Buffer"/>) with its dotted name, in registration order (depth first).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "") => Walk(prefix, parameters: false, buffers: true);

    /// <summary>Parameters and buffers with their dotted names in registration order: what a state dict or a saved file holds.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedState(string prefix = "") => Walk(prefix, parameters: true, buffers: true);

    private IEnumerable<(string Name, Tensor Tensor)> Walk(string prefix, bool parameters, bool buffers)
    {
        foreach (var (name, tensor, child, isBuffer) in entries)
        {
            if (tensor is not null)
            {
                if (isBuffer ? buffers : parameters) yield return (prefix + name, tensor);
            }
            else foreach (var p in child!.Walk(prefix + name + ".", parameters, buffers)) yield return p;
        }
    }

    /// <summary>Every parameter, in state-dict order.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    /// <summary>Every module below this one (depth first, this one first) with its dotted name.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix.TrimEnd('.'), this);
        foreach (var (name, _, child, _) in entries)
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

    /// <summary>The parameters and buffers by name (the tensors themselves, not copies).</summary>
    public Dictionary<string, Tensor> StateDict() => NamedState().ToDictionary(p => p.Name, p => p.Tensor);

    private static int? FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return null;
    }

    /// <summary>The first five items and how many more: a mismatch against a 200-tensor checkpoint stays a few lines.</summary>
    public static string FirstFew(IReadOnlyList<string> items, string separator) =>
        string.Join(separator, items.Take(5)) + (items.Count > 5 ? $"{separator}... and {items.Count - 5} more" : "");

    /// <summary>
    /// Called on every module (with its dotted prefix, e.g. <c>layer1.0.bn1.</c>) before <see cref="LoadStateDict"/>
    /// copies anything: a module whose state has rules beyond its shapes (BatchNorm: running variances finite and
    /// non-negative) throws an <see cref="InvalidDataException"/> naming <paramref name="source"/> and the tensor.
    /// Nothing by default.
    /// </summary>
    protected virtual void CheckState(string prefix, IReadOnlyDictionary<string, Tensor> state, string source) { }

    /// <summary>
    /// Copies <paramref name="state"/> into the parameters and buffers. Shapes must match exactly and every value be
    /// finite (a NaN or infinity names the tensor and its flat index, <c>name[i]</c>). With
    /// <paramref name="strict"/>, missing and unexpected keys are an error listing all of them; otherwise only matching
    /// names load and the returned report lists the rest. A refused load changes nothing.
    /// </summary>
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
            if (state.TryGetValue(name, out var src) && FirstNonFinite(src.Data) is int at)
                throw new InvalidDataException($"cannot load {source} into {GetType().Name}: {name}[{at}] is not finite ({src.Data[at]}; index into the flattened tensor)");
        foreach (var (name, m) in NamedModules()) m.CheckState(name.Length == 0 ? "" : name + ".", state, source);
        foreach (var (name, t) in own)
            if (state.TryGetValue(name, out var src)) src.Data.CopyTo(t.Data);
        return new LoadReport(missing, unexpected);
    }
}

/// <summary>Keys that did not load (non-strict loads only).</summary>
public sealed record LoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected);

using MotionWorkbench.Tensors.Nn;
using TorchSharp;
using TorchSharp.Modules;
using WTensor = MotionWorkbench.Tensors.Tensor;

namespace MotionWorkbench.Torch;

/// <summary>
/// The parameters of a TorchSharp model under exactly the own engine's names and order (<see cref="Module.NamedParameters"/>),
/// created on one device from an own-engine module's values, so that a state dict (and so a <c>.safetensors</c>
/// checkpoint) moves between the engines by name. The architectures (<see cref="TorchMotionTextModel"/>, ...) read
/// their weights from here; train/eval mode switches dropout. The own module's buffers (BatchNorm's running statistics)
/// come along as tensors without gradient under the same names (<see cref="NamedBuffers"/>), in the state dict too.
/// </summary>
public abstract class TorchModel : IDisposable
{
    private readonly List<(string Name, Parameter Parameter)> parameters = [];
    private readonly Dictionary<string, Parameter> byName = new(StringComparer.Ordinal);
    private readonly List<torch.Tensor> buffers = [];
    private readonly List<(string Name, torch.Tensor Tensor)> stateBuffers = [];
    private readonly Dictionary<string, torch.Tensor> buffersByName = new(StringComparer.Ordinal);
    private bool disposed;

    /// <param name="own">The own-engine module whose parameters (names, shapes, values) this model starts from.</param>
    /// <param name="device">Where the parameters live.</param>
    protected TorchModel(Module own, torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(device);
        TorchRuntime.EnsureAvailable();
        Device = device;
        Training = own.Training;
        foreach (var (name, t) in own.NamedParameters())
        {
            var data = TorchInterop.FromFloats(t.ToArray(), t.Shape, device, false);
            var p = new Parameter(data, requires_grad: true);
            p.DetachFromDisposeScope();
            data.DetachFromDisposeScope();
            parameters.Add((name, p));
            byName.Add(name, p);
        }
        foreach (var (name, t) in own.NamedBuffers())
        {
            var data = TorchInterop.FromFloats(t.ToArray(), t.Shape, device, false);
            data.DetachFromDisposeScope();
            stateBuffers.Add((name, data));
            buffersByName.Add(name, data);
        }
    }

    /// <summary>The device every parameter lives on.</summary>
    public torch.Device Device { get; }

    /// <summary>True in training mode (dropout active).</summary>
    public bool Training { get; private set; }

    /// <summary>Training mode (dropout on) or, with false, evaluation mode.</summary>
    public TorchModel Train(bool training = true)
    {
        Training = training;
        return this;
    }

    /// <summary>Evaluation mode (dropout off).</summary>
    public TorchModel Eval() => Train(false);

    /// <summary>Every parameter with its own-engine name, in the own engine's order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters() => parameters;

    /// <summary>Every parameter, in state-dict order (for an optimiser).</summary>
    public IEnumerable<Parameter> Parameters() => parameters.Select(p => p.Parameter);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => parameters.Sum(p => p.Parameter.numel());

    /// <summary>A dotted parameter name: <paramref name="leaf"/> under <paramref name="prefix"/> ("" = the top level).</summary>
    public static string Key(string prefix, string leaf) => string.IsNullOrEmpty(prefix) ? leaf : prefix + "." + leaf;

    /// <summary>The parameter of an own-engine name; an unknown name is an error that names it.</summary>
    public Parameter Get(string name) => byName.TryGetValue(name, out var p) ? p
        : throw new KeyNotFoundException($"{GetType().Name}: no parameter '{name}' (the model has {parameters.Count}: {Module.FirstFew(parameters.Select(q => q.Name).ToList(), ", ")})");

    /// <summary>Every buffer (running statistics) with its own-engine name, in the own engine's order.</summary>
    public IReadOnlyList<(string Name, torch.Tensor Buffer)> NamedBuffers() => stateBuffers;

    /// <summary>The buffer of an own-engine name (e.g. <c>bn1.running_var</c>); an unknown name is an error that names it.</summary>
    public torch.Tensor GetBuffer(string name) => buffersByName.TryGetValue(name, out var b) ? b
        : throw new KeyNotFoundException($"{GetType().Name}: no buffer '{name}' (the model has {stateBuffers.Count}: {Module.FirstFew(stateBuffers.Select(q => q.Name).ToList(), ", ")})");

    /// <summary>The parameter of a name, or null when the model has none of that name.</summary>
    public Parameter? TryGet(string name) => byName.GetValueOrDefault(name);

    /// <summary>A constant tensor (position encodings) owned and disposed by this model.</summary>
    protected internal torch.Tensor Buffer(torch.Tensor t)
    {
        t.DetachFromDisposeScope();
        buffers.Add(t);
        return t;
    }

    /// <summary>CPU float32 copies of the parameters and buffers under their names (the own engine's <see cref="Module.StateDict"/> layout).</summary>
    public Dictionary<string, WTensor> StateDict() => parameters.Select(p => (p.Name, Tensor: (torch.Tensor)p.Parameter)).Concat(stateBuffers)
        .ToDictionary(p => p.Name, p => p.Tensor.ToWorkbench(), StringComparer.Ordinal);

    /// <summary>
    /// Copies <paramref name="state"/> (e.g. an own-engine state dict or a checkpoint's tensors) into the parameters and
    /// buffers. Shapes must match exactly; with <paramref name="strict"/>, missing and unexpected names are an error listing them.
    /// </summary>
    public LoadReport LoadStateDict(IReadOnlyDictionary<string, WTensor> state, bool strict = true, string source = "state dict")
    {
        ArgumentNullException.ThrowIfNull(state);
        var all = parameters.Select(p => (p.Name, Tensor: (torch.Tensor)p.Parameter)).Concat(stateBuffers).ToList();
        var missing = all.Where(p => !state.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        var unexpected = state.Keys.Where(k => !byName.ContainsKey(k) && !buffersByName.ContainsKey(k)).ToList();
        var badShapes = all.Where(p => state.TryGetValue(p.Name, out var t) && !t.Shape.Select(d => (long)d).SequenceEqual(p.Tensor.shape))
            .Select(p => $"{p.Name}: {source} has {WTensor.Format(state[p.Name].Shape)}, the model expects ({string.Join(", ", p.Tensor.shape)})").ToList();
        if (badShapes.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var msg = $"cannot load {source} into {GetType().Name}:";
            if (badShapes.Count > 0) msg += "\n  shape mismatches: " + Module.FirstFew(badShapes, "; ");
            if (missing.Count > 0) msg += "\n  missing keys: " + Module.FirstFew(missing, ", ");
            if (unexpected.Count > 0) msg += "\n  unexpected keys: " + Module.FirstFew(unexpected, ", ");
            throw new InvalidDataException(msg);
        }
        foreach (var (name, _) in stateBuffers)
        {
            if (!name.EndsWith("running_var", StringComparison.Ordinal) || !state.TryGetValue(name, out var v)) continue;
            var d = v.Data;
            for (int i = 0; i < d.Length; i++)
                if (!(d[i] >= 0) || float.IsInfinity(d[i])) throw new InvalidDataException($"{source}: {name}[{i}] is {d[i]}: a BatchNorm running variance must be finite and >= 0");
        }
        using (torch.no_grad())
        {
            foreach (var (name, p) in all)
            {
                if (!state.TryGetValue(name, out var src)) continue;
                using var t = TorchInterop.FromFloats(src.ToArray(), src.Shape, Device, false);
                p.copy_(t);
            }
        }
        return new LoadReport(missing, unexpected);
    }

    /// <summary>Copies this model's weights into an own-engine module with the same names (e.g. to evaluate or save with the own engine).</summary>
    public void CopyTo(Module own)
    {
        ArgumentNullException.ThrowIfNull(own);
        own.LoadStateDict(StateDict(), strict: true, source: $"the torch {GetType().Name}");
    }

    /// <summary>Sets every parameter's gradient to none.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in parameters)
        {
            var g = p.grad;
            if (g is not null) { p.grad = null; g.Dispose(); }
        }
    }

    /// <summary>Maps an own-engine model's optimiser groups (its tensors) onto this model's parameters by name.</summary>
    protected IReadOnlyList<(string Group, IReadOnlyList<Parameter> Parameters)> MapGroups(Module own, IReadOnlyList<(string Group, IReadOnlyList<WTensor> Parameters)> ownGroups)
    {
        var names = new Dictionary<WTensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in own.NamedParameters()) names[t] = name;
        return ownGroups.Select(g => (g.Group, (IReadOnlyList<Parameter>)g.Parameters.Select(t => names.TryGetValue(t, out var n) ? Get(n)
            : throw new InvalidOperationException($"{GetType().Name}: group '{g.Group}' holds a tensor that is not a parameter of the own model")).ToList())).ToList();
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposed) return;
        disposed = true;
        if (!disposing) return;
        foreach (var (_, p) in parameters) p.Dispose();
        foreach (var b in buffers) b.Dispose();
        foreach (var (_, b) in stateBuffers) b.Dispose();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}

using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Tensors;

/// <summary>
/// llm.c's arena: every parameter of a module becomes a view into one flat <see cref="Values"/> array, and its
/// gradient a view into one flat <see cref="Grads"/> array (same offsets). Optimisers then update with one
/// vectorised loop per parameter range and <see cref="ZeroGrad"/> is one clear. Values are copied in, so build the
/// store after initialisation or loading (loading later still works: it copies into the views).
/// </summary>
public sealed class ParameterStore
{
    /// <summary>All parameter values, in state-dict order.</summary>
    public float[] Values { get; }

    /// <summary>All gradients, same layout as <see cref="Values"/>.</summary>
    public float[] Grads { get; }

    /// <summary>Each parameter with its name and offset into the flat arrays.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor, int Offset)> Entries { get; }

    public ParameterStore(Module module) : this(module.NamedParameters()) { }

    public ParameterStore(IEnumerable<(string Name, Tensor Tensor)> parameters)
    {
        var list = parameters.ToList();
        long total = list.Sum(p => (long)p.Tensor.Size);
        if (total > Array.MaxLength) throw new ArgumentException($"ParameterStore: {total} parameters do not fit one array");
        Values = new float[total];
        Grads = new float[total];
        var entries = new List<(string, Tensor, int)>();
        int at = 0;
        foreach (var (name, t) in list)
        {
            if (entries.Any(e => ReferenceEquals(e.Item2, t))) throw new ArgumentException($"ParameterStore: parameter '{name}' is registered twice (tied weights are not supported)");
            t.Rebase(Values, at, Grads, at);
            entries.Add((name, t, at));
            at += t.Size;
        }
        Entries = entries;
    }

    /// <summary>Number of parameter elements.</summary>
    public int Count => Values.Length;

    /// <summary>Clears every gradient (one Array.Clear).</summary>
    public void ZeroGrad() => Array.Clear(Grads);

    /// <summary>Offset of <paramref name="t"/> in the flat arrays (throws when it is not in this store).</summary>
    public int OffsetOf(Tensor t)
    {
        foreach (var e in Entries) if (ReferenceEquals(e.Tensor, t)) return e.Offset;
        throw new ArgumentException($"ParameterStore: tensor {t} is not one of this store's parameters");
    }
}

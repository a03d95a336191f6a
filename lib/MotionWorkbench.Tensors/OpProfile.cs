using System.Diagnostics;

namespace MotionWorkbench.Tensors;

/// <summary>
/// Time per op while <see cref="Active"/> is set (by a benchmark, on the thread that runs the model): an op's forward is
/// the time from the previous op's end (or <see cref="Mark"/>) to its own (<c>Tensor.Record</c>), its backward the time its
/// closure ran; kernels may add finer entries (<see cref="Add"/>). Forward times therefore include the glue between ops;
/// composite ops count as their parts. The clock is wall time, or the caller's (e.g. the process's CPU time, which
/// other processes on the machine do not inflate). Off (null) by default: then the engine does not read a clock.
/// </summary>
public sealed class OpProfile(Func<double>? clockSeconds = null)
{
    [ThreadStatic] private static OpProfile? active;
    private readonly Func<double> clock = clockSeconds ?? (() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency);
    private readonly Dictionary<string, (double Seconds, long Calls)> entries = new(StringComparer.Ordinal);
    private double last;

    /// <summary>The profile ops report to on this thread, or null (the default).</summary>
    public static OpProfile? Active { get => active; set => active = value; }

    /// <summary>The profile's clock now, in seconds (for <see cref="Since"/>).</summary>
    public double Now() => clock();

    /// <summary>Starts a forward interval now (before a step's first op).</summary>
    public void Mark() => last = clock();

    /// <summary>Adds the time since <paramref name="start"/> (<see cref="Now"/>) under a name of the caller's ("adam", a kernel's part).</summary>
    public void Since(string name, double start) => Add(name, clock() - start);

    /// <summary>Adds time under a name of the caller's.</summary>
    public void Add(string name, double seconds)
    {
        entries.TryGetValue(name, out var e);
        entries[name] = (e.Seconds + seconds, e.Calls + 1);
    }

    internal void ForwardEnd(string op)
    {
        double now = clock();
        Add(op + " forward", now - last);
        last = now;
    }

    internal void Backward(string op, double start)
    {
        double now = clock();
        Add(op + " backward", now - start);
        last = now;
    }

    /// <summary>Every entry, largest first: name, total seconds, calls.</summary>
    public IReadOnlyList<(string Name, double Seconds, long Calls)> Entries() =>
        entries.Select(kv => (kv.Key, kv.Value.Seconds, kv.Value.Calls)).OrderByDescending(e => e.Seconds).ToList();

    /// <summary>Clears the entries.</summary>
    public void Reset()
    {
        entries.Clear();
        last = clock();
    }
}

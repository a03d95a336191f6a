namespace MotionWorkbench.Tensors;

/// <summary>
/// A seeded source of dropout counters. Each dropout call reserves a range of counters, so masks never repeat within
/// a run and are reproducible from the seed.
/// </summary>
public sealed class DropoutRng(ulong seed)
{
    private ulong next;

    /// <summary>The seed.</summary>
    public ulong Seed { get; } = seed;

    /// <summary>The next counter to reserve: saved with a checkpoint and set back on resume, so the masks continue where they stopped.</summary>
    public ulong Counter
    {
        get => next;
        set => next = value;
    }

    /// <summary>Reserves <paramref name="count"/> counters and returns the first.</summary>
    public ulong Reserve(long count)
    {
        // a call never straddles a 2^32 boundary: the kernels use the low 32 bits as the per-element counter
        if ((next & 0xFFFF_FFFFUL) + (ulong)count > 0xFFFF_FFFFUL) next = (next | 0xFFFF_FFFFUL) + 1;
        ulong start = next;
        next += (ulong)((count + 15) & ~15L) + 16;
        return start;
    }
}

using MotionWorkbench.Data;

namespace MotionWorkbench.Patches;

/// <summary>
/// Builds batches of patch images (or raw sequences) for training and evaluation, in parallel over samples.
/// Deterministic given a seed: sample b of a batch built with seed s crops with its own
/// <c>new Random(SampleSeed(s, b))</c>, so the result does not depend on the thread count or scheduling.
/// Epoch order: <see cref="Batches"/> shuffles with <c>new Random(seed)</c> in training and keeps the given order
/// in evaluation; batch i of an epoch uses seed <c>SampleSeed(seed, i)</c>.
/// </summary>
public sealed class PatchBatchBuilder
{
    /// <param name="maxDegreeOfParallelism">Threads that build a batch's samples: 0 = as many as .NET reports processors
    /// (the workbench passes its engine thread setting). Results do not depend on it.</param>
    public PatchBatchBuilder(MotionPatchBuilder patches, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(patches);
        if (maxDegreeOfParallelism < 0) throw new ArgumentException($"degree of parallelism must be 0 (as many as processors) or more, got {maxDegreeOfParallelism}");
        Patches = patches;
        Raw = new RawSequenceBuilder(patches.Statistics, patches.Options);
        MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Math.Max(1, Environment.ProcessorCount);
    }

    public MotionPatchBuilder Patches { get; }
    public RawSequenceBuilder Raw { get; }
    public int MaxDegreeOfParallelism { get; }

    /// <summary>A new (B, 3, T, 5N) batch of the given clips, in order.</summary>
    public PatchBatch Build(IReadOnlyList<MotionClip> clips, PatchMode mode, int seed)
    {
        ArgumentNullException.ThrowIfNull(clips);
        long n = (long)clips.Count * Patches.PatchLength;
        if (n > Array.MaxLength)
            throw new ArgumentException($"a batch of {clips.Count} patches ({n} floats) is larger than one array can hold; use smaller batches");
        return BuildInto(clips, mode, seed, new float[n]);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (at least B x 3 x T x 5N floats; reuse it across batches) and returns a
    /// batch that wraps it.
    /// </summary>
    public PatchBatch BuildInto(IReadOnlyList<MotionClip> clips, PatchMode mode, int seed, float[] destination) =>
        BuildInto(clips, mode, seed, destination, builders: null);

    /// <summary>
    /// As <see cref="BuildInto(IReadOnlyList{MotionClip}, PatchMode, int, float[])"/>, with sample b built by
    /// <paramref name="builders"/>[b] (null: <see cref="Patches"/>): a batch mixing skeletons, each clip normalised with
    /// its own dataset's statistics. Every builder must have the same patch options.
    /// </summary>
    public PatchBatch BuildInto(IReadOnlyList<MotionClip> clips, PatchMode mode, int seed, float[] destination, IReadOnlyList<MotionPatchBuilder>? builders)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(destination);
        int B = clips.Count, S = Patches.PatchLength;
        if (destination.Length < (long)B * S)
            throw new ArgumentException($"batch destination has {destination.Length} floats, expected at least {B} x {S} = {(long)B * S}");
        if (builders is not null)
        {
            if (builders.Count != B) throw new ArgumentException($"{builders.Count} patch builders for a batch of {B} clips");
            foreach (var b in builders)
                if (b.Options != Patches.Options)
                    throw new ArgumentException($"a mixed batch needs one patch layout: {b.Options} differs from {Patches.Options}");
        }
        var ids = new string[B];
        var lengths = new int[B];
        var starts = new int[B];
        ForEach(B, b =>
        {
            var random = mode == PatchMode.Train ? new Random(SampleSeed(seed, b)) : null;
            var (valid, start, _) = (builders?[b] ?? Patches).BuildInto(clips[b], mode, random, destination.AsSpan(b * S, S));
            ids[b] = clips[b].Id;
            lengths[b] = valid;
            starts[b] = start;
        });
        return new PatchBatch(destination, B, Patches.Options.MaxFrames, Patches.Options.PatchSize, ids, lengths, starts);
    }

    /// <summary>A (B, T, F) raw-sequence batch with its (B, T) mask; all clips must share one joint count.</summary>
    public RawSequenceBatch BuildRaw(IReadOnlyList<MotionClip> clips, PatchMode mode, int seed)
    {
        ArgumentNullException.ThrowIfNull(clips);
        int B = clips.Count, T = Patches.Options.MaxFrames;
        int F = B == 0 ? Patches.Statistics.JointCount * 3 : clips[0].JointCount * 3;
        for (int b = 0; b < B; b++)
            if (clips[b].JointCount * 3 != F)
                throw new ArgumentException($"{MotionPatchBuilder.Describe(clips[b])} has {clips[b].JointCount} joints but {MotionPatchBuilder.Describe(clips[0])} has {F / 3}; a raw batch needs one skeleton");
        var data = new float[(long)B * T * F];
        var mask = new float[B * T];
        var ids = new string[B];
        var lengths = new int[B];
        var starts = new int[B];
        ForEach(B, b =>
        {
            var random = mode == PatchMode.Train ? new Random(SampleSeed(seed, b)) : null;
            var (valid, start, _) = Raw.BuildInto(clips[b], mode, random, data.AsSpan(b * T * F, T * F), mask.AsSpan(b * T, T));
            ids[b] = clips[b].Id;
            lengths[b] = valid;
            starts[b] = start;
        });
        return new RawSequenceBatch(data, mask, B, T, F, ids, lengths, starts);
    }

    /// <summary>
    /// The batches of one epoch: training shuffles the clip order with <c>new Random(seed)</c>; evaluation keeps it.
    /// The last batch may be smaller unless <paramref name="dropLast"/>.
    /// </summary>
    public IEnumerable<PatchBatch> Batches(IReadOnlyList<MotionClip> clips, int batchSize, PatchMode mode, int seed, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (batchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {batchSize}");
        return Iterate();

        IEnumerable<PatchBatch> Iterate()
        {
            foreach (var (index, members) in EpochOrder(clips.Count, batchSize, mode == PatchMode.Train, seed, dropLast))
                yield return Build(members.Select(i => clips[i]).ToArray(), mode, SampleSeed(seed, index));
        }
    }

    /// <summary>Batch index and member indices of one epoch, shuffled (Fisher-Yates with <c>new Random(seed)</c>) or in order.</summary>
    public static IEnumerable<(int Batch, int[] Members)> EpochOrder(int count, int batchSize, bool shuffle, int seed, bool dropLast = false)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (shuffle) new Random(seed).Shuffle(order);
        int batches = dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;
        for (int i = 0; i < batches; i++)
            yield return (i, order[(i * batchSize)..Math.Min(count, (i + 1) * batchSize)]);
    }

    /// <summary>A per-sample seed mixed from a batch seed and an index (SplitMix64 finaliser), stable across runs and platforms.</summary>
    public static int SampleSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    private void ForEach(int count, Action<int> body)
    {
        if (MaxDegreeOfParallelism == 1 || count < 2)
        {
            for (int b = 0; b < count; b++) body(b);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, body);
    }
}

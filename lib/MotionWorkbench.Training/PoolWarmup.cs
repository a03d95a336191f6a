using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// Works around an engine defect found while writing this project: <c>BufferPool.Rent(length, clear: true)</c> returns
/// a fresh <c>GC.AllocateUninitializedArray</c> without clearing it when the pool has no buffer of that length, so
/// the first pass over a new tensor shape can accumulate gradients (and Sum outputs) into garbage memory. A pass
/// whose buffers went back to the pool makes the next pass of the same shapes correct, so the trainer and the
/// embedder run a throw-away pass the first time they see a (batch, text length) shape, and texts are padded to a
/// multiple of <see cref="TextPadding.Multiple"/> tokens so few shapes occur. Harmless once the pool is fixed.
/// </summary>
public sealed class PoolWarmup
{
    private readonly HashSet<(int, int)> seen = [];

    /// <summary>True the first time a (batch size, text length) shape is seen: the caller runs a throw-away pass first.</summary>
    public bool NeedsWarmup(int batchSize, int textLength) => seen.Add((batchSize, textLength));
}

/// <summary>Pads tokenised captions with [PAD] (attention mask 0) up to a multiple of a few tokens.</summary>
public static class TextPadding
{
    public const int Multiple = 8;

    public static EncodedBatch Pad(EncodedBatch batch, int padId, int maxLength)
    {
        int L = Math.Min(maxLength, (batch.Length + Multiple - 1) / Multiple * Multiple);
        if (L <= batch.Length) return batch;
        int B = batch.BatchSize;
        var ids = new int[B * L];
        var mask = new int[B * L];
        Array.Fill(ids, padId);
        for (int b = 0; b < B; b++)
        {
            batch.InputIds.AsSpan(b * batch.Length, batch.Length).CopyTo(ids.AsSpan(b * L));
            batch.AttentionMask.AsSpan(b * batch.Length, batch.Length).CopyTo(mask.AsSpan(b * L));
        }
        return new EncodedBatch(ids, mask, B, L);
    }
}

using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// Pads tokenised captions with [PAD] (attention mask 0) up to a multiple of a few tokens, so a run sees few distinct
/// text shapes and the engine's buffer pool can reuse its buffers from batch to batch.
/// </summary>
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

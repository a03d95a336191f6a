namespace MotionWorkbench.Text;

/// <summary>
/// A padded batch of token ids, row-major (B, L): <see cref="InputIds"/> and <see cref="AttentionMask"/> hold
/// <c>BatchSize * Length</c> entries; row b is <c>[b * Length, (b + 1) * Length)</c>. Padding is on the right with
/// [PAD] and mask 0; every real token (including [CLS] and [SEP]) has mask 1.
/// </summary>
public sealed record EncodedBatch(int[] InputIds, int[] AttentionMask, int BatchSize, int Length)
{
    /// <summary>The ids of row <paramref name="b"/>, padding included.</summary>
    public ReadOnlySpan<int> Row(int b) => InputIds.AsSpan(b * Length, Length);

    /// <summary>The number of real (unpadded) tokens in row <paramref name="b"/>.</summary>
    public int RowLength(int b)
    {
        int n = 0;
        foreach (var m in AttentionMask.AsSpan(b * Length, Length)) n += m;
        return n;
    }
}

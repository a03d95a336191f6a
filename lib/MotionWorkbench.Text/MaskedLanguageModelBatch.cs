namespace MotionWorkbench.Text;

/// <summary>
/// A masked-language-model training batch, row-major (B, L) like <see cref="EncodedBatch"/>: the corrupted
/// <see cref="InputIds"/>, the <see cref="AttentionMask"/>, and <see cref="Labels"/> holding the original id at every
/// chosen position and <see cref="MaskedLanguageModelMasker.IgnoreLabel"/> (-100) everywhere else.
/// </summary>
public sealed record MaskedLanguageModelBatch(int[] InputIds, int[] AttentionMask, int[] Labels, int BatchSize, int Length)
{
    /// <summary>How many positions carry a label (the tokens the loss is computed on).</summary>
    public int LabelCount => Labels.Count(l => l != MaskedLanguageModelMasker.IgnoreLabel);
}

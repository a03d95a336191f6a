namespace MotionWorkbench.Patches;

/// <summary>
/// A batch of motion-patch images: one contiguous (B, 3, T, 5N) float32 buffer, row-major, plus per-sample ids,
/// valid lengths (frames before the zero padding) and crop starts. The model side wraps <see cref="Data"/> in
/// its own tensor type.
/// </summary>
public sealed record PatchBatch(float[] Data, int BatchSize, int Frames, int PatchSize, string[] Ids, int[] Lengths, int[] CropStarts)
{
    public const int Channels = 3;

    public int Width => PatchOptions.PartCount * PatchSize;

    /// <summary>(B, 3, T, W).</summary>
    public int[] Shape => [BatchSize, Channels, Frames, Width];

    /// <summary>Floats per sample, 3 x T x W.</summary>
    public int SampleLength => Channels * Frames * Width;

    /// <summary>Sample b's (3, T, W) values.</summary>
    public Memory<float> Sample(int b) => Data.AsMemory(b * SampleLength, SampleLength);
}

/// <summary>A batch of raw sequences: (B, T, F) values and a (B, T) mask (1 = motion, 0 = padding), plus lengths.</summary>
public sealed record RawSequenceBatch(float[] Data, float[] Mask, int BatchSize, int Frames, int Features, string[] Ids, int[] Lengths, int[] CropStarts)
{
    /// <summary>(B, T, F).</summary>
    public int[] Shape => [BatchSize, Frames, Features];
}

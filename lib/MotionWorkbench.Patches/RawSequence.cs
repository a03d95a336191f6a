using MotionWorkbench.Data;

namespace MotionWorkbench.Patches;

/// <summary>
/// The "no patches" ablation's input: per frame the J x 3 z-scored positions flattened to F = 3 J features,
/// (T, F) row-major, zero-padded at the end to T frames, with a padding mask (1 = motion, 0 = padding).
/// </summary>
public sealed record RawSequence(string Id, float[] Data, float[] Mask, int Frames, int Features, int ValidFrames, int CropStart, int RetimedFrames)
{
    /// <summary>(T, F).</summary>
    public int[] Shape => [Frames, Features];
}

/// <summary>
/// Builds <see cref="RawSequence"/>s with the same re-timing, crop rule and z-scoring as <see cref="MotionPatchBuilder"/>
/// (no part resampling). The options are validated as for patches.
/// </summary>
public sealed class RawSequenceBuilder
{
    private readonly MotionPatchBuilder patches;

    public RawSequenceBuilder(MotionStatistics statistics, PatchOptions? options = null)
    {
        patches = new MotionPatchBuilder(statistics, options);
    }

    public PatchOptions Options => patches.Options;
    public MotionStatistics Statistics => patches.Statistics;

    public RawSequence Build(MotionClip clip, PatchMode mode = PatchMode.Eval, Random? random = null)
    {
        int T = Options.MaxFrames, F = clip.JointCount * 3;
        var data = new float[T * F];
        var mask = new float[T];
        var (valid, start, retimed) = BuildInto(clip, mode, random, data, mask);
        return new RawSequence(clip.Id, data, mask, T, F, valid, start, retimed);
    }

    /// <summary>Writes (T, F) values and the (T) mask; returns the valid frames, crop start and re-timed length.</summary>
    public (int ValidFrames, int CropStart, int RetimedFrames) BuildInto(MotionClip clip, PatchMode mode, Random? random, Span<float> destination, Span<float> mask)
    {
        ArgumentNullException.ThrowIfNull(clip);
        int T = Options.MaxFrames, F = clip.JointCount * 3;
        if (destination.Length != T * F)
            throw new ArgumentException($"raw-sequence destination has {destination.Length} floats, expected {T} x {F} = {T * F}");
        if (mask.Length != T) throw new ArgumentException($"raw-sequence mask has {mask.Length} floats, expected {T}");
        Statistics.EnsureJointCount(clip.JointCount, MotionPatchBuilder.Describe(clip));
        foreach (var (joint, _) in Statistics.ZeroStdAxes)
            Statistics.EnsurePositiveStd(joint, clip.Skeleton, "the raw-sequence representation (every joint)");
        int[]? frameMap = patches.RetimeMap(clip);
        int L = frameMap?.Length ?? clip.Frames;
        int start = patches.CropStart(L, mode, random, clip);
        int valid = Math.Min(L, T);
        ReadOnlySpan<float> mean = Statistics.Mean, std = Statistics.Std, positions = clip.Positions;
        for (int t = 0; t < valid; t++)
        {
            int source = frameMap is null ? start + t : frameMap[start + t];
            var frame = positions.Slice(source * F, F);
            var row = destination.Slice(t * F, F);
            for (int i = 0; i < F; i++) row[i] = (frame[i] - mean[i]) / std[i];
        }
        destination[(valid * F)..].Clear();
        mask[..valid].Fill(1f);
        mask[valid..].Clear();
        return (valid, start, L);
    }
}

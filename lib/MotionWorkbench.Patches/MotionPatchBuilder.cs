using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches;

/// <summary>
/// Turns motions into motion-patch images exactly as the reference (line/MotionPatches <c>datasets/dataset.py</c>):
/// <list type="number">
/// <item>re-time to <see cref="PatchOptions.TargetFps"/> with <see cref="FrameRetiming"/> (KIT 12.5 -> 20 fps; 20 fps untouched);</item>
/// <item>crop to T = MaxFrames frames if longer: a uniform random start in [0, L - T] in training (from the caller's
/// <see cref="Random"/>), the first T frames in evaluation;</item>
/// <item>z-score every joint axis: (x - Mean[j, c]) / Std[j, c], no epsilon;</item>
/// <item>resample each of the five body-part chains to N points (<see cref="PartResampler"/>, after z-scoring);</item>
/// <item>zero-pad (in normalised space) at the end up to T frames;</item>
/// <item>lay out as (3, T, 5N): channel xyz, height time, width parts x points.</item>
/// </list>
/// Cropping before z-scoring gives the same values as the reference's z-score-then-crop (both are per frame).
/// Thread-safe: one builder can serve many threads.
/// </summary>
public sealed class MotionPatchBuilder
{
    // Keyed by joint count and chains (not the Skeleton instance: loaders may create one per clip).
    private readonly Dictionary<string, ChainSample[]> plans = new(StringComparer.Ordinal);
    private readonly Lock planLock = new();
    private volatile CachedPlan? lastPlan;

    private sealed record CachedPlan(Skeleton Skeleton, ChainSample[] Plan);

    public MotionPatchBuilder(MotionStatistics statistics, PatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        Options = options ?? PatchOptions.Reference;
        Options.Validate();
        Statistics = statistics;
    }

    public PatchOptions Options { get; }
    public MotionStatistics Statistics { get; }

    /// <summary>Number of floats in one patch: 3 x T x 5N.</summary>
    public int PatchLength => MotionPatch.Channels * Options.MaxFrames * Options.Width;

    /// <summary>Builds one patch image; <paramref name="random"/> is required in <see cref="PatchMode.Train"/>.</summary>
    public MotionPatch Build(MotionClip clip, PatchMode mode = PatchMode.Eval, Random? random = null)
    {
        var data = new float[PatchLength];
        var (valid, start, retimed) = BuildInto(clip, mode, random, data);
        return new MotionPatch(clip.Id, data, Options.MaxFrames, Options.PatchSize, valid, start, retimed);
    }

    /// <summary>
    /// Writes one (3, T, 5N) patch into <paramref name="destination"/> (exactly <see cref="PatchLength"/> floats;
    /// overwritten, padding included). Returns the valid frames, the crop start and the re-timed length.
    /// </summary>
    public (int ValidFrames, int CropStart, int RetimedFrames) BuildInto(MotionClip clip, PatchMode mode, Random? random, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (destination.Length != PatchLength)
            throw new ArgumentException($"patch destination has {destination.Length} floats, expected 3 x {Options.MaxFrames} x {Options.Width} = {PatchLength}");
        Statistics.EnsureJointCount(clip.JointCount, Describe(clip));
        var plan = PlanFor(clip.Skeleton);
        int[]? frameMap = RetimeMap(clip);
        int L = frameMap?.Length ?? clip.Frames;
        int T = Options.MaxFrames, W = Options.Width, F = clip.JointCount * 3;
        int start = CropStart(L, mode, random, clip);
        int valid = Math.Min(L, T);

        ReadOnlySpan<float> mean = Statistics.Mean, std = Statistics.Std, positions = clip.Positions;
        Span<float> z = F <= 512 ? stackalloc float[F] : new float[F];
        Span<float> xs = destination[..(T * W)];
        Span<float> ys = destination.Slice(T * W, T * W);
        Span<float> zs = destination.Slice(2 * T * W, T * W);
        for (int t = 0; t < valid; t++)
        {
            int source = frameMap is null ? start + t : frameMap[start + t];
            var frame = positions.Slice(source * F, F);
            for (int i = 0; i < F; i++) z[i] = (frame[i] - mean[i]) / std[i]; // (J*3) z-scores of this frame
            int row = t * W;
            for (int w = 0; w < plan.Length; w++)
            {
                var (j0, j1, f) = plan[w];
                float g = 1f - f;
                xs[row + w] = g * z[j0 * 3] + f * z[j1 * 3];
                ys[row + w] = g * z[j0 * 3 + 1] + f * z[j1 * 3 + 1];
                zs[row + w] = g * z[j0 * 3 + 2] + f * z[j1 * 3 + 2];
            }
        }
        if (valid < T)
        {
            xs[(valid * W)..].Clear();
            ys[(valid * W)..].Clear();
            zs[(valid * W)..].Clear();
        }
        return (valid, start, L);
    }

    /// <summary>The z-scored positions of the whole (re-timed, uncropped) clip, T x J x 3.</summary>
    public float[] Normalize(MotionClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        Statistics.EnsureJointCount(clip.JointCount, Describe(clip));
        foreach (var (joint, _) in Statistics.ZeroStdAxes)
            Statistics.EnsurePositiveStd(joint, clip.Skeleton, "Normalize (every joint)");
        int[]? frameMap = RetimeMap(clip);
        int L = frameMap?.Length ?? clip.Frames, F = clip.JointCount * 3;
        var result = new float[L * F];
        for (int t = 0; t < L; t++)
        {
            int source = frameMap is null ? t : frameMap[t];
            for (int i = 0; i < F; i++)
                result[t * F + i] = (clip.Positions[source * F + i] - Statistics.Mean[i]) / Statistics.Std[i];
        }
        return result;
    }

    /// <summary>Source-frame map of the re-timing, or null when the clip is already at the target rate.</summary>
    internal int[]? RetimeMap(MotionClip clip) =>
        FrameRetiming.IsIdentity(clip.Fps, Options.TargetFps) ? null : FrameRetiming.SourceIndices(clip.Frames, clip.Fps, Options.TargetFps!.Value);

    /// <summary>Crop start for a re-timed length L: uniform in [0, L - T] in training, 0 in evaluation or when L &lt;= T.</summary>
    internal int CropStart(int L, PatchMode mode, Random? random, MotionClip clip)
    {
        int T = Options.MaxFrames;
        if (L <= T) return 0;
        if (mode == PatchMode.Eval) return 0;
        if (random is null)
            throw new ArgumentException($"{Describe(clip)}: training mode crops {L} frames to {T} at a random start and needs a Random");
        return random.Next(0, L - T + 1);
    }

    internal ChainSample[] PlanFor(Skeleton skeleton)
    {
        var last = lastPlan;
        if (last is not null && ReferenceEquals(last.Skeleton, skeleton)) return last.Plan;
        string key = skeleton.JointCount + ":" + string.Join("|", skeleton.Chains.Select(c => string.Join(",", c)));
        lock (planLock)
        {
            if (!plans.TryGetValue(key, out var plan))
            {
                plan = PartResampler.Plan(skeleton, Options.PatchSize);
                if (Statistics.ZeroStdAxes.Count > 0 && Statistics.JointCount == skeleton.JointCount)
                    for (int p = 0; p < PatchOptions.PartCount; p++)
                        foreach (int j in skeleton.Chains[p])
                            Statistics.EnsurePositiveStd(j, skeleton, $"body part {(BodyPart)p} of skeleton '{skeleton.Name}'");
                plans[key] = plan;
            }
            lastPlan = new CachedPlan(skeleton, plan);
            return plan;
        }
    }

    internal static string Describe(MotionClip clip) => clip.SourcePath is null ? $"motion '{clip.Id}'" : $"motion '{clip.Id}' ({clip.SourcePath})";
}

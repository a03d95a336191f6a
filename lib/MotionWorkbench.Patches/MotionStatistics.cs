using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches;

/// <summary>What <see cref="MotionStatistics.Compute(IEnumerable{MotionClip}, ZeroStdPolicy, string?)"/> does with a joint axis whose standard deviation is zero.</summary>
public enum ZeroStdPolicy
{
    /// <summary>
    /// Keep std = 0, as the reference's <c>Std_raw.npy</c> would. It is harmless for joints that no body-part chain
    /// uses (e.g. Bandai's static <c>joint_Root</c>); <see cref="MotionPatchBuilder"/> throws, naming the joint, axis
    /// and part, as soon as a chain joint has std 0, and <see cref="RawSequenceBuilder"/> (which uses every joint) throws
    /// for any. The default.
    /// </summary>
    Keep,

    /// <summary>Throw at once, naming the joint and axis.</summary>
    Throw,

    /// <summary>Documented guard: use std = 1 for that joint axis, so its z-score is the centred constant, 0.</summary>
    UseOne,
}

/// <summary>
/// Per-joint, per-axis dataset statistics for z-scoring motion positions (facts 1.4): Mean and population Std
/// (ddof = 0) over every frame of every motion, each J x 3, row-major (joint, axis). Saved as the reference's
/// <c>Mean_raw.npy</c> / <c>Std_raw.npy</c>. Accumulated in double precision (the reference uses numpy float32;
/// the results agree to float rounding). No epsilon: a Std of 0 is kept (see <see cref="ZeroStdAxes"/>) and refused
/// by the builders where it would be divided by.
/// </summary>
public sealed class MotionStatistics
{
    public const string MeanFileName = "Mean_raw.npy";
    public const string StdFileName = "Std_raw.npy";

    public MotionStatistics(float[] mean, float[] std, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        string where = source ?? "motion statistics";
        if (mean.Length == 0 || mean.Length % 3 != 0)
            throw new ArgumentException($"{where}: mean has {mean.Length} values, expected J x 3");
        if (std.Length != mean.Length)
            throw new ArgumentException($"{where}: mean has {mean.Length} values (J = {mean.Length / 3}) but std has {std.Length}");
        var zero = new List<(int, int)>();
        for (int i = 0; i < mean.Length; i++)
        {
            if (!float.IsFinite(mean[i]))
                throw new ArgumentException($"{where}: mean of joint {i / 3} axis {"xyz"[i % 3]} is {mean[i]}");
            if (!(std[i] >= 0) || !float.IsFinite(std[i]))
                throw new ArgumentException($"{where}: std of joint {i / 3} axis {"xyz"[i % 3]} is {std[i]}; it must be finite and not negative");
            if (std[i] == 0) zero.Add((i / 3, i % 3));
        }
        Mean = mean;
        Std = std;
        Source = source;
        ZeroStdAxes = zero;
    }

    /// <summary>J x 3, row-major.</summary>
    public float[] Mean { get; }

    /// <summary>J x 3, row-major, finite and not negative.</summary>
    public float[] Std { get; }

    public int JointCount => Mean.Length / 3;

    /// <summary>Where these came from (a folder or a description), for messages.</summary>
    public string? Source { get; }

    /// <summary>Joint axes whose Std is 0 (constant over the whole dataset).</summary>
    public IReadOnlyList<(int Joint, int Axis)> ZeroStdAxes { get; }

    /// <summary>Joint axes whose zero std was replaced by 1 under <see cref="ZeroStdPolicy.UseOne"/> (empty otherwise).</summary>
    public IReadOnlyList<(int Joint, int Axis)> GuardedAxes { get; private init; } = [];

    /// <summary>Number of frames the statistics were computed from (0 when loaded from files).</summary>
    public long FrameCount { get; private init; }

    /// <summary>Statistics over every frame of the given clips (all of them must share one joint count).</summary>
    public static MotionStatistics Compute(IEnumerable<MotionClip> clips, ZeroStdPolicy policy = ZeroStdPolicy.Keep, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(clips);
        var acc = new Accumulator();
        Skeleton? skeleton = null;
        foreach (var clip in clips)
        {
            skeleton ??= clip.Skeleton;
            acc.Add(clip.Positions, clip.JointCount, clip.SourcePath ?? $"motion '{clip.Id}'");
        }
        return acc.Finish(policy, source ?? "motion statistics", skeleton);
    }

    /// <summary>Statistics over (T x J x 3) position arrays, each with its name (for messages) and joint count.</summary>
    public static MotionStatistics Compute(IEnumerable<(string Name, float[] Positions, int JointCount)> motions,
        ZeroStdPolicy policy = ZeroStdPolicy.Keep, string? source = null, Skeleton? skeleton = null)
    {
        ArgumentNullException.ThrowIfNull(motions);
        var acc = new Accumulator();
        foreach (var (name, positions, joints) in motions) acc.Add(positions, joints, name);
        return acc.Finish(policy, source ?? "motion statistics", skeleton);
    }

    /// <summary>Checks that these statistics fit a skeleton of <paramref name="jointCount"/> joints.</summary>
    public void EnsureJointCount(int jointCount, string what)
    {
        if (jointCount != JointCount)
            throw new ArgumentException(
                $"{what} has {jointCount} joints but the statistics{(Source is null ? "" : $" from {Source}")} are for {JointCount} joints (J x 3 = {Mean.Length} values)");
    }

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> when a joint that will be divided by its Std has Std 0, naming the
    /// joint, axis and <paramref name="usedBy"/> (e.g. the body part).
    /// </summary>
    public void EnsurePositiveStd(int joint, Skeleton? skeleton, string usedBy)
    {
        for (int c = 0; c < 3; c++)
            if (Std[joint * 3 + c] == 0)
                throw new InvalidDataException(
                    $"{Source ?? "motion statistics"}: {JointName(joint, skeleton)} axis {"xyz"[c]} has zero standard deviation (constant over the dataset, " +
                    $"value {Mean[joint * 3 + c]}) but is used by {usedBy}, so z-scoring would divide by zero. Compute the statistics with " +
                    "ZeroStdPolicy.UseOne to z-score it with std = 1, or use more varied data.");
    }

    private static string JointName(int j, Skeleton? skeleton) =>
        skeleton is not null && j < skeleton.JointCount ? $"joint {j} '{skeleton.JointNames[j]}'" : $"joint {j}";

    /// <summary>
    /// Shifted-sum accumulator (shift = the first frame) in double: population variance = (S2 - S1^2 / n) / n
    /// of the shifted values, which keeps the cancellation small for positions far from the origin and gives
    /// exactly 0 for a constant axis.
    /// </summary>
    private sealed class Accumulator
    {
        private double[]? shift, sum, sumSq;
        private long frames;
        private int joints;
        private string? firstName;

        public void Add(float[] positions, int jointCount, string name)
        {
            int F = jointCount * 3;
            if (positions.Length % F != 0)
                throw new ArgumentException($"{name}: {positions.Length} values is not a whole number of frames of {jointCount} joints x 3");
            if (shift is null)
            {
                if (positions.Length == 0) return;
                joints = jointCount;
                firstName = name;
                shift = new double[F];
                for (int i = 0; i < F; i++) shift[i] = positions[i];
                sum = new double[F];
                sumSq = new double[F];
            }
            else if (jointCount != joints)
                throw new ArgumentException($"{name} has {jointCount} joints but {firstName} has {joints}; statistics need one skeleton");
            for (int t = 0, o = 0; o < positions.Length; t++, o += F)
            {
                for (int i = 0; i < F; i++)
                {
                    float v = positions[o + i];
                    if (!float.IsFinite(v))
                        throw new ArgumentException($"{name}: non-finite value {v} at frame {t}, joint {i / 3}, axis {"xyz"[i % 3]}");
                    double d = v - shift[i];
                    sum![i] += d;
                    sumSq![i] += d * d;
                }
            }
            frames += positions.Length / F;
        }

        public MotionStatistics Finish(ZeroStdPolicy policy, string source, Skeleton? skeleton)
        {
            if (shift is null || frames == 0) throw new ArgumentException($"{source}: no frames to compute statistics from");
            int F = joints * 3;
            var mean = new float[F];
            var std = new float[F];
            var guarded = new List<(int, int)>();
            var sk = skeleton is not null && skeleton.JointCount == joints ? skeleton : null;
            for (int i = 0; i < F; i++)
            {
                double m = sum![i] / frames;
                double variance = Math.Max(0.0, sumSq![i] / frames - m * m);
                mean[i] = (float)(shift[i] + m);
                std[i] = (float)Math.Sqrt(variance);
                if (std[i] > 0 || policy == ZeroStdPolicy.Keep) continue;
                if (policy == ZeroStdPolicy.Throw)
                    throw new InvalidDataException(
                        $"{source}: {JointName(i / 3, sk)} axis {"xyz"[i % 3]} has zero standard deviation over {frames} frames (constant value {mean[i]}); " +
                        "z-scoring would divide by zero. Use more varied data, or ZeroStdPolicy.UseOne to z-score that axis with std = 1.");
                std[i] = 1f;
                guarded.Add((i / 3, i % 3));
            }
            return new MotionStatistics(mean, std, source) { GuardedAxes = guarded, FrameCount = frames };
        }
    }
}

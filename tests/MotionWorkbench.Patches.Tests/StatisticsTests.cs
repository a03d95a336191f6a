using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.IO;

namespace MotionWorkbench.Patches.Tests;

public class StatisticsTests
{
    private static Skeleton Tiny { get; } = new("tiny5", ["root", "a", "b", "c", "d"], [-1, 0, 0, 0, 0],
        [[0, 1], [0, 2], [0, 1, 2], [0, 3], [0, 4]], []);

    [Fact]
    public void Compute_HandMadeDataset_MatchesPopulationStatisticsOverAllFrames()
    {
        var a = TestClips.Make(3, Tiny, id: "a");
        var b = TestClips.Make(5, Tiny, id: "b", value: (t, j, c) => 10f + t * (j + 1) - c);
        var stats = MotionStatistics.Compute([a, b]);
        Assert.Equal(5, stats.JointCount);
        Assert.Equal(8, stats.FrameCount);
        for (int j = 0; j < 5; j++)
            for (int c = 0; c < 3; c++)
            {
                var values = Enumerable.Range(0, 3).Select(t => (double)a.Positions[(t * 5 + j) * 3 + c])
                    .Concat(Enumerable.Range(0, 5).Select(t => (double)b.Positions[(t * 5 + j) * 3 + c])).ToArray();
                double mean = values.Average();
                double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()); // ddof = 0
                Assert.Equal(mean, stats.Mean[j * 3 + c], 5);
                Assert.Equal(std, stats.Std[j * 3 + c], 5);
            }
    }

    [Fact]
    public void Compute_ExactSmallCase()
    {
        // One joint: x = 1, 3 -> mean 2, std 1; y = 0, 4 -> mean 2, std 2; z = -1, -1 plus a third clip frame of 2.
        var clip1 = new MotionClip("u", Single, 20f, [1f, 0f, -1f, 3f, 4f, -1f]);
        var clip2 = new MotionClip("v", Single, 20f, [2f, 2f, 2f]);
        var stats = MotionStatistics.Compute([clip1, clip2]);
        Assert.Equal([2f, 2f, 0f], stats.Mean);
        Assert.Equal((float)Math.Sqrt(2.0 / 3), stats.Std[0], 6);
        Assert.Equal((float)Math.Sqrt(8.0 / 3), stats.Std[1], 6);
        Assert.Equal((float)Math.Sqrt(2.0), stats.Std[2], 6);
    }

    private static Skeleton Single { get; } = new("one", ["root"], [-1], [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]], []);

    [Fact]
    public void Compute_ConstantJointAxis_ThrowsNamingJointAndAxis()
    {
        var clip = TestClips.Make(4, Tiny, value: (t, j, c) => j == 3 && c == 1 ? 0.5f : t + j + c);
        var e = Assert.Throws<InvalidDataException>(() => MotionStatistics.Compute([clip], ZeroStdPolicy.Throw));
        Assert.Contains("joint 3 'c'", e.Message);
        Assert.Contains("axis y", e.Message);
        Assert.Contains("zero standard deviation", e.Message);
    }

    [Fact]
    public void Compute_UseOneGuard_ReplacesOnlyTheConstantAxis()
    {
        var clip = TestClips.Make(4, Tiny, value: (t, j, c) => j == 3 && c == 1 ? 0.5f : t + j + c);
        var stats = MotionStatistics.Compute([clip], ZeroStdPolicy.UseOne);
        Assert.Equal([(3, 1)], stats.GuardedAxes);
        Assert.Equal(1f, stats.Std[3 * 3 + 1]);
        Assert.Equal(0.5f, stats.Mean[3 * 3 + 1]);
        Assert.NotEqual(1f, stats.Std[0]);
        // The constant axis z-scores to 0.
        var z = new MotionPatchBuilder(stats, new PatchOptions(MaxFrames: 16)).Normalize(clip);
        Assert.All(Enumerable.Range(0, 4), t => Assert.Equal(0f, z[(t * 5 + 3) * 3 + 1]));
    }

    [Fact]
    public void Compute_KeepPolicy_KeepsZeroStd_BuildersRefuseOnlyWhereItIsUsed()
    {
        // Joint 3 ('c', the right arm's tip) is constant on y; joint 4 is used only by the left arm.
        var clip = TestClips.Make(4, Tiny, value: (t, j, c) => j == 3 && c == 1 ? 0.5f : t + j + c);
        var stats = MotionStatistics.Compute([clip]);
        Assert.Equal([(3, 1)], stats.ZeroStdAxes);
        Assert.Equal(0f, stats.Std[3 * 3 + 1]);
        var e = Assert.Throws<InvalidDataException>(() => new MotionPatchBuilder(stats, new PatchOptions(MaxFrames: 16)).Build(clip));
        Assert.Contains("joint 3 'c' axis y", e.Message);
        Assert.Contains("RightArm", e.Message);
        Assert.Throws<InvalidDataException>(() => new RawSequenceBuilder(stats, new PatchOptions(MaxFrames: 16)).Build(clip));
    }

    [Fact]
    public void Compute_KeepPolicy_ConstantJointOutsideEveryChain_IsHarmless()
    {
        // Like Bandai's static joint_Root: a joint no chain uses may be constant.
        var sk = new Skeleton("with-static-root", ["static", "hips", "rl", "ll", "chest", "ra", "la"], [-1, 0, 1, 1, 1, 4, 4],
            [[1, 2], [1, 3], [1, 4], [4, 5], [4, 6]], []);
        var clip = TestClips.Make(20, sk, value: (t, j, c) => j == 0 ? 0f : TestClips.Value(t, j, c));
        var stats = MotionStatistics.Compute([clip]);
        Assert.Equal(3, stats.ZeroStdAxes.Count);
        var patch = new MotionPatchBuilder(stats).Build(clip);
        Assert.All(patch.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Constructor_RejectsNegativeStdAndMismatchedLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => new MotionStatistics([0f, 0f, 0f, 0f, 0f, 0f], [1f, 1f, 1f, 1f, -1f, 1f]));
        Assert.Contains("joint 1 axis y", e.Message);
        Assert.Throws<ArgumentException>(() => new MotionStatistics([0f, 0f, 0f], [1f, 1f, 1f, 1f, 1f, 1f]));
        Assert.Throws<ArgumentException>(() => new MotionStatistics([0f, 0f, 0f], [1f, float.NaN, 1f]));
    }

    [Fact]
    public void Compute_MixedJointCounts_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => MotionStatistics.Compute([TestClips.Make(3, Tiny), TestClips.Make(3, Single, id: "other")]));
        Assert.Contains("one skeleton", e.Message);
    }

    [Fact]
    public void SaveLoad_RoundTripsUnderTheReferenceNames()
    {
        using var dir = new TempDir();
        var stats = TestClips.Varied(22);
        StatisticsFiles.Save(stats, dir.Path);
        Assert.True(File.Exists(Path.Combine(dir.Path, "Mean_raw.npy")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "Std_raw.npy")));
        Assert.Equal([22, 3], Npy.Read(Path.Combine(dir.Path, "Std_raw.npy")).Shape);
        var back = StatisticsFiles.Load(dir.Path);
        Assert.Equal(stats.Mean, back.Mean);
        Assert.Equal(stats.Std, back.Std);
    }

    [Fact]
    public void Load_NegativeStd_ThrowsNamingTheFile_ZeroStdIsKept()
    {
        using var dir = new TempDir();
        Npy.Write(Path.Combine(dir.Path, "Mean_raw.npy"), new float[6], 2, 3);
        Npy.Write(Path.Combine(dir.Path, "Std_raw.npy"), [1f, 1f, 1f, 1f, 1f, -2f], 2, 3);
        var e = Assert.Throws<InvalidDataException>(() => StatisticsFiles.Load(dir.Path));
        Assert.Contains("Std_raw.npy", e.Message);
        Assert.Contains("joint 1 axis z", e.Message);
        Npy.Write(Path.Combine(dir.Path, "Std_raw.npy"), [1f, 1f, 1f, 1f, 1f, 0f], 2, 3);
        Assert.Equal([(1, 2)], StatisticsFiles.Load(dir.Path).ZeroStdAxes);
    }

    [Fact]
    public void Load_WrongShape_Throws()
    {
        using var dir = new TempDir();
        Npy.Write(Path.Combine(dir.Path, "Mean_raw.npy"), new float[8], 2, 4);
        Npy.Write(Path.Combine(dir.Path, "Std_raw.npy"), new float[8], 2, 4);
        var e = Assert.Throws<InvalidDataException>(() => StatisticsFiles.Load(dir.Path));
        Assert.Contains("J x 3", e.Message);
    }

    [Fact]
    public void ComputeForFolder_UsesEveryFile_SkipsBadOnes_AndCaches()
    {
        using var dir = new TempDir();
        string joints = Path.Combine(dir.Path, "new_joints");
        Directory.CreateDirectory(joints);
        var a = TestClips.Make(4, Tiny, id: "000001");
        var m = TestClips.Make(6, Tiny, id: "M000001", value: (t, j, c) => -t - j * c);
        Npy.Write(Path.Combine(joints, "000001.npy"), a.Positions, 4, 5, 3);
        Npy.Write(Path.Combine(joints, "M000001.npy"), m.Positions, 6, 5, 3);
        Npy.Write(Path.Combine(joints, "flat.npy"), new float[15], 15);
        Npy.Write(Path.Combine(joints, "nan.npy"), [float.NaN, .. new float[14]], 1, 5, 3);
        File.WriteAllText(Path.Combine(joints, "broken.npy"), "not an npy file");

        var report = new LoadReport();
        var stats = StatisticsFiles.LoadOrCompute(dir.Path, report, out bool computed);
        Assert.True(computed);
        Assert.Equal(5, report.FilesIn);
        Assert.Equal(2, report.FilesOk);
        Assert.Equal(3, report.SkippedCount);
        Assert.True(report.Balanced);
        Assert.Contains(report.Skipped, s => s.Path.EndsWith("nan.npy") && s.Reason.Contains("NaN"));
        Assert.Contains(report.Skipped, s => s.Path.EndsWith("flat.npy") && s.Reason.Contains("T x J x 3"));
        var expected = MotionStatistics.Compute([a, m]);
        Assert.Equal(expected.Mean, stats.Mean);
        Assert.Equal(expected.Std, stats.Std);

        // Second call loads the cached files.
        var again = StatisticsFiles.LoadOrCompute(dir.Path, new LoadReport(), out bool computedAgain);
        Assert.False(computedAgain);
        Assert.Equal(stats.Std, again.Std);
    }
}

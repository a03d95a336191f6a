using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches.Tests;

public class PatchBuilderTests
{
    /// <summary>Reference computation in double: z-score every joint, resample each chain with the u_s formula.</summary>
    private static double Expected(MotionClip clip, MotionStatistics stats, int sourceFrame, int part, int s, int c, int N)
    {
        var chain = clip.Skeleton.Chains[part];
        int n = chain.Length;
        double u = Math.Clamp((s + 0.5) * n / N - 0.5, 0, n - 1);
        int i = (int)Math.Floor(u);
        double f = u - i;
        double Z(int joint) => ((double)clip.Positions[(sourceFrame * clip.JointCount + joint) * 3 + c] - stats.Mean[joint * 3 + c]) / stats.Std[joint * 3 + c];
        return (1 - f) * Z(chain[i]) + f * Z(chain[Math.Min(i + 1, n - 1)]);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    public void Build_ShortMotion_LayoutValuesAndPadding(int N)
    {
        var clip = TestClips.Make(50);
        var stats = TestClips.Varied(22);
        var builder = new MotionPatchBuilder(stats, new PatchOptions(PatchSize: N, MaxFrames: 7 * N * (N == 8 ? 4 : N == 16 ? 2 : 1)));
        var patch = builder.Build(clip);
        int T = builder.Options.MaxFrames, W = 5 * N;
        Assert.Equal([3, T, W], patch.Shape);
        Assert.Equal(3 * T * W, patch.Data.Length);
        Assert.Equal(50, patch.ValidFrames);
        Assert.Equal(0, patch.CropStart);
        for (int t = 0; t < T; t++)
            for (int p = 0; p < 5; p++)
                for (int s = 0; s < N; s++)
                    for (int c = 0; c < 3; c++)
                    {
                        double expected = t < 50 ? Expected(clip, stats, t, p, s, c, N) : 0.0;
                        float actual = patch[c, t, p * N + s];
                        Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"t {t} part {p} s {s} c {c}: {actual} vs {expected}");
                    }
    }

    [Fact]
    public void Build_ReferenceSize_Is3x224x80_AndTokensAreTimeMajor()
    {
        var clip = TestClips.Make(224);
        var builder = new MotionPatchBuilder(TestClips.Identity(22));
        var patch = builder.Build(clip);
        Assert.Equal([3, 224, 80], patch.Shape);
        Assert.Equal(70, builder.Options.TokenCount);
        // Token k = 5 r + p covers frames 16 r .. 16 r + 15 and columns 16 p .. 16 p + 15: its first pixel, channel y,
        // at column 16 p is the first joint of chain p at frame 16 r.
        for (int k = 0; k < 70; k++)
        {
            int r = k / 5, p = k % 5;
            int joint = Skeleton.Smpl22.Chains[p][0];
            Assert.Equal(clip.Positions[(16 * r * 22 + joint) * 3 + 1], patch[1, 16 * r, 16 * p]);
        }
    }

    [Fact]
    public void Build_Eval_LongMotion_KeepsFirstFrames()
    {
        var clip = TestClips.Make(300);
        var builder = new MotionPatchBuilder(TestClips.Identity(22));
        var patch = builder.Build(clip, PatchMode.Eval);
        Assert.Equal(224, patch.ValidFrames);
        Assert.Equal(0, patch.CropStart);
        Assert.Equal(300, patch.RetimedFrames);
        Assert.Equal(clip.Positions[(223 * 22 + 0) * 3], patch[0, 223, 0]);
    }

    [Fact]
    public void Build_Train_LongMotion_CropsAtASeededRandomStart()
    {
        var clip = TestClips.Make(300);
        var builder = new MotionPatchBuilder(TestClips.Identity(22));
        var starts = new HashSet<int>();
        for (int seed = 0; seed < 40; seed++)
        {
            var a = builder.Build(clip, PatchMode.Train, new Random(seed));
            var b = builder.Build(clip, PatchMode.Train, new Random(seed));
            Assert.Equal(a.CropStart, b.CropStart);
            Assert.Equal(a.Data, b.Data);
            Assert.InRange(a.CropStart, 0, 300 - 224);
            Assert.Equal(224, a.ValidFrames);
            // The window starts at CropStart: frame 0 of the image is source frame CropStart.
            Assert.Equal(clip.Positions[(a.CropStart * 22) * 3 + 2], a[2, 0, 0]);
            starts.Add(a.CropStart);
        }
        Assert.True(starts.Count > 10, $"only {starts.Count} distinct crop starts in 40 seeds");
    }

    [Fact]
    public void Build_Train_ShortMotion_NeedsNoRandomAndPads()
    {
        var clip = TestClips.Make(100);
        var builder = new MotionPatchBuilder(TestClips.Identity(22));
        var train = builder.Build(clip, PatchMode.Train, random: null);
        var eval = builder.Build(clip, PatchMode.Eval);
        Assert.Equal(eval.Data, train.Data);
        Assert.Equal(100, train.ValidFrames);
        Assert.All(Enumerable.Range(100, 124), t => Assert.Equal(0f, train[0, t, 5]));
    }

    [Fact]
    public void Build_Train_LongMotionWithoutRandom_Throws()
    {
        var builder = new MotionPatchBuilder(TestClips.Identity(22));
        var e = Assert.Throws<ArgumentException>(() => builder.Build(TestClips.Make(230, id: "long"), PatchMode.Train));
        Assert.Contains("long", e.Message);
    }

    [Fact]
    public void Build_KitClip_IsRetimedTo20fps()
    {
        var clip = TestClips.Make(134, Skeleton.Kit21, fps: 12.5f);
        var builder = new MotionPatchBuilder(TestClips.Identity(21));
        var patch = builder.Build(clip);
        Assert.Equal(224, patch.RetimedFrames);
        Assert.Equal(224, patch.ValidFrames);
        var map = FrameRetiming.SourceIndices(134, 12.5f, 20f);
        // Right leg chain of KIT starts at the root (joint 0): column 0 is the root of source frame map[t].
        for (int t = 0; t < 224; t++) Assert.Equal(clip.Positions[map[t] * 21 * 3], patch[0, t, 0]);

        var longer = builder.Build(TestClips.Make(135, Skeleton.Kit21, fps: 12.5f), PatchMode.Eval);
        Assert.Equal(225, longer.RetimedFrames);
        Assert.Equal(224, longer.ValidFrames);
    }

    [Fact]
    public void Build_RetimingDisabled_KeepsSourceFrames()
    {
        var clip = TestClips.Make(40, Skeleton.Kit21, fps: 12.5f);
        var builder = new MotionPatchBuilder(TestClips.Identity(21), new PatchOptions(TargetFps: null));
        Assert.Equal(40, builder.Build(clip).ValidFrames);
    }

    [Fact]
    public void Build_StatisticsOfAnotherSkeleton_Throws()
    {
        var builder = new MotionPatchBuilder(TestClips.Identity(21));
        var e = Assert.Throws<ArgumentException>(() => builder.Build(TestClips.Make(10, id: "smpl-clip")));
        Assert.Contains("smpl-clip", e.Message);
        Assert.Contains("22 joints", e.Message);
    }

    [Theory]
    [InlineData(12, 224)]
    [InlineData(16, 200)]
    [InlineData(16, 0)]
    [InlineData(8, 36)]
    public void Options_BadPatchSizeOrLength_Throw(int N, int T)
    {
        Assert.Throws<ArgumentException>(() => new MotionPatchBuilder(TestClips.Identity(22), new PatchOptions(N, T)));
    }

    [Fact]
    public void Skeleton_WithoutAMappablePart_GetsAClearError()
    {
        // Four chains: the Skeleton constructor refuses it, naming the five parts.
        var e = Assert.Throws<ArgumentException>(() => new Skeleton("four-parts", ["root", "a", "b"], [-1, 0, 1],
            [[0, 1], [0, 2], [0, 1, 2], [0, 1]], []));
        Assert.Contains("5 part chains", e.Message);
        // A part chain of a single joint cannot be laid out as a band either.
        var single = Assert.Throws<ArgumentException>(() => new Skeleton("stub-arm", ["root", "a", "b"], [-1, 0, 1],
            [[0, 1], [0, 2], [0, 1, 2], [0, 1], [2]], []));
        Assert.Contains("LeftArm", single.Message);
    }

    [Fact]
    public void AnySkeletonWithFiveChains_Works()
    {
        var sk = new Skeleton("custom", ["hips", "rl", "ll", "chest", "ra", "la", "head"], [-1, 0, 0, 0, 3, 3, 3],
            [[0, 1], [0, 2], [0, 3, 6], [3, 4], [3, 5]], [(1, 2), (4, 5)]);
        var clip = TestClips.Make(30, sk, fps: 30f);
        var stats = MotionStatistics.Compute([clip]);
        var patch = new MotionPatchBuilder(stats).Build(clip);
        Assert.Equal([3, 224, 80], patch.Shape);
        Assert.Equal(20, patch.ValidFrames); // 30 fps -> 20 fps
        Assert.All(patch.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Normalize_MatchesZScores()
    {
        var clip = TestClips.Make(5);
        var stats = TestClips.Varied(22);
        var z = new MotionPatchBuilder(stats).Normalize(clip);
        for (int i = 0; i < z.Length; i++)
            Assert.Equal((clip.Positions[i] - stats.Mean[i % 66]) / stats.Std[i % 66], z[i]);
    }
}

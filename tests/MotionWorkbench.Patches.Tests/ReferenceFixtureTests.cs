using System.Text.Json;
using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Patches.Tests;

/// <summary>
/// Patches against numpy + OpenCV 4.6 (<c>Fixtures/make_patch_fixture.py</c>: the reference's z-score, KIT re-timing and
/// <c>cv2.resize(..., INTER_LINEAR)</c> per body part), for N = 8, 16, 32 (SMPL) and N = 16 (KIT, 12.5 -> 20 fps):
/// bit-identical given the same statistics.
/// </summary>
public class ReferenceFixtureTests
{
    private static JsonElement Fixture()
    {
        string path = Path.Combine(SharedData.RepoRoot, "tests", "MotionWorkbench.Patches.Tests", "Fixtures", "patch_fixture.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static TheoryData<string, int> Cases => new() { { "smpl22", 8 }, { "smpl22", 16 }, { "smpl22", 32 }, { "kit21", 16 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Patches_MatchNumpyAndOpenCv(string name, int N)
    {
        var c = Fixture().GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var skeleton = name == "smpl22" ? Skeleton.Smpl22 : Skeleton.Kit21;
        float fps = (float)c.GetProperty("fps").GetDouble();
        var motions = c.GetProperty("motions").EnumerateArray().Select(Floats).ToArray();
        var clips = motions.Select((m, i) => new MotionClip($"{name}-{i}", skeleton, fps, m)).ToArray();
        var mean = Floats(c.GetProperty("mean"));
        var std = Floats(c.GetProperty("std"));

        // Our statistics (double accumulation) agree with numpy's float32 mean/std to float rounding.
        var ours = MotionStatistics.Compute(clips);
        for (int i = 0; i < mean.Length; i++)
        {
            Assert.True(Math.Abs(ours.Mean[i] - mean[i]) <= 2e-6 * (1 + Math.Abs(mean[i])), $"mean[{i}]: {ours.Mean[i]} vs numpy {mean[i]}");
            Assert.True(Math.Abs(ours.Std[i] - std[i]) <= 1e-5 * std[i], $"std[{i}]: {ours.Std[i]} vs numpy {std[i]}");
        }

        // With numpy's statistics the patch matches OpenCV's resize.
        var builder = new MotionPatchBuilder(new MotionStatistics(mean, std), new PatchOptions(PatchSize: N, MaxFrames: 32));
        var patch = builder.Build(clips[0]);
        int L = c.GetProperty("retimed_frames").GetInt32();
        Assert.Equal(L, patch.RetimedFrames);
        Assert.Equal(L, patch.ValidFrames);
        var expected = Floats(c.GetProperty("patches").GetProperty(N.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        int W = 5 * N;
        Assert.Equal(3 * L * W, expected.Length);
        double maxDiff = 0;
        int exact = 0;
        for (int ch = 0; ch < 3; ch++)
            for (int t = 0; t < L; t++)
                for (int w = 0; w < W; w++)
                {
                    float e = expected[(ch * L + t) * W + w], a = patch[ch, t, w];
                    maxDiff = Math.Max(maxDiff, Math.Abs(a - e));
                    if (a == e) exact++;
                    Assert.True(Math.Abs(a - e) <= 1e-6 * (1 + Math.Abs(e)), $"channel {ch}, frame {t}, column {w}: {a} vs OpenCV {e}");
                }
        // Padding rows are zeros.
        for (int t = L; t < 32; t++) Assert.Equal(0f, patch[1, t, W - 1]);
        // In fact every value is bit-identical (same float32 operations as OpenCV's INTER_LINEAR).
        Assert.True(exact == expected.Length, $"{exact} of {expected.Length} values are bit-identical (max |diff| {maxDiff})");
    }
}

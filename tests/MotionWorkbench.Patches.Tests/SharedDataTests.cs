using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Data;
using MotionWorkbench.IO;
using MotionWorkbench.Render.Images;
using MotionWorkbench.Testing;
using MotionWorkbench.Visuals;

namespace MotionWorkbench.Patches.Tests;

public class SharedDataTests
{
    private static MotionStatistics SampleStatistics()
    {
        var report = new LoadReport();
        var stats = StatisticsFiles.ComputeForFolder(SharedData.PathOf("humanml3d-samples"), report, skeleton: Skeleton.Smpl22);
        Assert.Equal(0, report.SkippedCount);
        Assert.Equal(7, report.FilesOk);
        return stats;
    }

    [SharedDataFact]
    public void HumanML3D_Sample_GivesFinitePatchesOfTheRightShape()
    {
        var stats = SampleStatistics();
        Assert.Equal(22, stats.JointCount);
        string file = SharedData.PathOf("humanml3d-samples", "new_joints", "012314.npy");
        var arr = Npy.Read(file);
        Assert.Equal([170, 22, 3], arr.Shape);
        var clip = new MotionClip("012314", Skeleton.Smpl22, 20f, arr.Data, sourcePath: file);
        foreach (int N in new[] { 8, 16, 32 })
        {
            var patch = new MotionPatchBuilder(stats, new PatchOptions(PatchSize: N)).Build(clip);
            Assert.Equal([3, 224, 5 * N], patch.Shape);
            Assert.Equal(170, patch.ValidFrames);
            Assert.All(patch.Data, v => Assert.True(float.IsFinite(v)));
            // Real motion is not flat: the z-scores spread over roughly unit scale.
            float max = patch.Data.Max(Math.Abs);
            Assert.InRange(max, 0.5f, 20f);
        }
        var png = PatchImage.ToPng(new MotionPatchBuilder(stats).Build(clip));
        var image = Png.Decode(png);
        Assert.Equal(240, image.Width);
        Assert.Equal(8 + 672, image.Height);
    }

    [SharedDataFact]
    public void HumanML3D_Samples_PooledZScoresAreStandardised()
    {
        var stats = SampleStatistics();
        var builder = new MotionPatchBuilder(stats);
        var sum = new double[66];
        var sumSq = new double[66];
        long frames = 0;
        foreach (var f in Directory.EnumerateFiles(SharedData.PathOf("humanml3d-samples", "new_joints"), "*.npy"))
        {
            var arr = Npy.Read(f);
            var z = builder.Normalize(new MotionClip(Path.GetFileNameWithoutExtension(f), Skeleton.Smpl22, 20f, arr.Data));
            for (int i = 0; i < z.Length; i++) { sum[i % 66] += z[i]; sumSq[i % 66] += (double)z[i] * z[i]; }
            frames += arr.Shape[0];
        }
        for (int i = 0; i < 66; i++)
        {
            Assert.Equal(0.0, sum[i] / frames, 3);
            Assert.Equal(1.0, sumSq[i] / frames, 3);
        }
    }
}

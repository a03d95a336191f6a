using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Render.Images;
using MotionWorkbench.Visuals;

namespace MotionWorkbench.Patches.Tests;

/// <summary>The project's synthetic dataset (the default data) goes through statistics and patches.</summary>
public class SyntheticDataTests
{
    [Theory]
    [InlineData("smpl", 22, 20f)]
    [InlineData("kit", 21, 12.5f)]
    public void SyntheticDataset_GivesFinitePatchesAndLegibleImages(string skeleton, int joints, float fps)
    {
        var (dataset, _, _) = SyntheticMotions.Generate(new SynthOptions { Skeleton = skeleton, Count = 12, Seed = 3 });
        Assert.Equal(joints, dataset.Skeleton.JointCount);
        Assert.Equal(fps, dataset.Fps);
        var stats = MotionStatistics.Compute(dataset.Clips);
        var batch = new PatchBatchBuilder(new MotionPatchBuilder(stats)).Build(dataset.Clips, PatchMode.Train, seed: 9);
        Assert.Equal([dataset.Count, 3, 224, 80], batch.Shape);
        Assert.All(batch.Data, v => Assert.True(float.IsFinite(v)));
        var first = new MotionPatchBuilder(stats).Build(dataset.Clips[0]);
        if (fps == 12.5f) Assert.Equal(FrameRetiming.RetimedLength(dataset.Clips[0].Frames, 12.5f, 20f), first.RetimedFrames);
        var image = Png.Decode(PatchImage.ToPng(first));
        Assert.Equal(240, image.Width);
    }
}

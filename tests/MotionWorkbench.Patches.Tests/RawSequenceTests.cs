namespace MotionWorkbench.Patches.Tests;

public class RawSequenceTests
{
    [Fact]
    public void Build_ZScoredFlattenedFramesPaddedWithMask()
    {
        var clip = TestClips.Make(40);
        var stats = TestClips.Varied(22);
        var raw = new RawSequenceBuilder(stats).Build(clip);
        Assert.Equal([224, 66], raw.Shape);
        Assert.Equal(40, raw.ValidFrames);
        var z = new MotionPatchBuilder(stats).Normalize(clip);
        Assert.Equal(z, raw.Data[..(40 * 66)]);
        Assert.All(raw.Data[(40 * 66)..], v => Assert.Equal(0f, v));
        Assert.All(raw.Mask[..40], v => Assert.Equal(1f, v));
        Assert.All(raw.Mask[40..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Build_TrainCropMatchesThePatchCrop()
    {
        var clip = TestClips.Make(260);
        var stats = TestClips.Identity(22);
        var raw = new RawSequenceBuilder(stats).Build(clip, PatchMode.Train, new Random(5));
        var patch = new MotionPatchBuilder(stats).Build(clip, PatchMode.Train, new Random(5));
        Assert.Equal(patch.CropStart, raw.CropStart);
        Assert.Equal(224, raw.ValidFrames);
        Assert.All(raw.Mask, v => Assert.Equal(1f, v));
        Assert.Equal(clip.Positions[(raw.CropStart * 22 + 3) * 3 + 1], raw.Data[3 * 3 + 1]);
    }
}

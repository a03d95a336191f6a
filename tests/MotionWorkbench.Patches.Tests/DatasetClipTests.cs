using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.IO;

namespace MotionWorkbench.Patches.Tests;

public class DatasetClipTests
{
    [Fact]
    public void Load_ReadsJointsCaptionsAndInfersTheSkeleton()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "new_joints"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "texts"));
        var kit = TestClips.Make(10, Skeleton.Kit21);
        Npy.Write(Path.Combine(dir.Path, "new_joints", "00001.npy"), kit.Positions, 10, 21, 3);
        File.WriteAllText(Path.Combine(dir.Path, "texts", "00001.txt"), "a person waves#a/DET person/NOUN wave/VERB#0.0#0.0\n");
        var clip = DatasetClip.Load(dir.Path, "00001");
        Assert.Same(Skeleton.Kit21, clip.Skeleton);
        Assert.Equal(12.5f, clip.Fps);
        Assert.Equal(10, clip.Frames);
        Assert.Equal("a person waves", clip.Captions[0].Text);
        Assert.Equal(kit.Positions, clip.Positions);
    }

    [Fact]
    public void Load_MissingId_NamesTheFileAndSuggestsIds()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "new_joints"));
        Npy.Write(Path.Combine(dir.Path, "new_joints", "000123.npy"), TestClips.Make(2).Positions, 2, 22, 3);
        var e = Assert.Throws<FileNotFoundException>(() => DatasetClip.Load(dir.Path, "00012"));
        Assert.Contains("00012.npy", e.Message);
        Assert.Contains("000123", e.Message);
        Assert.Throws<ArgumentException>(() => DatasetClip.Load(dir.Path, "../x"));
    }

    [Fact]
    public void Load_UnknownJointCountWithoutSkeletonJson_Throws()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "new_joints"));
        Npy.Write(Path.Combine(dir.Path, "new_joints", "a.npy"), new float[2 * 7 * 3], 2, 7, 3);
        var e = Assert.Throws<InvalidDataException>(() => DatasetClip.Load(dir.Path, "a"));
        Assert.Contains("7 joints", e.Message);
        Assert.Contains("skeleton.json", e.Message);
    }

    [Fact]
    public void Load_CoordinateFarBeyondAnyBody_IsRefusedAsTheDatasetLoaderRefusesIt()
    {
        // one motion validation for mw patches and mw data summary: 1e30 m is corrupt (or not metres) for both
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "new_joints"));
        var positions = TestClips.Make(4).Positions.ToArray();
        positions[2 * 22 * 3 + 5 * 3 + 1] = 1e30f;
        string file = Path.Combine(dir.Path, "new_joints", "000001.npy");
        Npy.Write(file, positions, 4, 22, 3);
        var e = Assert.Throws<InvalidDataException>(() => DatasetClip.Load(dir.Path, "000001"));
        Assert.StartsWith(file + ": frame 2 joint 5", e.Message);
        Assert.Contains("more than 10,000 m from the origin", e.Message);
        var loaded = MotionDataset.Load(dir.Path, new DatasetLoadOptions { RequireCaptions = false });
        Assert.Contains(loaded.Report.Skipped, s => s.Message == e.Message);
    }
}

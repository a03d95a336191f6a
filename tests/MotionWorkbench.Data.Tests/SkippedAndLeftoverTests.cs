using MotionWorkbench.Data.Import;
using MotionWorkbench.Data.Synthetic;

namespace MotionWorkbench.Data.Tests;

/// <summary>
/// Issue 28 on the data side: every skipped file or id is named with its reason, and an import where every file fails
/// leaves no folder behind.
/// </summary>
public class SkippedAndLeftoverTests
{
    [Fact]
    public void ImportBvh_EveryFileFails_LeavesNoOutputFolder()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(src);
        // one frame: the hierarchy reads (the importer creates its folders), every clip is then refused
        File.WriteAllText(Path.Combine(src, "a.bvh"), BvhFixtures.Humanoid(1));
        File.WriteAllText(Path.Combine(src, "b.bvh"), BvhFixtures.Humanoid(1));
        string output = tmp.File("out");
        var e = Assert.Throws<InvalidDataException>(() => BvhImporter.Import(src, output, new BvhImportOptions { Fps = 20 }));
        Assert.Contains("only 1 frame", e.Message);
        Assert.False(Directory.Exists(output), "the failed import left " + output);
    }

    [Fact]
    public void ImportBvh_ClipWithoutCaption_IsNamed()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "walk.bvh"), BvhFixtures.Humanoid(30));
        File.WriteAllText(Path.Combine(src, "wave.bvh"), BvhFixtures.Humanoid(30));
        File.WriteAllText(Path.Combine(src, "wave.txt"), "a person waves\n");
        string output = tmp.File("out");
        var r = BvhImporter.Import(src, output, new BvhImportOptions { Fps = 20, Mirrors = false });
        string uncaptioned = Directory.GetFiles(Path.Combine(output, "new_joints"), "*.npy").Select(Path.GetFileNameWithoutExtension)
            .Single(id => !File.Exists(Path.Combine(output, "texts", id + ".txt")))!;
        Assert.Contains(r.Report.Notes, n => n.StartsWith("1 clip(s) have no caption file", StringComparison.Ordinal) && n.EndsWith(": " + uncaptioned, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_SplitIdsWithoutAMotion_AreNamedWithWhy()
    {
        using var tmp = new TempDir();
        string data = tmp.File("data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 12, Seed = 4, Mirrors = false });
        var ids = Directory.GetFiles(Path.Combine(data, "new_joints"), "*.npy").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        File.Delete(Path.Combine(data, "new_joints", ids[0] + ".npy"));
        File.WriteAllBytes(Path.Combine(data, "new_joints", ids[1] + ".npy"), [1, 2, 3]);
        var ds = MotionDataset.Load(data);
        string all = ds.Report.Notes.Single(n => n.StartsWith("split 'all':", StringComparison.Ordinal));
        Assert.Contains($"{ids[0]} (no motion file)", all);
        Assert.Contains($"{ids[1]} (file skipped)", all);
        Assert.Contains(ds.Report.Skipped, s => s.Path.EndsWith(ids[1] + ".npy", StringComparison.Ordinal));
    }
}

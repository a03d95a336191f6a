using System.Text.Json.Nodes;
using MotionWorkbench.Data.Probes;
using MotionWorkbench.Data.Synthetic;

namespace MotionWorkbench.Data.Tests;

public class ProbeSetTests
{
    private static readonly ProbeOptions Small = new() { PairsPerAttribute = 2, Seed = 9 };

    [Fact]
    public void Write_ProbeFolder_LoadsAsADatasetWithEachPairsCaptions()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("probes");
        var set = SyntheticProbes.Write(dir, Small);
        var ds = MotionDataset.Load(dir);
        var ids = set.MotionIds();
        Assert.Equal(ids, ds.Split(ProbeFolder.Split));
        Assert.Equal(ids, ds.Split("all"));
        Assert.Equal(2 * set.Pairs.Count, ids.Count);
        foreach (var p in set.Pairs)
        {
            Assert.Equal(p.CaptionA, ds.Get(p.MotionA).Captions.Single().Text);
            Assert.Equal(p.CaptionB, ds.Get(p.MotionB).Captions.Single().Text);
        }
        var loaded = ProbeSet.Load(dir);
        Assert.Equal(set.Pairs.Select(p => p.ToJson().ToJsonString()), loaded.Pairs.Select(p => p.ToJson().ToJsonString()));
        Assert.Equal(("synthetic", "smpl", 20f, 9UL, 16, "exact"), (loaded.Source, loaded.Skeleton, loaded.Fps, loaded.Seed!.Value, loaded.WindowFrames!.Value, loaded.WindowAlignment));
        Assert.Equal(ProbeAttributes.All, loaded.Attributes);
        Assert.DoesNotContain(Directory.GetDirectories(tmp.Path), d => Path.GetFileName(d)!.StartsWith('.'));
    }

    [Fact]
    public void Write_OverAnotherProbeSet_ReplacesIt_ButRefusesOtherFolders()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("probes");
        SyntheticProbes.Write(dir, Small);
        File.WriteAllText(Path.Combine(dir, "new_joints", "stale.npy"), "x");
        SyntheticProbes.Write(dir, Small with { Attributes = [ProbeAttributes.Side] });
        Assert.False(File.Exists(Path.Combine(dir, "new_joints", "stale.npy")));
        Assert.Equal([ProbeAttributes.Side], ProbeSet.Load(dir).Attributes);

        var data = tmp.File("data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "keep.txt"), "mine");
        var e = Assert.Throws<IOException>(() => SyntheticProbes.Write(data, Small));
        Assert.Contains(data, e.Message);
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(data).Select(Path.GetFileName));
    }

    private static string WriteJson(TempDir tmp, Action<JsonObject> change)
    {
        var set = new ProbeSet("synthetic", "smpl", 20f,
        [
            new ProbePair("p1", ProbeAttributes.Side, "left/right", "a1", "b1", "a person waves the left hand.", "a person waves the right hand."),
            new ProbePair("p2", ProbeAttributes.Count, "once/twice", "a2", "b2", "a person claps once.", "a person claps twice."),
        ]);
        var node = set.ToJson();
        change(node);
        var path = tmp.File(ProbeSet.FileName);
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    [Theory]
    [InlineData("format", "\"format\" is")]
    [InlineData("version", "version 7 is not supported")]
    [InlineData("duplicate", "used by an earlier pair")]
    [InlineData("same-motion", "are the same motion")]
    [InlineData("same-caption", "a pair's captions must differ")]
    [InlineData("two-captions", "has caption")]
    [InlineData("missing", "\"captionB\" must be a non-empty string")]
    [InlineData("no-pairs", "no pairs")]
    public void Load_BadFile_NamesTheFileAndTheProblem(string problem, string expected)
    {
        using var tmp = new TempDir();
        var path = WriteJson(tmp, root =>
        {
            var pairs = root["pairs"]!.AsArray();
            var p1 = pairs[0]!.AsObject();
            var p2 = pairs[1]!.AsObject();
            switch (problem)
            {
                case "format": root["format"] = "something-else"; break;
                case "version": root["version"] = 7; break;
                case "duplicate": p2["id"] = "p1"; break;
                case "same-motion": p1["motionB"] = "a1"; break;
                case "same-caption": p1["captionB"] = p1["captionA"]!.GetValue<string>(); break;
                case "two-captions": p2["motionA"] = "a1"; break;
                case "missing": p2["captionB"] = ""; break;
                case "no-pairs": pairs.Clear(); break;
            }
        });
        var e = Assert.Throws<InvalidDataException>(() => ProbeSet.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_NoProbeFile_SaysHowToMakeOne()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => ProbeSet.Load(tmp.Path));
        Assert.Contains("mw data probes", e.Message);
        File.WriteAllText(tmp.File(ProbeSet.FileName), "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => ProbeSet.Load(tmp.Path)).Message);
    }
}

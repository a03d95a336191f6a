using MotionWorkbench.IO;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Import;
using MotionWorkbench.Data.Probes;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Data.Tests;

public class BandaiProbeTests
{
    /// <summary>A folder laid out as the Bandai import writes it: clips, captions from the labels, mirrors, splits, actions.json, styles.json.</summary>
    private static string FakeImport(TempDir tmp, IEnumerable<(string Content, string Style, int Take, string Split)> clips)
    {
        var dir = tmp.File("bandai");
        Directory.CreateDirectory(Path.Combine(dir, "new_joints"));
        Directory.CreateDirectory(Path.Combine(dir, "texts"));
        var sk = Skeleton.Smpl22;
        var splits = new Dictionary<string, List<string>>();
        var contents = new List<ActionSegment>();
        var styles = new List<ActionSegment>();
        var rng = new Random(3);
        foreach (var (content, style, take, split) in clips)
        {
            string id = $"dataset-2_{content}_{style}_{take:D3}";
            var pos = Enumerable.Range(0, 30 * 22 * 3).Select(_ => (float)rng.NextDouble()).ToArray();
            var caps = BandaiLabels.Captions(content, style).Select(c => new Caption(c)).ToArray();
            var clip = new MotionClip(id, sk, 20f, pos, caps);
            foreach (var c in new[] { clip, Mirroring.Mirror(clip) })
            {
                Npy.Write(Path.Combine(dir, "new_joints", c.Id + ".npy"), c.Positions, c.Frames, 22, 3);
                HumanMLText.Write(Path.Combine(dir, "texts", c.Id + ".txt"), c.Captions);
                (splits.TryGetValue(split, out var l) ? l : splits[split] = []).Add(c.Id);
                string label = BandaiLabels.ClassOf(content);
                contents.Add(new ActionSegment(c.Id, 0, 0, [c.Id.StartsWith('M') ? Mirroring.MirrorText(label) : label]));
                styles.Add(new ActionSegment(c.Id, 0, 0, [style]));
            }
        }
        foreach (var (name, ids) in splits) File.WriteAllText(Path.Combine(dir, name + ".txt"), string.Join("\n", ids) + "\n");
        SkeletonJson.Save(Path.Combine(dir, SkeletonJson.FileName), sk, 20f);
        new ActionLabelSet(contents.SelectMany(s => s.Labels).Distinct().Order().ToArray(), contents).Save(Path.Combine(dir, ActionLabelSet.FileName));
        new ActionLabelSet(styles.SelectMany(s => s.Labels).Distinct().Order().ToArray(), styles).Save(Path.Combine(dir, BandaiProbes.StylesFileName));
        return dir;
    }

    [Fact]
    public void Build_PairsSameStyleLeftAndRightClips_AndMirrorsOfSidedClips_FromTheSplitOnly()
    {
        using var tmp = new TempDir();
        var dir = FakeImport(tmp,
        [
            ("wave-left-hand", "elderly", 1, "test"), ("wave-left-hand", "elderly", 2, "test"), ("wave-right-hand", "elderly", 1, "test"),
            ("wave-right-hand", "normal", 1, "test"), ("raise-up-left-hand", "normal", 1, "train"), ("raise-up-right-hand", "normal", 1, "train"),
            ("walk-turn-left", "active", 1, "test"), ("walk-turn-right", "active", 4, "test"), ("run", "active", 1, "test"),
        ]);
        var (set, clips) = BandaiProbes.Build(dir);
        var side = set.Pairs.Where(p => p.Attribute == ProbeAttributes.Side).ToList();
        var direction = set.Pairs.Where(p => p.Attribute == ProbeAttributes.Direction).ToList();
        var mirror = set.Pairs.Where(p => p.Attribute == ProbeAttributes.Mirror).ToList();
        // one elderly wave pair (the second left clip has no right partner; normal has no left clip; raise is not in the test split)
        var wave = Assert.Single(side);
        Assert.Equal(("dataset-2_wave-left-hand_elderly_001", "dataset-2_wave-right-hand_elderly_001"), (wave.MotionA, wave.MotionB));
        Assert.Equal("an elderly person waves the left hand.", wave.CaptionA);
        Assert.Equal("an elderly person waves the right hand.", wave.CaptionB);
        var turn = Assert.Single(direction);
        Assert.Equal(("dataset-2_walk-turn-left_active_001", "dataset-2_walk-turn-right_active_004"), (turn.MotionA, turn.MotionB));
        // every test clip whose caption names a side, with its mirror; the run clip's caption has none
        Assert.Equal(6, mirror.Count);
        Assert.All(mirror, p => Assert.Equal("M" + p.MotionA, p.MotionB));
        Assert.DoesNotContain(mirror, p => p.MotionA.Contains("_run_"));
        // the captions of every pair, cross-clip ones included, differ in left and right only
        Assert.All(set.Pairs, p => Assert.Equal(Mirroring.MirrorText(p.CaptionA), p.CaptionB));
        Assert.Equal(("bandai", Path.GetFullPath(dir)), (set.Source, set.SourceData));
        Assert.Equal(set.MotionIds().Order(), clips.Keys.Order());
    }

    [Fact]
    public void Build_NoLabels_OrNoPair_IsOneErrorNamingTheFolder()
    {
        using var tmp = new TempDir();
        var dir = FakeImport(tmp, [("run", "active", 1, "test"), ("walk", "active", 1, "test")]);
        var none = Assert.Throws<InvalidDataException>(() => BandaiProbes.Build(dir));
        Assert.Contains(dir, none.Message);
        Assert.Contains("no left/right pair", none.Message);
        File.Delete(Path.Combine(dir, BandaiProbes.StylesFileName));
        var missing = Assert.Throws<FileNotFoundException>(() => BandaiProbes.Build(dir));
        Assert.Contains("styles.json", missing.Message);
        using var other = new TempDir();
        var noTest = FakeImport(other, [("wave-left-hand", "normal", 1, "train")]);
        Assert.Contains("no split 'test'", Assert.Throws<ArgumentException>(() => BandaiProbes.Build(noTest, split: "test")).Message);
    }

    [SharedDataFact]
    public void Build_RealBandaiDataset1_GivesWalkLeftRightAndMirrorPairs()
    {
        using var tmp = new TempDir();
        string archive = SharedData.PathOf("bandai", "Bandai-Namco-Research-Motiondataset-1.tar.xz");
        BvhImporter.Import(archive, tmp.File("d1"), new BvhImportOptions { CacheDir = tmp.File("cache") });
        var set = BandaiProbes.Write(tmp.File("d1"), tmp.File("probes"));
        Assert.Contains(set.Pairs, p => p.Attribute == ProbeAttributes.Direction && p.Contrast == "walk to the left/right");
        Assert.Contains(set.Pairs, p => p.Attribute == ProbeAttributes.Mirror);
        Assert.All(set.Pairs, p => Assert.Equal(Mirroring.MirrorText(p.CaptionA), p.CaptionB));
        var test = File.ReadAllLines(tmp.File("d1", "test.txt")).ToHashSet();
        Assert.All(set.MotionIds(), id => Assert.Contains(id, test));
        var probes = MotionDataset.Load(tmp.File("probes"));
        Assert.Equal("bandai22", probes.Skeleton.Name);
        Assert.Equal(set.MotionIds(), probes.Split(ProbeFolder.Split));
    }
}

using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.IO;

namespace MotionWorkbench.Data.Tests;

public class TextAndInterHumanTests
{
    [Fact]
    public void Caption_lines_parse_segments_nan_and_reject_empty_captions()
    {
        var caps = HumanMLText.Parse(["a man waves.#a/DET man/NOUN#0.0#0.0", "", "then he jumps#x#1.5#3.25", "he sits#x#nan#nan", "only text"], "t.txt");
        Assert.Equal(4, caps.Count);
        Assert.True(caps[0].IsWholeMotion);
        Assert.Equal((1.5f, 3.25f), (caps[1].Start, caps[1].End));
        Assert.True(caps[2].IsWholeMotion);
        Assert.Equal("only text", caps[3].Text);
        var e = Assert.Throws<InvalidDataException>(() => HumanMLText.Parse(["ok#x#0#0", "  #x#0#0"], "c.txt"));
        Assert.Contains("c.txt:2: empty caption", e.Message);
        var t = Assert.Throws<InvalidDataException>(() => HumanMLText.Parse(["ok#x#abc#0"], "d.txt"));
        Assert.Contains("d.txt:1: start time 'abc'", t.Message);
        var back = HumanMLText.Parse(HumanMLText.Format(caps).Split('\n'), "round");
        Assert.Equal(caps, back);
    }

    [Fact]
    public void Missing_caption_file_is_named()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => HumanMLText.Read(tmp.File("texts", "0001.txt")));
        Assert.Contains("0001.txt: caption file not found", e.Message);
    }

    [Fact]
    public void Synthetic_interactions_round_trip_through_the_InterHuman_layout()
    {
        using var tmp = new TempDir();
        var (set, report) = SyntheticInteractions.Write(tmp.Path, new InteractionOptions { Count = 30, Seed = 4 });
        Assert.True(report.Balanced);
        Assert.True(set.Types.Count >= 8, $"only {set.Types.Count} interaction types");
        File.WriteAllText(tmp.File("ignore_list.txt"), "00003\n");
        var back = InterHumanDataset.Load(tmp.Path);
        Assert.Equal(29, back.Clips.Count);
        Assert.Equal(30, back.Report.FilesIn);
        Assert.Contains(back.Report.Skipped, s => s.Reason.Contains("ignore_list"));
        var a = set.Get("00005");
        var b = back.Get("00005");
        Assert.Equal(30f, b.Fps);
        for (int i = 0; i < a.Person1.Positions.Length; i++) Assert.Equal(a.Person1.Positions[i], b.Person1.Positions[i], 5);
        Assert.Equal(a.Captions, b.Captions);
        Assert.Equal(a.Labels, b.Labels);
        Assert.DoesNotContain("00003", back.Split("all"));
        foreach (var c in set.Clips)
        {
            float min = c.Person1.Positions.Concat(c.Person2.Positions).Where((_, i) => i % 3 == 1).Min();
            Assert.Equal(0f, min, 4);
            Assert.Equal(3, c.Captions.Count);
        }
        // Two people stand apart at the start (never inside each other).
        foreach (var c in set.Clips)
        {
            float dx = c.Person1.Positions[0] - c.Person2.Positions[0], dz = c.Person1.Positions[2] - c.Person2.Positions[2];
            Assert.True(MathF.Sqrt(dx * dx + dz * dz) > 0.35f, $"{c.Id} ({c.Labels[0]}) starts with the two roots {MathF.Sqrt(dx * dx + dz * dz):F2} m apart");
        }
    }

    [Fact]
    public void Reads_real_InterHuman_rows_keeping_22_joints_and_mapping_z_up()
    {
        using var tmp = new TempDir();
        int T = 4, C = 492;
        var row = new float[T * C];
        for (int t = 0; t < T; t++) for (int k = 0; k < C; k++) row[t * C + k] = k < 66 ? (k % 3 == 2 ? 1f + t : k % 3 == 1 ? 2f : 3f) : 99f;
        Npy.Write(tmp.File("motions_processed", "person1", "7.npy"), row, T, C);
        Npy.Write(tmp.File("motions_processed", "person2", "7.npy"), row, T, C);
        Npy.Write(tmp.File("motions_processed", "person1", "8.npy"), row, T, C);
        Npy.Write(tmp.File("motions_processed", "person2", "8.npy"), new float[3 * 60], 3, 60);
        Directory.CreateDirectory(tmp.File("annots"));
        File.WriteAllText(tmp.File("annots", "7.txt"), "two people shake hands.\n\nthey greet.\n");
        File.WriteAllText(tmp.File("annots", "8.txt"), "x\n");
        var ds = InterHumanDataset.Load(tmp.Path);
        var c = ds.Get("7");
        Assert.Equal(2, c.Captions.Count);
        Assert.Equal(22, c.Person1.JointCount);
        // (x, y, z) = (3, 2, 1 + t) in Z-up -> (3, 1 + t, -2) in Y-up.
        Assert.Equal([3f, 2f, -2f], c.Person1.Frame(1)[..3].ToArray());
        Assert.Equal(1, ds.Report.SkippedCount);
        Assert.Contains("66", ds.Report.Skipped[0].Reason);
        Assert.True(ds.Report.Balanced);
    }
}

using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.IO;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Data.Tests;

public class DatasetTests
{
    private static float[] Walk(int frames, int joints)
    {
        var d = new float[frames * joints * 3];
        for (int t = 0; t < frames; t++)
            for (int j = 0; j < joints; j++)
            {
                int o = (t * joints + j) * 3;
                d[o] = 0.1f * j;
                d[o + 1] = 1f + 0.01f * j;
                d[o + 2] = 0.05f * t;
            }
        return d;
    }

    private static void WriteClip(string root, string id, int frames, int joints, string? text)
    {
        Npy.Write(Path.Combine(root, "new_joints", id + ".npy"), Walk(frames, joints), frames, joints, 3);
        if (text is not null) { Directory.CreateDirectory(Path.Combine(root, "texts")); File.WriteAllText(Path.Combine(root, "texts", id + ".txt"), text); }
    }

    [Fact]
    public void Loads_a_HumanML3D_folder_with_splits_segments_and_reports_bad_files()
    {
        using var tmp = new TempDir();
        WriteClip(tmp.Path, "000001", 40, 22, "a person walks forward.#a/DET person/NOUN#0.0#0.0\nthen turns left#x#1.0#1.5\n");
        WriteClip(tmp.Path, "M000001", 40, 22, "a person walks forward.#a/DET person/NOUN#0.0#0.0\n");
        WriteClip(tmp.Path, "000002", 30, 22, null); // missing text
        WriteClip(tmp.Path, "000003", 30, 22, "#empty/X#0.0#0.0\n"); // empty caption
        Npy.Write(tmp.File("new_joints", "000004.npy"), new float[30 * 21 * 3], 30, 21, 3); // wrong shape
        var nan = Walk(10, 22); nan[5 * 66 + 4] = float.NaN;
        Npy.Write(tmp.File("new_joints", "000005.npy"), nan, 10, 22, 3);
        File.WriteAllText(tmp.File("texts", "000005.txt"), "x#x#0#0\n");
        var far = Walk(10, 22); far[3 * 66 + 7] = 1e30f;
        Npy.Write(tmp.File("new_joints", "000006.npy"), far, 10, 22, 3);
        File.WriteAllText(tmp.File("texts", "000006.txt"), "x#x#0#0\n");
        File.WriteAllText(tmp.File("train.txt"), "000001\nM000001\n");
        File.WriteAllText(tmp.File("test.txt"), "000002\n");

        var ds = MotionDataset.Load(tmp.Path);
        Assert.Same(Skeleton.Smpl22, ds.Skeleton);
        Assert.Equal(20f, ds.Fps);
        Assert.Equal(["M000001", "000001"], ds.Clips.Select(c => c.Id).Order().Reverse().ToArray());
        Assert.Equal(7, ds.Report.FilesIn);
        Assert.Equal(2, ds.Report.FilesOk);
        Assert.Equal(5, ds.Report.SkippedCount);
        Assert.True(ds.Report.Balanced);
        var reasons = ds.Report.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Contains("no caption file", reasons["000002.npy"]);
        Assert.Contains("000003.txt:1: empty caption", reasons["000003.npy"]);
        Assert.Contains("expected shape (T, 22, 3)", reasons["000004.npy"]);
        Assert.Contains("got (30, 21, 3)", reasons["000004.npy"]);
        Assert.Contains("frame 5", reasons["000005.npy"]);
        Assert.Contains("frame 3 joint 2", reasons["000006.npy"]);
        Assert.Contains("not metres", reasons["000006.npy"]);

        var c = ds.Get("000001");
        Assert.Equal(40, c.Frames);
        Assert.Equal(2, c.Captions.Count);
        Assert.True(c.Captions[0].IsWholeMotion);
        Assert.Equal((1.0f, 1.5f), (c.Captions[1].Start, c.Captions[1].End));
        Assert.Equal(["000001", "M000001"], ds.Split("train"));
        Assert.Empty(ds.Split("test"));
        Assert.Contains("train", ds.SplitNames);
        var e = Assert.Throws<KeyNotFoundException>(() => ds.Split("validation"));
        Assert.Contains("train", e.Message);
        var g = Assert.Throws<KeyNotFoundException>(() => ds.Get("00001"));
        Assert.Contains("2 ids exist", g.Message);
        Assert.Contains("000001", g.Message);

        var only = MotionDataset.Load(tmp.Path, new DatasetLoadOptions { Split = "train", IncludeMirrors = false });
        Assert.Equal(["000001"], only.Clips.Select(x => x.Id));
        var strict = Assert.Throws<FileNotFoundException>(() => MotionDataset.Load(tmp.Path, new DatasetLoadOptions { Strict = true }));
        Assert.Contains("000002.txt", strict.Message);
    }

    [Fact]
    public void Kit_folders_default_to_12_5_fps_and_skeleton_json_wins()
    {
        using var tmp = new TempDir();
        WriteClip(tmp.Path, "00001", 25, 21, "a person waves#x#0#0\n");
        var ds = MotionDataset.Load(tmp.Path);
        Assert.Same(Skeleton.Kit21, ds.Skeleton);
        Assert.Equal(12.5f, ds.Fps);
        Assert.Equal(2f, ds.Clips[0].DurationSeconds);

        SkeletonJson.Save(tmp.File("skeleton.json"), Skeleton.Kit21, 30f);
        var ds2 = MotionDataset.Load(tmp.Path);
        Assert.Equal(30f, ds2.Fps);
        Assert.Equal("kit21", ds2.Skeleton.Name);
        Assert.Equal(Skeleton.Kit21.Chains, ds2.Skeleton.Chains);
    }

    [Fact]
    public void Summary_renders_as_text_and_html()
    {
        using var tmp = new TempDir();
        WriteClip(tmp.Path, "a", 40, 22, "a person <jumps> twice#x#0#0\nhops#x#0#0\n");
        WriteClip(tmp.Path, "b", 20, 22, "a person walks#x#0#0\n");
        var s = MotionDataset.Load(tmp.Path, new DatasetLoadOptions { Name = "<ds>" }).Summarize();
        Assert.Equal(2, s.ClipCount);
        Assert.Equal(60, s.TotalFrames);
        Assert.Equal(3, s.CaptionCount);
        Assert.Equal(3.0, s.TotalSeconds, 5);
        Assert.Contains(s.Rows, r => r.Metric == "frames min / median / max" && r.Value == "20 / 40 / 40");
        string text = s.ToText();
        Assert.Contains("| captions", text);
        string html = s.ToHtml();
        Assert.StartsWith("<table", html);
        Assert.Contains("&lt;ds&gt;", html);
        Assert.DoesNotContain("<ds>", html);
    }

    [SharedDataFact]
    public void Loads_the_genuine_HumanML3D_samples_without_requiring_captions()
    {
        string dir = SharedData.PathOf("humanml3d-samples");
        var ds = MotionDataset.Load(dir, new DatasetLoadOptions { RequireCaptions = false });
        Assert.Equal(7, ds.Count);
        Assert.Same(Skeleton.Smpl22, ds.Skeleton);
        Assert.Equal(4, ds.Get("000000").Captions.Count);
        Assert.Contains("left leg", ds.Get("000000").Captions[0].Text);
        Assert.Equal(23384, MotionDataset.ReadSplits(dir)["train"].Count);
        Assert.Contains("M010655", ds.Split("all"));
        // With captions required, the 6 motions without a text file are reported: 7 in = 1 + 6.
        var strict = MotionDataset.Load(dir);
        Assert.Equal(1, strict.Count);
        Assert.Equal(6, strict.Report.SkippedCount);
        Assert.True(strict.Report.Balanced);
    }

    [SharedDataFact]
    public void Reads_TMR_kitml_annotations()
    {
        var ann = TmrAnnotations.Load(SharedData.PathOf("kitml-annotations", "annotations.json"));
        Assert.Equal(5766, ann.Count);
        Assert.InRange(ann.Values.Sum(a => a.Captions.Count), 6082, 6082 * 2);
        var e = ann["00004"];
        Assert.Equal(2, e.Captions.Count);
        Assert.True(e.Captions[0].IsWholeMotion);
        Assert.Equal("A person walks forward at medium speed.", e.Captions[0].Text);
        Assert.Equal(5.66f, e.Duration, 3);
        Assert.Contains(ann.Values, a => a.IsMirror);
    }
}

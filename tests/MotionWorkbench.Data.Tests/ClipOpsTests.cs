using MotionWorkbench.Data.Synthetic;

namespace MotionWorkbench.Data.Tests;

public class ClipOpsTests
{
    [Fact]
    public void Crop_cuts_int_start_times_fps_like_Motion_Patches()
    {
        var clip = SyntheticMotions.GenerateClip(new SynthOptions { Skeleton = "kit", Seed = 1 }, 0).Clip;
        var seg = ClipOps.Crop(clip, 0.5f, 1.7f, "A_x", [new Caption("part")]);
        Assert.Equal((int)(1.7f * 12.5f) - (int)(0.5f * 12.5f), seg.Frames);
        Assert.Equal(clip.Frame((int)(0.5f * 12.5f)).ToArray(), seg.Frame(0).ToArray());
        Assert.Same(clip, ClipOps.Crop(clip, 0, 0));
        Assert.Throws<ArgumentException>(() => ClipOps.Crop(clip, 50, 60));
        Assert.Equal(clip.Frames * 3, ClipOps.Trajectory(clip, 3).Length);
    }

    [Fact]
    public void Default_data_is_written_once_and_reloaded()
    {
        using var tmp = new TempDir();
        var o = new SynthOptions { Count = 6, Seed = 9 };
        var a = DefaultData.LoadOrCreate(tmp.Path, o);
        var stamp = File.GetLastWriteTimeUtc(tmp.File("new_joints", "000000.npy"));
        var b = DefaultData.LoadOrCreate(tmp.Path, o);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(tmp.File("new_joints", "000000.npy")));
        Assert.Equal(12, b.Count);
        Assert.Equal(a.Get("M000003").Positions, b.Get("M000003").Positions);
        var c = DefaultData.LoadOrCreate(tmp.Path, o with { Count = 3 });
        Assert.Equal(6, c.Count);
        Assert.False(File.Exists(tmp.File("new_joints", "000005.npy")));
    }

    [Fact]
    public void Babel_json_becomes_an_action_label_set_with_windows()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("babel.json"), """
            {"1": {"feat_p": "CMU/CMU/01/01_01_poses.npz", "dur": 12.0,
                   "seq_ann": {"labels": [{"act_cat": ["walk"]}]},
                   "frame_ann": {"labels": [{"start_t": 0, "end_t": 7.5, "act_cat": ["walk", "turn"]}, {"start_t": 7.5, "end_t": 12, "act_cat": ["stand"]}]}},
             "2": {"feat_p": "x/02_poses.npz", "dur": 3.0, "seq_ann": {"labels": [{"act_cat": ["jump"]}]}, "frame_ann": null}}
            """);
        var set = ActionLabelSet.Load(tmp.File("babel.json"));
        Assert.Equal(["jump", "stand", "turn", "walk"], set.Classes);
        Assert.Equal(3, set.Segments.Count);
        Assert.Equal("01_01_poses", set.Segments[0].ClipId);
        var samples = set.Samples(5f);
        // 0-7.5 s: windows 0-5 and 5-7.5 (half a window kept) x 2 labels; 7.5-12: 7.5-12 (4.5 s) ; 0-3: one 3 s window.
        Assert.Equal(4 + 1 + 1, samples.Count);
        Assert.Contains(samples, s => s.Label == "turn" && s.Start == 5f && s.End == 7.5f);
        Assert.Equal(set.ClassIndex["jump"], samples.Single(s => s.ClipId == "02_poses").ClassIndex);
        set.Save(tmp.File("actions.json"));
        var back = ActionLabelSet.Load(tmp.File("actions.json"));
        Assert.Equal(set.Classes, back.Classes);
        Assert.Equal(set.Segments.Count, back.Segments.Count);
        File.WriteAllText(tmp.File("bad.json"), """{"classes": ["a"], "segments": [{"id": "x", "labels": []}]}""");
        Assert.Contains("bad.json: segment 0 ('x') has an empty label list", Assert.Throws<InvalidDataException>(() => ActionLabelSet.Load(tmp.File("bad.json"))).Message);
    }
}

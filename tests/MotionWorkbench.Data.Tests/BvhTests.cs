using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Import;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Data.Tests;

public class BvhTests
{
    private const string TwoJoints = """
        HIERARCHY
        ROOT Hips
        {
          OFFSET 0 0 0
          CHANNELS 6 Xposition Yposition Zposition Yrotation Xrotation Zrotation
          JOINT Chest
          {
            OFFSET 0 10 0
            CHANNELS 3 {ORDER}
            JOINT Head
            {
              OFFSET 0 1 0
              CHANNELS 3 Zrotation Xrotation Yrotation
              End Site
              {
                OFFSET 0 2 0
              }
            }
          }
        }
        MOTION
        Frames: 2
        Frame Time: 0.05
        1 2 3 0 0 0 0 0 0 0 0 0
        0 0 0 0 0 0 {ANGLES} 0 0 0
        """;

    private static BvhFile Parse(string order, string angles) =>
        Bvh.Parse(TwoJoints.Replace("{ORDER}", order).Replace("{ANGLES}", angles), "two.bvh");

    [Fact]
    public void Parses_hierarchy_end_sites_channels_and_motion()
    {
        var b = Parse("Zrotation Xrotation Yrotation", "0 0 0");
        Assert.Equal(["Hips", "Chest", "Head", "Head_end"], b.Joints.Select(j => j.Name));
        Assert.True(b.Joints[3].IsEndSite);
        Assert.Equal(2, b.Frames);
        Assert.Equal(20f, b.Fps, 3);
        Assert.Equal(12, b.ChannelCount);
        Assert.Equal([0, 1, 2], b.JointIndices());
        Assert.Equal(6, b.Joints[1].ChannelStart);
    }

    [Fact]
    public void Forward_kinematics_follows_the_channel_order()
    {
        // Frame 0: root translated to (1, 2, 3), no rotation.
        var b = Parse("Zrotation Xrotation Yrotation", "90 90 0");
        var p = b.WorldPositions(b.JointIndices(includeEndSites: true));
        Assert.Equal([1f, 2f, 3f, 1f, 12f, 3f, 1f, 13f, 3f, 1f, 15f, 3f], p[..12]);
        // Frame 1: Chest R = Rz(90) Rx(90): the head offset (0,1,0) -> (0,0,1).
        var f1 = p.AsSpan(12, 12).ToArray();
        Assert.Equal(0f, f1[3], 5); Assert.Equal(10f, f1[4], 5);
        Assert.Equal(0f, f1[6], 5); Assert.Equal(10f, f1[7], 5); Assert.Equal(1f, f1[8], 5);
        // Same angles listed the other way round: R = Rx(90) Rz(90): (0,1,0) -> (-1,0,0).
        var q = Parse("Xrotation Zrotation Yrotation", "90 90 0").WorldPositions([0, 1, 2]);
        Assert.Equal(-1f, q[9 + 6], 5); Assert.Equal(10f, q[9 + 7], 5); Assert.Equal(0f, q[9 + 8], 5);
    }

    [Fact]
    public void Unknown_channel_names_the_file_line_and_joint()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("Zrotation Wrotation Yrotation", "0 0 0"));
        Assert.Contains("two.bvh:9:", e.Message);
        Assert.Contains("joint 'Chest'", e.Message);
        Assert.Contains("unknown channel 'Wrotation'", e.Message);
    }

    [Fact]
    public void Truncated_motion_names_the_frame_and_line()
    {
        string text = TwoJoints.Replace("{ORDER}", "Zrotation Xrotation Yrotation").Replace("{ANGLES}", "0 0 0");
        var missingRow = Assert.Throws<InvalidDataException>(() => Bvh.Parse(text.Replace("Frames: 2", "Frames: 3"), "t.bvh"));
        Assert.Contains("t.bvh: truncated motion: header says 3 frames, found 2", missingRow.Message);
        var shortRow = Assert.Throws<InvalidDataException>(() => Bvh.Parse(text[..^8], "s.bvh"));
        Assert.Contains("s.bvh:25: frame 1 has 8 values", shortRow.Message);
        Assert.Contains("expected 12", shortRow.Message);
        var notNumber = Assert.Throws<InvalidDataException>(() => Bvh.Parse(text.Replace("1 2 3 0", "1 2 x3 0"), "n.bvh"));
        Assert.Contains("n.bvh:24: 'x3' is not a number", notNumber.Message);
        var noMotion = Assert.Throws<InvalidDataException>(() => Bvh.Parse(text[..text.IndexOf("MOTION", StringComparison.Ordinal)], "h.bvh"));
        Assert.Contains("h.bvh", noMotion.Message);
        Assert.Contains("expected MOTION", noMotion.Message);
    }

    [Fact]
    public void Resample_and_scale_guess()
    {
        var pos = Enumerable.Range(0, 31).SelectMany(t => new float[] { t, 0, 0 }).ToArray(); // 31 frames of one joint at 30 fps
        var r = BvhImporter.Resample(pos, 31, 1, 30, 20);
        Assert.Equal(21, r.Length / 3);
        Assert.Equal(1.5f, r[3], 5);
        Assert.Equal(30f, r[60], 4);
        Assert.Equal(0.01f, BvhImporter.GuessScale([0, 0, 0, 0, 170, 0], 2, 1));
        Assert.Equal(0.001f, BvhImporter.GuessScale([0, 0, 0, 0, 1700, 0], 2, 1));
        Assert.Equal(1f, BvhImporter.GuessScale([0, 0, 0, 0, 1.7f, 0], 2, 1));
    }

    [Fact]
    public void Scale_guess_ignores_a_root_joint_left_at_the_origin()
    {
        // Root at the origin, a 1.7-unit-tall body standing 400 units away: counted with the root, the span is 400.
        float[] pos = [0, 0, 0, 400, 0, 0, 400, 170, 0, 400.2f, 90, 0];
        int[] parents = [-1, 0, 1, 1];
        Assert.Equal(0.001f, BvhImporter.GuessScale(pos, 4, 1));
        Assert.Equal(0.01f, BvhImporter.GuessScale(pos, 4, 1, parents));
        Assert.Equal(170f, BvhImporter.BodyExtent(pos, 4, 1, parents), 3);
    }

    [Fact]
    public void Malformed_parts_map_and_binary_captions_name_their_files()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "good.bvh"), BvhFixtures.Humanoid(30));
        File.WriteAllText(Path.Combine(src, "bin.bvh"), BvhFixtures.Humanoid(30));
        File.WriteAllBytes(Path.Combine(src, "bin.txt"), [0x61, 0x20, 0x70, 0x00, 0x01, 0x1B, 0x5B, 0x32, 0x4A, 0x0A]);
        File.WriteAllText(Path.Combine(src, "latin1.bvh"), BvhFixtures.Humanoid(30));
        File.WriteAllBytes(Path.Combine(src, "latin1.txt"), [0x61, 0x20, 0xFF, 0xFE, 0x0A]);
        var r = BvhImporter.Import(src, tmp.File("out"), new BvhImportOptions { Fps = 20 });
        Assert.Equal(1, r.ClipsWritten);
        var reasons = r.Report.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Message);
        Assert.Equal(2, reasons.Count);
        Assert.Contains("bin.txt:1: control character", reasons["bin.bvh"]);
        Assert.Contains("latin1.txt: not UTF-8 text", reasons["latin1.bvh"]);

        string map = tmp.File("parts.json");
        File.WriteAllText(map, "{\"right_leg\": [\"a\", ");
        var e = Assert.Throws<InvalidDataException>(() => BvhImporter.Import(src, tmp.File("out2"), new BvhImportOptions { Fps = 20, PartsMap = map }));
        Assert.Contains(map, e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void A_truncated_archive_is_one_clear_error_and_leaves_no_partial_folder()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(src);
        for (int i = 0; i < 4; i++) File.WriteAllText(Path.Combine(src, $"clip{i}.bvh"), BvhFixtures.Humanoid(200 + i));
        string archive = tmp.File("clips.tar.xz");
        var psi = new System.Diagnostics.ProcessStartInfo("tar") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-cJf", archive, "-C", src, "." }) psi.ArgumentList.Add(a);
        using (var p = System.Diagnostics.Process.Start(psi)!) { p.WaitForExit(); Assert.Equal(0, p.ExitCode); }
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);
        string cache = tmp.File("cache");
        var e = Assert.Throws<InvalidDataException>(() => BvhImporter.Import(archive, tmp.File("out"), new BvhImportOptions { Fps = 20, CacheDir = cache }));
        Assert.Contains(archive, e.Message);
        Assert.Contains("truncated or corrupt", e.Message);
        Assert.Empty(Directory.Exists(cache) ? Directory.GetDirectories(cache, "*.partial", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void An_absurd_frame_count_is_one_skipped_file_not_a_crash()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "good.bvh"), BvhFixtures.Humanoid(30));
        File.WriteAllText(Path.Combine(src, "huge.bvh"), System.Text.RegularExpressions.Regex.Replace(BvhFixtures.Humanoid(10), @"Frames:\s*\d+", "Frames: 999999999"));
        var r = BvhImporter.Import(src, tmp.File("out"), new BvhImportOptions { Fps = 20 });
        Assert.Equal(1, r.ClipsWritten);
        var skipped = Assert.Single(r.Report.Skipped);
        Assert.Contains("huge.bvh", skipped.Message);
        Assert.Contains("999999999 frames", skipped.Message);
        Assert.InRange(r.BodySizeMetres, 0.8f, 2.5f);
    }

    [Fact]
    public void An_import_where_every_file_fails_lists_each_reason_and_writes_nothing()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "a.bvh"), "HIERARCHY\nROOT");
        File.WriteAllText(Path.Combine(src, "b.bvh"), "not a bvh");
        string outDir = tmp.File("out");
        var e = Assert.Throws<InvalidDataException>(() => BvhImporter.Import(src, outDir, new BvhImportOptions { Fps = 20 }));
        Assert.Contains("a.bvh:", e.Message);
        Assert.Contains("b.bvh:", e.Message);
        Assert.False(File.Exists(Path.Combine(outDir, "all.txt")));
    }

    [Fact]
    public void Import_writes_a_HumanML3D_folder_and_reports_bad_files()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "walk_a.bvh"), BvhFixtures.Humanoid(61));
        File.WriteAllText(Path.Combine(src, "walk_a.txt"), "a person walks forward.\na human walks straight.\n");
        // Raise the left arm: LeftShoulder's Z rotation (channel 3 + 3 * 6 = 21) to +80 degrees lifts it towards +Y.
        File.WriteAllText(Path.Combine(src, "sub", "raise_left.bvh"), BvhFixtures.Humanoid(45, angle: (f, c) => c == 21 ? 80f * f / 44 : 0));
        File.WriteAllText(Path.Combine(src, "sub", "raise_left.txt"), "a person raises the left arm.#x#0#0\n");
        File.WriteAllText(Path.Combine(src, "sub", "nocap.bvh"), BvhFixtures.Humanoid(30));
        File.WriteAllText(Path.Combine(src, "bad_channel.bvh"), BvhFixtures.Humanoid(10).Replace("CHANNELS 3 Zrotation Xrotation Yrotation", "CHANNELS 3 Zrotation Xrot Yrotation"));
        string full = BvhFixtures.Humanoid(10);
        File.WriteAllText(Path.Combine(src, "truncated.bvh"), full[..(full.Length - 40)]);

        string outDir = tmp.File("out");
        var r = BvhImporter.Import(src, outDir, new BvhImportOptions { Fps = 20 });
        Assert.Equal("generic", r.Format);
        Assert.Equal(5, r.Report.FilesIn);
        Assert.Equal(3, r.ClipsWritten);
        Assert.Equal(2, r.Report.SkippedCount);
        Assert.True(r.Report.Balanced);
        var skipped = r.Report.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Contains("unknown channel 'Xrot'", skipped["bad_channel.bvh"]);
        Assert.Matches(@"bad_channel\.bvh:\d+:", skipped["bad_channel.bvh"]);
        Assert.Contains("frame 9", skipped["truncated.bvh"]);
        Assert.Equal(0.01f, r.Scale);
        Assert.Contains(r.Report.Notes, n => n.Contains("1 clip(s) have no caption file"));

        var sk = r.Skeleton;
        Assert.Equal(["mixamorig:Hips", "mixamorig:RightUpLeg", "mixamorig:RightLeg", "mixamorig:RightFoot", "mixamorig:RightToeBase"], sk.Chains[0].Select(j => sk.JointNames[j]));
        Assert.Equal("mixamorig:Spine2", sk.JointNames[sk.Chains[4][0]]);
        Assert.Equal("mixamorig:LeftHand", sk.JointNames[sk.Chains[4][^1]]);

        var ds = MotionDataset.Load(outDir, new DatasetLoadOptions { RequireCaptions = false });
        Assert.Equal(6, ds.Count); // 3 + 3 mirrors
        Assert.Equal(20f, ds.Fps);
        Assert.Equal(sk.Chains, ds.Skeleton.Chains);
        var walk = ds.Get("walk_a");
        Assert.Equal(41, walk.Frames); // 2 s at 30 fps -> 41 frames at 20 fps
        Assert.Equal(2, walk.Captions.Count);
        // Metres, floor at 0, root at the origin, walking along +Z at 1 m/s.
        Assert.Equal(0f, walk.Positions.Where((_, i) => i % 3 == 1).Min(), 4);
        Assert.InRange(walk.Positions[1], 0.9f, 1.0f);
        Assert.Equal(0f, walk.Positions[0], 4);
        Assert.Equal(2f, walk.Positions[40 * walk.JointCount * 3 + 2], 2);
        var raise = ds.Get("raise_left");
        int lh = ds.Skeleton.IndexOf("mixamorig:LeftHand"), rh = ds.Skeleton.IndexOf("mixamorig:RightHand");
        var last = raise.Frame(raise.Frames - 1);
        Assert.True(last[lh * 3 + 1] > last[rh * 3 + 1] + 0.3f, "the left hand should end up higher");
        Assert.True(last[lh * 3] > 0, "left is +x after canonicalisation");
        var mirror = ds.Get("Mraise_left");
        Assert.Equal("a person raises the right arm.", mirror.Captions[0].Text);
        Assert.True(mirror.Frame(mirror.Frames - 1)[rh * 3 + 1] > mirror.Frame(mirror.Frames - 1)[lh * 3 + 1] + 0.3f);
        Assert.Equal(ds.Split("all").Count, ds.Split("train").Count + ds.Split("val").Count + ds.Split("test").Count);
    }

    [Fact]
    public void Parts_map_overrides_the_inferred_chains()
    {
        using var tmp = new TempDir();
        string src = tmp.File("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "a.bvh"), BvhFixtures.Humanoid(20, prefix: ""));
        File.WriteAllText(tmp.File("map.json"), """{"spine": ["Hips", "Spine", "Spine1", "Spine2", "Neck", "Head"], "right_arm": ["Spine2", "RightArm", "RightForeArm", "RightHand"]}""");
        var r = BvhImporter.Import(src, tmp.File("o2"), new BvhImportOptions { PartsMap = tmp.File("map.json") });
        Assert.Equal(["Spine2", "RightArm", "RightForeArm", "RightHand"], r.Skeleton.Chains[3].Select(j => r.Skeleton.JointNames[j]));
        Assert.Equal(["Spine2", "LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand"], r.Skeleton.Chains[4].Select(j => r.Skeleton.JointNames[j]));
        File.WriteAllText(tmp.File("map.json"), """{"spine": ["Hips", "Chest"]}""");
        var missing = Assert.Throws<InvalidDataException>(() => BvhImporter.Import(src, tmp.File("o3"), new BvhImportOptions { PartsMap = tmp.File("map.json") }));
        Assert.Contains("no joint 'Chest'", missing.Message);
    }

    [SharedDataFact]
    public void Imports_Bandai_clips_with_template_captions_labels_and_the_inferred_chains()
    {
        using var tmp = new TempDir();
        string archive = SharedData.PathOf("bandai", "Bandai-Namco-Research-Motiondataset-1.tar.xz");
        var r = BvhImporter.Import(archive, tmp.File("out"), new BvhImportOptions { CacheDir = tmp.File("cache"), MaxFiles = 12 });
        Assert.Equal("bandai", r.Format);
        Assert.Equal(12, r.ClipsWritten);
        Assert.True(r.Report.Balanced);
        Assert.Equal(0.01f, r.Scale);
        var sk = r.Skeleton;
        Assert.Equal(22, sk.JointCount);
        string Chain(int p) => string.Join(">", sk.Chains[p].Select(j => sk.JointNames[j]));
        Assert.Equal("Hips>UpperLeg_R>LowerLeg_R>Foot_R>Toes_R", Chain(0));
        Assert.Equal("Hips>Spine>Chest>Neck>Head", Chain(2));
        Assert.Equal("Chest>Shoulder_L>UpperArm_L>LowerArm_L>Hand_L", Chain(4));
        var ds = MotionDataset.Load(tmp.File("out"));
        Assert.Equal(24, ds.Count);
        var c = ds.Clips.First(x => !x.Id.StartsWith('M'));
        Assert.Equal(3, c.Captions.Count);
        Assert.Single(c.Labels);
        Assert.Equal(3, c.Captions.Select(x => x.Text).Distinct().Count());
        Assert.InRange(c.Frame(0)[sk.IndexOf("Hips") * 3 + 1], 0.75f, 1.1f); // hips height in metres
        Assert.NotNull(r.Labels);
        Assert.True(File.Exists(tmp.File("out", "styles.json")));
        // Mirrored label sets stay consistent: the label of an M clip is the mirrored class name.
        Assert.All(r.Labels!.Segments, s => Assert.Contains(s.Labels[0], r.Labels.Classes));
    }

    [Fact]
    public void Bandai_templates_follow_content_and_style()
    {
        var caps = BandaiLabels.Captions("dataset-2_walk-turn-left", "dataset-2_elderly");
        Assert.Equal("an elderly person walks and turns left.", caps[0]);
        Assert.Equal(3, caps.Distinct().Count());
        Assert.All(caps, c => Assert.Contains("left", c));
        Assert.Equal("a person waves the right hand.", BandaiLabels.Captions("dataset-2_wave-right-hand", "dataset-2_normal")[0]);
        Assert.Equal("wave the left hand", BandaiLabels.ClassOf("dataset-2_wave-left-hand"));
    }
}

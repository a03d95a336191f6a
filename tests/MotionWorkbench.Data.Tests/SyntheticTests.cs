using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Data.Synthetic;

namespace MotionWorkbench.Data.Tests;

public class SyntheticFixture
{
    public SyntheticFixture()
    {
        Smpl = SyntheticMotions.Generate(new SynthOptions { Count = 400, Seed = 11 });
        Kit = SyntheticMotions.Generate(new SynthOptions { Count = 60, Seed = 5, Skeleton = "kit" });
    }

    public (MotionDataset Dataset, ActionLabelSet Actions, IReadOnlyList<SynthClip> Plans) Smpl { get; }
    public (MotionDataset Dataset, ActionLabelSet Actions, IReadOnlyList<SynthClip> Plans) Kit { get; }
}

public class SyntheticTests(SyntheticFixture fx) : IClassFixture<SyntheticFixture>
{
    private static (float X, float Y, float Z) J(MotionClip c, int t, int j)
    {
        int o = (t * c.JointCount + j) * 3;
        return (c.Positions[o], c.Positions[o + 1], c.Positions[o + 2]);
    }

    private static IEnumerable<SynthClip> Single(IEnumerable<SynthClip> plans, ActionKind kind) =>
        plans.Where(p => p.Actions.Count == 1 && p.Actions[0].Kind == kind);

    [Fact]
    public void Smpl_clips_have_the_right_shape_fps_duration_and_ids()
    {
        var ds = fx.Smpl.Dataset;
        Assert.Equal(800, ds.Count);
        Assert.Equal(20f, ds.Fps);
        foreach (var c in ds.Clips)
        {
            Assert.Equal(22, c.JointCount);
            Assert.Equal(20f, c.Fps);
            Assert.InRange(c.DurationSeconds, 2f, 10f);
            Assert.Equal(3, c.Captions.Count);
            Assert.All(c.Captions, cap => Assert.True(cap.IsWholeMotion && cap.Text.Length > 10));
            Assert.All(c.Positions, v => Assert.True(float.IsFinite(v)));
        }
        Assert.Equal("000000", ds.Clips[0].Id);
        Assert.True(ds.Contains("M000000"));
        Assert.Equal(ds.Split("all").Count, ds.Split("train").Count + ds.Split("val").Count + ds.Split("test").Count);
        foreach (var id in ds.Split("test")) Assert.Contains(id.StartsWith('M') ? id[1..] : "M" + id, ds.Split("test"));
        Assert.True(ds.Split("val").Count > 0 && ds.Split("test").Count > ds.Split("val").Count);
    }

    [Fact]
    public void Kit_variant_has_21_joints_at_12_5_fps()
    {
        var ds = fx.Kit.Dataset;
        Assert.Equal(12.5f, ds.Fps);
        Assert.Equal("kit21", ds.Skeleton.Name);
        Assert.All(ds.Clips, c => { Assert.Equal(21, c.JointCount); Assert.InRange(c.DurationSeconds, 2f, 10f); });
        AssertBonesConstant(ds.Clips);
        AssertFeetOnFloor(fx.Kit.Plans, [13, 14, 15, 18, 19, 20]);
    }

    private static void AssertBonesConstant(IEnumerable<MotionClip> clips)
    {
        foreach (var c in clips)
        {
            var par = c.Skeleton.Parents;
            for (int j = 1; j < c.JointCount; j++)
            {
                float L0 = Dist(J(c, 0, j), J(c, 0, par[j]));
                Assert.True(L0 > 0.02f, $"{c.Id}: bone {j} has length {L0}");
                for (int t = 1; t < c.Frames; t++)
                    Assert.True(MathF.Abs(Dist(J(c, t, j), J(c, t, par[j])) - L0) < 1e-4f, $"{c.Id}: bone {j} changes length at frame {t}");
            }
        }
    }

    private static float Dist((float X, float Y, float Z) a, (float X, float Y, float Z) b) =>
        MathF.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y) + (a.Z - b.Z) * (a.Z - b.Z));

    [Fact]
    public void Bone_lengths_are_constant_and_match_HumanML3D_proportions()
    {
        AssertBonesConstant(fx.Smpl.Dataset.Clips.Take(200));
        // Thigh and shin of an average subject are HumanML3D's (0.39 and 0.43 m); subjects vary by a few percent.
        var sk = SyntheticMotions.ReferenceSkeleton(kit: false);
        float Len(int j) => MathF.Sqrt(sk.RestOffsets![j * 3] * sk.RestOffsets[j * 3] + sk.RestOffsets[j * 3 + 1] * sk.RestOffsets[j * 3 + 1] + sk.RestOffsets[j * 3 + 2] * sk.RestOffsets[j * 3 + 2]);
        Assert.Equal(0.392f, Len(4), 2);
        Assert.Equal(0.429f, Len(7), 2);
        Assert.Equal(0.26f, Len(18), 2);
        var heights = fx.Smpl.Dataset.Clips.Take(100).Select(c => Dist(J(c, 0, 4), J(c, 0, 1)) + Dist(J(c, 0, 7), J(c, 0, 4))).ToArray();
        Assert.True(heights.Max() - heights.Min() > 0.05f, "subjects should differ in leg length");
    }

    private static void AssertFeetOnFloor(IEnumerable<SynthClip> plans, int[] feet)
    {
        var airborne = new[] { ActionKind.Jump, ActionKind.Hop, ActionKind.JumpingJacks, ActionKind.Run, ActionKind.Jog };
        foreach (var p in plans)
        {
            var c = p.Clip;
            float min = c.Positions.Where((_, i) => i % 3 == 1).Min();
            Assert.Equal(0f, min, 4);
            if (p.Actions.Any(a => airborne.Contains(a.Kind))) continue;
            for (int t = 0; t < c.Frames; t++)
            {
                float low = feet.Min(j => J(c, t, j).Y);
                Assert.True(low < 0.03f, $"{c.Id}: feet {low:F3} m above the floor at frame {t} without a jump");
            }
        }
    }

    [Fact]
    public void Feet_are_on_the_floor_and_the_first_frame_is_canonical()
    {
        AssertFeetOnFloor(fx.Smpl.Plans.Take(150), [7, 8, 10, 11]);
        foreach (var p in fx.Smpl.Plans.Take(100))
        {
            var c = p.Clip;
            Assert.Equal(0f, c.Positions[0], 5);
            Assert.Equal(0f, c.Positions[2], 5);
            // Facing +Z: forward = up x ((r_hip - l_hip) + (r_shoulder - l_shoulder)), as HumanML3D computes it.
            Assert.True(FacingZ(c, 0) > 0.9f, $"{c.Id} faces {FacingZ(c, 0)} along +Z at frame 0");
            if (p.Actions[0].Kind != ActionKind.StandUp)
                Assert.InRange(J(c, 0, 0).Y, 0.75f, 1.1f);
        }
    }

    private static (float X, float Y, float Z) Across(MotionClip c, int t)
    {
        var (a, b, d, e) = (J(c, t, 2), J(c, t, 1), J(c, t, 17), J(c, t, 16));
        return (a.X - b.X + d.X - e.X, 0, a.Z - b.Z + d.Z - e.Z);
    }

    // forward = (0,1,0) x across = (across.Z, 0, -across.X); its normalised Z component.
    private static float FacingZ(MotionClip c, int t)
    {
        var (x, _, z) = Across(c, t);
        float fx = z, fz = -x;
        return fz / MathF.Sqrt(fx * fx + fz * fz);
    }

    private static float FacingX(MotionClip c, int t)
    {
        var (x, _, z) = Across(c, t);
        float fx = z, fz = -x;
        return fx / MathF.Sqrt(fx * fx + fz * fz);
    }

    [Fact]
    public void Same_seed_gives_the_same_clip_and_another_seed_does_not()
    {
        var o = new SynthOptions { Seed = 11 };
        var a = SyntheticMotions.GenerateClip(o, 17);
        var b = SyntheticMotions.GenerateClip(o, 17);
        Assert.Equal(a.Clip.Positions, b.Clip.Positions);
        Assert.Equal(a.Clip.Captions, b.Clip.Captions);
        Assert.Equal(fx.Smpl.Dataset.Get("000017").Positions, a.Clip.Positions); // parallel generation = sequential
        var c = SyntheticMotions.GenerateClip(o with { Seed = 12 }, 17);
        Assert.NotEqual(a.Clip.Captions[0].Text + a.Clip.Frames, c.Clip.Captions[0].Text + c.Clip.Frames);
    }

    [Fact]
    public void Captions_name_the_side_that_moves()
    {
        int checkedArms = 0, checkedLegs = 0;
        foreach (var p in fx.Smpl.Plans.Where(p => p.Actions.Count == 1))
        {
            var a = p.Actions[0];
            var c = p.Clip;
            if (a.Kind is ActionKind.Wave or ActionKind.RaiseArm && a.Side is Side.Left or Side.Right)
            {
                float left = Enumerable.Range(0, c.Frames).Max(t => J(c, t, 20).Y);
                float right = Enumerable.Range(0, c.Frames).Max(t => J(c, t, 21).Y);
                float diff = a.Side == Side.Left ? left - right : right - left;
                Assert.True(diff > 0.3f, $"{c.Id} '{c.Captions[0].Text}': the named wrist should rise 0.3 m above the other ({diff:F2})");
                string word = a.Side == Side.Left ? "left" : "right", other = a.Side == Side.Left ? "right" : "left";
                Assert.All(c.Captions, cap => { Assert.Contains(word, cap.Text); Assert.DoesNotContain(other, cap.Text); });
                checkedArms++;
            }
            if (a.Kind is ActionKind.Kick && a.Side is Side.Left or Side.Right)
            {
                float left = Enumerable.Range(0, c.Frames).Max(t => J(c, t, 7).Y);
                float right = Enumerable.Range(0, c.Frames).Max(t => J(c, t, 8).Y);
                Assert.True((a.Side == Side.Left ? left - right : right - left) > 0.15f, $"{c.Id}: the kicking ankle should rise");
                checkedLegs++;
            }
        }
        Assert.True(checkedArms >= 3 && checkedLegs >= 1, $"too few single wave/raise ({checkedArms}) or kick ({checkedLegs}) clips to check");
    }

    [Fact]
    public void Jump_count_in_the_caption_matches_the_flights()
    {
        int n = 0;
        foreach (var p in Single(fx.Smpl.Plans, ActionKind.Jump))
        {
            var c = p.Clip;
            float stand = J(c, 0, 0).Y;
            int flights = 0;
            bool up = false;
            for (int t = 0; t < c.Frames; t++)
            {
                bool air = new[] { 7, 8, 10, 11 }.Min(j => J(c, t, j).Y) > 0.06f;
                if (air && !up) flights++;
                up = air;
            }
            Assert.Equal(p.Actions[0].Reps, flights);
            string count = p.Actions[0].Reps == 1 ? "" : p.Actions[0].Reps == 2 ? "tw" : "three";
            Assert.Contains(p.Clip.Captions, cap => count.Length == 0 || cap.Text.Contains(count, StringComparison.Ordinal));
            n++;
        }
        Assert.True(n > 0);
    }

    [Fact]
    public void Turns_end_facing_the_named_side_and_fast_walks_cover_more_ground()
    {
        int turns = 0;
        foreach (var p in Single(fx.Smpl.Plans, ActionKind.Turn).Where(p => p.Actions[0].Angle == 90))
        {
            float x = FacingX(p.Clip, p.Clip.Frames - 1);
            // Turning left (counterclockwise seen from above) turns the body towards +X, HumanML3D's left.
            Assert.True(p.Actions[0].Side == Side.Left ? x > 0.8f : x < -0.8f, $"{p.Clip.Id}: final facing x {x:F2}");
            turns++;
        }
        Assert.True(turns > 0);
        var walks = Single(fx.Smpl.Plans, ActionKind.Walk).ToArray();
        float Speed(SynthClip p) => MathF.Sqrt(J(p.Clip, p.Clip.Frames - 1, 0).X * J(p.Clip, p.Clip.Frames - 1, 0).X + J(p.Clip, p.Clip.Frames - 1, 0).Z * J(p.Clip, p.Clip.Frames - 1, 0).Z) / (p.Actions[0].End - p.Actions[0].Start);
        var slow = walks.Where(w => w.Actions[0].Pace == Pace.Slow).Select(Speed).ToArray();
        var fast = walks.Where(w => w.Actions[0].Pace == Pace.Fast).Select(Speed).ToArray();
        if (slow.Length > 0 && fast.Length > 0) Assert.True(fast.Average() > 1.3f * slow.Average(), $"fast {fast.Average():F2} vs slow {slow.Average():F2} m/s");
        Assert.All(walks.Select(Speed), s => Assert.InRange(s, 0.4f, 2.5f));
    }

    [Fact]
    public void Walking_keeps_one_foot_planted()
    {
        int clips = 0;
        foreach (var p in Single(fx.Smpl.Plans, ActionKind.Walk).Concat(Single(fx.Smpl.Plans, ActionKind.WalkBackwards)))
        {
            var c = p.Clip;
            int t0 = (int)((p.Actions[0].Start + 0.5f) * c.Fps), t1 = (int)((p.Actions[0].End - 0.5f) * c.Fps);
            int planted = 0, frames = 0;
            for (int t = t0; t < t1 - 1; t++, frames++)
            {
                // Horizontal speed: a planted foot does not skate (it may still roll heel to toe).
                float Speed(int j) { var (a, b) = (J(c, t + 1, j), J(c, t, j)); return MathF.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Z - b.Z) * (a.Z - b.Z)) * c.Fps; }
                if (MathF.Min(Speed(7), Speed(8)) < 0.05f) planted++;
            }
            if (frames < 5) continue;
            Assert.True(planted >= 0.9 * frames, $"{c.Id}: a foot is planted in only {planted} of {frames} frames");
            clips++;
        }
        Assert.True(clips > 0);
    }

    [Fact]
    public void Multi_action_captions_keep_the_order_of_the_actions()
    {
        int n = 0;
        foreach (var p in fx.Smpl.Plans.Where(p => p.Actions.Count >= 2))
        {
            for (int k = 1; k < p.Actions.Count; k++) Assert.True(p.Actions[k].Start >= p.Actions[k - 1].End - 1e-3f);
            Assert.All(p.Clip.Captions, cap => Assert.Matches("then|next|after that", cap.Text));
            n++;
        }
        Assert.True(n > 50);
    }

    [Fact]
    public void Mirrors_swap_sides_in_motion_and_caption()
    {
        var ds = fx.Smpl.Dataset;
        var p = fx.Smpl.Plans.First(p => p.Actions.Any(a => a.Side == Side.Left) && p.Actions.All(a => a.Side != Side.Right));
        var m = ds.Get("M" + p.Clip.Id);
        Assert.Equal(Mirroring.MirrorPositions(p.Clip.Positions, Skeleton.Smpl22), m.Positions);
        Assert.All(m.Captions, cap => Assert.DoesNotContain("left", cap.Text));
        Assert.Contains(m.Captions, cap => cap.Text.Contains("right") || cap.Text.Contains("clockwise"));
        // Mirroring twice is the identity.
        Assert.Equal(p.Clip.Positions, Mirroring.MirrorPositions(m.Positions, Skeleton.Smpl22));
    }

    [Fact]
    public void Action_label_set_covers_at_least_20_classes()
    {
        var set = fx.Smpl.Actions;
        Assert.True(set.Classes.Count >= 20);
        Assert.Equal(set.Classes.Count, set.Segments.SelectMany(s => s.Labels).Distinct().Count());
        Assert.Equal("a person jumping jacks", set.Prompts()[set.ClassIndex["jumping jacks"]]);
        var windows = set.Samples(1.0f);
        Assert.True(windows.Count > set.Segments.Count);
        Assert.All(windows, w => Assert.InRange(w.End - w.Start, 0.5f - 1e-4f, 1.0f + 1e-4f));
    }

    [Fact]
    public void Written_folder_loads_back_with_splits_labels_and_skeleton()
    {
        using var tmp = new TempDir();
        var (ds, report) = SyntheticMotions.Write(tmp.Path, new SynthOptions { Count = 12, Seed = 3, Skeleton = "kit" });
        Assert.Equal(24, report.FilesIn);
        Assert.True(report.Balanced);
        var back = MotionDataset.Load(tmp.Path);
        Assert.Equal(24, back.Count);
        Assert.Equal(12.5f, back.Fps);
        Assert.Equal("kit21", back.Skeleton.Name);
        Assert.NotNull(back.Skeleton.RestOffsets);
        Assert.Equal(ds.Split("test"), back.Split("test"));
        var c = back.Get("000004");
        Assert.Equal(ds.Get("000004").Positions, c.Positions);
        Assert.Equal(ds.Get("000004").Captions.Select(x => x.Text), c.Captions.Select(x => x.Text));
        Assert.NotEmpty(c.Labels);
        Assert.Equal(0, back.Report.SkippedCount);
        Assert.NotNull(back.Actions);
        Assert.Equal(SyntheticMotions.ActionLabels, back.Actions!.Classes);
        Assert.Equal(ds.Actions!.Segments.Count, back.Actions.Segments.Count);
    }
}

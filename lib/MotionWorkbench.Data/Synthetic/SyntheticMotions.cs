using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data.Synthetic;

/// <summary>Options of the synthetic motion-language dataset.</summary>
public sealed record SynthOptions
{
    /// <summary>"smpl" (22 joints, 20 fps) or "kit" (21 joints, 12.5 fps).</summary>
    public string Skeleton { get; init; } = "smpl";
    public int Count { get; init; } = 4000;
    public ulong Seed { get; init; } = 42;
    /// <summary>Also produce the M-prefixed mirrors (captions with left/right swapped).</summary>
    public bool Mirrors { get; init; } = true;
    /// <summary>First id number (ids are 6-digit, e.g. 000000).</summary>
    public int FirstId { get; init; }
    /// <summary>Threads that generate and write the clips (the result does not depend on it): 0 (default) = as many as .NET reports processors; the workbench passes its engine threads.</summary>
    public int Threads { get; init; }

    public bool IsKit => Skeleton.Equals("kit", StringComparison.OrdinalIgnoreCase) || Skeleton.Equals("kit21", StringComparison.OrdinalIgnoreCase);
    public float Fps => IsKit ? 12.5f : 20f;
}

/// <summary>What one synthetic clip is made of (for tests and inspection).</summary>
public sealed record SynthAction(ActionKind Kind, string Label, Side Side, int Reps, Pace Pace, Amplitude Amplitude, bool Forward, int Angle, float Start, float End);

/// <summary>A generated clip with its action plan.</summary>
public sealed record SynthClip(MotionClip Clip, IReadOnlyList<SynthAction> Actions);

/// <summary>
/// The procedural, seeded motion-language dataset: each clip is 1-3 parametrised actions (side, direction, pace,
/// amplitude, repetitions) in sequence, 2-10 s, performed by a subject with its own proportions and tempo, built by
/// forward kinematics of joint angles over a fixed skeleton (so bone lengths are constant), with feet on the floor,
/// Y up, the first-frame root at the XZ origin facing +Z; three paraphrased captions per clip that state side,
/// counts, order and pace.
/// </summary>
public static class SyntheticMotions
{
    public static IReadOnlyList<string> ActionLabels => Act.Labels;

    /// <summary>Generates clip number <paramref name="index"/> (deterministic per seed and index).</summary>
    public static SynthClip GenerateClip(SynthOptions o, int index)
    {
        var rng = new Rng(o.Seed, (ulong)index);
        var subject = new Subject
        {
            Height = Math.Clamp(rng.Normal(1f, 0.055f), 0.86f, 1.12f),
            Legs = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
            Arms = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
            Torso = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
            Shoulders = Math.Clamp(rng.Normal(1f, 0.05f), 0.88f, 1.12f),
            Tempo = Math.Clamp(rng.Normal(1f, 0.07f), 0.85f, 1.15f),
        };
        var body = new BodyModel(o.IsKit, subject);
        var acts = SamplePlan(rng, subject, body.LegLength);
        float lead = rng.Range(0.15f, 0.5f), tail = rng.Range(0.15f, 0.5f);
        float t0 = lead;
        foreach (var a in acts)
        {
            a.Start = t0;
            t0 += a.Duration + rng.Range(0f, 0.25f);
        }
        float total = MathF.Max(2.05f, t0 + tail);
        total = MathF.Min(total, 10f);
        float fps = o.Fps;
        int T = Math.Max(2, (int)MathF.Floor(total * fps));
        int J = body.JointCount;
        var pos = new float[T * J * 3];
        Span<float> pose = stackalloc float[P.Count];
        Span<float> frame = stackalloc float[J * 3];
        var style = new float[P.Count];
        for (int i = 0; i < P.Count; i++) style[i] = rng.Normal(0, 0.03f);
        float swayPhase = rng.Range(0, 6.28f);

        bool startsSitting = acts[0].Kind == ActionKind.StandUp;
        float yaw = 0, x = 0, z = 0;
        float dt = 1f / fps;
        int[] feet = o.IsKit ? [13, 14, 15, 18, 19, 20] : [7, 8, 10, 11];
        int[] leftAnkle = o.IsKit ? [18] : [7], rightAnkle = o.IsKit ? [13] : [8];
        Act? anchoredAct = null;
        int stance = -1;
        float stanceX = 0, stanceZ = 0, vx = 0, vz = 0, prevX = 0, prevZ = 0;
        float anchorX = 0, anchorZ = 0;
        for (int f = 0; f < T; f++)
        {
            float t = f * dt;
            var m = new RootMotion();
            Act? cur = null;
            Act? prev = null;
            foreach (var a in acts)
            {
                if (t >= a.Start && t < a.Start + a.Duration) { cur = a; break; }
                if (t >= a.Start + a.Duration) prev = a;
            }
            if (cur is not null) cur.Eval(t - cur.Start, pose, ref m);
            else if ((prev?.Kind == ActionKind.SitDown) || (prev is null && startsSitting)) Act.Sitting(pose);
            else Act.Neutral(pose);
            for (int i = 0; i < P.Count; i++) pose[i] += style[i];
            pose[P.Lean] += 0.012f * MathF.Sin(1.3f * t + swayPhase);
            pose[P.SideBend] += 0.01f * MathF.Sin(0.9f * t + 2 * swayPhase);

            // Integrate the root in the heading frame (stance-anchored gaits move the root by their planted foot instead).
            bool stanceMode = cur is not null && cur.StanceAnchored;
            if (f > 0)
            {
                yaw += m.YawRate * dt;
                float s = MathF.Sin(yaw), c = MathF.Cos(yaw);
                if (!stanceMode)
                {
                    x += s * m.Forward * dt;
                    z += c * m.Forward * dt;
                }
                else if (m.Air > 0.004f || stance < 0)
                {
                    // Flight (jog/run): keep the velocity the legs gave the root.
                    x += vx * dt;
                    z += vz * dt;
                }
            }
            body.Pose(pose, new Vec(x, 0, z), yaw, frame);
            if (stanceMode)
            {
                float px = x, pz = z;
                int lower = cur!.StanceSide(t - cur.Start) == 0 ? leftAnkle[0] : rightAnkle[0];
                if (m.Air > 0.004f) stance = -1;
                else
                {
                    // Keep the foot that was planted in place for this frame too, then hand over to the new one.
                    if (stance >= 0)
                    {
                        float dx = stanceX - frame[stance * 3], dz = stanceZ - frame[stance * 3 + 2];
                        x += dx; z += dz;
                        for (int j = 0; j < J; j++) { frame[j * 3] += dx; frame[j * 3 + 2] += dz; }
                    }
                    if (lower != stance) { stance = lower; stanceX = frame[lower * 3]; stanceZ = frame[lower * 3 + 2]; }
                }
                if (f > 0 && m.Air <= 0.004f) { vx = 0.7f * vx + 0.3f * (x - px + (px - prevX)) / dt; vz = 0.7f * vz + 0.3f * (z - pz + (pz - prevZ)) / dt; }
            }
            else { stance = -1; vx = vz = 0; }
            prevX = x; prevZ = z;

            // Anchored actions keep the supporting foot (or both feet) where it was when the action began.
            if (cur is not null && cur.Anchored)
            {
                var (ax, az) = AnchorPoint(frame, cur, leftAnkle[0], rightAnkle[0]);
                if (!ReferenceEquals(anchoredAct, cur)) { anchoredAct = cur; anchorX = ax; anchorZ = az; }
                float dx = anchorX - ax, dz = anchorZ - az;
                x += dx; z += dz;
                for (int j = 0; j < J; j++) { frame[j * 3] += dx; frame[j * 3 + 2] += dz; }
            }
            else anchoredAct = null;

            // Feet on the floor: the lowest foot joint touches y = 0, plus any flight height. A planted foot (gaits) is the
            // one that touches, unless the other foot would go below the floor.
            float minFoot = float.MaxValue, minPlanted = float.MaxValue;
            foreach (var j in feet)
            {
                minFoot = MathF.Min(minFoot, frame[j * 3 + 1]);
                if (stanceMode && stance >= 0 && FootSide(j, o.IsKit) == FootSide(stance, o.IsKit)) minPlanted = MathF.Min(minPlanted, frame[j * 3 + 1]);
            }
            float lift = (minPlanted < float.MaxValue && m.Air <= 0.004f ? -minPlanted : -minFoot) + m.Air;
            if (minFoot + lift < 0) lift = -minFoot;
            for (int j = 0; j < J; j++) frame[j * 3 + 1] += lift;
            frame.CopyTo(pos.AsSpan(f * J * 3));
        }
        Canonicalize(pos, J);

        var captions = Captions.Make(acts, rng).Select(c => new Caption(c)).ToArray();
        var labels = acts.Select(a => a.Label).Distinct().ToArray();
        string id = (o.FirstId + index).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var clip = new MotionClip(id, body.Skeleton, fps, pos, captions, labels);
        var plan = acts.Select(a => new SynthAction(a.Kind, a.Label, a.Side, a.Reps, a.Pace, a.Amp, a.Forward, a.Angle,
            a.Start, MathF.Min(a.Start + a.Duration, T / fps))).ToArray();
        return new SynthClip(clip, plan);
    }

    // 0 = left foot joint, 1 = right (SMPL: 7/10 left, 8/11 right; KIT: 18-20 left, 13-15 right).
    private static int FootSide(int joint, bool kit) => kit ? (joint >= 16 ? 0 : 1) : (joint % 2 == 1 ? 0 : 1);

    private static (float X, float Z) AnchorPoint(ReadOnlySpan<float> frame, Act a, int left, int right)
    {
        bool oneLeg = a.Kind is ActionKind.Kick or ActionKind.Stomp;
        if (oneLeg)
        {
            int support = a.Side == Side.Left ? right : left;
            return (frame[support * 3], frame[support * 3 + 2]);
        }
        if (a.Kind is ActionKind.Hop)
        {
            int hopper = a.Side == Side.Left ? left : right;
            return (frame[hopper * 3], frame[hopper * 3 + 2]);
        }
        if (a.Kind is ActionKind.Lunge)
        {
            int trailing = a.Side == Side.Left ? right : left;
            return (frame[trailing * 3], frame[trailing * 3 + 2]);
        }
        if (a.Kind == ActionKind.Throw)
        {
            int back = a.Side == Side.Left ? left : right;
            return (frame[back * 3], frame[back * 3 + 2]);
        }
        return (0.5f * (frame[left * 3] + frame[right * 3]), 0.5f * (frame[left * 3 + 2] + frame[right * 3 + 2]));
    }

    /// <summary>Floor at y = 0 (minimum over all joints and frames) and the first-frame root at the XZ origin.</summary>
    private static void Canonicalize(float[] pos, int J)
    {
        float minY = float.MaxValue;
        for (int i = 1; i < pos.Length; i += 3) minY = MathF.Min(minY, pos[i]);
        float x0 = pos[0], z0 = pos[2];
        for (int i = 0; i < pos.Length; i += 3) { pos[i] -= x0; pos[i + 1] -= minY; pos[i + 2] -= z0; }
    }

    private static readonly ActionKind[] AllKinds = Enum.GetValues<ActionKind>();

    private static List<Act> SamplePlan(Rng rng, Subject subject, float legLength)
    {
        for (int attempt = 0; ; attempt++)
        {
            int n = rng.Float() switch { < 0.4f => 1, < 0.8f => 2, _ => 3 };
            var acts = new List<Act>();
            for (int k = 0; k < n; k++)
            {
                var prev = acts.Count > 0 ? acts[^1] : null;
                ActionKind kind;
                if (prev?.Kind == ActionKind.SitDown) kind = ActionKind.StandUp;
                else
                {
                    do kind = AllKinds[rng.Next(AllKinds.Length)];
                    while ((kind == ActionKind.StandUp && k > 0) || (prev is not null && kind == prev.Kind));
                }
                acts.Add(SampleAct(kind, rng, subject, legLength));
            }
            float total = acts.Sum(a => a.Duration) + 0.3f + 0.25f * (n - 1);
            // Trim repetitions until the clip fits in 10 s; drop the last action if it still does not.
            while (total > 9.4f)
            {
                var longest = acts.Where(a => a.Reps > 1).OrderByDescending(a => a.Duration).FirstOrDefault();
                if (longest is null) break;
                longest.Reps--;
                longest.Plan(subject.Tempo, legLength);
                total = acts.Sum(a => a.Duration) + 0.3f + 0.25f * (n - 1);
            }
            if (total > 9.4f)
            {
                if (acts.Count > 1 && acts[^1].Kind != ActionKind.StandUp) { acts.RemoveAt(acts.Count - 1); }
                total = acts.Sum(a => a.Duration) + 0.3f + 0.25f * (acts.Count - 1);
            }
            if (total <= 9.4f || attempt > 20) return acts;
        }
    }

    private static Act SampleAct(ActionKind kind, Rng rng, Subject subject, float legLength)
    {
        var a = new Act { Kind = kind };
        a.Pace = rng.Float() switch { < 0.2f => Pace.Slow, < 0.8f => Pace.Normal, _ => Pace.Fast };
        a.Amp = rng.Float() switch { < 0.15f => Amplitude.Small, < 0.85f => Amplitude.Normal, _ => Amplitude.Large };
        Side lr = rng.Next(2) == 0 ? Side.Left : Side.Right;
        switch (kind)
        {
            case ActionKind.Walk: a.Reps = rng.Next(3, 8); break;
            case ActionKind.WalkBackwards: a.Reps = rng.Next(2, 6); break;
            case ActionKind.Jog: a.Reps = rng.Next(4, 9); break;
            case ActionKind.Run: a.Reps = rng.Next(4, 10); break;
            case ActionKind.StepSideways: a.Side = lr; a.Reps = rng.Next(2, 4); break;
            case ActionKind.Turn: a.Side = lr; a.Angle = rng.Next(3) == 0 ? 180 : 90; break;
            case ActionKind.Spin: a.Side = lr; a.Reps = rng.Next(4) == 0 ? 2 : 1; break;
            case ActionKind.Jump: a.Forward = rng.Next(2) == 0; a.Reps = rng.Next(1, 3); break;
            case ActionKind.Hop: a.Side = lr; a.Reps = rng.Next(2, 5); break;
            case ActionKind.JumpingJacks: a.Reps = rng.Next(2, 5); break;
            case ActionKind.Kick: a.Side = lr; a.Reps = rng.Next(1, 3); break;
            case ActionKind.Stomp: a.Side = lr; a.Reps = rng.Next(1, 3); break;
            case ActionKind.Lunge: a.Side = lr; a.Reps = rng.Next(1, 2); break;
            case ActionKind.Punch: a.Side = rng.Next(4) == 0 ? Side.Both : lr; a.Reps = rng.Next(a.Side == Side.Both ? 2 : 1, 4); break;
            case ActionKind.Wave: a.Side = rng.Next(5) == 0 ? Side.Both : lr; a.Reps = rng.Next(2, 4); break;
            case ActionKind.RaiseArm: a.Side = rng.Next(3) == 0 ? Side.Both : lr; a.Reps = rng.Next(1, 2); break;
            case ActionKind.Clap: a.Reps = rng.Next(2, 5); break;
            case ActionKind.Throw: a.Side = lr; a.Reps = rng.Next(1, 2); break;
            case ActionKind.Squat: a.Reps = rng.Next(1, 3); break;
            case ActionKind.Crouch: a.Reps = 1; break;
            case ActionKind.Bow: a.Reps = rng.Next(1, 2); break;
            default: a.Reps = 1; break;
        }
        a.Plan(subject.Tempo, legLength);
        return a;
    }

    /// <summary>The reference (average-subject) skeleton with rest offsets, as saved in skeleton.json.</summary>
    public static Skeleton ReferenceSkeleton(bool kit) => new BodyModel(kit, new Subject()).Skeleton;

    /// <summary>
    /// Generates the whole dataset in memory: originals (and M mirrors), splits (train 80 % / val 5 % / test 15 % of
    /// the originals, each with its mirrors) and the action-label set.
    /// </summary>
    public static (MotionDataset Dataset, ActionLabelSet Actions, IReadOnlyList<SynthClip> Plans) Generate(SynthOptions o, Action<int>? progress = null)
    {
        if (o.Count < 1) throw new ArgumentOutOfRangeException(nameof(o), $"--count must be at least 1, got {o.Count}");
        var gen = new SynthClip[o.Count];
        int done = 0;
        Parallel.For(0, o.Count, DataParallelism.Options(o.Threads), i =>
        {
            gen[i] = GenerateClip(o, i);
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 64 == 0 || d == o.Count)) progress(d);
        });
        var clips = new List<MotionClip>(o.Count * 2);
        var segments = new List<ActionSegment>();
        var split = new Dictionary<string, List<string>> { ["train"] = [], ["val"] = [], ["test"] = [] };
        var splitRng = new Rng(o.Seed, 0xC0FFEEUL);
        var sk = ReferenceSkeleton(o.IsKit);
        foreach (var g in gen)
        {
            var c = g.Clip;
            clips.Add(c);
            float r = splitRng.Float();
            string s = r < 0.8f ? "train" : r < 0.85f ? "val" : "test";
            split[s].Add(c.Id);
            foreach (var a in g.Actions) segments.Add(new ActionSegment(c.Id, a.Start, a.End, [a.Label]));
            if (o.Mirrors)
            {
                var m = Mirroring.Mirror(c);
                clips.Add(m);
                split[s].Add(m.Id);
                foreach (var a in g.Actions) segments.Add(new ActionSegment(m.Id, a.Start, a.End, [a.Label]));
            }
        }
        var splits = new Dictionary<string, IReadOnlyList<string>>
        {
            ["train"] = split["train"],
            ["val"] = split["val"],
            ["test"] = split["test"],
            ["train_val"] = split["train"].Concat(split["val"]).ToArray(),
            ["all"] = clips.Select(c => c.Id).ToArray(),
        };
        // Clips keep their per-subject skeleton; the dataset's skeleton is the reference one (same joints and chains).
        var actions = new ActionLabelSet(Act.Labels, segments);
        var ds = new MotionDataset($"synthetic-{(o.IsKit ? "kit" : "smpl")}", sk, o.Fps, clips, splits) { Actions = actions };
        return (ds, actions, gen);
    }

    /// <summary>
    /// Writes a HumanML3D-format folder: new_joints/&lt;id&gt;.npy, texts/&lt;id&gt;.txt, train/val/test/all/train_val.txt,
    /// skeleton.json (with fps) and actions.json. Returns the dataset and the write report (files in = written + skipped).
    /// </summary>
    public static (MotionDataset Dataset, LoadReport Report) Write(string outDir, SynthOptions o, Action<string, int, int>? progress = null)
    {
        var (ds, actions, _) = Generate(o, d => progress?.Invoke("generate", d, o.Count));
        Directory.CreateDirectory(Path.Combine(outDir, "new_joints"));
        Directory.CreateDirectory(Path.Combine(outDir, "texts"));
        var report = new LoadReport();
        report.CountIn(ds.Clips.Count);
        int done = 0;
        Parallel.For(0, ds.Clips.Count, DataParallelism.Options(o.Threads), i =>
        {
            var c = ds.Clips[i];
            Npy.Write(Path.Combine(outDir, "new_joints", c.Id + ".npy"), c.Positions, c.Frames, c.JointCount, 3);
            HumanMLText.Write(Path.Combine(outDir, "texts", c.Id + ".txt"), c.Captions);
            report.Ok();
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 128 == 0 || d == ds.Clips.Count)) progress("write", d, ds.Clips.Count);
        });
        foreach (var s in ds.SplitNames)
            AtomicFile.WriteAllText(Path.Combine(outDir, s + ".txt"), string.Join("\n", ds.Split(s)) + "\n");
        SkeletonJson.Save(Path.Combine(outDir, SkeletonJson.FileName), ds.Skeleton, ds.Fps);
        actions.Save(Path.Combine(outDir, ActionLabelSet.FileName));
        return (ds, report);
    }
}

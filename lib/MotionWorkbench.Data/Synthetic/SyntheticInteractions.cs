using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data.Synthetic;

/// <summary>Options of the synthetic two-person interaction set.</summary>
public sealed record InteractionOptions
{
    public int Count { get; init; } = 800;
    public ulong Seed { get; init; } = 42;
    public bool Mirrors { get; init; }
    public float Fps { get; init; } = InterHumanDataset.DefaultFps;
    /// <summary>Threads that generate and write the clips (the result does not depend on it): 0 (default) = as many as .NET reports processors; the workbench passes its engine threads.</summary>
    public int Threads { get; init; }
}

/// <summary>
/// Two-person interactions (10 types) built with the same kinematic body as the single-person set, written in
/// InterHuman format (30 fps, Z up on disk).
/// </summary>
public static class SyntheticInteractions
{
    public static readonly string[] Types =
    [
        "handshake", "hug", "push", "high five", "pass an object", "walk toward each other", "follow", "spar",
        "wave to each other", "bow to each other",
    ];

    private sealed class Person
    {
        public required BodyModel Body;
        public float X, Z, Yaw;
        public int[] Feet = [7, 8, 10, 11];
    }

    public static InteractionClip GenerateClip(InteractionOptions o, int index)
    {
        var rng = new Rng(o.Seed ^ 0x1A7E5ACEUL, (ulong)index);
        int type = index % Types.Length;
        // Mix the order a little so that consecutive ids are not always the same type.
        type = (type + rng.Next(Types.Length)) % Types.Length;
        Subject NewSubject() => new()
        {
            Height = Math.Clamp(rng.Normal(1f, 0.055f), 0.86f, 1.12f),
            Legs = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
            Arms = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
            Torso = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
            Shoulders = Math.Clamp(rng.Normal(1f, 0.05f), 0.88f, 1.12f),
            Tempo = Math.Clamp(rng.Normal(1f, 0.07f), 0.85f, 1.15f),
        };
        var sa = NewSubject();
        var sb = NewSubject();
        var a = new Person { Body = new BodyModel(false, sa) };
        var b = new Person { Body = new BodyModel(false, sb), Yaw = MathF.PI };
        Side side = rng.Next(2) == 0 ? Side.Left : Side.Right;
        Side other = side == Side.Left ? Side.Right : Side.Left;
        int reps = rng.Next(2, 4);
        float gap = Types[type] switch
        {
            "hug" => 0.42f,
            "handshake" or "pass an object" => 0.85f,
            "push" or "spar" => 0.8f,
            "high five" => 0.9f,
            "walk toward each other" => rng.Range(3.2f, 4.5f),
            "wave to each other" => rng.Range(2.5f, 4f),
            "bow to each other" => rng.Range(1.3f, 1.8f),
            _ => 1.3f,
        };
        b.Z = gap;
        if (Types[type] == "follow") { b.Yaw = 0; b.Z = -gap; }
        float dur = Types[type] switch
        {
            "walk toward each other" or "follow" => rng.Range(4f, 6f),
            "spar" => rng.Range(4f, 6f),
            _ => rng.Range(3f, 5f),
        };
        float fps = o.Fps;
        int T = (int)(dur * fps);
        var pa = new float[T * 66];
        var pb = new float[T * 66];
        Span<float> pose = stackalloc float[P.Count];
        Span<float> frame = stackalloc float[66];
        var walkA = new Act { Kind = ActionKind.Walk, Reps = 6 };
        walkA.Plan(sa.Tempo, a.Body.LegLength);
        var walkB = new Act { Kind = ActionKind.Walk, Reps = 6 };
        walkB.Plan(sb.Tempo, b.Body.LegLength);
        float walkDist = Types[type] == "walk toward each other" ? (gap - 0.9f) / 2 : 0;
        float traveledA = 0, traveledB = 0;
        for (int f = 0; f < T; f++)
        {
            float t = f / fps, u = t / dur;
            for (int k = 0; k < 2; k++)
            {
                var who = k == 0 ? a : b;
                bool first = k == 0;
                var m = new RootMotion();
                Act.Neutral(pose);
                float env = MathF.Min(Smooth(u / 0.2f), Smooth((1 - u) / 0.2f));
                switch (Types[type])
                {
                    case "handshake":
                    {
                        // Right hands meet in front; three to four pumps.
                        float pump = 0.1f * MathF.Sin(2 * MathF.PI * reps * Smooth((u - 0.25f) / 0.5f));
                        Reach(pose, 1, 0.75f * env + pump * env, 1.45f, 0.6f * env + 0.15f);
                        break;
                    }
                    case "hug":
                        for (int s = 0; s < 2; s++)
                        {
                            Reach(pose, s, (first ? 1.45f : 1.1f) * env, 0.95f, 1.35f * env + 0.15f);
                            pose[P.S(s, P.HintX)] = -1f * env;
                        }
                        pose[P.Lean] += 0.12f * env;
                        pose[P.HeadTurn] = 0.4f * env;
                        break;
                    case "push":
                    {
                        float hit = Smooth((u - 0.3f) / 0.12f);
                        if (first)
                        {
                            for (int s = 0; s < 2; s++) Reach(pose, s, 1.3f * env, 1.45f, 1.6f * (1 - hit) * env + 0.1f);
                            pose[P.Lean] += 0.2f * hit * env;
                        }
                        else
                        {
                            float back = Bump((u - 0.35f) / 0.35f);
                            m.Forward = -1.1f * back;
                            pose[P.Lean] -= 0.2f * back;
                            for (int s = 0; s < 2; s++) Reach(pose, s, 0.12f + 0.7f * back, 0.6f, 0.4f);
                            pose[P.S(0, P.HipFlex)] = -0.3f * back * MathF.Sin(12 * u);
                            pose[P.S(1, P.HipFlex)] = 0.3f * back * MathF.Sin(12 * u);
                        }
                        break;
                    }
                    case "high five":
                    {
                        int s = (first ? side : other) == Side.Left ? 0 : 1;
                        float raise = Smooth((u - 0.15f) / 0.25f) * Smooth((0.85f - u) / 0.25f);
                        float slap = Bump((u - 0.42f) / 0.16f);
                        Reach(pose, s, 2.35f * raise, 1.35f, 0.5f * raise + 0.15f - 0.3f * slap);
                        break;
                    }
                    case "pass an object":
                    {
                        int s = (first ? side : other) == Side.Left ? 0 : 1;
                        float give = first ? Smooth((u - 0.1f) / 0.3f) * Smooth((0.75f - u) / 0.2f) : Smooth((u - 0.3f) / 0.2f) * Smooth((0.95f - u) / 0.3f);
                        Reach(pose, s, 1.0f * give + 0.12f, 1.5f, 1.2f - 0.8f * give);
                        break;
                    }
                    case "walk toward each other":
                    case "follow":
                    {
                        bool walking = Types[type] == "follow" ? true : (first ? traveledA : traveledB) < walkDist;
                        var w = first ? walkA : walkB;
                        float tt = MathF.Min(t, w.Duration - 0.3f);
                        if (walking) { w.Eval(MathF.Max(0.3f, tt), pose, ref m); if (t < 0.3f) m.Forward *= Smooth(t / 0.3f); }
                        if (Types[type] == "follow" && !first && t < 0.4f) { Act.Neutral(pose); m = default; }
                        float traveled = m.Forward / fps;
                        if (first) traveledA += traveled; else traveledB += traveled;
                        break;
                    }
                    case "spar":
                    {
                        var punch = new Act { Kind = ActionKind.Punch, Side = Side.Both, Reps = 2 };
                        punch.Plan(first ? sa.Tempo : sb.Tempo, who.Body.LegLength);
                        float half = dur / 2;
                        bool attacking = first ? t < half : t >= half;
                        float lt = (first ? t : t - half) % half;
                        if (attacking) punch.Eval(MathF.Min(lt, punch.Duration - 1e-3f), pose, ref m);
                        else
                        {
                            punch.Eval(0.5f, pose, ref m); // guard
                            pose[P.Lean] -= 0.15f * Bump(lt / half);
                            m.Forward = -0.25f * MathF.Sin(2 * MathF.PI * lt / half);
                        }
                        m.Forward = attacking ? 0.2f * MathF.Sin(2 * MathF.PI * lt / half) : m.Forward;
                        break;
                    }
                    case "wave to each other":
                    {
                        var wave = new Act { Kind = ActionKind.Wave, Side = first ? side : other, Reps = reps };
                        wave.Plan(first ? sa.Tempo : sb.Tempo, who.Body.LegLength);
                        float st = first ? 0.2f : 0.6f;
                        if (t >= st && t < st + wave.Duration) wave.Eval(t - st, pose, ref m);
                        break;
                    }
                    case "bow to each other":
                    {
                        var bow = new Act { Kind = ActionKind.Bow, Reps = 1 };
                        bow.Plan(first ? sa.Tempo : sb.Tempo, who.Body.LegLength);
                        float st = first ? 0.3f : 0.7f;
                        if (t >= st && t < st + bow.Duration) bow.Eval(t - st, pose, ref m);
                        break;
                    }
                }
                // Integrate and place the feet on the floor.
                if (f > 0)
                {
                    who.Yaw += m.YawRate / fps;
                    who.X += MathF.Sin(who.Yaw) * m.Forward / fps;
                    who.Z += MathF.Cos(who.Yaw) * m.Forward / fps;
                }
                who.Body.Pose(pose, new Vec(who.X, 0, who.Z), who.Yaw, frame);
                float minFoot = float.MaxValue;
                foreach (int j in who.Feet) minFoot = MathF.Min(minFoot, frame[j * 3 + 1]);
                for (int j = 0; j < 22; j++) frame[j * 3 + 1] += -minFoot + m.Air;
                frame.CopyTo((first ? pa : pb).AsSpan(f * 66));
            }
        }
        float floor = MathF.Min(pa.Where((_, i) => i % 3 == 1).Min(), pb.Where((_, i) => i % 3 == 1).Min());
        for (int i = 1; i < pa.Length; i += 3) { pa[i] -= floor; pb[i] -= floor; }
        string id = index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
        var captions = Caption(Types[type], side, reps, rng);
        var p1 = new MotionClip(id, a.Body.Skeleton, fps, pa, captions.Select(c => new Caption(c)).ToArray(), [Types[type]]);
        var p2 = new MotionClip(id, b.Body.Skeleton, fps, pb, captions.Select(c => new Caption(c)).ToArray(), [Types[type]]);
        return new InteractionClip(id, p1, p2, captions, [Types[type]]);
    }

    private static void Reach(Span<float> p, int s, float elev, float plane, float elbow)
    {
        p[P.S(s, P.ShElev)] = MathF.Max(0.12f, elev);
        p[P.S(s, P.ShPlane)] = plane;
        p[P.S(s, P.ElbowFlex)] = elbow;
    }

    private static float Smooth(float x) { x = Math.Clamp(x, 0f, 1f); return x * x * (3 - 2 * x); }

    private static float Bump(float u) { u = Math.Clamp(u, 0f, 1f); float s = MathF.Sin(MathF.PI * u); return s * s; }

    private static string[] Caption(string type, Side side, int reps, Rng rng)
    {
        string s = side == Side.Left ? "left" : "right";
        string[] c = type switch
        {
            "handshake" => ["two people shake hands.", "two persons greet each other with a handshake.", "the two people face each other and shake their right hands."],
            "hug" => ["two people hug each other.", "two persons embrace.", "the two people step close and wrap their arms around each other."],
            "push" => ["one person pushes the other, who stumbles backwards.", "a person shoves the other person with both hands.", "the first person pushes the second one away with both hands."],
            "high five" => [$"two people give each other a high five, the first one with the {s} hand.", "two persons high five.", $"one person raises the {s} hand and high-fives the other."],
            "pass an object" => [$"one person hands an object to the other with the {s} hand.", "a person passes something to the other person.", $"the first person gives an item with the {s} hand and the other takes it."],
            "walk toward each other" => ["two people walk toward each other and stop.", "two persons approach each other.", "the two people walk to meet each other."],
            "follow" => ["one person walks forward and the other follows behind.", "a person follows another person who is walking.", "two people walk in the same direction, one behind the other."],
            "spar" => ["two people spar, taking turns throwing punches.", "two persons fight, punching at each other.", "the two people box with each other, one attacking while the other steps back."],
            "wave to each other" => [$"two people wave to each other, the first with the {s} hand.", "two persons standing apart wave at each other.", $"one person waves the {s} hand and the other waves back."],
            _ => ["two people bow to each other.", "two persons face each other and bow.", "the two people greet each other with a bow."],
        };
        return c;
    }

    /// <summary>Generates the whole set: splits 80/5/15 and the type labels.</summary>
    public static (InterHumanDataset Set, ActionLabelSet Labels) Generate(InteractionOptions o, Action<int>? progress = null)
    {
        var clips = new InteractionClip[o.Count];
        int done = 0;
        Parallel.For(0, o.Count, DataParallelism.Options(o.Threads), i =>
        {
            clips[i] = GenerateClip(o, i);
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 32 == 0 || d == o.Count)) progress(d);
        });
        var all = new List<InteractionClip>();
        var split = new Dictionary<string, List<string>> { ["train"] = [], ["val"] = [], ["test"] = [] };
        var rng = new Rng(o.Seed, 0xBEEFUL);
        foreach (var c in clips)
        {
            float r = rng.Float();
            string s = r < 0.8f ? "train" : r < 0.85f ? "val" : "test";
            all.Add(c);
            split[s].Add(c.Id);
            if (o.Mirrors)
            {
                var m1 = Mirroring.Mirror(c.Person1);
                var m2 = Mirroring.Mirror(c.Person2);
                var m = new InteractionClip("M" + c.Id, m1, m2, c.Captions.Select(Mirroring.MirrorText).ToArray(), c.Labels);
                all.Add(m);
                split[s].Add(m.Id);
            }
        }
        var splits = split.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
        var labels = new ActionLabelSet(Types, all.Select(c => new ActionSegment(c.Id, 0, 0, c.Labels)).ToArray());
        return (new InterHumanDataset("synthetic-interhuman", all, splits), labels);
    }

    /// <summary>Writes the InterHuman layout (positions only: T x 66 per person, Z up), splits, ignore_list.txt, actions.json.</summary>
    public static (InterHumanDataset Set, LoadReport Report) Write(string outDir, InteractionOptions o, Action<string, int, int>? progress = null)
    {
        var (set, labels) = Generate(o, d => progress?.Invoke("generate", d, o.Count));
        string p1 = Path.Combine(outDir, "motions_processed", "person1"), p2 = Path.Combine(outDir, "motions_processed", "person2");
        Directory.CreateDirectory(p1);
        Directory.CreateDirectory(p2);
        Directory.CreateDirectory(Path.Combine(outDir, "annots"));
        var report = new LoadReport();
        report.CountIn(set.Clips.Count);
        int done = 0;
        Parallel.For(0, set.Clips.Count, DataParallelism.Options(o.Threads), i =>
        {
            var c = set.Clips[i];
            foreach (var (person, dir) in new[] { (c.Person1, p1), (c.Person2, p2) })
            {
                var z = (float[])person.Positions.Clone();
                InterHumanDataset.YUpToZUp(z);
                Npy.Write(Path.Combine(dir, c.Id + ".npy"), z, person.Frames, 66);
            }
            AtomicFile.WriteAllText(Path.Combine(outDir, "annots", c.Id + ".txt"), string.Join("\n", c.Captions) + "\n");
            report.Ok();
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 64 == 0 || d == set.Clips.Count)) progress("write", d, set.Clips.Count);
        });
        foreach (var s in new[] { "train", "val", "test" })
            AtomicFile.WriteAllText(Path.Combine(outDir, s + ".txt"), string.Join("\n", set.Split(s)) + "\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "ignore_list.txt"), "");
        SkeletonJson.Save(Path.Combine(outDir, SkeletonJson.FileName), Skeleton.Smpl22, o.Fps);
        labels.Save(Path.Combine(outDir, ActionLabelSet.FileName));
        return (set, report);
    }
}

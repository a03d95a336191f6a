using System.Globalization;
using MotionWorkbench.Data.Probes;

namespace MotionWorkbench.Data.Synthetic;

/// <summary>Options of a synthetic probe set (<c>mw data probes</c>).</summary>
public sealed record ProbeOptions
{
    /// <summary>"smpl" (22 joints, 20 fps) or "kit" (21 joints, 12.5 fps).</summary>
    public string Skeleton { get; init; } = "smpl";
    public int PairsPerAttribute { get; init; } = 100;
    public ulong Seed { get; init; } = 42;
    /// <summary>
    /// The longest clip, in seconds at the patch rate (20 fps): 5.6 s is the Laptop preset's 112 frames, so no probe motion
    /// is cropped at Laptop or Paper (224 frames); Smoke's 64 frames crop the longer ones.
    /// </summary>
    public float MaxSeconds { get; init; } = 5.6f;

    /// <summary>The shortest <see cref="MaxSeconds"/> at which every attribute's pairs fit (order pairs need the most room; KIT's budget is 12/12.5 of it).</summary>
    public const float MinSeconds = 5.2f;
    public IReadOnlyList<string> Attributes { get; init; } = ProbeAttributes.All;

    public bool IsKit => Skeleton.Equals("kit", StringComparison.OrdinalIgnoreCase);
    public float Fps => IsKit ? 12.5f : 20f;

    /// <summary>Every problem as one error naming the option.</summary>
    public void Validate()
    {
        if (!Skeleton.Equals("smpl", StringComparison.OrdinalIgnoreCase) && !IsKit) throw new ArgumentException($"--skeleton must be smpl or kit, got '{Skeleton}'");
        if (PairsPerAttribute < 1 || PairsPerAttribute > 100_000) throw new ArgumentException($"--pairs must be 1..100000 pairs per attribute, got {PairsPerAttribute}");
        if (!(MaxSeconds >= MinSeconds && MaxSeconds <= 10f)) throw new ArgumentException($"--max-seconds must be {MinSeconds.ToString(CultureInfo.InvariantCulture)}..10 (an order pair's two actions and their pauses must fit in whole patch windows), got {MaxSeconds.ToString(CultureInfo.InvariantCulture)}");
        if (Attributes.Count == 0) throw new ArgumentException("no probe attributes chosen");
        foreach (var a in Attributes)
            if (!ProbeAttributes.All.Contains(a)) throw new ArgumentException($"unknown probe attribute '{a}' (known: {string.Join(", ", ProbeAttributes.All)})");
    }
}

/// <summary>A generated pair: the probe-file entry, both motions' parameters and clips.</summary>
public sealed record SyntheticProbePair(ProbePair Pair, ProbeMotionParameters A, ProbeMotionParameters B, MotionClip ClipA, MotionClip ClipB);

/// <summary>
/// Minimal-pair probes from the synthetic generator: each pair is one clip drawn from its own random stream and a copy
/// with exactly one attribute changed (<see cref="ProbeAttributes"/>), regenerated with the same subject, pauses and
/// noise; the captions ("a person ...", one fixed paraphrase per action) differ only where the motions do.
/// <para>
/// Order pairs use a slot layout: each of the two in-place actions plays inside its own block of whole patch windows
/// (16 frames at 20 fps, SMPL), rendered from the same root position, pose noise and sway phase, so "B, then A" is
/// "A, then B" with the two blocks swapped, frame for frame; a model that pools its patch tokens without order sees the
/// same bag either way. KIT clips (12.5 fps) are re-timed to 20 fps by the reference's rule (12 source frames to 20),
/// so their 10-frame blocks fall near, not on, window boundaries.
/// </para>
/// </summary>
public static class SyntheticProbes
{
    /// <summary>Random streams of the probe pairs (seed, TAG | attribute &lt;&lt; 20 | pair): disjoint from the dataset's clip streams.</summary>
    public const ulong StreamTag = 0x50524F4245UL << 24;

    /// <summary>Frames of one 16-frame patch window at the skeleton's rate (SMPL 16 at 20 fps; KIT 10 at 12.5 fps, 0.8 s).</summary>
    public static int WindowFrames(bool kit) => kit ? 10 : 16;

    /// <summary>The clip budget in source seconds: KIT's re-timing stretches 12 source frames to one second, so its clips get 12/12.5 of it.</summary>
    public static float BudgetSeconds(ProbeOptions o) => o.IsKit ? o.MaxSeconds * 12f / 12.5f : o.MaxSeconds;

    /// <summary>Generates every pair (deterministic per seed; pairs are built in parallel).</summary>
    public static IReadOnlyList<SyntheticProbePair> Generate(ProbeOptions o, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var attributes = ProbeAttributes.Ordered(o.Attributes);
        int n = o.PairsPerAttribute, total = attributes.Count * n, done = 0;
        var pairs = new SyntheticProbePair[total];
        try
        {
            Parallel.For(0, total, index =>
            {
                string attribute = attributes[index / n];
                int i = index % n;
                int attributeIndex = ProbeAttributes.Rank(attribute);
                pairs[index] = MakePair(o, attribute, attributeIndex, i);
                int d = Interlocked.Increment(ref done);
                if (progress is not null && (d % 64 == 0 || d == total)) progress(d, total);
            });
        }
        catch (AggregateException e)
        {
            // one error, not the parallel loop's wrapper (the same pair fails the same way on every run)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return pairs;
    }

    /// <summary>Pair <paramref name="i"/> of an attribute.</summary>
    public static SyntheticProbePair MakePair(ProbeOptions o, string attribute, int attributeIndex, int i)
    {
        var rng = new Rng(o.Seed, StreamTag | ((ulong)(uint)attributeIndex << 20) | (uint)i);
        var (a, b, contrast) = ProbeDrafts.Build(attribute, rng, o.IsKit, o.Fps, BudgetSeconds(o));
        string id = $"{attribute}-{i.ToString("D4", CultureInfo.InvariantCulture)}";
        string captionA = ProbeDrafts.Caption(a), captionB = ProbeDrafts.Caption(b);
        var clipA = Render(id + "-a", a, o, captionA);
        var clipB = Render(id + "-b", b, o, captionB);
        if (captionA == captionB) throw new InvalidOperationException($"probe {id}: both captions are \"{captionA}\"");
        if (clipA.Positions.AsSpan().SequenceEqual(clipB.Positions))
            throw new InvalidOperationException($"probe {id}: both motions are identical");
        var pa = Parameters(a);
        var pb = Parameters(b);
        var pair = new ProbePair(id, attribute, contrast, clipA.Id, clipB.Id, captionA, captionB) { DetailsA = pa.ToJson(), DetailsB = pb.ToJson() };
        return new SyntheticProbePair(pair, pa, pb, clipA, clipB);
    }

    /// <summary>The probe-file description of generated pairs.</summary>
    public static ProbeSet ToSet(IReadOnlyList<SyntheticProbePair> pairs, ProbeOptions o) =>
        new("synthetic", o.IsKit ? "kit" : "smpl", o.Fps, pairs.Select(p => p.Pair).ToList())
        {
            Description = "minimal pairs from the synthetic generator: each a clip and a copy with one attribute changed (same subject, pauses and noise)",
            Seed = o.Seed,
            PairsPerAttribute = o.PairsPerAttribute,
            WindowFrames = WindowFrames(o.IsKit),
            WindowAlignment = o.IsKit ? "approximate" : "exact",
            MaxSeconds = o.MaxSeconds,
            Notes =
            [
                "order pairs: each action in its own block of whole 0.8 s patch windows, rendered from the same root, noise and sway, so the two motions are the same blocks swapped"
                    + (o.IsKit ? " (KIT: 10-frame blocks at 12.5 fps; the reference's re-timing to 20 fps puts their edges near, not on, window boundaries)" : ""),
                "direction pairs: walking forward against walking backwards (the generator's two gaits), or a turn to the left against one to the right",
            ],
        };

    /// <summary>Generates a probe set and writes it as a dataset folder with <c>probes.json</c> (<see cref="ProbeFolder"/>).</summary>
    public static ProbeSet Write(string outDir, ProbeOptions o, Action<string, int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        ProbeFolder.CheckTarget(Path.GetFullPath(outDir));
        var pairs = Generate(o, (d, t) => progress?.Invoke("generate", d, t));
        var set = ToSet(pairs, o);
        var clips = pairs.SelectMany(p => new[] { p.ClipA, p.ClipB }).ToDictionary(c => c.Id, StringComparer.Ordinal);
        ProbeFolder.Write(outDir, set, clips, SyntheticMotions.ReferenceSkeleton(o.IsKit), (d, t) => progress?.Invoke("write", d, t));
        return set;
    }

    /// <summary>
    /// The probe set of <paramref name="o"/> in <paramref name="outDir"/>: reused when its probes.json was generated with
    /// the same options, else (re)written. True when it wrote the set.
    /// </summary>
    public static bool Ensure(string outDir, ProbeOptions o, Action<string, int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        if (File.Exists(Path.Combine(outDir, ProbeSet.FileName)))
        {
            try
            {
                var set = ProbeSet.Load(outDir);
                if (set.Source == "synthetic" && set.Skeleton == (o.IsKit ? "kit" : "smpl") && set.Seed == o.Seed && set.PairsPerAttribute == o.PairsPerAttribute
                    && set.MaxSeconds == o.MaxSeconds && set.Attributes.SequenceEqual(ProbeAttributes.Ordered(o.Attributes)))
                    return false;
            }
            catch (InvalidDataException) { } // damaged: written again below
        }
        Write(outDir, o, progress);
        return true;
    }

    private static MotionClip Render(string id, ProbeDraft d, ProbeOptions o, string caption)
    {
        bool kit = o.IsKit;
        float fps = o.Fps;
        var recipe = d.Recipe;
        float[] pos;
        int T;
        if (d.SlotFrames is { } slots)
        {
            int J = new BodyModel(kit, recipe.Subject).JointCount;
            T = slots.Sum();
            pos = new float[T * J * 3];
            int offset = 0;
            for (int k = 0; k < slots.Length; k++)
            {
                var slot = new ClipRecipe
                {
                    Subject = recipe.Subject, Acts = [recipe.Acts[k].Copy()], Lead = d.SlotLeads![k], Tail = 0, Gaps = [0f],
                    Style = recipe.Style, SwayPhase = recipe.SwayPhase,
                };
                slot.Schedule();
                ClipRenderer.RenderFrames(slot, kit, fps, slots[k]).CopyTo(pos, offset * J * 3);
                recipe.Acts[k].Start = offset / fps + d.SlotLeads[k];
                offset += slots[k];
            }
            ClipRenderer.Canonicalize(pos, J);
        }
        else (pos, T) = ClipRenderer.Render(recipe, kit, fps);
        var clip = SyntheticMotions.Assemble(id, recipe, kit, fps, pos, T, [new Caption(caption)]).Clip;
        if (!d.Mirrored) return clip;
        // The caption is already the mirrored one; only the motion is mirrored here.
        return new MotionClip(id, clip.Skeleton, fps, Mirroring.MirrorPositions(clip.Positions, clip.Skeleton), [new Caption(caption)],
            clip.Labels.Select(Mirroring.MirrorText).ToArray());
    }

    private static ProbeMotionParameters Parameters(ProbeDraft d)
    {
        var r = d.Recipe;
        var s = r.Subject;
        var actions = r.Acts.Select((a, k) => new ProbeActionParameters(a.Kind, a.Side, a.Reps, a.Pace, a.Amp, a.Forward, a.Angle, d.Variants[k],
            d.SlotFrames?[k] ?? 0, d.SlotLeads?[k] ?? 0)).ToList();
        return new ProbeMotionParameters(new ProbeSubjectParameters(s.Height, s.Legs, s.Arms, s.Torso, s.Shoulders, s.Tempo),
            r.Lead, r.Tail, r.Gaps, r.Style, r.SwayPhase, actions, d.Mirrored, d.Slotted);
    }
}

namespace MotionWorkbench.Data.Synthetic;

/// <summary>
/// Everything one synthetic clip is made of, drawn from its random stream before anything is rendered: the subject
/// (proportions and tempo), the actions with their parameters, the pauses (a lead, a gap after each action, a tail),
/// the per-parameter pose offsets ("style") and the phase of the idle sway. Rendering a recipe draws nothing
/// (<see cref="ClipRenderer"/>), so a copy with one action parameter changed renders the same clip apart from that
/// change: how the minimal-pair probes are made (<see cref="SyntheticProbes"/>).
/// </summary>
internal sealed class ClipRecipe
{
    public required Subject Subject { get; init; }
    public required List<Act> Acts { get; init; }
    /// <summary>Seconds of standing before the first action.</summary>
    public required float Lead { get; init; }
    /// <summary>Seconds of standing after the last action (the clip lasts at least 2.05 s).</summary>
    public required float Tail { get; init; }
    /// <summary>Seconds of standing after each action (one per action).</summary>
    public required float[] Gaps { get; init; }
    /// <summary>Per pose parameter offsets (radians) that make this performance differ from another (<see cref="P.Count"/>).</summary>
    public required float[] Style { get; init; }
    public required float SwayPhase { get; init; }

    /// <summary>Leg length (thigh + shin) of the subject's body on a skeleton.</summary>
    public static float LegLength(Subject subject, bool kit) => new BodyModel(kit, subject).LegLength;

    /// <summary>
    /// Draws a recipe in the generator's order: subject, plan (by <paramref name="samplePlan"/>), lead, tail, one gap per
    /// action, style, sway phase. The dataset's clips are drawn this way, so their bytes do not depend on the split into
    /// recipe and rendering.
    /// </summary>
    public static ClipRecipe Sample(Rng rng, bool kit, Func<Rng, Subject, float, List<Act>> samplePlan)
    {
        var subject = SampleSubject(rng);
        var acts = samplePlan(rng, subject, LegLength(subject, kit));
        return Draw(rng, subject, acts);
    }

    /// <summary>The rest of a recipe for a subject and its actions: lead, tail, one gap per action, style, sway phase.</summary>
    public static ClipRecipe Draw(Rng rng, Subject subject, List<Act> acts)
    {
        float lead = rng.Range(0.15f, 0.5f), tail = rng.Range(0.15f, 0.5f);
        var gaps = new float[acts.Count];
        for (int k = 0; k < acts.Count; k++) gaps[k] = rng.Range(0f, 0.25f);
        var style = new float[P.Count];
        for (int i = 0; i < P.Count; i++) style[i] = rng.Normal(0, 0.03f);
        float sway = rng.Range(0, 6.28f);
        return new ClipRecipe { Subject = subject, Acts = acts, Lead = lead, Tail = tail, Gaps = gaps, Style = style, SwayPhase = sway };
    }

    public static Subject SampleSubject(Rng rng) => new()
    {
        Height = Math.Clamp(rng.Normal(1f, 0.055f), 0.86f, 1.12f),
        Legs = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
        Arms = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
        Torso = Math.Clamp(rng.Normal(1f, 0.03f), 0.93f, 1.07f),
        Shoulders = Math.Clamp(rng.Normal(1f, 0.05f), 0.88f, 1.12f),
        Tempo = Math.Clamp(rng.Normal(1f, 0.07f), 0.85f, 1.15f),
    };

    /// <summary>Sets each action's start (lead, then each action's duration plus its gap) and returns the clip's length in seconds.</summary>
    public float Schedule()
    {
        float t0 = Lead;
        for (int k = 0; k < Acts.Count; k++)
        {
            Acts[k].Start = t0;
            t0 += Acts[k].Duration + Gaps[k];
        }
        return MathF.Min(MathF.Max(2.05f, t0 + Tail), 10f);
    }
}

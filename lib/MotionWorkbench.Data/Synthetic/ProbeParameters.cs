using System.Globalization;
using System.Text.Json.Nodes;
using MotionWorkbench.Data.Probes;

namespace MotionWorkbench.Data.Synthetic;

/// <summary>
/// One action of a probe motion as the generator rendered it. <see cref="CaptionVariant"/> is the paraphrase (0-2) its
/// caption phrase uses; <see cref="SlotFrames"/> and <see cref="SlotLead"/> are set in the slot layout of order pairs
/// (the action plays <see cref="SlotLead"/> s into its own block of <see cref="SlotFrames"/> frames) and 0 otherwise.
/// </summary>
public sealed record ProbeActionParameters(ActionKind Kind, Side Side, int Reps, Pace Pace, Amplitude Amplitude, bool Forward, int Angle,
    int CaptionVariant, int SlotFrames = 0, float SlotLead = 0)
{
    public JsonObject ToJson() => new()
    {
        ["kind"] = SyntheticMotions.ActionLabels[(int)Kind],
        ["side"] = Side.ToString().ToLowerInvariant(),
        ["reps"] = Reps,
        ["pace"] = Pace.ToString().ToLowerInvariant(),
        ["amplitude"] = Amplitude.ToString().ToLowerInvariant(),
        ["forward"] = Forward,
        ["angle"] = Angle,
        ["captionVariant"] = CaptionVariant,
        ["slotFrames"] = SlotFrames,
        ["slotLead"] = Math.Round(SlotLead, 4),
    };
}

/// <summary>The subject's proportions and tempo (multipliers of the average body).</summary>
public sealed record ProbeSubjectParameters(float Height, float Legs, float Arms, float Torso, float Shoulders, float Tempo);

/// <summary>
/// Everything a synthetic probe motion was rendered from: the subject, the pauses (lead, a gap after each action,
/// tail; unused in the slot layout), the noise (per-parameter pose offsets and the sway phase), the actions in order and
/// whether the whole motion was mirrored. <see cref="Differences"/> says which of these two motions differ in, as
/// probe attribute names, so a test can check that a pair differs in its attribute only.
/// </summary>
public sealed record ProbeMotionParameters(ProbeSubjectParameters Subject, float Lead, float Tail, IReadOnlyList<float> Gaps, IReadOnlyList<float> Style,
    float SwayPhase, IReadOnlyList<ProbeActionParameters> Actions, bool Mirrored, bool Slotted)
{
    /// <summary>
    /// What <paramref name="a"/> and <paramref name="b"/> differ in: "subject", "timing" (pauses), "noise" (style,
    /// sway), "layout" (slots or not), "mirror", "order" (the same actions in another order), "action" (an action of
    /// another kind, apart from walking forward/backward), "direction" (walking forward against backward; the side of a
    /// turn, spin or side-step), "side" (the side of a limb action), "count", "pace", "amplitude", "angle", "jump
    /// direction", "caption" (another paraphrase) and "actions" (a different number of actions).
    /// </summary>
    public static IReadOnlyList<string> Differences(ProbeMotionParameters a, ProbeMotionParameters b)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        if (a.Subject != b.Subject) found.Add("subject");
        if (a.Lead != b.Lead || a.Tail != b.Tail || !a.Gaps.SequenceEqual(b.Gaps)) found.Add("timing");
        if (!a.Style.SequenceEqual(b.Style) || a.SwayPhase != b.SwayPhase) found.Add("noise");
        if (a.Slotted != b.Slotted) found.Add("layout");
        if (a.Mirrored != b.Mirrored) found.Add(ProbeAttributes.Mirror);
        if (a.Actions.Count != b.Actions.Count) { found.Add("actions"); return [.. found]; }
        if (a.Actions.SequenceEqual(b.Actions)) return [.. found];
        if (IsPermutation(a.Actions, b.Actions)) { found.Add(ProbeAttributes.Order); return [.. found]; }
        for (int k = 0; k < a.Actions.Count; k++)
            foreach (var d in ActionDifferences(a.Actions[k], b.Actions[k])) found.Add(d);
        return [.. found];
    }

    private static bool IsPermutation(IReadOnlyList<ProbeActionParameters> a, IReadOnlyList<ProbeActionParameters> b)
    {
        var rest = b.ToList();
        foreach (var x in a)
        {
            int i = rest.IndexOf(x);
            if (i < 0) return false;
            rest.RemoveAt(i);
        }
        return true;
    }

    private static IEnumerable<string> ActionDifferences(ProbeActionParameters x, ProbeActionParameters y)
    {
        if (x.Kind != y.Kind)
        {
            bool walkDirection = x.Kind is ActionKind.Walk or ActionKind.WalkBackwards && y.Kind is ActionKind.Walk or ActionKind.WalkBackwards;
            if (!walkDirection) { yield return ProbeAttributes.Action; yield break; } // another action: its own parameters are its own
            yield return ProbeAttributes.Direction;
        }
        if (x.Side != y.Side) yield return x.Kind is ActionKind.Turn or ActionKind.Spin or ActionKind.StepSideways ? ProbeAttributes.Direction : ProbeAttributes.Side;
        if (x.Reps != y.Reps) yield return ProbeAttributes.Count;
        if (x.Pace != y.Pace) yield return ProbeAttributes.Pace;
        if (x.Amplitude != y.Amplitude) yield return "amplitude";
        if (x.Angle != y.Angle) yield return "angle";
        if (x.Forward != y.Forward) yield return "jump direction";
        if (x.CaptionVariant != y.CaptionVariant) yield return "caption";
        if (x.SlotFrames != y.SlotFrames || x.SlotLead != y.SlotLead) yield return "timing";
    }

    public JsonObject ToJson() => new()
    {
        ["subject"] = new JsonObject
        {
            ["height"] = R(Subject.Height), ["legs"] = R(Subject.Legs), ["arms"] = R(Subject.Arms),
            ["torso"] = R(Subject.Torso), ["shoulders"] = R(Subject.Shoulders), ["tempo"] = R(Subject.Tempo),
        },
        ["lead"] = R(Lead),
        ["tail"] = R(Tail),
        ["gaps"] = new JsonArray(Gaps.Select(g => (JsonNode?)R(g)).ToArray()),
        ["noise"] = NoiseKey(),
        ["actions"] = new JsonArray(Actions.Select(x => (JsonNode?)x.ToJson()).ToArray()),
        ["mirrored"] = Mirrored,
        ["layout"] = Slotted ? "slots" : "continuous",
    };

    /// <summary>A short fingerprint of the style offsets and sway phase (equal noise, equal key).</summary>
    public string NoiseKey()
    {
        var bytes = new byte[(Style.Count + 1) * 4];
        for (int i = 0; i < Style.Count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), Style[i]);
        BitConverter.TryWriteBytes(bytes.AsSpan(Style.Count * 4), SwayPhase);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))[..12].ToLowerInvariant();
    }

    private static double R(float v) => Math.Round(v, 4, MidpointRounding.AwayFromZero) is var r && double.IsFinite(r) ? r
        : throw new ArgumentException($"non-finite probe parameter {v.ToString(CultureInfo.InvariantCulture)}");
}

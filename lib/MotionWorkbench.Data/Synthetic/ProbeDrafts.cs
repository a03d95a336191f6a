using MotionWorkbench.Data.Probes;

namespace MotionWorkbench.Data.Synthetic;

/// <summary>One motion of a pair before rendering: its recipe, the caption paraphrase of each action and its layout.</summary>
internal sealed class ProbeDraft
{
    public required ClipRecipe Recipe { get; init; }
    public required int[] Variants { get; init; }
    /// <summary>Slot layout (order pairs): frames of each action's block and how far into it the action starts; null: continuous.</summary>
    public int[]? SlotFrames { get; init; }
    public float[]? SlotLeads { get; init; }
    public bool Mirrored { get; init; }
    public bool Slotted => SlotFrames is not null;
}

/// <summary>
/// Builds the two drafts of a minimal pair for an attribute: one clip drawn from the pair's stream (subject, actions,
/// pauses, noise) and a copy with exactly that attribute changed. Drafts that do not fit the length budget, or whose
/// captions cannot state the change, are drawn again from the same stream (so the result stays a function of seed and
/// pair index).
/// </summary>
internal static class ProbeDrafts
{
    private static readonly ActionKind[] SideKinds =
        [ActionKind.Kick, ActionKind.Stomp, ActionKind.Lunge, ActionKind.Punch, ActionKind.Wave, ActionKind.RaiseArm, ActionKind.Throw, ActionKind.Hop];
    private static readonly ActionKind[] MirrorKinds = [.. SideKinds, ActionKind.StepSideways, ActionKind.Turn, ActionKind.Spin];
    // In-place actions: the root ends where it started, so each can fill its own slot.
    private static readonly ActionKind[] OrderKinds =
        [ActionKind.Kick, ActionKind.Stomp, ActionKind.Punch, ActionKind.Wave, ActionKind.RaiseArm, ActionKind.Clap, ActionKind.Squat,
         ActionKind.Bow, ActionKind.JumpingJacks, ActionKind.Throw, ActionKind.Jump];
    private static readonly ActionKind[] CountKinds =
        [ActionKind.Wave, ActionKind.Clap, ActionKind.Punch, ActionKind.Kick, ActionKind.Stomp, ActionKind.Squat, ActionKind.Jump,
         ActionKind.Hop, ActionKind.JumpingJacks, ActionKind.Bow];
    private static readonly ActionKind[] PaceKinds = Enum.GetValues<ActionKind>().Where(k => k is not (ActionKind.SitDown or ActionKind.StandUp)).ToArray();
    private static readonly ActionKind[] ActionKinds = PaceKinds;
    private static readonly ActionKind[] ContextKinds =
        [ActionKind.Clap, ActionKind.Squat, ActionKind.Bow, ActionKind.Wave, ActionKind.RaiseArm, ActionKind.Punch, ActionKind.Kick,
         ActionKind.Stomp, ActionKind.JumpingJacks, ActionKind.Jump];
    private const int MaxReps = 3;
    private const int Attempts = 200;

    /// <summary>The pair's two drafts and its contrast ("left/right", ...).</summary>
    public static (ProbeDraft A, ProbeDraft B, string Contrast) Build(string attribute, Rng rng, bool kit, float fps, float budgetSeconds)
    {
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            var subject = ClipRecipe.SampleSubject(rng);
            float leg = ClipRecipe.LegLength(subject, kit);
            var made = attribute switch
            {
                ProbeAttributes.Order => Order(rng, subject, leg, kit, fps, budgetSeconds),
                _ => Single(attribute, rng, subject, leg),
            };
            if (made is not var (a, b, contrast)) continue;
            if (Fits(a, fps, budgetSeconds) && Fits(b, fps, budgetSeconds)) return (a, b, contrast);
        }
        throw new InvalidOperationException($"probe attribute '{attribute}': no pair fitted {budgetSeconds:0.##} s in {Attempts} draws; allow longer clips (--max-seconds)");
    }

    private static bool Fits(ProbeDraft d, float fps, float budgetSeconds)
    {
        if (d.SlotFrames is { } slots) return slots.Sum() <= (int)MathF.Floor(budgetSeconds * fps + 1e-3f);
        var r = d.Recipe;
        float needed = r.Lead + r.Tail;
        for (int k = 0; k < r.Acts.Count; k++) needed += r.Acts[k].Duration + r.Gaps[k];
        return needed <= budgetSeconds;
    }

    private static Act New(ActionKind kind, Rng rng, Subject s, float leg, bool inPlace = false)
    {
        var a = SyntheticMotions.SampleAct(kind, rng, s, leg);
        a.Reps = Math.Min(a.Reps, MaxReps);
        if (a.Side == Side.Both && kind is ActionKind.Punch or ActionKind.Wave or ActionKind.RaiseArm) a.Side = rng.Next(2) == 0 ? Side.Left : Side.Right;
        if (inPlace && kind == ActionKind.Jump) a.Forward = false;
        a.Plan(s.Tempo, leg);
        return a;
    }

    private static Act Changed(Act a, Action<Act> change, Subject s, float leg)
    {
        var b = a.Copy();
        change(b);
        b.Plan(s.Tempo, leg);
        return b;
    }

    private static Side Other(Side side) => side == Side.Left ? Side.Right : Side.Left;

    private static int Family(ActionKind k) => k switch
    {
        ActionKind.Walk or ActionKind.WalkBackwards or ActionKind.Jog or ActionKind.Run => 1,
        ActionKind.Turn or ActionKind.Spin or ActionKind.StepSideways => 2,
        ActionKind.Jump or ActionKind.Hop or ActionKind.JumpingJacks => 3,
        ActionKind.Squat or ActionKind.Crouch => 4,
        _ => 10 + (int)k,
    };

    /// <summary>Pairs of one target action (plus, half the time, one unchanged context action before or after it).</summary>
    private static (ProbeDraft, ProbeDraft, string)? Single(string attribute, Rng rng, Subject s, float leg)
    {
        Act a, b;
        string contrast;
        switch (attribute)
        {
            case ProbeAttributes.Side:
                a = New(rng.Pick(SideKinds), rng, s, leg);
                b = Changed(a, x => x.Side = Other(a.Side), s, leg);
                contrast = "left/right";
                break;
            case ProbeAttributes.Mirror:
                a = New(rng.Pick(MirrorKinds), rng, s, leg);
                b = a;
                contrast = "mirror";
                break;
            case ProbeAttributes.Count:
            {
                a = New(rng.Pick(CountKinds), rng, s, leg);
                var (lo, hi) = rng.Next(2) == 0 ? (1, 2) : (2, 3);
                bool fewerFirst = rng.Next(2) == 0;
                a.Reps = fewerFirst ? lo : hi;
                a.Plan(s.Tempo, leg);
                b = Changed(a, x => x.Reps = fewerFirst ? hi : lo, s, leg);
                contrast = lo == 1 ? "once/twice" : "twice/three times";
                break;
            }
            case ProbeAttributes.Pace:
            {
                a = New(rng.Pick(PaceKinds), rng, s, leg);
                bool slowFirst = rng.Next(2) == 0;
                a.Pace = slowFirst ? Pace.Slow : Pace.Fast;
                a.Plan(s.Tempo, leg);
                b = Changed(a, x => x.Pace = slowFirst ? Pace.Fast : Pace.Slow, s, leg);
                contrast = "slowly/quickly";
                break;
            }
            case ProbeAttributes.Direction:
                if (rng.Next(2) == 0)
                {
                    bool forwardFirst = rng.Next(2) == 0;
                    a = New(forwardFirst ? ActionKind.Walk : ActionKind.WalkBackwards, rng, s, leg);
                    a.Reps = rng.Next(2, 4);
                    a.Plan(s.Tempo, leg);
                    b = Changed(a, x => x.Kind = forwardFirst ? ActionKind.WalkBackwards : ActionKind.Walk, s, leg);
                    contrast = "forward/backward";
                }
                else
                {
                    a = New(ActionKind.Turn, rng, s, leg);
                    b = Changed(a, x => x.Side = Other(a.Side), s, leg);
                    contrast = "turn left/right";
                }
                break;
            case ProbeAttributes.Action:
            {
                var k1 = rng.Pick(ActionKinds);
                ActionKind k2;
                do k2 = rng.Pick(ActionKinds); while (Family(k2) == Family(k1));
                a = New(k1, rng, s, leg);
                b = New(k2, rng, s, leg);
                b.Pace = a.Pace;
                b.Amp = a.Amp;
                if (b.Side is Side.Left or Side.Right && a.Side is Side.Left or Side.Right) b.Side = a.Side;
                b.Plan(s.Tempo, leg);
                contrast = $"{a.Label}/{b.Label}";
                break;
            }
            default:
                throw new ArgumentException($"unknown probe attribute '{attribute}' (known: {string.Join(", ", ProbeAttributes.All)})");
        }

        var actsA = new List<Act> { a };
        var actsB = new List<Act> { b };
        int target = 0;
        if (rng.Next(2) == 0)
        {
            ActionKind ck;
            do ck = rng.Pick(ContextKinds); while (Family(ck) == Family(a.Kind) || Family(ck) == Family(b.Kind));
            var context = New(ck, rng, s, leg, inPlace: true);
            context.Reps = 1;
            context.Plan(s.Tempo, leg);
            if (rng.Next(2) == 0) { actsA.Insert(0, context); actsB.Insert(0, context.Copy()); target = 1; }
            else { actsA.Add(context); actsB.Add(context.Copy()); }
        }
        var recipeA = ClipRecipe.Draw(rng, s, actsA);
        var recipeB = new ClipRecipe
        {
            Subject = s, Acts = attribute == ProbeAttributes.Mirror ? actsA.Select(x => x.Copy()).ToList() : actsB,
            Lead = recipeA.Lead, Tail = recipeA.Tail, Gaps = recipeA.Gaps, Style = recipeA.Style, SwayPhase = recipeA.SwayPhase,
        };
        var variants = ChooseVariants(rng, actsA, recipeB.Acts, target, attribute == ProbeAttributes.Mirror);
        if (variants is null) return null;
        return (new ProbeDraft { Recipe = recipeA, Variants = variants },
            new ProbeDraft { Recipe = recipeB, Variants = variants, Mirrored = attribute == ProbeAttributes.Mirror }, contrast);
    }

    /// <summary>
    /// "A, then B" against "B, then A": two in-place actions, each in its own block of whole patch windows
    /// (<paramref name="kit"/>: the KIT rate's nearest whole frames), so swapping them permutes whole windows.
    /// </summary>
    private static (ProbeDraft, ProbeDraft, string)? Order(Rng rng, Subject s, float leg, bool kit, float fps, float budgetSeconds)
    {
        var k1 = rng.Pick(OrderKinds);
        ActionKind k2;
        do k2 = rng.Pick(OrderKinds); while (Family(k2) == Family(k1));
        var acts = new List<Act> { New(k1, rng, s, leg, inPlace: true), New(k2, rng, s, leg, inPlace: true) };
        foreach (var x in acts) { x.Pace = Pace.Normal; x.Plan(s.Tempo, leg); }
        int window = SyntheticProbes.WindowFrames(kit);
        var leads = new float[2];
        var frames = new int[2];
        for (int k = 0; k < 2; k++)
        {
            leads[k] = rng.Range(0.1f, 0.3f);
            float seconds = leads[k] + acts[k].Duration + 0.15f;
            frames[k] = (int)MathF.Ceiling(seconds * fps / window) * window;
        }
        var recipeA = ClipRecipe.Draw(rng, s, acts);
        var variants = new[] { rng.Next(3), rng.Next(3) };
        var recipeB = new ClipRecipe
        {
            Subject = s, Acts = [acts[1].Copy(), acts[0].Copy()], Lead = recipeA.Lead, Tail = recipeA.Tail, Gaps = recipeA.Gaps,
            Style = recipeA.Style, SwayPhase = recipeA.SwayPhase,
        };
        return (new ProbeDraft { Recipe = recipeA, Variants = variants, SlotFrames = frames, SlotLeads = leads },
            new ProbeDraft { Recipe = recipeB, Variants = [variants[1], variants[0]], SlotFrames = [frames[1], frames[0]], SlotLeads = [leads[1], leads[0]] },
            $"{acts[0].Label}, then {acts[1].Label} / {acts[1].Label}, then {acts[0].Label}");
    }

    /// <summary>
    /// A paraphrase per action: for the target, one (drawn) of those whose phrases for a and b differ (for a mirror
    /// pair: whose phrase changes when left and right are swapped); null when none does. Other actions: any.
    /// </summary>
    private static int[]? ChooseVariants(Rng rng, List<Act> a, List<Act> b, int target, bool mirror)
    {
        var variants = new int[a.Count];
        for (int k = 0; k < a.Count; k++)
        {
            if (k != target) { variants[k] = rng.Next(3); continue; }
            var ok = Enumerable.Range(0, 3).Where(v => mirror
                ? Mirroring.MirrorText(Captions.Phrase(a[k], v)) != Captions.Phrase(a[k], v)
                : Captions.Phrase(a[k], v) != Captions.Phrase(b[k], v)).ToList();
            if (ok.Count == 0) return null;
            variants[k] = rng.Pick(ok);
        }
        return variants;
    }

    /// <summary>The probe caption of a draft: "a person PHRASE." or "a person PHRASE, then PHRASE."; mirrored: left and right swapped.</summary>
    public static string Caption(ProbeDraft d)
    {
        var acts = d.Recipe.Acts;
        var phrases = acts.Select((x, k) => Captions.Phrase(x, d.Variants[k])).ToArray();
        string s = phrases.Length == 1 ? $"a person {phrases[0]}" : $"a person {phrases[0]}, then {phrases[1]}";
        s = s.Replace("  ", " ").Replace(" ,", ",").Trim() + ".";
        return d.Mirrored ? Mirroring.MirrorText(s) : s;
    }
}

namespace MotionWorkbench.Data.Synthetic;

/// <summary>Caption phrases for the synthetic actions: three paraphrases per action, consistent with its parameters.</summary>
internal static class Captions
{
    private static readonly string[] Numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    public static string Num(int n) => n >= 0 && n < Numbers.Length ? Numbers[n] : n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Count(int n, int variant) => n switch
    {
        1 => variant % 2 == 0 ? "once" : "one time",
        2 => variant % 2 == 0 ? "twice" : "two times",
        _ => Num(n) + " times",
    };

    private static string SideW(Side s) => s == Side.Left ? "left" : "right";

    private static string Pace(Pace p, int v) => p switch
    {
        Synthetic.Pace.Slow => v switch { 0 => " slowly", 1 => " at a slow pace", _ => " slowly" },
        Synthetic.Pace.Fast => v switch { 0 => " quickly", 1 => " fast", _ => " at a fast pace" },
        _ => "",
    };

    // Count suffix: always for reps >= 2; for a single repetition only in some paraphrases.
    private static string Times(int reps, int v) => reps >= 2 ? " " + Count(reps, v) : v == 2 ? " once" : "";

    /// <summary>Verb phrase (third person, present) for paraphrase variant v (0..2).</summary>
    public static string Phrase(Act a, int v)
    {
        string side = SideW(a.Side);
        string pace = Pace(a.Pace, v);
        string times = Times(a.Reps, v);
        bool big = a.Amp == Amplitude.Large, small = a.Amp == Amplitude.Small;
        switch (a.Kind)
        {
            case ActionKind.Walk:
                return v switch { 0 => "walks forward" + pace, 1 => "walks straight ahead" + pace, _ => $"takes {Num(a.Reps)} steps forward" + pace };
            case ActionKind.WalkBackwards:
                return v switch { 0 => "walks backwards" + pace, 1 => "moves backward" + pace, _ => $"takes {Num(a.Reps)} steps back" + pace };
            case ActionKind.Jog:
                return v switch { 0 => "jogs forward" + pace, 1 => "jogs ahead" + pace, _ => "runs forward at a jogging pace" };
            case ActionKind.Run:
                return v switch { 0 => "runs forward" + pace, 1 => "runs ahead" + pace, _ => a.Pace == Synthetic.Pace.Fast ? "sprints forward" : "runs straight ahead" + pace };
            case ActionKind.StepSideways:
                return v switch
                {
                    0 => $"steps sideways to the {side}" + pace,
                    1 => $"side-steps to the {side}" + pace,
                    _ => $"shuffles {Num(a.Reps)} steps to the {side}" + pace,
                };
            case ActionKind.Turn:
                if (a.Angle == 180)
                    return v switch { 0 => $"turns around to the {side}" + pace, 1 => $"does a half turn to the {side}" + pace, _ => $"turns 180 degrees to the {side}" + pace };
                return v switch { 0 => $"turns {side}" + pace, 1 => $"turns to the {side}" + pace, _ => $"rotates ninety degrees to the {side}" + pace };
            case ActionKind.Spin:
            {
                string dir = a.Side == Side.Left ? "counterclockwise" : "clockwise";
                string n = a.Reps >= 2 ? " " + Count(a.Reps, v) : "";
                return v switch { 0 => $"spins around {dir}" + n + pace, 1 => $"does a full spin {dir}" + n, _ => $"twirls around {dir}" + n + pace };
            }
            case ActionKind.Jump:
            {
                string high = big ? " high" : small ? " a little" : "";
                if (a.Forward)
                    return v switch
                    {
                        0 => "jumps forward" + high + times,
                        1 => "leaps forward" + times + pace,
                        _ => a.Reps == 1 ? "does one jump forward" : $"does {Num(a.Reps)} jumps forward",
                    };
                return v switch
                {
                    0 => "jumps in place" + high + times,
                    1 => "jumps up and down" + times + pace,
                    _ => a.Reps == 1 ? "does one vertical jump" : $"does {Num(a.Reps)} vertical jumps",
                };
            }
            case ActionKind.Hop:
                return v switch
                {
                    0 => $"hops on the {side} leg" + times,
                    1 => $"hops{times} on the {side} foot" + pace,
                    _ => $"jumps on one leg, the {side} one,{times}",
                };
            case ActionKind.JumpingJacks:
                return v switch
                {
                    0 => a.Reps == 1 ? "does a jumping jack" : $"does {Num(a.Reps)} jumping jacks" + pace,
                    1 => "performs jumping jacks" + times,
                    _ => "does star jumps" + times + pace,
                };
            case ActionKind.Kick:
            {
                string h = big ? " high" : small ? " low" : "";
                return v switch
                {
                    0 => $"kicks{h} with the {side} leg" + times,
                    1 => $"kicks forward with the {side} foot" + times + pace,
                    _ => a.Reps == 1 ? $"does a {side} kick" : $"does {Num(a.Reps)} {side} kicks",
                };
            }
            case ActionKind.Stomp:
                return v switch
                {
                    0 => $"stomps the {side} foot" + times,
                    1 => $"stamps with the {side} foot" + times + pace,
                    _ => $"lifts the {side} knee and stomps down" + times,
                };
            case ActionKind.Lunge:
                return v switch
                {
                    0 => $"lunges forward with the {side} leg" + times,
                    1 => $"does a {side} leg lunge" + times + pace,
                    _ => $"steps forward into a lunge on the {side} leg" + times,
                };
            case ActionKind.Punch:
                if (a.Side == Side.Both)
                    return v switch
                    {
                        0 => $"throws {Num(a.Reps)} punches with alternating fists" + pace,
                        1 => $"punches {Count(a.Reps, v)} with both hands, alternating",
                        _ => $"boxes with both fists, {Num(a.Reps)} punches",
                    };
                return v switch
                {
                    0 => $"punches with the {side} fist" + times,
                    1 => a.Reps == 1 ? $"throws a punch with the {side} hand" : $"throws {Num(a.Reps)} punches with the {side} hand",
                    _ => $"jabs forward with the {side} arm" + times + pace,
                };
            case ActionKind.Wave:
                if (a.Side == Side.Both)
                    return v switch { 0 => "waves with both hands" + times, 1 => "raises both hands and waves" + times + pace, _ => "waves both arms above the head" + times };
                return v switch
                {
                    0 => $"waves with the {side} hand" + times,
                    1 => $"raises the {side} hand and waves" + times + pace,
                    _ => $"waves the {side} arm" + times,
                };
            case ActionKind.RaiseArm:
                if (a.Side == Side.Both)
                    return v switch { 0 => "raises both arms" + times + pace, 1 => "lifts both hands over the head" + times, _ => "puts both arms up" + times };
                return v switch
                {
                    0 => $"raises the {side} arm" + times + pace,
                    1 => $"lifts the {side} hand above the head" + times,
                    _ => $"puts the {side} arm up" + times,
                };
            case ActionKind.Clap:
                return v switch { 0 => "claps" + times + pace, 1 => "claps the hands" + times, _ => $"claps {Num(a.Reps)} times" };
            case ActionKind.Throw:
                return v switch
                {
                    0 => $"throws something with the {side} hand" + times,
                    1 => $"makes a throwing motion with the {side} arm" + times + pace,
                    _ => $"throws a ball overhand with the {side} arm" + times,
                };
            case ActionKind.Squat:
            {
                string d = big ? " deeply" : small ? " slightly" : "";
                return v switch
                {
                    0 => "squats" + d + times + pace,
                    1 => a.Reps == 1 ? "does a squat" : $"does {Num(a.Reps)} squats",
                    _ => "bends the knees into a squat" + times,
                };
            }
            case ActionKind.Crouch:
                return v switch { 0 => "crouches down and stands back up" + pace, 1 => "crouches low and rises again", _ => "goes into a crouch and gets back up" };
            case ActionKind.Bow:
            {
                string d = big ? " deeply" : small ? " slightly" : "";
                return v switch { 0 => "bows" + d + times, 1 => "takes a bow" + times + pace, _ => "bends forward at the waist in a bow" + times };
            }
            case ActionKind.SitDown:
                return v switch { 0 => "sits down" + pace, 1 => "sits down on a chair", _ => "lowers into a seated position" + pace };
            case ActionKind.StandUp:
                return v switch { 0 => "stands up" + pace, 1 => "gets up from a seated position", _ => "rises from the chair" + pace };
        }
        return a.Label;
    }

    private static readonly string[] Subjects = ["a person", "someone", "the person", "a man", "a woman", "a human", "the figure", "this person"];

    /// <summary>Three paraphrased captions for a sequence of 1-3 actions, keeping their order.</summary>
    public static string[] Make(IReadOnlyList<Act> acts, Rng rng)
    {
        var result = new string[3];
        int offset = rng.Next(3);
        var used = new HashSet<string>();
        for (int c = 0; c < 3; c++)
        {
            string subj = Subjects[rng.Next(Subjects.Length)];
            var vps = acts.Select((a, k) => Phrase(a, (c + offset + k) % 3)).ToArray();
            string s = acts.Count switch
            {
                1 => $"{subj} {vps[0]}",
                2 => c switch
                {
                    0 => $"{subj} {vps[0]}, then {vps[1]}",
                    1 => $"{subj} {vps[0]} and then {vps[1]}",
                    _ => $"first {subj} {vps[0]}, and after that {vps[1]}",
                },
                _ => c switch
                {
                    0 => $"{subj} {vps[0]}, then {vps[1]}, and finally {vps[2]}",
                    1 => $"{subj} {vps[0]}, {vps[1]} and then {vps[2]}",
                    _ => $"first {subj} {vps[0]}, next {vps[1]}, and lastly {vps[2]}",
                },
            };
            s = s.Replace("  ", " ").Replace(" ,", ",");
            if (!used.Add(s)) s = s.Replace(subj, subj == "someone" ? "a person" : "someone");
            used.Add(s);
            result[c] = s + ".";
        }
        return result;
    }
}

/// <summary>A small deterministic generator (SplitMix64), identical on every platform and runtime.</summary>
internal sealed class Rng
{
    private ulong _s;

    public Rng(ulong seed, ulong stream = 0) => _s = seed * 0x9E3779B97F4A7C15UL ^ (stream + 1) * 0xD1B54A32D192ED03UL;

    public ulong NextU64()
    {
        ulong z = _s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public int Next(int n) => (int)(NextU64() % (ulong)n);

    public int Next(int lo, int hiInclusive) => lo + Next(hiInclusive - lo + 1);

    public float Float() => (NextU64() >> 40) / (float)(1 << 24);

    public float Range(float lo, float hi) => lo + (hi - lo) * Float();

    public float Normal(float mean, float sd)
    {
        float u1 = MathF.Max(1e-7f, Float()), u2 = Float();
        return mean + sd * MathF.Sqrt(-2 * MathF.Log(u1)) * MathF.Cos(2 * MathF.PI * u2);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}

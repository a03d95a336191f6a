namespace MotionWorkbench.Data.Synthetic;

/// <summary>The parametrised actions of the synthetic dataset (each is also a zero-shot class label).</summary>
public enum ActionKind
{
    Walk, WalkBackwards, Jog, Run, StepSideways, Turn, Spin, Jump, Hop, JumpingJacks, Kick, Stomp, Lunge,
    Punch, Wave, RaiseArm, Clap, Throw, Squat, Crouch, Bow, SitDown, StandUp,
}

public enum Side { None, Left, Right, Both }

public enum Pace { Slow, Normal, Fast }

public enum Amplitude { Small, Normal, Large }

/// <summary>Root motion of one frame, in the heading frame (m/s forward, rad/s yaw to the left, m of flight).</summary>
internal struct RootMotion
{
    public float Forward, YawRate, Air;
}

/// <summary>One action in a clip: its kind, parameters, duration, the pose at a time and its caption phrases.</summary>
internal sealed class Act
{
    public ActionKind Kind;
    public Side Side;
    public int Reps = 1;
    public Pace Pace = Pace.Normal;
    public Amplitude Amp = Amplitude.Normal;
    public bool Forward;      // jump: forward vs in place
    public int Angle = 90;    // turn: 90 or 180 degrees
    public float Duration;
    public float Tempo = 1f;  // pace x subject tempo
    public float AmpScale = 1f;
    public float LegLength = 0.85f;
    public float Start;       // start time in the clip (s)

    public static readonly string[] Labels =
    [
        "walk", "walk backwards", "jog", "run", "step sideways", "turn", "spin", "jump", "hop", "jumping jacks", "kick",
        "stomp", "lunge", "punch", "wave", "raise arm", "clap", "throw", "squat", "crouch", "bow", "sit down", "stand up",
    ];

    public string Label => Labels[(int)Kind];

    /// <summary>A copy with the same parameters (change one and call <see cref="Plan"/> again).</summary>
    public Act Copy() => (Act)MemberwiseClone();

    public bool Anchored => Kind is ActionKind.Squat or ActionKind.Crouch or ActionKind.SitDown or ActionKind.StandUp
        or ActionKind.Bow or ActionKind.Punch or ActionKind.Wave or ActionKind.RaiseArm or ActionKind.Clap or ActionKind.Kick
        or ActionKind.Stomp or ActionKind.Throw or ActionKind.Lunge or ActionKind.Hop or ActionKind.JumpingJacks;

    private float Sg => Side == Side.Left ? 1f : -1f;   // +1 = towards the body's left (+x)

    private int Si => Side == Side.Right ? 1 : 0;        // pose side index of the acting limb

    // ------------------------------------------------------------------------------------------------------------
    public void Plan(float subjectTempo, float legLength)
    {
        Tempo = subjectTempo * Pace switch { Pace.Slow => 0.62f, Pace.Fast => 1.55f, _ => 1f };
        AmpScale = Amp switch { Amplitude.Small => 0.6f, Amplitude.Large => 1.35f, _ => 1f };
        LegLength = legLength;
        float ramp = 0.5f;
        Duration = Kind switch
        {
            ActionKind.Walk or ActionKind.WalkBackwards => Reps / (2 * GaitFreq) + ramp,
            ActionKind.Jog or ActionKind.Run => Reps / (2 * GaitFreq) + ramp,
            ActionKind.StepSideways => Reps * 0.75f / Tempo + ramp,
            ActionKind.Turn => (0.7f + Angle / 180f * 0.8f) / Tempo + 0.2f,
            ActionKind.Spin => Reps * 1.3f / Tempo + 0.3f,
            ActionKind.Jump => Reps * 1.1f / Tempo + 0.2f,
            ActionKind.Hop => Reps * 0.6f / Tempo + ramp,
            ActionKind.JumpingJacks => Reps * 1.0f / Tempo + 0.3f,
            ActionKind.Kick => Reps * 1.0f / Tempo + ramp,
            ActionKind.Stomp => Reps * 0.8f / Tempo + ramp,
            ActionKind.Lunge => Reps * 2.0f / Tempo + 0.2f,
            ActionKind.Punch => Reps * 0.55f / Tempo + 2 * ramp,
            ActionKind.Wave => Reps / (2.0f * Tempo) + 2 * ramp,
            ActionKind.RaiseArm => Reps * 2.0f / Tempo + 0.2f,
            ActionKind.Clap => Reps / (2.3f * Tempo) + 2 * ramp,
            ActionKind.Throw => Reps * 1.6f / Tempo + 0.2f,
            ActionKind.Squat => Reps * 1.8f / Tempo + 0.2f,
            ActionKind.Crouch => 2.6f / Tempo,
            ActionKind.Bow => Reps * 2.2f / Tempo,
            ActionKind.SitDown or ActionKind.StandUp => 1.8f / Tempo,
            _ => 1f,
        };
    }

    private float GaitFreq => Tempo * Kind switch
    {
        ActionKind.Jog => 1.3f,
        ActionKind.Run => 1.5f,
        ActionKind.WalkBackwards => 0.8f,
        _ => 0.92f,
    };

    public static void Neutral(Span<float> p)
    {
        p.Clear();
        p[P.Lean] = 0.03f;
        for (int s = 0; s < 2; s++)
        {
            p[P.S(s, P.HipAbd)] = 0.03f;
            p[P.S(s, P.KneeFlex)] = 0.05f;
            p[P.S(s, P.AnkleFlex)] = -0.05f;
            p[P.S(s, P.ShElev)] = 0.12f;
            p[P.S(s, P.ShPlane)] = 0.2f;
            p[P.S(s, P.ElbowFlex)] = 0.15f;
            p[P.S(s, P.HintY)] = 0.3f;
            p[P.S(s, P.HintZ)] = 1f;
        }
    }

    /// <summary>The sitting pose (end of sit down, start of stand up).</summary>
    public static void Sitting(Span<float> p, float u = 1f)
    {
        Neutral(p);
        for (int s = 0; s < 2; s++)
        {
            float f = 1.5f * u, k = 1.55f * u;
            p[P.S(s, P.HipFlex)] = f;
            p[P.S(s, P.KneeFlex)] = 0.05f + k;
            p[P.S(s, P.AnkleFlex)] = f - k - 0.05f;
            p[P.S(s, P.ShElev)] = 0.12f + 0.55f * u;
            p[P.S(s, P.ShPlane)] = 0.2f + 1.2f * u;
            p[P.S(s, P.ElbowFlex)] = 0.15f + 0.35f * u;
        }
        p[P.Lean] = 0.03f + 0.05f * u;
    }

    private static float Smooth(float x) { x = Math.Clamp(x, 0f, 1f); return x * x * (3 - 2 * x); }

    private static float Bump(float u) { u = Math.Clamp(u, 0f, 1f); float s = MathF.Sin(MathF.PI * u); return s * s; }

    private float Envelope(float t, float ramp = 0.25f) => MathF.Min(Smooth(t / ramp), Smooth((Duration - t) / ramp));

    /// <summary>Writes the pose at local time t (0..Duration) and the root motion.</summary>
    public void Eval(float t, Span<float> p, ref RootMotion m)
    {
        Neutral(p);
        m = default;
        float env = Envelope(t);
        switch (Kind)
        {
            case ActionKind.Walk:
            case ActionKind.WalkBackwards:
            case ActionKind.Jog:
            case ActionKind.Run:
                Gait(t, p, ref m, env);
                break;
            case ActionKind.StepSideways: StepSideways(t, p, ref m, env); break;
            case ActionKind.Turn:
            {
                float total = Angle * MathF.PI / 180f * Sg;
                float dur = Duration - 0.2f;
                float u = Math.Clamp((t - 0.1f) / dur, 0, 1);
                m.YawRate = total * 6 * u * (1 - u) / dur;
                float step = 0.18f * Bump(u);
                float ph = u * MathF.PI * 2 * (Angle == 180 ? 2 : 1.5f);
                p[P.S(0, P.HipFlex)] = step * MathF.Max(0, MathF.Sin(ph));
                p[P.S(0, P.KneeFlex)] += 2 * step * MathF.Max(0, MathF.Sin(ph));
                p[P.S(1, P.HipFlex)] = step * MathF.Max(0, -MathF.Sin(ph));
                p[P.S(1, P.KneeFlex)] += 2 * step * MathF.Max(0, -MathF.Sin(ph));
                p[P.HeadTurn] = 0.25f * Sg * Bump(u);
                break;
            }
            case ActionKind.Spin:
            {
                float dur = Duration - 0.3f;
                float u = Math.Clamp((t - 0.15f) / dur, 0, 1);
                float total = Reps * 2 * MathF.PI * Sg;
                m.YawRate = total * 6 * u * (1 - u) / dur;
                float e = Bump(MathF.Min(1, u * 2)) * 0 + Smooth(u * 5) * Smooth((1 - u) * 5);
                for (int s = 0; s < 2; s++)
                {
                    p[P.S(s, P.ShElev)] += 0.9f * e;
                    p[P.S(s, P.ElbowFlex)] += 0.6f * e;
                }
                float ph = u * MathF.PI * 2 * 2 * Reps;
                p[P.S(0, P.KneeFlex)] += 0.35f * e * MathF.Max(0, MathF.Sin(ph));
                p[P.S(1, P.KneeFlex)] += 0.35f * e * MathF.Max(0, -MathF.Sin(ph));
                break;
            }
            case ActionKind.Jump: Jump(t, p, ref m); break;
            case ActionKind.Hop: Hop(t, p, ref m, env); break;
            case ActionKind.JumpingJacks:
            {
                float c = 1.0f / Tempo;
                float tt = t - 0.15f;
                if (tt < 0 || tt > Reps * c) break;
                float u = tt % c / c;
                float open = Bump(u);
                for (int s = 0; s < 2; s++)
                {
                    p[P.S(s, P.ShElev)] = 0.15f + 2.75f * open * AmpScale.Clamp(0.6f, 1.05f);
                    p[P.S(s, P.ShPlane)] = 0.1f;
                    p[P.S(s, P.ElbowFlex)] = 0.2f;
                    p[P.S(s, P.HipAbd)] = 0.03f + 0.27f * open;
                    p[P.S(s, P.KneeFlex)] = 0.1f + 0.15f * Bump(u * 2);
                }
                float hopU = u < 0.5f ? u * 2 : u * 2 - 1;
                m.Air = 0.06f * MathF.Max(0, MathF.Sin(MathF.PI * Math.Clamp((hopU - 0.2f) / 0.5f, 0, 1)));
                break;
            }
            case ActionKind.Kick: Kick(t, p, env); break;
            case ActionKind.Stomp:
            {
                float c = 0.8f / Tempo;
                float tt = t - 0.25f;
                int s = Si;
                Guard(p, 0.3f * env);
                if (tt < 0 || tt > Reps * c) break;
                float u = tt % c / c;
                float lift = u < 0.6f ? Smooth(u / 0.6f) : 1 - Smooth((u - 0.6f) / 0.12f);
                p[P.S(s, P.HipFlex)] = 1.0f * lift * AmpScale;
                p[P.S(s, P.KneeFlex)] = 0.05f + 1.4f * lift * AmpScale;
                p[P.S(s, P.AnkleFlex)] = -0.2f * lift;
                p[P.S(1 - s, P.KneeFlex)] = 0.05f + 0.15f * lift;
                p[P.SideBend] = -0.08f * Sg * lift;
                break;
            }
            case ActionKind.Lunge:
            {
                float c = 2.0f / Tempo;
                float tt = t - 0.1f;
                if (tt < 0 || tt > Reps * c) break;
                float u = tt % c / c;
                float d = Bump(u) * AmpScale.Clamp(0.6f, 1.1f);
                int s = Si;
                p[P.S(s, P.HipFlex)] = 0.95f * d;
                p[P.S(s, P.KneeFlex)] = 0.05f + 1.35f * d;
                p[P.S(s, P.AnkleFlex)] = 0.95f * d - 1.35f * d;
                p[P.S(1 - s, P.HipFlex)] = -0.45f * d;
                p[P.S(1 - s, P.KneeFlex)] = 0.05f + 1.05f * d;
                p[P.S(1 - s, P.AnkleFlex)] = 0.4f * d;
                p[P.Lean] = 0.05f + 0.1f * d;
                break;
            }
            case ActionKind.Punch: Punch(t, p, env); break;
            case ActionKind.Wave:
            {
                float w = Smooth(t / 0.45f) * Smooth((Duration - t) / 0.45f);
                float ph = MathF.Max(0, t - 0.5f) * 2.0f * Tempo * 2 * MathF.PI;
                foreach (int s in Sides())
                {
                    p[P.S(s, P.ShElev)] = Lerp(0.12f, 2.25f * AmpScale.Clamp(0.75f, 1.15f), w);
                    p[P.S(s, P.ShPlane)] = Lerp(0.2f, 0.35f, w);
                    p[P.S(s, P.ElbowFlex)] = Lerp(0.15f, 0.65f, w);
                    p[P.S(s, P.HintX)] = w * 1.3f * MathF.Sin(ph) * AmpScale;
                    p[P.S(s, P.HintY)] = Lerp(0.3f, 1f, w);
                    p[P.S(s, P.HintZ)] = Lerp(1f, 0.2f, w);
                }
                p[P.HeadTurn] = 0.1f * w * (Side == Side.Both ? 0 : Sg);
                break;
            }
            case ActionKind.RaiseArm:
            {
                float c = 2.0f / Tempo;
                float tt = t - 0.1f;
                if (tt < 0 || tt > Reps * c) break;
                float u = tt % c / c;
                float r = Smooth(u / 0.35f) * Smooth((1 - u) / 0.35f);
                foreach (int s in Sides())
                {
                    p[P.S(s, P.ShElev)] = Lerp(0.12f, 2.95f * AmpScale.Clamp(0.7f, 1.05f), r);
                    p[P.S(s, P.ShPlane)] = Lerp(0.2f, 0.9f, r);
                    p[P.S(s, P.ElbowFlex)] = Lerp(0.15f, 0.1f, r);
                }
                p[P.SideBend] = Side == Side.Both ? 0 : -0.05f * Sg * r;
                break;
            }
            case ActionKind.Clap:
            {
                float w = Smooth(t / 0.45f) * Smooth((Duration - t) / 0.45f);
                float ph = MathF.Max(0, t - 0.5f) * 2.3f * Tempo * 2 * MathF.PI;
                float open = 0.5f + 0.5f * MathF.Cos(ph);
                for (int s = 0; s < 2; s++)
                {
                    p[P.S(s, P.ShElev)] = Lerp(0.12f, 1.0f, w);
                    p[P.S(s, P.ShPlane)] = Lerp(0.2f, 1.5f - 0.55f * open * AmpScale.Clamp(0.6f, 1.2f), w);
                    p[P.S(s, P.ElbowFlex)] = Lerp(0.15f, 1.05f, w);
                    p[P.S(s, P.HintX)] = -1f * w;
                    p[P.S(s, P.HintY)] = Lerp(0.3f, 0.25f, w);
                    p[P.S(s, P.HintZ)] = Lerp(1f, 0.5f, w);
                }
                break;
            }
            case ActionKind.Throw: Throw(t, p, ref m); break;
            case ActionKind.Squat:
            {
                float c = 1.8f / Tempo;
                float tt = t - 0.1f;
                if (tt < 0 || tt > Reps * c) break;
                float d = Bump(tt % c / c) * AmpScale.Clamp(0.6f, 1.1f);
                Squat(p, d, 1.65f, 2.05f, 0.45f);
                for (int s = 0; s < 2; s++)
                {
                    p[P.S(s, P.ShElev)] = 0.12f + 1.3f * d;
                    p[P.S(s, P.ShPlane)] = 0.2f + 1.3f * d;
                }
                break;
            }
            case ActionKind.Crouch:
            {
                float u = t / Duration;
                float d = Smooth(u / 0.3f) * Smooth((1 - u) / 0.3f);
                Squat(p, d, 2.0f, 2.4f, 0.75f);
                for (int s = 0; s < 2; s++)
                {
                    p[P.S(s, P.ShElev)] = 0.12f + 0.6f * d;
                    p[P.S(s, P.ShPlane)] = 0.2f + 1.2f * d;
                    p[P.S(s, P.ElbowFlex)] = 0.15f + 0.5f * d;
                }
                break;
            }
            case ActionKind.Bow:
            {
                float c = 2.2f / Tempo;
                float u = t % c / c;
                float d = Smooth(u / 0.4f) * Smooth((1 - u) / 0.4f) * AmpScale.Clamp(0.6f, 1.2f);
                p[P.Lean] = 0.03f + 0.85f * d;
                p[P.HeadNod] = 0.35f * d;
                for (int s = 0; s < 2; s++)
                {
                    p[P.S(s, P.ShElev)] = 0.12f + 0.8f * d;
                    p[P.S(s, P.ShPlane)] = 0.2f + 1.3f * d;
                    p[P.S(s, P.HipFlex)] = -0.12f * d;
                    p[P.S(s, P.AnkleFlex)] = -0.05f - 0.12f * d;
                }
                break;
            }
            case ActionKind.SitDown:
            case ActionKind.StandUp:
            {
                float u = Smooth(t / Duration);
                if (Kind == ActionKind.StandUp) u = 1 - u;
                Sitting(p, u);
                float mid = Bump(Kind == ActionKind.StandUp ? 1 - u : u);
                p[P.Lean] += 0.45f * Bump(t / Duration) + 0.05f * mid;
                break;
            }
        }
    }

    private IEnumerable<int> Sides() => Side switch
    {
        Side.Left => [0],
        Side.Right => [1],
        _ => [0, 1],
    };

    private static float Lerp(float a, float b, float u) => a + (b - a) * u;

    /// <summary>Gait-like actions keep the lower foot planted (the root follows from the legs, no foot skating).</summary>
    public bool StanceAnchored => Kind is ActionKind.Walk or ActionKind.WalkBackwards or ActionKind.Jog or ActionKind.Run
        or ActionKind.StepSideways or ActionKind.Turn or ActionKind.Spin;

    /// <summary>The planted leg at local time t for stance-anchored actions: 0 left, 1 right, -1 none.</summary>
    public int StanceSide(float t)
    {
        switch (Kind)
        {
            case ActionKind.Walk or ActionKind.WalkBackwards or ActionKind.Jog or ActionKind.Run:
            {
                // The left leg is planted for the first half of its cycle.
                return GaitCycle(t) < 0.5f ? 0 : 1;
            }
            case ActionKind.StepSideways:
            {
                float c = 0.75f / Tempo;
                float tt = MathF.Max(0, t - 0.25f);
                float u = (int)(tt / c) >= Reps ? 0 : tt % c / c;
                int lead = Si;
                return u < 0.5f ? 1 - lead : lead;
            }
            case ActionKind.Turn:
            {
                float u = Math.Clamp((t - 0.1f) / (Duration - 0.2f), 0, 1);
                float ph = u * MathF.PI * 2 * (Angle == 180 ? 2 : 1.5f);
                return MathF.Sin(ph) > 0 ? 1 : 0;
            }
            case ActionKind.Spin:
            {
                float u = Math.Clamp((t - 0.15f) / (Duration - 0.3f), 0, 1);
                float ph = u * MathF.PI * 2 * 2 * Reps;
                return MathF.Sin(ph) > 0 ? 1 : 0;
            }
            default:
                return -1;
        }
    }

    /// <summary>Gait cycle position of the left leg (0..1; stance for [0, 0.5), swing for [0.5, 1)); walking backwards runs it in reverse.</summary>
    private float GaitCycle(float t)
    {
        // Start at mid-stance of the left leg (legs together), where the envelope ramps up.
        float c = 0.25f + GaitFreq * MathF.Max(0, t - 0.25f) * (Kind == ActionKind.WalkBackwards ? -1 : 1);
        return c - MathF.Floor(c);
    }

    /// <summary>
    /// Hip flexion over the cycle (in units of the amplitude A): linear from +1 to -1 during stance, so the planted foot
    /// carries the body at a steady speed, and a cubic Hermite swing from -1 back to +1 whose end slopes equal the stance
    /// slope, so the foot leaves and lands without skidding.
    /// </summary>
    private static float HipCurve(float u)
    {
        if (u < 0.5f) return 1 - 4 * u;
        float x = (u - 0.5f) * 2, m = -2f;
        float x2 = x * x, x3 = x2 * x;
        return (2 * x3 - 3 * x2 + 1) * -1 + (x3 - 2 * x2 + x) * m + (-2 * x3 + 3 * x2) * 1 + (x3 - x2) * m;
    }

    private void Gait(float t, Span<float> p, ref RootMotion m, float env)
    {
        float f = GaitFreq;
        bool back = Kind == ActionKind.WalkBackwards;
        float A = Kind switch { ActionKind.Jog => 0.45f, ActionKind.Run => 0.55f, ActionKind.WalkBackwards => 0.28f, _ => 0.34f };
        A *= AmpScale.Clamp(0.8f, 1.15f) * (0.85f + 0.15f * MathF.Min(Tempo, 1.4f));
        float K = Kind switch { ActionKind.Jog => 1.45f, ActionKind.Run => 1.85f, ActionKind.WalkBackwards => 0.8f, _ => 1.0f };
        float elbow = Kind switch { ActionKind.Jog => 1.35f, ActionKind.Run => 1.55f, _ => 0.2f };
        float uL = GaitCycle(t);
        for (int s = 0; s < 2; s++)
        {
            float u = s == 0 ? uL : (uL + 0.5f) % 1f;
            float hip = A * HipCurve(u) * env;
            // The knee bends during the swing and is straight again before the foot lands (walking backwards: it bends
            // early in the reversed swing, which runs from x = 1 down to 0).
            float x = u < 0.5f ? -1 : (u - 0.5f) * 2;
            float swing = x < 0 ? 0 : back ? (x > 0.08f ? MathF.Sin(MathF.PI * (x - 0.08f) / 0.92f) : 0) : (x < 0.92f ? MathF.Sin(MathF.PI * x / 0.92f) : 0);
            float knee = 0.06f + K * swing * env;
            p[P.S(s, P.HipFlex)] = hip + (Kind == ActionKind.Run ? 0.12f : Kind == ActionKind.Jog ? 0.06f : 0) * env;
            p[P.S(s, P.KneeFlex)] = knee;
            p[P.S(s, P.AnkleFlex)] = (p[P.S(s, P.HipFlex)] - knee) * (1 - 0.6f * swing);
            float arm = -0.5f * A * HipCurve(u) * env * (Kind == ActionKind.Run ? 1.6f : 1.2f) * (back ? 0.6f : 1f);
            p[P.S(s, P.ShElev)] = 0.1f + MathF.Abs(arm);
            p[P.S(s, P.ShPlane)] = arm >= 0 ? 1.5f : -1.5f;
            p[P.S(s, P.ElbowFlex)] = 0.15f + (elbow - 0.15f) * env;
            p[P.S(s, P.HintY)] = 0.6f;
        }
        p[P.Lean] = 0.03f + env * (Kind switch { ActionKind.Run => 0.22f, ActionKind.Jog => 0.12f, ActionKind.WalkBackwards => -0.03f, _ => 0.05f });
        p[P.Twist] = 0.08f * A * HipCurve(uL) * env;
        // Nominal speed (the single-person generator plants the stance foot instead; the interaction generator uses this).
        float stride = 2 * LegLength * MathF.Sin(A);
        m.Forward = (back ? -1 : 1) * stride * 2 * f * env;
        if (Kind is ActionKind.Jog or ActionKind.Run)
        {
            // Flight around each change of support.
            float d = MathF.Min(MathF.Min(uL, MathF.Abs(uL - 0.5f)), 1 - uL);
            float w = Kind == ActionKind.Run ? 0.1f : 0.07f;
            m.Air = d < w ? env * (Kind == ActionKind.Run ? 0.07f : 0.04f) * MathF.Cos(MathF.PI / 2 * d / w) : 0;
        }
    }

    private void StepSideways(float t, Span<float> p, ref RootMotion m, float env)
    {
        float c = 0.75f / Tempo;
        float tt = MathF.Max(0, t - 0.25f);
        int k = (int)(tt / c);
        float u = tt % c / c;
        if (k >= Reps) u = 0;
        int lead = Si;
        float a = 0.2f * AmpScale.Clamp(0.7f, 1.2f);
        // First half: the leading leg lifts and steps out; second half: the body shifts over it while the trailing leg follows.
        float out_ = u < 0.5f ? Smooth(u * 2) : 1 - Smooth(u * 2 - 1);
        p[P.S(lead, P.HipAbd)] = 0.03f + a * out_ * env;
        p[P.S(lead, P.KneeFlex)] = 0.05f + 0.45f * (u < 0.5f ? Bump(u * 2) : 0) * env;
        p[P.S(1 - lead, P.KneeFlex)] = 0.05f + 0.45f * (u >= 0.5f ? Bump(u * 2 - 1) : 0) * env;
        p[P.SideBend] = -0.04f * Sg * env;
    }

    private void Jump(float t, Span<float> p, ref RootMotion m)
    {
        float c = 1.1f / Tempo;
        float tt = t - 0.1f;
        if (tt < 0 || tt > Reps * c) return;
        float u = tt % c / c;
        float a = AmpScale.Clamp(0.6f, 1.3f);
        float crouch = u < 0.35f ? Bump(u / 0.7f) : u > 0.65f ? Bump((u - 0.3f) / 0.7f) : 0;
        Squat(p, crouch * 0.55f * a, 1.4f, 1.9f, 0.5f);
        float ext = u >= 0.35f && u <= 0.65f ? Bump((u - 0.35f) / 0.3f) : 0;
        for (int s = 0; s < 2; s++)
        {
            p[P.S(s, P.ShElev)] = 0.12f + 0.7f * crouch + 2.0f * ext * a.Clamp(0.6f, 1.2f);
            p[P.S(s, P.ShPlane)] = crouch > 0.05f ? -1.3f : 1.2f;
            p[P.S(s, P.AnkleFlex)] -= 0.5f * ext;
            p[P.S(s, P.KneeFlex)] += 0.3f * ext;
        }
        if (u > 0.35f && u < 0.65f)
        {
            float v = (u - 0.35f) / 0.3f;
            float h = 0.28f * a;
            m.Air = 4 * h * v * (1 - v);
            if (Forward) m.Forward = 0.55f * a / (0.3f * c);
        }
    }

    private void Hop(float t, Span<float> p, ref RootMotion m, float env)
    {
        int s = Si;
        float c = 0.6f / Tempo;
        p[P.S(1 - s, P.HipFlex)] = 0.45f * env;
        p[P.S(1 - s, P.KneeFlex)] = 0.05f + 1.3f * env;
        p[P.S(1 - s, P.AnkleFlex)] = -0.3f * env;
        for (int q = 0; q < 2; q++) { p[P.S(q, P.ShElev)] = 0.12f + 0.5f * env; p[P.S(q, P.ElbowFlex)] = 0.15f + 0.6f * env; }
        p[P.SideBend] = 0.06f * Sg * env;
        float tt = t - 0.25f;
        if (tt < 0 || tt > Reps * c) return;
        float u = tt % c / c;
        float crouch = u < 0.4f ? Bump(u / 0.8f) : u > 0.7f ? Bump((u - 0.4f) / 0.6f) : 0;
        p[P.S(s, P.HipFlex)] = 0.4f * crouch;
        p[P.S(s, P.KneeFlex)] = 0.05f + 0.8f * crouch;
        p[P.S(s, P.AnkleFlex)] = -0.4f * crouch;
        if (u > 0.4f && u < 0.7f)
        {
            float v = (u - 0.4f) / 0.3f;
            m.Air = 4 * 0.12f * AmpScale.Clamp(0.6f, 1.3f) * v * (1 - v);
        }
    }

    private void Kick(float t, Span<float> p, float env)
    {
        Guard(p, 0.6f * env);
        float c = 1.0f / Tempo;
        float tt = t - 0.25f;
        if (tt < 0 || tt > Reps * c) return;
        float u = tt % c / c;
        int s = Si;
        float chamber = Bump(u / 0.8f);
        float extend = Bump((u - 0.2f) / 0.5f);
        float lift = MathF.Max(chamber * 0.7f, extend) * AmpScale.Clamp(0.55f, 1.3f);
        p[P.S(s, P.HipFlex)] = 1.25f * lift;
        p[P.S(s, P.KneeFlex)] = 0.05f + 1.3f * chamber * (1 - extend);
        p[P.S(s, P.AnkleFlex)] = -0.4f * extend;
        p[P.S(1 - s, P.KneeFlex)] = 0.05f + 0.2f * lift;
        p[P.Lean] = 0.03f - 0.25f * lift;
    }

    private static void Guard(Span<float> p, float g)
    {
        for (int s = 0; s < 2; s++)
        {
            p[P.S(s, P.ShElev)] = Lerp(0.12f, 0.55f, g);
            p[P.S(s, P.ShPlane)] = Lerp(0.2f, 1.3f, g);
            p[P.S(s, P.ElbowFlex)] = Lerp(0.15f, 2.1f, g);
            p[P.S(s, P.HintX)] = -0.3f * g;
            p[P.S(s, P.HintY)] = Lerp(0.3f, 1f, g);
        }
    }

    private void Punch(float t, Span<float> p, float env)
    {
        Guard(p, env);
        float c = 0.55f / Tempo;
        float tt = t - 0.5f;
        if (tt < 0 || tt > Reps * c) return;
        int k = (int)(tt / c);
        float u = tt % c / c;
        int s = Side == Side.Both ? (k % 2 == 0 ? 1 : 0) : Si;
        float x = Bump(u) * AmpScale.Clamp(0.6f, 1.1f);
        p[P.S(s, P.ShElev)] = Lerp(0.55f, 1.5f, x);
        p[P.S(s, P.ShPlane)] = Lerp(1.3f, 1.5f, x);
        p[P.S(s, P.ElbowFlex)] = Lerp(2.1f, 0.08f, x);
        float sg = s == 0 ? 1 : -1;
        p[P.Twist] = -0.3f * sg * x;
    }

    private void Throw(float t, Span<float> p, ref RootMotion m)
    {
        float c = 1.6f / Tempo;
        float tt = t - 0.1f;
        if (tt < 0 || tt > Reps * c) return;
        float u = tt % c / c;
        int s = Si;
        float wind = Smooth(u / 0.4f) * (1 - Smooth((u - 0.45f) / 0.15f));
        float rel = Smooth((u - 0.45f) / 0.15f) * Smooth((1 - u) / 0.35f);
        float a = AmpScale.Clamp(0.7f, 1.2f);
        p[P.S(s, P.ShElev)] = 0.12f + 2.1f * wind * a + 1.55f * rel;
        p[P.S(s, P.ShPlane)] = 0.2f - 0.8f * wind + 1.2f * rel;
        p[P.S(s, P.ElbowFlex)] = 0.15f + 1.5f * wind + 0.1f * rel;
        p[P.S(s, P.HintY)] = 1f;
        p[P.S(s, P.HintZ)] = 1f - 1.5f * wind;
        float sg = s == 0 ? 1 : -1;
        p[P.Twist] = sg * (0.45f * wind - 0.45f * rel) * a;
        p[P.Lean] = 0.03f - 0.1f * wind + 0.3f * rel;
        // Step with the opposite leg during the throw.
        p[P.S(1 - s, P.HipFlex)] = 0.3f * (wind + rel) * 0.5f;
        p[P.S(1 - s, P.KneeFlex)] = 0.05f + 0.35f * Bump(u);
        p[P.S(s, P.HipFlex)] = -0.15f * rel;
    }

    private static void Squat(Span<float> p, float d, float hip, float knee, float lean)
    {
        for (int s = 0; s < 2; s++)
        {
            float f = hip * d, k = 0.05f + knee * d;
            p[P.S(s, P.HipFlex)] = f;
            p[P.S(s, P.KneeFlex)] = k;
            p[P.S(s, P.AnkleFlex)] = f - k;
            p[P.S(s, P.HipAbd)] = 0.03f + 0.12f * d;
        }
        p[P.Lean] = 0.03f + lean * d;
    }
}

internal static class FloatExtensions
{
    public static float Clamp(this float x, float lo, float hi) => Math.Clamp(x, lo, hi);
}

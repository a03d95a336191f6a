using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data.Synthetic;

/// <summary>Indices into a pose vector: torso angles and, per side, the limb angles (radians).</summary>
internal static class P
{
    public const int Lean = 0, SideBend = 1, Twist = 2, HeadNod = 3, HeadTurn = 4;
    // Per side: base + side * Stride, side 0 = left, 1 = right.
    public const int SideBase = 5, Stride = 12;
    public const int HipFlex = 0, HipAbd = 1, KneeFlex = 2, AnkleFlex = 3, ShElev = 4, ShPlane = 5, ElbowFlex = 6,
        HintX = 7, HintY = 8, HintZ = 9, Shrug = 10, Spare = 11;
    public const int Count = SideBase + 2 * Stride;

    public static int S(int side, int field) => SideBase + side * Stride + field;
}

/// <summary>A subject: the segment lengths of one synthetic person (metres), constant over a clip.</summary>
internal sealed class Subject
{
    public float Height = 1f, Legs = 1f, Arms = 1f, Torso = 1f, Shoulders = 1f, Tempo = 1f, Style = 0f;
}

/// <summary>
/// The kinematic body: pose parameters (joint angles) + root position/heading -> joint positions by forward
/// kinematics over fixed segment lengths, for the SMPL-22 and KIT-21 layouts. Bone lengths are constant by
/// construction. Body frame: Y up, +Z forward, +X the body's left (HumanML3D convention).
/// </summary>
internal sealed class BodyModel
{
    private readonly bool _kit;
    private readonly Vec[] _rest; // rest offsets (body frame) per joint
    private readonly float _thigh, _shin, _foot, _toe, _upper, _fore;

    public Skeleton Skeleton { get; }

    // SMPL bone lengths of HumanML3D's reference skeleton (000021), measured on the genuine samples (metres).
    private static readonly float[] SmplLen =
        [0, 0.1031f, 0.1099f, 0.1316f, 0.3936f, 0.3902f, 0.1432f, 0.4324f, 0.4256f, 0.0574f, 0.1434f, 0.1494f, 0.2194f,
         0.1375f, 0.1434f, 0.1030f, 0.1316f, 0.1230f, 0.2568f, 0.2631f, 0.2660f, 0.2699f];

    public BodyModel(bool kit, Subject s)
    {
        _kit = kit;
        float h = s.Height;
        if (!kit)
        {
            float L(int j, int mirror, float scale) => 0.5f * (SmplLen[j] + SmplLen[mirror]) * h * scale;
            _rest = new Vec[22];
            var hip = new Vec(0.55f * s.Shoulders, -0.83f, -0.05f).Unit * L(1, 2, 1f);
            _rest[1] = hip; _rest[2] = hip.MirrorX;
            _thigh = L(4, 5, s.Legs); _shin = L(7, 8, s.Legs); _foot = L(10, 11, 1f); _toe = 0;
            _rest[4] = new Vec(0, -_thigh, 0); _rest[5] = _rest[4];
            _rest[7] = new Vec(0, -_shin, 0); _rest[8] = _rest[7];
            _rest[10] = FootDir * _foot; _rest[11] = _rest[10];
            _rest[3] = new Vec(0, 0.93f, -0.36f).Unit * (SmplLen[3] * h * s.Torso);
            _rest[6] = new Vec(0, 0.98f, 0.17f).Unit * (SmplLen[6] * h * s.Torso);
            _rest[9] = new Vec(0, 0.99f, 0.12f).Unit * (SmplLen[9] * h * s.Torso);
            _rest[12] = new Vec(0, 0.99f, -0.12f).Unit * (SmplLen[12] * h * s.Torso);
            _rest[15] = new Vec(0, 0.8f, 0.6f).Unit * (SmplLen[15] * h);
            var collar = new Vec(0.54f * s.Shoulders, 0.84f, -0.1f).Unit * L(13, 14, 1f);
            _rest[13] = collar; _rest[14] = collar.MirrorX;
            var shoulder = new Vec(0.97f, -0.1f, -0.1f).Unit * L(16, 17, s.Shoulders);
            _rest[16] = shoulder; _rest[17] = shoulder.MirrorX;
            _upper = L(18, 19, s.Arms); _fore = L(20, 21, s.Arms);
            _rest[18] = new Vec(_upper, 0, 0); _rest[19] = new Vec(-_upper, 0, 0);
            _rest[20] = new Vec(_fore, 0, 0); _rest[21] = new Vec(-_fore, 0, 0);
        }
        else
        {
            // KIT-ML / MMM proportions (segment lengths as fractions of a 1.75 m body height).
            float H = 1.75f * h;
            _rest = new Vec[21];
            _rest[1] = new Vec(0, 0.045f * H * s.Torso, -0.01f);               // root -> pelvis
            _rest[2] = new Vec(0, 0.13f * H * s.Torso, 0.01f);                 // pelvis -> torso
            _rest[3] = new Vec(0, 0.15f * H * s.Torso, -0.015f);               // torso -> neck (BLN)
            _rest[4] = new Vec(0, 0.10f * H, 0.02f);                           // neck -> head
            var sh = new Vec(-0.11f * H * s.Shoulders, -0.02f * H, -0.01f);   // neck -> shoulder (R at -x)
            _rest[5] = sh; _rest[8] = sh.MirrorX;
            _upper = 0.188f * H * s.Arms; _fore = 0.145f * H * s.Arms;
            _rest[6] = new Vec(-_upper, 0, 0); _rest[9] = new Vec(_upper, 0, 0);
            _rest[7] = new Vec(-_fore, 0, 0); _rest[10] = new Vec(_fore, 0, 0);
            var hip = new Vec(-0.052f * H * s.Shoulders, -0.04f * H, 0);
            _rest[11] = hip; _rest[16] = hip.MirrorX;
            _thigh = 0.245f * H * s.Legs; _shin = 0.246f * H * s.Legs; _foot = 0.085f * H; _toe = 0.035f * H;
            _rest[12] = new Vec(0, -_thigh, 0); _rest[17] = _rest[12];
            _rest[13] = new Vec(0, -_shin, 0); _rest[18] = _rest[13];
            _rest[14] = FootDir * _foot; _rest[19] = _rest[14];
            _rest[15] = new Vec(0, 0, _toe); _rest[20] = _rest[15];
        }
        var baseSk = kit ? Skeleton.Kit21 : Skeleton.Smpl22;
        var offsets = new float[_rest.Length * 3];
        for (int j = 0; j < _rest.Length; j++) { offsets[j * 3] = _rest[j].X; offsets[j * 3 + 1] = _rest[j].Y; offsets[j * 3 + 2] = _rest[j].Z; }
        Skeleton = new Skeleton(baseSk.Name, baseSk.JointNames, baseSk.Parents, baseSk.Chains, baseSk.MirrorPairs, offsets);
    }

    private static readonly Vec FootDir = new Vec(0, -0.32f, 0.95f).Unit;

    public float LegLength => _thigh + _shin;
    public int JointCount => _rest.Length;

    /// <summary>Writes the J x 3 joint positions of one frame (root at rootPos, heading yaw) into dst.</summary>
    public void Pose(ReadOnlySpan<float> p, Vec rootPos, float yaw, Span<float> dst)
    {
        var pelvis = Mat.RotY(yaw + 0.3f * p[P.Twist]);
        var R1 = Mat.RotY(yaw + 0.5f * p[P.Twist]) * Mat.RotX(0.35f * p[P.Lean]) * Mat.RotZ(-0.35f * p[P.SideBend]);
        var R2 = Mat.RotY(yaw + 0.8f * p[P.Twist]) * Mat.RotX(0.7f * p[P.Lean]) * Mat.RotZ(-0.7f * p[P.SideBend]);
        var R3 = Mat.RotY(yaw + p[P.Twist]) * Mat.RotX(p[P.Lean]) * Mat.RotZ(-p[P.SideBend]);
        var Rh = R3 * Mat.RotY(p[P.HeadTurn]) * Mat.RotX(p[P.HeadNod]);
        var Rn = R3 * Mat.RotY(0.4f * p[P.HeadTurn]) * Mat.RotX(0.35f * p[P.HeadNod]);
        Span<Vec> x = stackalloc Vec[_rest.Length];
        if (!_kit)
        {
            x[0] = rootPos;
            for (int side = 0; side < 2; side++)
            {
                int hip = side == 0 ? 1 : 2, knee = hip + 3, ankle = knee + 3, foot = ankle + 3;
                x[hip] = x[0] + pelvis * _rest[hip];
                Leg(p, side, pelvis, out var th, out var sh, out var ft, out _);
                x[knee] = x[hip] + th * _thigh;
                x[ankle] = x[knee] + sh * _shin;
                x[foot] = x[ankle] + ft * _foot;
            }
            x[3] = x[0] + R1 * _rest[3];
            x[6] = x[3] + R2 * _rest[6];
            x[9] = x[6] + R3 * _rest[9];
            x[12] = x[9] + Rn * _rest[12];
            x[15] = x[12] + Rh * _rest[15];
            for (int side = 0; side < 2; side++)
            {
                int collar = side == 0 ? 13 : 14, shoulder = collar + 3, elbow = shoulder + 2, wrist = elbow + 2;
                float shrug = p[P.S(side, P.Shrug)];
                x[collar] = x[9] + R3 * (Mat.RotZ(side == 0 ? shrug : -shrug) * _rest[collar]);
                x[shoulder] = x[collar] + R3 * _rest[shoulder];
                Arm(p, side, out var u, out var f);
                x[elbow] = x[shoulder] + R3 * u * _upper;
                x[wrist] = x[elbow] + R3 * f * _fore;
            }
        }
        else
        {
            x[0] = rootPos;
            x[1] = x[0] + R1 * _rest[1];
            x[2] = x[1] + R2 * _rest[2];
            x[3] = x[2] + R3 * _rest[3];
            x[4] = x[3] + Rh * _rest[4];
            for (int side = 0; side < 2; side++)
            {
                // KIT: right side 5-7 / 11-15, left side 8-10 / 16-20.
                int sh = side == 0 ? 8 : 5, hip = side == 0 ? 16 : 11;
                float shrug = p[P.S(side, P.Shrug)];
                x[sh] = x[3] + R3 * (Mat.RotZ(side == 0 ? shrug : -shrug) * _rest[sh]);
                Arm(p, side, out var u, out var f);
                x[sh + 1] = x[sh] + R3 * u * _upper;
                x[sh + 2] = x[sh + 1] + R3 * f * _fore;
                x[hip] = x[0] + pelvis * _rest[hip];
                Leg(p, side, pelvis, out var th, out var shin, out var ft, out var toe);
                x[hip + 1] = x[hip] + th * _thigh;
                x[hip + 2] = x[hip + 1] + shin * _shin;
                x[hip + 3] = x[hip + 2] + ft * _foot;
                x[hip + 4] = x[hip + 3] + toe * _toe;
            }
        }
        for (int j = 0; j < x.Length; j++) { dst[j * 3] = x[j].X; dst[j * 3 + 1] = x[j].Y; dst[j * 3 + 2] = x[j].Z; }
    }

    private static void Leg(ReadOnlySpan<float> p, int side, Mat pelvis, out Vec thigh, out Vec shin, out Vec foot, out Vec toe)
    {
        float sg = side == 0 ? 1f : -1f;
        float f = p[P.S(side, P.HipFlex)], a = p[P.S(side, P.HipAbd)], k = p[P.S(side, P.KneeFlex)], an = p[P.S(side, P.AnkleFlex)];
        var abd = Mat.RotZ(sg * a);
        thigh = pelvis * (abd * new Vec(0, -MathF.Cos(f), MathF.Sin(f)));
        float s = f - k;
        shin = pelvis * (abd * new Vec(0, -MathF.Cos(s), MathF.Sin(s)));
        var rf = Mat.RotX(-(s - an));
        foot = pelvis * (abd * (rf * FootDir));
        toe = pelvis * (abd * (rf * new Vec(0, -0.1f, 0.995f)));
    }

    private static void Arm(ReadOnlySpan<float> p, int side, out Vec upper, out Vec fore)
    {
        float sg = side == 0 ? 1f : -1f;
        float e = p[P.S(side, P.ShElev)], ph = p[P.S(side, P.ShPlane)], b = p[P.S(side, P.ElbowFlex)];
        upper = new Vec(sg * MathF.Sin(e) * MathF.Cos(ph), -MathF.Cos(e), MathF.Sin(e) * MathF.Sin(ph));
        var hint = new Vec(sg * p[P.S(side, P.HintX)], p[P.S(side, P.HintY)], p[P.S(side, P.HintZ)]);
        var w = hint - upper * Vec.Dot(hint, upper);
        if (w.Length < 1e-3f)
        {
            var alt = new Vec(0, 1, 0.3f);
            w = alt - upper * Vec.Dot(alt, upper);
            if (w.Length < 1e-3f) w = new Vec(0, 0, 1) - upper * Vec.Dot(new Vec(0, 0, 1), upper);
        }
        w = w.Unit;
        fore = upper * MathF.Cos(b) + w * MathF.Sin(b);
    }
}

internal readonly record struct Vec(float X, float Y, float Z)
{
    public static Vec operator +(Vec a, Vec b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vec operator -(Vec a, Vec b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vec operator *(Vec a, float s) => new(a.X * s, a.Y * s, a.Z * s);
    public static float Dot(Vec a, Vec b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;
    public float Length => MathF.Sqrt(Dot(this, this));
    public Vec Unit => this * (1f / Length);
    public Vec MirrorX => new(-X, Y, Z);
}

internal readonly struct Mat
{
    private readonly float _a, _b, _c, _d, _e, _f, _g, _h, _i;

    private Mat(float a, float b, float c, float d, float e, float f, float g, float h, float i)
    {
        _a = a; _b = b; _c = c; _d = d; _e = e; _f = f; _g = g; _h = h; _i = i;
    }

    public static Mat RotX(float t) { float c = MathF.Cos(t), s = MathF.Sin(t); return new(1, 0, 0, 0, c, -s, 0, s, c); }
    public static Mat RotY(float t) { float c = MathF.Cos(t), s = MathF.Sin(t); return new(c, 0, s, 0, 1, 0, -s, 0, c); }
    public static Mat RotZ(float t) { float c = MathF.Cos(t), s = MathF.Sin(t); return new(c, -s, 0, s, c, 0, 0, 0, 1); }

    public static Vec operator *(Mat m, Vec v) =>
        new(m._a * v.X + m._b * v.Y + m._c * v.Z, m._d * v.X + m._e * v.Y + m._f * v.Z, m._g * v.X + m._h * v.Y + m._i * v.Z);

    public static Mat operator *(Mat m, Mat n) => new(
        m._a * n._a + m._b * n._d + m._c * n._g, m._a * n._b + m._b * n._e + m._c * n._h, m._a * n._c + m._b * n._f + m._c * n._i,
        m._d * n._a + m._e * n._d + m._f * n._g, m._d * n._b + m._e * n._e + m._f * n._h, m._d * n._c + m._e * n._f + m._f * n._i,
        m._g * n._a + m._h * n._d + m._i * n._g, m._g * n._b + m._h * n._e + m._i * n._h, m._g * n._c + m._h * n._f + m._i * n._i);
}

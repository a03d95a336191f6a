using System.Globalization;
using System.Text;

namespace MotionWorkbench.Data.Tests;

/// <summary>Builds small BVH files: a Mixamo-style humanoid in centimetres, Y up, facing +Z, left at +X.</summary>
public static class BvhFixtures
{
    private static readonly (string Name, string Parent, float X, float Y, float Z)[] Body =
    [
        ("Hips", "", 0, 95, 0),
        ("Spine", "Hips", 0, 10, 0), ("Spine1", "Spine", 0, 12, 0), ("Spine2", "Spine1", 0, 12, 0), ("Neck", "Spine2", 0, 15, 0), ("Head", "Neck", 0, 10, 2),
        ("LeftShoulder", "Spine2", 6, 10, 0), ("LeftArm", "LeftShoulder", 12, 0, 0), ("LeftForeArm", "LeftArm", 26, 0, 0), ("LeftHand", "LeftForeArm", 25, 0, 0),
        ("RightShoulder", "Spine2", -6, 10, 0), ("RightArm", "RightShoulder", -12, 0, 0), ("RightForeArm", "RightArm", -26, 0, 0), ("RightHand", "RightForeArm", -25, 0, 0),
        ("LeftUpLeg", "Hips", 9, -6, 0), ("LeftLeg", "LeftUpLeg", 0, -40, 0), ("LeftFoot", "LeftLeg", 0, -42, 0), ("LeftToeBase", "LeftFoot", 0, -5, 12),
        ("RightUpLeg", "Hips", -9, -6, 0), ("RightLeg", "RightUpLeg", 0, -40, 0), ("RightFoot", "RightLeg", 0, -42, 0), ("RightToeBase", "RightFoot", 0, -5, 12),
    ];

    public static int JointCount => Body.Length;

    /// <summary>A humanoid BVH; every joint has 3 rotation channels (ZXY), the root 6; the root walks forward 1 m/s.</summary>
    public static string Humanoid(int frames, float fps = 30, string prefix = "mixamorig:", Func<int, int, float>? angle = null)
    {
        var sb = new StringBuilder("HIERARCHY\n");
        void Emit(int i, int depth)
        {
            var (name, _, x, y, z) = Body[i];
            string pad = new(' ', depth * 2);
            sb.Append(pad).Append(depth == 0 ? "ROOT " : "JOINT ").Append(prefix).Append(name).Append('\n');
            sb.Append(pad).Append("{\n");
            sb.Append(pad).Append(FormattableString.Invariant($"  OFFSET {x} {y} {z}\n"));
            sb.Append(pad).Append(depth == 0 ? "  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n" : "  CHANNELS 3 Zrotation Xrotation Yrotation\n");
            var kids = Enumerable.Range(0, Body.Length).Where(k => Body[k].Parent == name).ToList();
            foreach (var k in kids) Emit(k, depth + 1);
            if (kids.Count == 0) sb.Append(pad).Append("  End Site\n").Append(pad).Append("  {\n").Append(pad).Append("    OFFSET 0 5 0\n").Append(pad).Append("  }\n");
            sb.Append(pad).Append("}\n");
        }
        Emit(0, 0);
        sb.Append(FormattableString.Invariant($"MOTION\nFrames: {frames}\nFrame Time: {1 / fps:0.0000000}\n"));
        int channels = 6 + 3 * (Body.Length - 1);
        for (int f = 0; f < frames; f++)
        {
            var vals = new float[channels];
            vals[1] = 95;
            vals[2] = 100f * f / fps;
            for (int c = 3; c < channels; c++) vals[c] = angle?.Invoke(f, c) ?? 0;
            sb.Append(string.Join(' ', vals.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))).Append('\n');
        }
        return sb.ToString();
    }
}

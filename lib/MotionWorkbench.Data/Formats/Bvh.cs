using System.Globalization;
using System.Text;

namespace MotionWorkbench.Data.Formats;

public enum BvhChannel { Xposition, Yposition, Zposition, Xrotation, Yrotation, Zrotation }

/// <summary>A BVH joint (or End Site): parent index, offset, channels and where they start in a frame row.</summary>
public sealed record BvhJoint(string Name, int Parent, float[] Offset, BvhChannel[] Channels, int ChannelStart, bool IsEndSite);

/// <summary>
/// A parsed BVH file: the hierarchy (joints in file order, End Sites included and flagged) and the motion
/// (Frames x ChannelCount values, degrees and file units).
/// </summary>
public sealed class BvhFile
{
    public BvhFile(string path, IReadOnlyList<BvhJoint> joints, float frameTime, int frames, float[] motion)
    {
        Path = path;
        Joints = joints;
        FrameTime = frameTime;
        Frames = frames;
        Motion = motion;
        ChannelCount = joints.Sum(j => j.Channels.Length);
    }

    public string Path { get; }
    public IReadOnlyList<BvhJoint> Joints { get; }
    public float FrameTime { get; }
    public float Fps => 1f / FrameTime;
    public int Frames { get; }
    public int ChannelCount { get; }
    public float[] Motion { get; }

    /// <summary>Indices of the joints that are not End Sites.</summary>
    public int[] JointIndices(bool includeEndSites = false) =>
        Enumerable.Range(0, Joints.Count).Where(i => includeEndSites || !Joints[i].IsEndSite).ToArray();

    /// <summary>
    /// Forward kinematics: world positions (Frames x J x 3, file units) of the selected joints. Rotation channels
    /// compose in the order listed (R = R_first * R_second * R_third, column vectors); joints with position
    /// channels use them as their local translation instead of the OFFSET.
    /// </summary>
    public float[] WorldPositions(int[] selected)
    {
        int n = Joints.Count;
        var outIndex = new int[n];
        Array.Fill(outIndex, -1);
        for (int k = 0; k < selected.Length; k++) outIndex[selected[k]] = k;
        int J = selected.Length;
        var result = new float[Frames * J * 3];
        var rot = new double[n * 9];
        var pos = new double[n * 3];
        Span<double> local = stackalloc double[9];
        Span<double> tmp = stackalloc double[9];
        for (int f = 0; f < Frames; f++)
        {
            var row = Motion.AsSpan(f * ChannelCount, ChannelCount);
            for (int j = 0; j < n; j++)
            {
                var jt = Joints[j];
                double tx = jt.Offset[0], ty = jt.Offset[1], tz = jt.Offset[2];
                Identity(local);
                for (int c = 0; c < jt.Channels.Length; c++)
                {
                    double v = row[jt.ChannelStart + c];
                    switch (jt.Channels[c])
                    {
                        case BvhChannel.Xposition: tx = v; break;
                        case BvhChannel.Yposition: ty = v; break;
                        case BvhChannel.Zposition: tz = v; break;
                        default:
                            Rotation(jt.Channels[c], v * Math.PI / 180.0, tmp);
                            MulInPlace(local, tmp);
                            break;
                    }
                }
                // Position channels replace the offset (the common convention: their values equal OFFSET at rest).
                if (jt.Parent < 0)
                {
                    pos[j * 3] = tx; pos[j * 3 + 1] = ty; pos[j * 3 + 2] = tz;
                    local.CopyTo(rot.AsSpan(j * 9, 9));
                }
                else
                {
                    var pr = rot.AsSpan(jt.Parent * 9, 9);
                    pos[j * 3] = pos[jt.Parent * 3] + pr[0] * tx + pr[1] * ty + pr[2] * tz;
                    pos[j * 3 + 1] = pos[jt.Parent * 3 + 1] + pr[3] * tx + pr[4] * ty + pr[5] * tz;
                    pos[j * 3 + 2] = pos[jt.Parent * 3 + 2] + pr[6] * tx + pr[7] * ty + pr[8] * tz;
                    Mul(pr, local, rot.AsSpan(j * 9, 9));
                }
                int o = outIndex[j];
                if (o >= 0)
                {
                    int d = (f * J + o) * 3;
                    result[d] = (float)pos[j * 3];
                    result[d + 1] = (float)pos[j * 3 + 1];
                    result[d + 2] = (float)pos[j * 3 + 2];
                }
            }
        }
        return result;
    }

    private static void Identity(Span<double> m)
    {
        m.Clear();
        m[0] = m[4] = m[8] = 1;
    }

    private static void Rotation(BvhChannel ch, double a, Span<double> m)
    {
        double c = Math.Cos(a), s = Math.Sin(a);
        m.Clear();
        switch (ch)
        {
            case BvhChannel.Xrotation: m[0] = 1; m[4] = c; m[5] = -s; m[7] = s; m[8] = c; break;
            case BvhChannel.Yrotation: m[0] = c; m[2] = s; m[4] = 1; m[6] = -s; m[8] = c; break;
            default: m[0] = c; m[1] = -s; m[3] = s; m[4] = c; m[8] = 1; break;
        }
    }

    private static void MulInPlace(Span<double> a, ReadOnlySpan<double> b)
    {
        Span<double> r = stackalloc double[9];
        Mul(a, b, r);
        r.CopyTo(a);
    }

    private static void Mul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> r)
    {
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 3; k++)
                r[i * 3 + k] = a[i * 3] * b[k] + a[i * 3 + 1] * b[3 + k] + a[i * 3 + 2] * b[6 + k];
    }
}

/// <summary>
/// BVH reader: HIERARCHY (ROOT/JOINT/End Site, OFFSET, CHANNELS in any order, 3 or 6 channels) and MOTION
/// (Frames, Frame Time, one row per frame). Errors name the file and line.
/// </summary>
public static class Bvh
{
    public static BvhFile Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static BvhFile Parse(string text, string nameForErrors) => Parse(Encoding.UTF8.GetBytes(text), nameForErrors);

    public static BvhFile Parse(byte[] data, string file)
    {
        var r = new Reader(data, file);
        r.Expect("HIERARCHY");
        var joints = new List<BvhJoint>();
        var stack = new Stack<int>();
        int channelTotal = 0;
        string? tok = r.Token();
        if (tok is not ("ROOT"))
            throw r.Error($"expected ROOT after HIERARCHY, found '{tok ?? "end of file"}'");
        ParseJoint(r, joints, -1, isEnd: false, ref channelTotal);
        tok = r.Token();
        while (tok == "ROOT") throw r.Error("more than one ROOT is not supported");
        if (tok != "MOTION") throw r.Error($"expected MOTION after the hierarchy, found '{tok ?? "end of file"}'");
        r.Expect("Frames:");
        int frames = r.Int("frame count");
        string? ft = r.Token();
        if (ft != "Frame") throw r.Error($"expected 'Frame Time:', found '{ft ?? "end of file"}'");
        r.Expect("Time:");
        float frameTime = r.Float("frame time");
        if (!(frameTime > 0)) throw r.Error($"frame time must be positive, got {frameTime}");
        if (frames < 0) throw r.Error($"negative frame count {frames}");
        // Every value needs at least one byte: refuse a header that promises more values than the rest of the file can
        // hold before allocating anything (a corrupt 'Frames: 999999999' is one bad file, not a crash); smaller
        // shortfalls are reported below with the frame and line where the data ends.
        long values = (long)frames * channelTotal;
        if (values > r.Remaining)
            throw r.Error($"header says {frames} frames x {channelTotal} channels = {values:N0} values, but only {r.Remaining:N0} bytes follow (truncated file or corrupt frame count)");
        var motion = new float[(long)frames * channelTotal];
        int headerLine = r.Line;
        for (int f = 0; f < frames; f++)
        {
            int line = r.SkipToNextValueLine();
            if (line < 0)
                throw new InvalidDataException($"{file}: truncated motion: header says {frames} frames, found {f} (file ends after line {r.Line})");
            for (int c = 0; c < channelTotal; c++)
            {
                if (!r.TryNumberOnLine(line, out float v))
                    throw new InvalidDataException($"{file}:{line}: frame {f} has {c} values, expected {channelTotal}{(r.AtEnd ? " (file ends here: truncated motion data)" : "")}");
                motion[(long)f * channelTotal + c] = v;
            }
            if (r.MoreOnLine(line))
                throw new InvalidDataException($"{file}:{line}: frame {f} has more than {channelTotal} values");
        }
        _ = headerLine;
        return new BvhFile(file, joints, frameTime, frames, motion);
    }

    private static void ParseJoint(Reader r, List<BvhJoint> joints, int parent, bool isEnd, ref int channelTotal)
    {
        string name;
        if (isEnd)
        {
            string? site = r.Token();
            if (site != "Site") throw r.Error($"expected 'End Site', found 'End {site}'");
            name = (parent >= 0 ? joints[parent].Name : "root") + "_end";
        }
        else name = r.RestOfLine("joint name");
        r.Expect("{");
        r.Expect("OFFSET");
        var offset = new[] { r.Float("OFFSET x"), r.Float("OFFSET y"), r.Float("OFFSET z") };
        var channels = Array.Empty<BvhChannel>();
        int index = joints.Count;
        int start = channelTotal;
        joints.Add(null!);
        string? tok = r.Token();
        if (!isEnd && tok == "CHANNELS")
        {
            int line = r.Line;
            int n = r.Int("channel count");
            if (n is not (3 or 6 or 1 or 2 or 4 or 5 or 9))
                throw r.Error($"joint '{name}': unsupported channel count {n}");
            channels = new BvhChannel[n];
            for (int i = 0; i < n; i++)
            {
                string? c = r.Token();
                channels[i] = c switch
                {
                    "Xposition" => BvhChannel.Xposition,
                    "Yposition" => BvhChannel.Yposition,
                    "Zposition" => BvhChannel.Zposition,
                    "Xrotation" => BvhChannel.Xrotation,
                    "Yrotation" => BvhChannel.Yrotation,
                    "Zrotation" => BvhChannel.Zrotation,
                    _ => throw new InvalidDataException($"{r.File}:{line}: joint '{name}': unknown channel '{c ?? "end of file"}' (known: X/Y/Z position and X/Y/Z rotation)"),
                };
            }
            channelTotal += n;
            tok = r.Token();
        }
        joints[index] = new BvhJoint(name, parent, offset, channels, start, isEnd);
        while (tok is "JOINT" or "End")
        {
            if (isEnd) throw r.Error("an End Site cannot have children");
            ParseJoint(r, joints, index, tok == "End", ref channelTotal);
            tok = r.Token();
        }
        if (tok != "}") throw r.Error($"joint '{name}': expected JOINT, End Site or '}}', found '{tok ?? "end of file"}'");
    }

    private sealed class Reader(byte[] data, string file)
    {
        private int _pos;
        public int Line { get; private set; } = 1;
        public string File => file;
        public bool AtEnd => _pos >= data.Length;
        public long Remaining => data.Length - _pos;

        public InvalidDataException Error(string what) => new($"{file}:{Line}: {what}");

        private void SkipWs()
        {
            while (_pos < data.Length)
            {
                byte b = data[_pos];
                if (b == '\n') { Line++; _pos++; }
                else if (b is (byte)' ' or (byte)'\t' or (byte)'\r') _pos++;
                else break;
            }
        }

        public string? Token()
        {
            SkipWs();
            if (_pos >= data.Length) return null;
            int s = _pos;
            while (_pos < data.Length && data[_pos] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) _pos++;
            return Encoding.UTF8.GetString(data, s, _pos - s);
        }

        public string RestOfLine(string what)
        {
            while (_pos < data.Length && data[_pos] is (byte)' ' or (byte)'\t') _pos++;
            int s = _pos;
            while (_pos < data.Length && data[_pos] is not ((byte)'\n' or (byte)'\r')) _pos++;
            string v = Encoding.UTF8.GetString(data, s, _pos - s).Trim();
            if (v.Length == 0) throw Error($"missing {what}");
            return v;
        }

        public void Expect(string token)
        {
            string? t = Token();
            if (t != token) throw Error($"expected '{token}', found '{t ?? "end of file"}'");
        }

        public int Int(string what)
        {
            string? t = Token();
            if (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) throw Error($"expected an integer {what}, found '{t ?? "end of file"}'");
            return v;
        }

        public float Float(string what)
        {
            string? t = Token();
            if (!float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                throw Error($"expected a number ({what}), found '{t ?? "end of file"}'");
            return v;
        }

        /// <summary>Skips blank lines; returns the line number of the next line with content, or -1 at the end.</summary>
        public int SkipToNextValueLine()
        {
            SkipWs();
            return _pos >= data.Length ? -1 : Line;
        }

        public bool MoreOnLine(int line)
        {
            while (_pos < data.Length && data[_pos] is (byte)' ' or (byte)'\t' or (byte)'\r') _pos++;
            return _pos < data.Length && data[_pos] != '\n' && Line == line;
        }

        /// <summary>Parses the next number if it is on the given line.</summary>
        public bool TryNumberOnLine(int line, out float value)
        {
            value = 0;
            while (_pos < data.Length && data[_pos] is (byte)' ' or (byte)'\t' or (byte)'\r') _pos++;
            if (_pos >= data.Length || data[_pos] == '\n') return false;
            int s = _pos;
            bool neg = false;
            if (data[_pos] is (byte)'-' or (byte)'+') { neg = data[_pos] == '-'; _pos++; }
            long mant = 0;
            int digits = 0, exp10 = 0;
            bool any = false;
            while (_pos < data.Length && data[_pos] is >= (byte)'0' and <= (byte)'9')
            {
                if (digits < 18) { mant = mant * 10 + (data[_pos] - '0'); digits++; } else exp10++;
                _pos++;
                any = true;
            }
            if (_pos < data.Length && data[_pos] == '.')
            {
                _pos++;
                while (_pos < data.Length && data[_pos] is >= (byte)'0' and <= (byte)'9')
                {
                    if (digits < 18) { mant = mant * 10 + (data[_pos] - '0'); digits++; exp10--; }
                    _pos++;
                    any = true;
                }
            }
            if (any && _pos < data.Length && data[_pos] is (byte)'e' or (byte)'E')
            {
                _pos++;
                bool eneg = false;
                if (_pos < data.Length && data[_pos] is (byte)'-' or (byte)'+') { eneg = data[_pos] == '-'; _pos++; }
                int e = 0;
                bool edig = false;
                while (_pos < data.Length && data[_pos] is >= (byte)'0' and <= (byte)'9') { e = Math.Min(e * 10 + (data[_pos] - '0'), 1000); _pos++; edig = true; }
                if (!edig) any = false;
                exp10 += eneg ? -e : e;
            }
            if (!any || (_pos < data.Length && data[_pos] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')))
            {
                // Not a plain number: fall back to the framework parser for the token, or fail.
                while (_pos < data.Length && data[_pos] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) _pos++;
                string tok = Encoding.ASCII.GetString(data, s, _pos - s);
                if (!double.TryParse(tok, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
                    throw new InvalidDataException($"{file}:{line}: '{tok}' is not a number");
                value = (float)d;
                return true;
            }
            double v = mant;
            if (exp10 != 0) v *= Math.Pow(10, exp10);
            value = (float)(neg ? -v : v);
            return true;
        }
    }
}

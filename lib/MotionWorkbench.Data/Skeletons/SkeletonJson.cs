using System.Text;
using System.Text.Json;
using MotionWorkbench.Data.Formats;

namespace MotionWorkbench.Data.Skeletons;

/// <summary>
/// <c>skeleton.json</c>, saved beside a dataset: the skeleton (joint names, parents, rest offsets, part chains, mirror
/// pairs) and the dataset's frame rate.
/// <code>{"name": "...", "fps": 20, "joints": [{"name": "pelvis", "parent": -1, "offset": [0,0.9,0]}, ...],
///  "chains": {"right_leg": [0,2,5], "left_leg": [...], "spine": [...], "right_arm": [...], "left_arm": [...]},
///  "mirror_pairs": [[2,1], ...]}</code>
/// </summary>
public static class SkeletonJson
{
    public const string FileName = "skeleton.json";
    public static readonly string[] PartKeys = ["right_leg", "left_leg", "spine", "right_arm", "left_arm"];

    public static string Serialize(Skeleton s, float? fps = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            if (fps is float f) w.WriteNumber("fps", f);
            w.WriteStartArray("joints");
            for (int j = 0; j < s.JointCount; j++)
            {
                w.WriteStartObject();
                w.WriteString("name", s.JointNames[j]);
                w.WriteNumber("parent", s.Parents[j]);
                if (s.RestOffsets is { } o)
                {
                    w.WriteStartArray("offset");
                    for (int c = 0; c < 3; c++) w.WriteNumberValue(MathF.Round(o[j * 3 + c], 6));
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("chains");
            for (int p = 0; p < Skeleton.PartCount; p++)
            {
                w.WriteStartArray(PartKeys[p]);
                foreach (var j in s.Chains[p]) w.WriteNumberValue(j);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteStartArray("mirror_pairs");
            foreach (var (r, l) in s.MirrorPairs)
            {
                w.WriteStartArray();
                w.WriteNumberValue(r);
                w.WriteNumberValue(l);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static void Save(string path, Skeleton s, float? fps = null) => AtomicFile.WriteAllText(path, Serialize(s, fps));

    public static (Skeleton Skeleton, float? Fps) Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON at line {e.LineNumber + 1}: {e.Message}", e);
        }
    }

    public static (Skeleton Skeleton, float? Fps) Parse(string json, string nameForErrors)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string name = root.TryGetProperty("name", out var n) ? n.GetString() ?? "skeleton" : "skeleton";
        float? fps = root.TryGetProperty("fps", out var f) ? f.GetSingle() : null;
        if (!root.TryGetProperty("joints", out var joints) || joints.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{nameForErrors}: missing 'joints' array");
        var names = new List<string>();
        var parents = new List<int>();
        var offsets = new List<float>();
        bool hasOffsets = true;
        foreach (var j in joints.EnumerateArray())
        {
            names.Add(j.GetProperty("name").GetString() ?? throw new InvalidDataException($"{nameForErrors}: joint {names.Count} has no name"));
            parents.Add(j.GetProperty("parent").GetInt32());
            if (j.TryGetProperty("offset", out var o) && o.GetArrayLength() == 3)
                foreach (var v in o.EnumerateArray()) offsets.Add(v.GetSingle());
            else hasOffsets = false;
        }
        if (!root.TryGetProperty("chains", out var chainsEl))
            throw new InvalidDataException($"{nameForErrors}: missing 'chains' ({string.Join(", ", PartKeys)})");
        var chains = new int[Skeleton.PartCount][];
        if (chainsEl.ValueKind == JsonValueKind.Array)
        {
            int p = 0;
            foreach (var c in chainsEl.EnumerateArray())
            {
                if (p >= Skeleton.PartCount) throw new InvalidDataException($"{nameForErrors}: more than 5 chains");
                chains[p++] = c.EnumerateArray().Select(x => x.GetInt32()).ToArray();
            }
        }
        else
            for (int p = 0; p < Skeleton.PartCount; p++)
            {
                if (!chainsEl.TryGetProperty(PartKeys[p], out var c))
                    throw new InvalidDataException($"{nameForErrors}: chains has no '{PartKeys[p]}'");
                chains[p] = c.EnumerateArray().Select(x => x.GetInt32()).ToArray();
            }
        if (chains.Any(c => c is null)) throw new InvalidDataException($"{nameForErrors}: expected 5 chains");
        var pairs = new List<(int, int)>();
        if (root.TryGetProperty("mirror_pairs", out var mp))
            foreach (var pr in mp.EnumerateArray())
                pairs.Add((pr[0].GetInt32(), pr[1].GetInt32()));
        try
        {
            var sk = new Skeleton(name, names, parents, chains, pairs, hasOffsets && offsets.Count == names.Count * 3 ? offsets.ToArray() : null);
            return (sk, fps);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{nameForErrors}: {e.Message}", e);
        }
    }
}

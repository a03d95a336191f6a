using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MotionWorkbench.Data.Probes;

/// <summary>
/// A probe set's <c>probes.json</c>: the minimal pairs of a probe folder (a HumanML3D-layout folder whose motions each
/// carry one caption, the pair's caption for that motion) and what they were made from. Format:
/// <code>
/// {"format": "motionworkbench-probes", "version": 1, "source": "synthetic" | "bandai", "skeleton": NAME, "fps": F,
///  "description": ..., "seed": S, "pairsPerAttribute": N, "windowFrames": W, "windowAlignment": "exact" | "approximate",
///  "maxSeconds": M, "sourceData": DIR, "notes": [...],
///  "pairs": [{"id", "attribute", "contrast", "motionA", "motionB", "captionA", "captionB", "a": {...}, "b": {...}}]}
/// </code>
/// </summary>
public sealed record ProbeSet(string Source, string Skeleton, float Fps, IReadOnlyList<ProbePair> Pairs)
{
    public const string FileName = "probes.json";
    public const string Format = "motionworkbench-probes";
    public const int Version = 1;

    public string Description { get; init; } = "";
    /// <summary>Seed of a generated set (null for a set made from real clips).</summary>
    public ulong? Seed { get; init; }
    public int? PairsPerAttribute { get; init; }
    /// <summary>Frames (at <see cref="Fps"/>) of one patch window that order pairs' segments are aligned to.</summary>
    public int? WindowFrames { get; init; }
    /// <summary>"exact" when the windows fall on whole frames after re-timing to the patch rate, "approximate" otherwise.</summary>
    public string? WindowAlignment { get; init; }
    /// <summary>The longest clip of a generated set, in seconds.</summary>
    public float? MaxSeconds { get; init; }
    /// <summary>
    /// The dataset folder the probe motions were cut from (real clips), whose motion statistics normalise them when a run
    /// of another skeleton is probed; null for a generated set.
    /// </summary>
    public string? SourceData { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The attributes present, in table order.</summary>
    public IReadOnlyList<string> Attributes => ProbeAttributes.Ordered(Pairs.Select(p => p.Attribute));

    /// <summary>Every motion id of the pairs, each once, in pair order.</summary>
    public IReadOnlyList<string> MotionIds()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var p in Pairs)
            foreach (var id in new[] { p.MotionA, p.MotionB })
                if (seen.Add(id)) list.Add(id);
        return list;
    }

    public JsonObject ToJson() => new()
    {
        ["format"] = Format,
        ["version"] = Version,
        ["source"] = Source,
        ["skeleton"] = Skeleton,
        ["fps"] = Fps,
        ["description"] = Description,
        ["seed"] = Seed,
        ["pairsPerAttribute"] = PairsPerAttribute,
        ["windowFrames"] = WindowFrames,
        ["windowAlignment"] = WindowAlignment,
        ["maxSeconds"] = MaxSeconds,
        ["sourceData"] = SourceData,
        ["notes"] = new JsonArray(Notes.Select(n => (JsonNode?)n).ToArray()),
        ["pairs"] = new JsonArray(Pairs.Select(p => (JsonNode?)p.ToJson()).ToArray()),
    };

    /// <summary>Writes <c>dir/probes.json</c> atomically.</summary>
    public string Save(string dir)
    {
        Validate(this, Path.Combine(dir, FileName));
        var path = Path.Combine(dir, FileName);
        AtomicFile.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }

    /// <summary>Reads <c>probes.json</c> from a probe folder (or the file itself); every problem is one error naming the file.</summary>
    public static ProbeSet Load(string dirOrFile)
    {
        string path = Directory.Exists(dirOrFile) ? Path.Combine(dirOrFile, FileName) : dirOrFile;
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(dirOrFile)
                ? $"{dirOrFile}: not a probe set: no {FileName} (make one with 'mw data probes --out {dirOrFile}')"
                : $"{dirOrFile}: probe set not found", path);
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path}: empty JSON"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
        if ((string?)Value(root, "format", path) != Format)
            throw new InvalidDataException($"{path}: \"format\" is '{root["format"]}', expected '{Format}'");
        int version = Int(root, "version", path);
        if (version < 1 || version > Version) throw new InvalidDataException($"{path}: version {version} is not supported (this build reads version {Version})");
        if (root["pairs"] is not JsonArray pairs) throw new InvalidDataException($"{path}: \"pairs\" is missing or not an array");
        var list = new List<ProbePair>(pairs.Count);
        for (int i = 0; i < pairs.Count; i++)
        {
            if (pairs[i] is not JsonObject p) throw new InvalidDataException($"{path}: pair {i} is not an object");
            string where = $"{path}: pair {i}";
            list.Add(new ProbePair(Text(p, "id", where), Text(p, "attribute", where), Text(p, "contrast", where), Text(p, "motionA", where),
                Text(p, "motionB", where), Text(p, "captionA", where), Text(p, "captionB", where))
            {
                DetailsA = (p["a"] as JsonObject)?.DeepClone() as JsonObject,
                DetailsB = (p["b"] as JsonObject)?.DeepClone() as JsonObject,
            });
        }
        var set = new ProbeSet(Text(root, "source", path), Text(root, "skeleton", path), (float)Number(root, "fps", path), list)
        {
            Description = (string?)root["description"] ?? "",
            Seed = root["seed"] is JsonValue s ? s.GetValue<ulong>() : null,
            PairsPerAttribute = root["pairsPerAttribute"] is JsonValue n ? n.GetValue<int>() : null,
            WindowFrames = root["windowFrames"] is JsonValue w ? w.GetValue<int>() : null,
            WindowAlignment = (string?)root["windowAlignment"],
            MaxSeconds = root["maxSeconds"] is JsonValue m ? m.GetValue<float>() : null,
            SourceData = (string?)root["sourceData"],
            Notes = root["notes"] is JsonArray notes ? notes.Select(x => (string?)x ?? "").ToList() : [],
        };
        Validate(set, path);
        return set;
    }

    /// <summary>
    /// The rules every probe set keeps: at least one pair, unique pair ids, two different motions per pair, non-empty and
    /// different captions, one caption per motion across pairs (a motion's caption is its only caption in the folder).
    /// </summary>
    public static void Validate(ProbeSet set, string nameForErrors)
    {
        if (set.Pairs.Count == 0) throw new InvalidDataException($"{nameForErrors}: no pairs");
        if (!(set.Fps > 0)) throw new InvalidDataException($"{nameForErrors}: fps must be positive, got {set.Fps.ToString(CultureInfo.InvariantCulture)}");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var captionOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < set.Pairs.Count; i++)
        {
            var p = set.Pairs[i];
            string where = $"{nameForErrors}: pair {i} ('{p.Id}')";
            if (!ids.Add(p.Id)) throw new InvalidDataException($"{where}: the id is used by an earlier pair");
            if (p.MotionA == p.MotionB) throw new InvalidDataException($"{where}: motion a and motion b are the same motion '{p.MotionA}'");
            if (string.IsNullOrWhiteSpace(p.CaptionA) || string.IsNullOrWhiteSpace(p.CaptionB)) throw new InvalidDataException($"{where}: a caption is empty");
            if (p.CaptionA == p.CaptionB) throw new InvalidDataException($"{where}: both captions are \"{p.CaptionA}\"; a pair's captions must differ");
            foreach (var (motion, caption) in new[] { (p.MotionA, p.CaptionA), (p.MotionB, p.CaptionB) })
            {
                if (captionOf.TryGetValue(motion, out var other) && other != caption)
                    throw new InvalidDataException($"{where}: motion '{motion}' has caption \"{caption}\" here and \"{other}\" in an earlier pair");
                captionOf[motion] = caption;
            }
        }
    }

    private static JsonNode? Value(JsonObject o, string key, string where) =>
        o.TryGetPropertyValue(key, out var v) ? v : throw new InvalidDataException($"{where}: \"{key}\" is missing");

    private static string Text(JsonObject o, string key, string where)
    {
        var v = Value(o, key, where);
        if (v is JsonValue value && value.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)) return s;
        throw new InvalidDataException($"{where}: \"{key}\" must be a non-empty string, got {v?.ToJsonString() ?? "null"}");
    }

    private static double Number(JsonObject o, string key, string where)
    {
        var v = Value(o, key, where);
        if (v is JsonValue value && value.TryGetValue<double>(out var d)) return d;
        throw new InvalidDataException($"{where}: \"{key}\" must be a number, got {v?.ToJsonString() ?? "null"}");
    }

    private static int Int(JsonObject o, string key, string where)
    {
        double d = Number(o, key, where);
        if (d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue) throw new InvalidDataException($"{where}: \"{key}\" must be a whole number, got {d.ToString(CultureInfo.InvariantCulture)}");
        return (int)d;
    }
}

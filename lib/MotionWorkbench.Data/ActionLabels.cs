using System.Text;
using System.Text.Json;
using MotionWorkbench.Data.Formats;

namespace MotionWorkbench.Data;

/// <summary>A labelled span of a clip: seconds (0/0 = the whole clip) and one or more action labels.</summary>
public sealed record ActionSegment(string ClipId, float Start, float End, IReadOnlyList<string> Labels);

/// <summary>One sample for classification: a window of a clip with a single label (BABEL style).</summary>
public sealed record ActionSample(string ClipId, float Start, float End, string Label, int ClassIndex);

/// <summary>
/// An action-labelled set for zero-shot classification (BABEL style): class names and labelled segments of clips.
/// Saved as <c>actions.json</c>: <c>{"classes": [...], "segments": [{"id", "start", "end", "labels": [...]}]}</c>.
/// Also reads BABEL's own JSON (<c>{sid: {feat_p, dur, seq_ann, frame_ann: {labels: [{start_t, end_t, act_cat}]}}}</c>).
/// </summary>
public sealed class ActionLabelSet
{
    public const string FileName = "actions.json";

    public ActionLabelSet(IReadOnlyList<string> classes, IReadOnlyList<ActionSegment> segments)
    {
        Classes = classes.ToArray();
        Segments = segments.ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Classes.Count; i++)
            if (!index.TryAdd(Classes[i], i)) throw new ArgumentException($"class '{Classes[i]}' is listed twice");
        foreach (var s in Segments)
            foreach (var l in s.Labels)
                if (!index.ContainsKey(l)) throw new ArgumentException($"segment of '{s.ClipId}' has label '{l}', which is not among the {Classes.Count} classes");
        ClassIndex = index;
    }

    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<ActionSegment> Segments { get; }
    public IReadOnlyDictionary<string, int> ClassIndex { get; }

    /// <summary>The prompt for a class, e.g. "a person walk" with "a person {0}".</summary>
    public IReadOnlyList<string> Prompts(string template = "a person {0}") => Classes.Select(c => string.Format(System.Globalization.CultureInfo.InvariantCulture, template, c)).ToArray();

    /// <summary>Labels per clip (the union over its segments).</summary>
    public IReadOnlyDictionary<string, string[]> LabelsByClip() => Segments.GroupBy(s => s.ClipId)
        .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Labels).Distinct().ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// One sample per (segment, label); with a window, each segment is cut into consecutive windows of that length
    /// (the last partial window kept when at least half a window long), as BABEL's 5-second chunks.
    /// clipDuration gives the length of 0/0 (whole-clip) segments.
    /// </summary>
    public IReadOnlyList<ActionSample> Samples(float? windowSeconds = null, Func<string, float>? clipDuration = null)
    {
        var result = new List<ActionSample>();
        foreach (var s in Segments)
        {
            float start = s.Start, end = s.End;
            if (start == 0 && end == 0)
            {
                if (clipDuration is null) { foreach (var l in s.Labels) result.Add(new(s.ClipId, 0, 0, l, ClassIndex[l])); continue; }
                end = clipDuration(s.ClipId);
            }
            if (windowSeconds is not float w || w <= 0)
            {
                foreach (var l in s.Labels) result.Add(new(s.ClipId, start, end, l, ClassIndex[l]));
                continue;
            }
            for (float a = start; a < end - 1e-4f; a += w)
            {
                float b = MathF.Min(end, a + w);
                if (b - a < w / 2 && a > start) break;
                foreach (var l in s.Labels) result.Add(new(s.ClipId, a, b, l, ClassIndex[l]));
            }
        }
        return result;
    }

    public void Save(string path)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("classes");
            foreach (var c in Classes) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteStartArray("segments");
            foreach (var s in Segments)
            {
                w.WriteStartObject();
                w.WriteString("id", s.ClipId);
                w.WriteNumber("start", MathF.Round(s.Start, 3));
                w.WriteNumber("end", MathF.Round(s.End, 3));
                w.WriteStartArray("labels");
                foreach (var l in s.Labels) w.WriteStringValue(l);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(path, ms.ToArray());
    }

    public static ActionLabelSet Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: action label file not found", path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON at line {e.LineNumber + 1}: {e.Message}", e); }
        using (doc)
        {
            var root = doc.RootElement;
            try
            {
                if (root.TryGetProperty("classes", out var cl) && root.TryGetProperty("segments", out var segs))
                {
                    var classes = cl.EnumerateArray().Select(c => c.GetString() ?? "").ToList();
                    var list = new List<ActionSegment>();
                    int i = 0;
                    foreach (var s in segs.EnumerateArray())
                    {
                        string id = s.GetProperty("id").GetString() ?? throw new InvalidDataException($"{path}: segment {i} has no id");
                        var labels = s.GetProperty("labels").EnumerateArray().Select(l => l.GetString() ?? "").ToArray();
                        if (labels.Length == 0 || labels.Any(l => l.Length == 0)) throw new InvalidDataException($"{path}: segment {i} ('{id}') has an empty label list or label");
                        list.Add(new ActionSegment(id, s.TryGetProperty("start", out var a) ? a.GetSingle() : 0, s.TryGetProperty("end", out var b) ? b.GetSingle() : 0, labels));
                        i++;
                    }
                    return new ActionLabelSet(classes, list);
                }
                return FromBabel(root, path);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
        }
    }

    /// <summary>BABEL JSON: frame_ann labels when present, else seq_ann; the clip id is the feat_p file name without extension.</summary>
    private static ActionLabelSet FromBabel(JsonElement root, string path)
    {
        var segments = new List<ActionSegment>();
        var classes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var seq in root.EnumerateObject())
        {
            var e = seq.Value;
            string id = e.TryGetProperty("feat_p", out var fp) && fp.GetString() is { } p
                ? Path.GetFileNameWithoutExtension(p.Replace('\\', '/')) : seq.Name;
            float dur = e.TryGetProperty("dur", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetSingle() : 0;
            bool frame = e.TryGetProperty("frame_ann", out var fa) && fa.ValueKind == JsonValueKind.Object;
            var ann = frame ? fa : e.TryGetProperty("seq_ann", out var sa) && sa.ValueKind == JsonValueKind.Object ? sa : default;
            if (ann.ValueKind != JsonValueKind.Object || !ann.TryGetProperty("labels", out var labels)) continue;
            foreach (var l in labels.EnumerateArray())
            {
                var cats = l.TryGetProperty("act_cat", out var ac) && ac.ValueKind == JsonValueKind.Array
                    ? ac.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0).Distinct().ToArray() : [];
                if (cats.Length == 0) continue;
                float start = frame && l.TryGetProperty("start_t", out var st) ? st.GetSingle() : 0;
                float end = frame && l.TryGetProperty("end_t", out var en) ? en.GetSingle() : dur;
                foreach (var c in cats) classes.Add(c);
                segments.Add(new ActionSegment(id, start, end, cats));
            }
        }
        if (segments.Count == 0) throw new InvalidDataException($"{path}: neither an actions.json ('classes' + 'segments') nor BABEL annotations with act_cat labels");
        return new ActionLabelSet(classes.ToArray(), segments);
    }
}

using System.Text.Json;

namespace MotionWorkbench.Data.Formats;

/// <summary>One key of TMR's <c>annotations.json</c>: AMASS path (M/ prefix for mirrors), duration and captions.</summary>
public sealed record TmrEntry(string KeyId, string Path, float Duration, IReadOnlyList<Caption> Captions)
{
    public bool IsMirror => Path.StartsWith("M/", StringComparison.Ordinal) || KeyId.StartsWith('M');
}

/// <summary>
/// TMR's unified annotation format: <c>{keyid: {path, duration, annotations: [{seg_id, text, start, end}]}}</c>.
/// Captions spanning the whole clip (start 0, end = duration) become whole-motion captions (0/0); others keep
/// their start/end seconds.
/// </summary>
public static class TmrAnnotations
{
    public static Dictionary<string, TmrEntry> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: annotations file not found", path);
        using var fs = File.OpenRead(path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(fs); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON at line {e.LineNumber + 1}: {e.Message}", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: expected an object keyed by keyid");
            var result = new Dictionary<string, TmrEntry>(StringComparer.Ordinal);
            foreach (var kv in doc.RootElement.EnumerateObject())
            {
                var e = kv.Value;
                string where = $"{path}: key '{kv.Name}'";
                if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: expected an object");
                string p = e.TryGetProperty("path", out var pe) ? pe.GetString() ?? "" : "";
                float dur = e.TryGetProperty("duration", out var de) && de.ValueKind == JsonValueKind.Number ? de.GetSingle() : 0f;
                var caps = new List<Caption>();
                if (e.TryGetProperty("annotations", out var anns))
                    foreach (var a in anns.EnumerateArray())
                    {
                        string text = (a.TryGetProperty("text", out var t) ? t.GetString() : null)?.Trim() ?? "";
                        if (text.Length == 0)
                            throw new InvalidDataException($"{where}: empty caption in segment '{(a.TryGetProperty("seg_id", out var s) ? s.GetString() : "?")}'");
                        float start = a.TryGetProperty("start", out var st) && st.ValueKind == JsonValueKind.Number ? st.GetSingle() : 0f;
                        float end = a.TryGetProperty("end", out var en) && en.ValueKind == JsonValueKind.Number ? en.GetSingle() : 0f;
                        bool whole = start <= 1e-3f && (end == 0f || MathF.Abs(end - dur) < 0.02f);
                        caps.Add(whole ? new Caption(text) : new Caption(text, start, end));
                    }
                result[kv.Name] = new TmrEntry(kv.Name, p, dur, caps);
            }
            return result;
        }
    }
}

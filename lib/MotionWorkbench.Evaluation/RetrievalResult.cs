using System.Text;
using System.Text.Json;

namespace MotionWorkbench.Evaluation;

/// <summary>
/// The metrics of one protocol in both directions. <see cref="N"/> is the number of items (text-motion pairs)
/// given to the protocol; batch protocols drop the remainder of N / 32.
/// JSON: <c>{"protocol":"all","n":4384,"t2m":{"R@1":..,"R@2":..,"R@3":..,"R@5":..,"R@10":..,"MedR":..},"m2t":{...}}</c>.
/// </summary>
public sealed record RetrievalResult(string Protocol, int N, RecallMetrics TextToMotion, RecallMetrics MotionToText)
{
    /// <summary>The "tmr-threshold" protocol: the sentence encoder whose embeddings decided which captions count as the
    /// same (TMR used all-mpnet-base-v2); JSON <c>"sentenceEncoder"</c>. Null for the other protocols.</summary>
    public string? SentenceEncoder { get; init; }

    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
            WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("protocol", Protocol);
        writer.WriteNumber("n", N);
        if (SentenceEncoder is not null) writer.WriteString("sentenceEncoder", SentenceEncoder);
        WriteDirection(writer, "t2m", TextToMotion);
        WriteDirection(writer, "m2t", MotionToText);
        writer.WriteEndObject();
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote; a missing field is an error naming it.</summary>
    public static RetrievalResult FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new RetrievalResult(Get(root, "protocol").GetString()!, Get(root, "n").GetInt32(),
            ReadDirection(Get(root, "t2m")), ReadDirection(Get(root, "m2t")))
        {
            SentenceEncoder = root.TryGetProperty("sentenceEncoder", out var encoder) ? encoder.GetString() : null,
        };
    }

    private static readonly string[] Keys = ["R@1", "R@2", "R@3", "R@5", "R@10", "MedR"];

    private static void WriteDirection(Utf8JsonWriter writer, string name, RecallMetrics m)
    {
        writer.WriteStartObject(name);
        var values = m.ToArray();
        for (int k = 0; k < Keys.Length; k++) writer.WriteNumber(Keys[k], values[k]);
        writer.WriteEndObject();
    }

    private static RecallMetrics ReadDirection(JsonElement e) =>
        RecallMetrics.FromArray(Keys.Select(k => Get(e, k).GetDouble()).ToArray());

    private static JsonElement Get(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v : throw new InvalidDataException($"retrieval result JSON lacks \"{name}\"");
}

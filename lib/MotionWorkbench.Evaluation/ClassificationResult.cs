using System.Text;
using System.Text.Json;

namespace MotionWorkbench.Evaluation;

/// <summary>
/// Zero-shot classification metrics in percent: top-1, top-k (k = 5, or the class count when smaller),
/// class-balanced top-1 (the mean of per-class top-1 over the classes that have samples), and the confusion matrix
/// <c>Confusion[true][predicted]</c> (counts).
/// </summary>
public sealed record ClassificationResult(int N, int Classes, double Top1, double Top5, double BalancedTop1, int[][] Confusion)
{
    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteNumber("n", N);
            w.WriteNumber("classes", Classes);
            w.WriteNumber("top1", Top1);
            w.WriteNumber("top5", Top5);
            w.WriteNumber("balancedTop1", BalancedTop1);
            w.WriteStartArray("confusion");
            foreach (var row in Confusion)
            {
                w.WriteStartArray();
                foreach (var c in row) w.WriteNumberValue(c);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

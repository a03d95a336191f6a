using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>One retrieval example of the summary: the query item, its top hits and the rank of its ground truth.</summary>
public sealed record RankedExample(int Query, string Id, string Caption, IReadOnlyList<SearchHit> Top, int GroundTruthRank, int GallerySize);

/// <summary>A (query caption -> retrieved caption) top-1 error and how often it happened; <see cref="Mirror"/>: the left/right mirror.</summary>
public sealed record Confusion(string QueryCaption, string RetrievedCaption, int Count, bool Mirror);

/// <summary>Text -> motion top-1 errors of a split: how many, how many retrieved the left/right mirror, the most common pairs.</summary>
public sealed record ConfusionSummary(int Queries, int Errors, int MirrorErrors, IReadOnlyList<Confusion> Top);

/// <summary>
/// The analyses behind the run summary, on a split's embeddings (rows L2-normalised, item i = text i and motion i):
/// ranks of the ground truth (every item with the identical caption counts, as the "All" protocol), text->motion and
/// motion->text examples, the most common confusions (flagging left/right mirror pairs), and the learning rate per step.
/// Ties are ordered by index, as <see cref="RetrievalIndex"/>'s searches.
/// </summary>
public static partial class SummaryAnalysis
{
    /// <summary>The gallery indices ordered by cosine similarity to <paramref name="query"/> (highest first, ties by index).</summary>
    public static int[] Order(float[][] gallery, float[] query)
    {
        var scores = Scores(gallery, query);
        var order = Enumerable.Range(0, gallery.Length).ToArray();
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order;
    }

    private static float[] Scores(float[][] gallery, float[] query)
    {
        var s = new float[gallery.Length];
        for (int j = 0; j < gallery.Length; j++) s[j] = System.Numerics.Tensors.TensorPrimitives.Dot(gallery[j], query);
        return s;
    }

    /// <summary>1-based rank of the best-placed gallery item with the query's caption.</summary>
    public static int GroundTruthRank(float[][] gallery, float[] query, IReadOnlyList<string> captions, string caption)
    {
        var order = Order(gallery, query);
        for (int r = 0; r < order.Length; r++)
            if (captions[order[r]] == caption) return r + 1;
        return order.Length + 1;
    }

    /// <summary>Text -> motion examples: the first caption of every ⌊n/count⌋-th item as the query over the split's motions.</summary>
    public static IReadOnlyList<RankedExample> TextToMotionExamples(SplitEmbeddings e, int count, int top = 3) =>
        Examples(e, count, top, e.Texts, e.Motions);

    /// <summary>Motion -> text examples: every ⌊n/count⌋-th motion as the query over the split's first captions.</summary>
    public static IReadOnlyList<RankedExample> MotionToTextExamples(SplitEmbeddings e, int count, int top = 3) =>
        Examples(e, count, top, e.Motions, e.Texts);

    private static List<RankedExample> Examples(SplitEmbeddings e, int count, int top, float[][] queries, float[][] gallery)
    {
        var list = new List<RankedExample>();
        int n = e.Count, step = Math.Max(1, n / Math.Max(1, count));
        for (int q = 0; q < n && list.Count < count; q += step)
        {
            var scores = Scores(gallery, queries[q]);
            var order = Order(gallery, queries[q]);
            var hits = order.Take(top).Select((j, r) => new SearchHit(r + 1, e.Ids[j], e.Captions[j], scores[j])).ToList();
            int rank = Array.FindIndex(order, j => e.Captions[j] == e.Captions[q]) + 1;
            list.Add(new RankedExample(q, e.Ids[q], e.Captions[q], hits, rank, n));
        }
        return list;
    }

    /// <summary>
    /// The text -> motion top-1 errors of the split (the top motion's caption differs from the query's), grouped by
    /// (query caption, retrieved caption), most frequent first; a pair is a mirror when the ids are a clip and its
    /// <c>M</c> copy or the captions are each other with left and right swapped.
    /// </summary>
    public static ConfusionSummary TextToMotionConfusions(SplitEmbeddings e, int top = 8)
    {
        var counts = new Dictionary<(string, string), (int Count, bool Mirror)>();
        int errors = 0, mirrors = 0;
        for (int q = 0; q < e.Count; q++)
        {
            var s = Scores(e.Motions, e.Texts[q]);
            int best = 0;
            for (int j = 1; j < s.Length; j++) if (s[j] > s[best]) best = j;
            if (e.Captions[best] == e.Captions[q]) continue;
            errors++;
            bool mirror = IsMirrorPair(e.Ids[q], e.Ids[best]) || IsLeftRightSwap(e.Captions[q], e.Captions[best]);
            if (mirror) mirrors++;
            var key = (e.Captions[q], e.Captions[best]);
            counts[key] = counts.TryGetValue(key, out var c) ? (c.Count + 1, c.Mirror || mirror) : (1, mirror);
        }
        var list = counts.Select(kv => new Confusion(kv.Key.Item1, kv.Key.Item2, kv.Value.Count, kv.Value.Mirror))
            .OrderByDescending(c => c.Count).ThenBy(c => c.QueryCaption, StringComparer.Ordinal).ThenBy(c => c.RetrievedCaption, StringComparer.Ordinal)
            .Take(top).ToList();
        return new ConfusionSummary(e.Count, errors, mirrors, list);
    }

    /// <summary>True for a clip id and its mirrored copy (HumanML3D's <c>M</c> prefix), either way round.</summary>
    public static bool IsMirrorPair(string a, string b) => a == "M" + b || b == "M" + a;

    /// <summary>The caption with every "left" and "right" (any case, whole words) swapped.</summary>
    public static string SwapLeftRight(string caption) =>
        LeftRight().Replace(caption, m => m.Value switch
        {
            "left" => "right", "right" => "left", "Left" => "Right", "Right" => "Left", "LEFT" => "RIGHT", "RIGHT" => "LEFT",
            var v => v.Equals("left", StringComparison.OrdinalIgnoreCase) ? "right" : "left",
        });

    /// <summary>True when two different captions are each other with left and right swapped (ignoring case).</summary>
    public static bool IsLeftRightSwap(string a, string b) =>
        !string.Equals(a, b, StringComparison.OrdinalIgnoreCase) && string.Equals(SwapLeftRight(a), b, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\b(left|right)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeftRight();

    /// <summary>The first parameter group's learning rate of every step line of metrics.jsonl (after a resume, each step once).</summary>
    public static IReadOnlyList<(int Step, double Lr)> ReadStepLearningRates(string metricsPath)
    {
        var byStep = new SortedDictionary<int, double>();
        if (!File.Exists(metricsPath)) return [];
        foreach (var line in File.ReadLines(metricsPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonNode? o;
            try { o = JsonNode.Parse(line); } catch (System.Text.Json.JsonException) { continue; }
            if ((string?)o?["type"] != "step" || o["lr"] is not JsonValue lr || o["step"] is not JsonValue st) continue;
            byStep[st.GetValue<int>()] = lr.GetValue<double>();
        }
        return byStep.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    /// <summary>The chance level of the symmetric InfoNCE loss, ln(batch), when the run trains contrastively (else null).</summary>
    public static double? ChanceLoss(RunConfig config) =>
        config.Train.BatchSize >= 2 && (config.Model.Architecture != Architecture.Lex || config.Model.LexPhase == "cmlp") ? Math.Log(config.Train.BatchSize) : null;

    internal static string Num(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}

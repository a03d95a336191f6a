using System.Numerics.Tensors;

namespace MotionWorkbench.Evaluation;

/// <summary>One minimal pair to score: rows <see cref="A"/> and <see cref="B"/> are motion a and b, and caption a and b.</summary>
public readonly record struct ProbeItem(string Attribute, int A, int B);

/// <summary>
/// Minimal-pair accuracy. Per pair with score s(caption, motion):
/// <list type="bullet">
/// <item>text→motion, two trials: caption a scores motion a above motion b (s(a, a) &gt; s(a, b)), and caption b motion b
/// above motion a (s(b, b) &gt; s(b, a));</item>
/// <item>motion→text, two trials: motion a scores caption a above caption b (s(a, a) &gt; s(b, a)), and motion b caption b
/// above caption a (s(b, b) &gt; s(a, b)).</item>
/// </list>
/// A trial is a tie when the two scores are within <c>tieTolerance</c> (float32 rounding of equal scores) and counts as
/// half right. Accuracy is the share of right trials (two per pair and direction), so chance is 50 %: a model that
/// cannot tell the captions (or the motions) apart gets one trial of each pair right, or two ties. It comes with a 95 %
/// Wilson interval over the trials (the two trials of a pair are not independent, so the interval is somewhat narrow).
/// The mean margin, (s(a, a) + s(b, b) - s(a, b) - s(b, a)) / 2 per pair, is the mean of the right score minus the wrong
/// one over the trials of either direction (the two directions have the same margins, summed differently).
/// </summary>
public static class ProbeScoring
{
    /// <summary>Default tie tolerance for cosine similarities of float32 unit vectors.</summary>
    public const double DefaultTieTolerance = 1e-6;

    /// <summary>Chance accuracy (percent) of a pair trial.</summary>
    public const double Chance = 50;

    /// <summary>Scores pairs on L2-normalised embeddings: row i of <paramref name="texts"/> is caption i, of <paramref name="motions"/> motion i.</summary>
    public static IReadOnlyList<ProbeAttributeResult> Score(IReadOnlyList<ProbeItem> pairs, IReadOnlyList<float[]> texts, IReadOnlyList<float[]> motions,
        double tieTolerance = DefaultTieTolerance)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(motions);
        if (texts.Count != motions.Count) throw new ArgumentException($"{texts.Count} text embeddings but {motions.Count} motion embeddings; row i must be caption i and motion i");
        return Score(pairs, (t, m) =>
        {
            if (texts[t].Length != motions[m].Length) throw new ArgumentException($"text embedding {t} has {texts[t].Length} dimensions, motion embedding {m} {motions[m].Length}");
            return TensorPrimitives.Dot(texts[t], motions[m]);
        }, texts.Count, tieTolerance);
    }

    /// <summary>Scores pairs with any scorer s(caption row, motion row) over <paramref name="rows"/> rows.</summary>
    public static IReadOnlyList<ProbeAttributeResult> Score(IReadOnlyList<ProbeItem> pairs, Func<int, int, double> score, int rows,
        double tieTolerance = DefaultTieTolerance)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(score);
        if (!(tieTolerance >= 0)) throw new ArgumentException($"tie tolerance must be zero or positive, got {tieTolerance}", nameof(tieTolerance));
        var order = new List<string>();
        var byAttribute = new Dictionary<string, (Tally T2M, Tally M2T, int Pairs, double Margin)>(StringComparer.Ordinal);
        for (int i = 0; i < pairs.Count; i++)
        {
            var (attribute, a, b) = pairs[i];
            if (a < 0 || a >= rows || b < 0 || b >= rows) throw new ArgumentException($"pair {i} ({attribute}): rows {a} and {b} must be in 0..{rows - 1}");
            if (a == b) throw new ArgumentException($"pair {i} ({attribute}): motion a and motion b are the same row {a}");
            double aa = score(a, a), ab = score(a, b), ba = score(b, a), bb = score(b, b); // s(caption, motion)
            foreach (var (v, what) in new[] { (aa, "s(a, a)"), (ab, "s(a, b)"), (ba, "s(b, a)"), (bb, "s(b, b)") })
                if (!double.IsFinite(v)) throw new ArgumentException($"pair {i} ({attribute}): score {what} is {v}; every score must be finite");
            if (!byAttribute.TryGetValue(attribute, out var t)) { order.Add(attribute); t = (new Tally(), new Tally(), 0, 0); }
            t.T2M.Add(aa - ab, tieTolerance);   // caption a: motion a against motion b
            t.T2M.Add(bb - ba, tieTolerance);   // caption b: motion b against motion a
            t.M2T.Add(aa - ba, tieTolerance);   // motion a: caption a against caption b
            t.M2T.Add(bb - ab, tieTolerance);   // motion b: caption b against caption a
            byAttribute[attribute] = (t.T2M, t.M2T, t.Pairs + 1, t.Margin + 0.5 * (aa + bb - ab - ba));
        }
        return order.Select(a =>
        {
            var t = byAttribute[a];
            return new ProbeAttributeResult(a, t.Pairs, t.T2M.Result(), t.M2T.Result(), t.Margin / t.Pairs);
        }).ToList();
    }

    private sealed class Tally
    {
        private int right, ties, trials;

        public void Add(double d, double tolerance)
        {
            trials++;
            if (Math.Abs(d) <= tolerance) ties++;
            else if (d > 0) right++;
        }

        public ProbeAccuracy Result()
        {
            double correct = right + 0.5 * ties;
            var (low, high) = WilsonInterval.Of(correct, trials);
            return new ProbeAccuracy(right, ties, trials, 100 * correct / trials, 100 * low, 100 * high);
        }
    }
}

using MotionWorkbench.Render.Plots;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>A word's share of the lexical weight of a set of vectors (Lex Fig. 5) and whether it names an action.</summary>
public sealed record WordShare(string Word, double Share, bool ActionWord);

/// <summary>The high-importance words of a Lex run's vectors on a split: the heaviest words by mean weight, and how much
/// of all the weight goes to action words (walk, kick, jump, ... from actions.json).</summary>
public sealed record WordDistribution(string Label, string Side, IReadOnlyList<WordShare> Top, double ActionShare, double TopActionShare);

/// <summary>
/// Lex interpretability for notebook 14 (Lex Figs. 1, 3, 4, 5): the action-word measure, per-action word profiles, the
/// distribution of high-importance words, and a PCA of the motion vectors coloured by action.
/// </summary>
public static class LexInterpretability
{
    /// <summary>The measure on a Lex run's split: top-k motion words naming the motion's action vs shuffled labels.</summary>
    public static ActionWordHits ActionWords(ExperimentResult lexRun, int k = 10, string? split = null) =>
        RetrievalIndex.Open(lexRun.RunDir, split: split ?? lexRun.EvalSplit).ActionWordHits(k);

    /// <summary>
    /// Per action (single-action motions of the split), the k heaviest words of the mean motion vector: "which words does
    /// a kick light up?" (Lex Figs. 1, 4). Actions with fewer than <paramref name="minMotions"/> motions are left out.
    /// </summary>
    public static IReadOnlyList<(string Action, int Motions, IReadOnlyList<(string Word, float Weight)> Words)> ActionProfiles(
        ExperimentResult lexRun, int k = 8, int minMotions = 2, string? split = null)
    {
        var index = RetrievalIndex.Open(lexRun.RunDir, split: split ?? lexRun.EvalSplit);
        var labels = index.ActionLabels();
        var emb = index.Embeddings;
        var byAction = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < emb.Ids.Count; i++)
            if (labels.TryGetValue(emb.Ids[i], out var l) && l.Length == 1)
                (byAction.TryGetValue(l[0], out var list) ? list : byAction[l[0]] = []).Add(i);
        var result = new List<(string, int, IReadOnlyList<(string, float)>)>();
        foreach (var (action, rows) in byAction)
        {
            if (rows.Count < minMotions) continue;
            var mean = new float[emb.Motions[0].Length];
            foreach (var r in rows) System.Numerics.Tensors.TensorPrimitives.Add(mean, emb.Motions[r], mean);
            System.Numerics.Tensors.TensorPrimitives.Multiply(mean, 1f / rows.Count, mean);
            result.Add((action, rows.Count, LexicalWords.Top(mean, index.Vocabulary, k)));
        }
        return result;
    }

    /// <summary>
    /// The words carrying most of the lexical weight of the split's caption ("text") or motion ("motion") vectors (mean
    /// weight over the split, as a share of the total), and the share of all weight and of the top words' weight that
    /// goes to action words (Lex Fig. 5: "high-importance words" before and after LexMLM).
    /// </summary>
    public static WordDistribution Words(ExperimentResult lexRun, string side = "text", int top = 15, string? split = null)
    {
        if (side is not ("text" or "motion")) throw new ArgumentException($"side must be 'text' or 'motion', got '{side}'");
        var index = RetrievalIndex.Open(lexRun.RunDir, split: split ?? lexRun.EvalSplit);
        var actionWords = index.ActionLabels().Values.SelectMany(LexicalInterpretability.ActionWords).Distinct().ToArray();
        var rows = side == "text" ? index.Embeddings.Texts : index.Embeddings.Motions;
        var sum = new double[rows[0].Length];
        foreach (var r in rows) for (int j = 0; j < r.Length; j++) sum[j] += r[j];
        double total = sum.Sum();
        if (total <= 0) return new WordDistribution(lexRun.Label, side, [], 0, 0);
        var vocabulary = index.Vocabulary;
        bool IsAction(int j) => LexicalInterpretability.Names(vocabulary.TokenOf(j), actionWords);
        double actionShare = Enumerable.Range(0, sum.Length).Where(j => sum[j] > 0 && IsAction(j)).Sum(j => sum[j]) / total;
        var best = Enumerable.Range(0, sum.Length).Where(j => sum[j] > 0).OrderByDescending(j => sum[j]).ThenBy(j => j).Take(top).ToList();
        double topTotal = best.Sum(j => sum[j]);
        var shares = best.Select(j => new WordShare(vocabulary.TokenOf(j), sum[j] / total, IsAction(j))).ToList();
        return new WordDistribution(lexRun.Label, side, shares, actionShare, topTotal > 0 ? best.Where(IsAction).Sum(j => sum[j]) / topTotal : 0);
    }

    /// <summary>
    /// The first two principal components of the split's motion vectors (Lex Fig. 3), one scatter trace per action
    /// (single-action motions; the rest as "several actions"). PCA through the n x n Gram matrix of the centred vectors
    /// (power iteration with deflation), so the vocabulary width never makes a V x V covariance.
    /// </summary>
    public static Figure MotionPca(ExperimentResult lexRun, string? split = null, string? title = null)
    {
        var index = RetrievalIndex.Open(lexRun.RunDir, split: split ?? lexRun.EvalSplit);
        var labels = index.ActionLabels();
        var emb = index.Embeddings;
        var (x, y, explained) = Pca2(emb.Motions);
        var groups = Enumerable.Range(0, emb.Ids.Count)
            .GroupBy(i => labels.TryGetValue(emb.Ids[i], out var l) ? (l.Length == 1 ? l[0] : "several actions") : "unlabelled")
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var fig = new Figure(title ?? $"PCA of the motion lexical vectors ({emb.Split}, {emb.Ids.Count} motions; PC1 {explained.Pc1:P0}, PC2 {explained.Pc2:P0} of the variance)");
        foreach (var g in groups)
            fig.Add(Trace.Scatter(g.Select(i => x[i]), g.Select(i => y[i]), g.Key, markerSize: 6, hoverText: g.Select(i => $"{emb.Ids[i]}: {emb.Captions[i]}")));
        fig.XAxis("PC1").YAxis("PC2");
        fig.Height = 520;
        return fig;
    }

    /// <summary>Scores of the rows on their first two principal components, and the fractions of variance they explain.</summary>
    public static (double[] X, double[] Y, (double Pc1, double Pc2) Explained) Pca2(IReadOnlyList<float[]> rows)
    {
        int n = rows.Count;
        if (n < 3) throw new ArgumentException($"PCA needs at least 3 vectors, got {n}");
        int d = rows[0].Length;
        var mean = new double[d];
        foreach (var r in rows) for (int j = 0; j < d; j++) mean[j] += r[j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var centred = rows.Select(r => { var c = new float[d]; for (int j = 0; j < d; j++) c[j] = (float)(r[j] - mean[j]); return c; }).ToArray();
        var gram = new double[n, n];
        double trace = 0;
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++)
            {
                double v = System.Numerics.Tensors.TensorPrimitives.Dot(centred[a], centred[b]);
                gram[a, b] = gram[b, a] = v;
                if (a == b) trace += v;
            }
        var (l1, u1) = TopEigen(gram, n, null);
        var (l2, u2) = TopEigen(gram, n, (l1, u1));
        double s1 = Math.Sqrt(Math.Max(l1, 0)), s2 = Math.Sqrt(Math.Max(l2, 0));
        return (u1.Select(v => v * s1).ToArray(), u2.Select(v => v * s2).ToArray(), (trace > 0 ? l1 / trace : 0, trace > 0 ? l2 / trace : 0));
    }

    private static (double Value, double[] Vector) TopEigen(double[,] m, int n, (double Value, double[] Vector)? deflate)
    {
        var v = new double[n];
        var rng = new Random(17);
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() - 0.5;
        double lambda = 0;
        for (int it = 0; it < 500; it++)
        {
            var w = new double[n];
            for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < n; j++) s += m[i, j] * v[j]; w[i] = s; }
            if (deflate is { } p) { double dot = 0; for (int i = 0; i < n; i++) dot += p.Vector[i] * v[i]; for (int i = 0; i < n; i++) w[i] -= p.Value * dot * p.Vector[i]; }
            double norm = Math.Sqrt(w.Sum(x => x * x));
            if (norm == 0) return (0, v);
            for (int i = 0; i < n; i++) w[i] /= norm;
            double change = 0; for (int i = 0; i < n; i++) change += Math.Abs(w[i] - v[i]);
            v = w; lambda = norm;
            if (change < 1e-10) break;
        }
        return (lambda, v);
    }
}

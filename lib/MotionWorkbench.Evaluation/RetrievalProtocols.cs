using MotionWorkbench.Evaluation.Numpy;

namespace MotionWorkbench.Evaluation;

/// <summary>
/// The four retrieval protocols of the reference code, both directions (text->motion on S, motion->text on Sᵀ).
/// S is square: item i is text i (row) and motion i (column), with the first caption of motion i.
/// <list type="bullet">
/// <item><b>all</b> (Motion Patches test.py): every item whose caption string is identical counts as correct.</item>
/// <item><b>small-batches</b> (Motion Patches test_batch.py, with a seeded order): the items are permuted with
/// numpy's legacy generator (<c>np.random.seed(seed); np.random.permutation(N)</c>), cut into groups of 32 (the
/// remainder is dropped); identical captions inside a group count; R@k = mean over groups; MedR = mean over
/// groups of (median + 1).</item>
/// <item><b>tmr-normal</b> (TMR): diagonal ground truth, ties averaged, values rounded to 2 decimals.</item>
/// <item><b>tmr-guo</b> (TMR): keyids sorted ordinally, <c>np.random.seed(0); np.random.shuffle</c>, batches of 32,
/// diagonal ground truth per batch, mean over batches (numpy's pairwise sum) rounded to 2 decimals.</item>
/// <item><b>tmr-threshold</b> (TMR "threshold", <see cref="EvaluateTmrThreshold"/>): any item whose caption's sentence
/// embedding has cosine &gt; 2·0.95 − 1 = 0.9 with the query's counts as correct (TMR uses all-mpnet-base-v2; the caller
/// says which encoder stands in); ties averaged, rounded to 2 decimals. Not among <see cref="Names"/>: it needs the sentence embeddings.</item>
/// </list>
/// </summary>
public static class RetrievalProtocols
{
    public const string All = "all";
    public const string SmallBatches = "small-batches";
    public const string TmrNormal = "tmr-normal";
    public const string TmrGuo = "tmr-guo";

    public const string TmrThreshold = "tmr-threshold";

    /// <summary>TMR's threshold (configs/retrieval.yaml): captions whose sentence embeddings have cosine above 2 x 0.95 - 1 = 0.9 count as the same.</summary>
    public const double TmrThresholdValue = 0.95;

    /// <summary>The protocols that need only the similarity matrix and the captions (<see cref="Evaluate(SimilarityMatrix, IReadOnlyList{string}, IReadOnlyList{string}?, IEnumerable{string}?, int)"/>).</summary>
    public static IReadOnlyList<string> Names { get; } = [All, SmallBatches, TmrNormal, TmrGuo];

    /// <summary>
    /// TMR "threshold" (b): <paramref name="sentenceEmbeddings"/> (one L2-normalised row per item's caption) give the
    /// captions' self-similarity E·Eᵀ (float32); item j counts as correct for query i when it exceeds 2·<paramref name="threshold"/> − 1
    /// (0.9; i itself always does), and the rank is that of the best-scored such item, ties averaged, rounded to 2
    /// decimals; the same sets serve motion->text. <paramref name="sentenceEncoder"/> names the encoder in the result.
    /// </summary>
    public static RetrievalResult EvaluateTmrThreshold(SimilarityMatrix s, IReadOnlyList<float[]> sentenceEmbeddings, string sentenceEncoder,
        double threshold = TmrThresholdValue, SimilarityMatrix? transposed = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(sentenceEmbeddings);
        s.RequireSquare(TmrThreshold);
        if (sentenceEmbeddings.Count != s.Rows)
            throw new ArgumentException($"the {TmrThreshold} protocol got {sentenceEmbeddings.Count} sentence embeddings for a {s.Rows} x {s.Cols} similarity matrix");
        var similar = SimilarCaptions(sentenceEmbeddings, threshold);
        var t2m = RecallMetrics.FromRanks(Ranking.SimilarSetAveragedRanks(s, similar)).Rounded(2);
        var m2t = RecallMetrics.FromRanks(Ranking.SimilarSetAveragedRanks(transposed ?? s.Transpose(), similar)).Rounded(2);
        return new RetrievalResult(TmrThreshold, s.Rows, t2m, m2t) { SentenceEncoder = sentenceEncoder };
    }

    /// <summary>For each item, the items whose sentence embedding has a float32 dot product above 2·threshold − 1 with its own (itself included).</summary>
    public static int[][] SimilarCaptions(IReadOnlyList<float[]> sentenceEmbeddings, double threshold = TmrThresholdValue)
    {
        ArgumentNullException.ThrowIfNull(sentenceEmbeddings);
        float cut = (float)(2 * threshold - 1);
        var self = Similarity.Compute(sentenceEmbeddings, sentenceEmbeddings, normalize: false);
        var similar = new int[self.Rows][];
        Parallel.For(0, self.Rows, i =>
        {
            var row = self.Row(i);
            var list = new List<int>();
            for (int j = 0; j < row.Length; j++) if (row[j] > cut || j == i) list.Add(j);
            similar[i] = list.ToArray();
        });
        return similar;
    }

    /// <summary>"All": positives are identical captions over the whole set.</summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static RetrievalResult EvaluateAll(SimilarityMatrix s, IReadOnlyList<string> captions, SimilarityMatrix? transposed = null, int threads = 0)
    {
        CheckItems(s, captions.Count, All);
        var group = Ranking.GroupsOf(captions);
        var t2m = RecallMetrics.FromRanks(Ranking.IdenticalCaptionRanks(s, group, threads));
        var m2t = RecallMetrics.FromRanks(Ranking.IdenticalCaptionRanks(transposed ?? s.Transpose(threads), group, threads));
        return new RetrievalResult(All, s.Rows, t2m, m2t);
    }

    /// <summary>"Small batches" of <paramref name="batchSize"/> in a seeded order.</summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static RetrievalResult EvaluateSmallBatches(SimilarityMatrix s, IReadOnlyList<string> captions, int seed = 0, int batchSize = 32, int threads = 0)
    {
        CheckItems(s, captions.Count, SmallBatches);
        var order = new LegacyRandom(checked((uint)seed)).Permutation(s.Rows);
        var groups = Batches(order, batchSize, SmallBatches);
        var sumT2m = new double[6];
        var sumM2t = new double[6];
        foreach (var items in groups)
        {
            var sub = s.Submatrix(items);
            var group = Ranking.GroupsOf(items.Select(i => captions[i]).ToList());
            Accumulate(sumT2m, RecallMetrics.FromRanks(Ranking.IdenticalCaptionRanks(sub, group, threads)));
            Accumulate(sumM2t, RecallMetrics.FromRanks(Ranking.IdenticalCaptionRanks(sub.Transpose(threads), group, threads)));
        }
        return new RetrievalResult(SmallBatches, s.Rows, Divide(sumT2m, groups.Count), Divide(sumM2t, groups.Count));
    }

    /// <summary>TMR "normal": diagonal ground truth, ties averaged, rounded to 2 decimals.</summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static RetrievalResult EvaluateTmrNormal(SimilarityMatrix s, SimilarityMatrix? transposed = null, int threads = 0)
    {
        s.RequireSquare(TmrNormal);
        var t2m = RecallMetrics.FromRanks(Ranking.DiagonalAveragedRanks(s, threads)).Rounded(2);
        var m2t = RecallMetrics.FromRanks(Ranking.DiagonalAveragedRanks(transposed ?? s.Transpose(threads), threads)).Rounded(2);
        return new RetrievalResult(TmrNormal, s.Rows, t2m, m2t);
    }

    /// <summary>
    /// TMR "guo". <paramref name="keyIds"/> are the items' ids (sorted ordinally, as Python's sorted() does for
    /// ASCII ids, before the seeded shuffle); null means the items are already in sorted-keyid order.
    /// </summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static RetrievalResult EvaluateTmrGuo(SimilarityMatrix s, IReadOnlyList<string>? keyIds = null, int seed = 0, int batchSize = 32, int threads = 0)
    {
        s.RequireSquare(TmrGuo);
        int n = s.Rows;
        int[] sorted = Enumerable.Range(0, n).ToArray();
        if (keyIds is not null)
        {
            if (keyIds.Count != n) throw new ArgumentException($"{keyIds.Count} keyids for {n} items", nameof(keyIds));
            Array.Sort(sorted, (a, b) => string.CompareOrdinal(keyIds[a], keyIds[b]));
        }
        var idx = Enumerable.Range(0, n).ToArray();
        new LegacyRandom(checked((uint)seed)).Shuffle(idx);
        var order = idx.Select(p => sorted[p]).ToArray();
        var batches = Batches(order, batchSize, TmrGuo);
        var t2m = new double[batches.Count][];
        var m2t = new double[batches.Count][];
        for (int b = 0; b < batches.Count; b++)
        {
            var sub = s.Submatrix(batches[b]);
            t2m[b] = RecallMetrics.FromRanks(Ranking.DiagonalAveragedRanks(sub, threads)).ToArray();
            m2t[b] = RecallMetrics.FromRanks(Ranking.DiagonalAveragedRanks(sub.Transpose(threads), threads)).ToArray();
        }
        return new RetrievalResult(TmrGuo, n, MeanRounded(t2m), MeanRounded(m2t));
    }

    /// <summary>Runs the named protocols (default: all four), sharing one transpose of S.</summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static List<RetrievalResult> Evaluate(SimilarityMatrix s, IReadOnlyList<string> captions, IReadOnlyList<string>? keyIds = null,
        IEnumerable<string>? protocols = null, int smallBatchSeed = 0, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(s);
        var names = (protocols ?? Names).ToList();
        foreach (var name in names)
            if (!Names.Contains(name)) throw new ArgumentException($"unknown protocol '{name}' (known: {string.Join(", ", Names)})", nameof(protocols));
        s.RequireSquare("retrieval");
        var transposed = names.Contains(All) || names.Contains(TmrNormal) ? s.Transpose(threads) : null;
        var results = new List<RetrievalResult>();
        foreach (var name in names)
        {
            results.Add(name switch
            {
                All => EvaluateAll(s, captions, transposed, threads),
                SmallBatches => EvaluateSmallBatches(s, captions, smallBatchSeed, threads: threads),
                TmrNormal => EvaluateTmrNormal(s, transposed, threads),
                _ => EvaluateTmrGuo(s, keyIds, threads: threads),
            });
        }
        return results;
    }

    /// <summary>
    /// The named protocols on embeddings: S = normalise(texts) · normalise(motions)ᵀ (rows L2-normalised here),
    /// item i being text i and motion i.
    /// </summary>
    public static List<RetrievalResult> Evaluate(IReadOnlyList<float[]> texts, IReadOnlyList<float[]> motions, IReadOnlyList<string> captions,
        IReadOnlyList<string>? keyIds = null, IEnumerable<string>? protocols = null, int smallBatchSeed = 0, int threads = 0) =>
        Evaluate(Similarity.Compute(texts, motions, threads: threads), captions, keyIds, protocols, smallBatchSeed, threads);

    private static void CheckItems(SimilarityMatrix s, int captionCount, string protocol)
    {
        ArgumentNullException.ThrowIfNull(s);
        s.RequireSquare(protocol);
        if (captionCount != s.Rows)
            throw new ArgumentException($"the {protocol} protocol got {captionCount} captions for a {s.Rows} x {s.Cols} similarity matrix");
    }

    private static List<int[]> Batches(int[] order, int batchSize, string protocol)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        int count = order.Length / batchSize;
        if (count == 0)
            throw new ArgumentException($"the {protocol} protocol needs at least {batchSize} items, got {order.Length}");
        var batches = new List<int[]>(count);
        for (int b = 0; b < count; b++) batches.Add(order.AsSpan(b * batchSize, batchSize).ToArray());
        return batches;
    }

    private static void Accumulate(double[] sum, RecallMetrics m)
    {
        var v = m.ToArray();
        for (int k = 0; k < 6; k++) sum[k] += v[k];
    }

    private static RecallMetrics Divide(double[] sum, int count) =>
        RecallMetrics.FromArray(sum.Select(x => x / count).ToArray());

    private static RecallMetrics MeanRounded(double[][] perBatch)
    {
        var result = new double[6];
        var column = new double[perBatch.Length];
        for (int k = 0; k < 6; k++)
        {
            for (int b = 0; b < perBatch.Length; b++) column[b] = perBatch[b][k];
            result[k] = PythonNumerics.Round(PythonNumerics.Mean(column), 2);
        }
        return RecallMetrics.FromArray(result);
    }
}

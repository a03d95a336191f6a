using System.Diagnostics;
using System.Numerics.Tensors;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Sparse;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>One row of <see cref="SparseExperiments.Sweep"/>: a top-k truncation (null = all non-zeros) of both sides.</summary>
/// <param name="TopK">Weights kept per motion and per caption (null: all non-zeros).</param>
/// <param name="TextToMotion">t2m recall of the sparse ranking (the index's integer scores), "all" protocol.</param>
/// <param name="MeanNnzMotion">Mean non-zeros per motion after truncation and quantisation (= postings / items).</param>
/// <param name="MeanNnzText">Mean non-zeros per caption query after truncation and quantisation.</param>
/// <param name="IndexMsPerQuery">Mean one-thread ms per caption query through the index (top-10, exhaustive).</param>
public sealed record SparseSweepRow(int? TopK, RecallMetrics TextToMotion, double MeanNnzMotion, double MeanNnzText, long IndexBytes, double BytesPerItem, double IndexMsPerQuery)
{
    public string Label => TopK is int k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all";
}

/// <summary>
/// <see cref="SparseExperiments.Sweep"/>: the rows, the untruncated float vectors scored densely (the reference), and
/// the dense scan's latency over the same split (one thread, dot products over |V| floats + top-10).
/// </summary>
public sealed record SparseSweep(string RunDir, string Split, int Items, int VocabularySize, RecallMetrics DenseTextToMotion, double DenseMeanNnzMotion,
    long DenseBytes, double DenseMsPerQuery, IReadOnlyList<SparseSweepRow> Rows);

/// <summary>
/// A Lex run's lexical vectors through the sparse impact index (lib/MotionWorkbench.Sparse): build an index of a
/// split's motions (or captions), search it with free text through the run's text tower, and sweep the top-k
/// truncation (Lex Figure 10, "Sparsity for efficient retrieval"). Used by <c>mw index build --run</c>,
/// <c>mw search --index</c> and notebook 13.
/// </summary>
public static class SparseExperiments
{
    public const string VocabularyFile = "vocab.txt";

    /// <summary>The default sweep: 8 ... 256 weights per item, then all non-zeros (null).</summary>
    public static IReadOnlyList<int?> DefaultTopKs { get; } = [8, 16, 32, 64, 128, 256, null];

    /// <summary>Opens a run on a split and refuses a run whose embeddings are not lexical vectors, naming the run.</summary>
    public static RetrievalIndex OpenLex(string runDir, string? dataDir = null, string split = "test")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDir);
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"run {runDir}: no such folder");
        var index = RetrievalIndex.Open(runDir, dataDir, split);
        if (!index.IsLexical)
        {
            var arch = RunConfig.Load(runDir).Model.Architecture;
            throw new InvalidOperationException($"run {runDir} is not a Lex run (model.architecture = {arch}): its embeddings are not over the vocabulary; a sparse index needs a Lex run (model.architecture = lex)");
        }
        return index;
    }

    /// <summary>The run's vocabulary (RUN/vocab.txt) and its hash; its size must be the width of the run's vectors.</summary>
    public static (string[] Words, string Hash) Vocabulary(string runDir, int width)
    {
        var path = Path.Combine(runDir, VocabularyFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"run {runDir}: no {VocabularyFile}");
        var words = VocabularyHash.ReadVocabulary(path);
        if (words.Length != width) throw new InvalidDataException($"{path}: {words.Length} words, but the run's lexical vectors are {width} wide");
        return (words, VocabularyHash.Of(words));
    }

    /// <summary>The vectors of one side of the split: "motions" (default) or "captions" (each motion's first caption).</summary>
    public static float[][] Side(RetrievalIndex run, string side) => side switch
    {
        "motions" => run.Embeddings.Motions,
        "captions" => run.Embeddings.Texts,
        _ => throw new ArgumentException($"side '{side}': expected motions or captions"),
    };

    /// <summary>A dense lexical vector as a sparse one, keeping only its <paramref name="topK"/> largest weights (ties: smaller term) when given.</summary>
    public static SparseVector ToSparse(ReadOnlySpan<float> dense, int? topK = null)
    {
        var v = SparseVector.FromDense(dense);
        if (topK is not int k || k >= v.Count) return v;
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k must be at least 1");
        var idx = Enumerable.Range(0, v.Count).ToArray();
        var w = v.Weights;
        Array.Sort(idx, (a, b) => w[b] != w[a] ? w[b].CompareTo(w[a]) : a.CompareTo(b));
        var kept = idx[..k];
        Array.Sort(kept);
        return new SparseVector(kept.Select(i => v.Terms[i]).ToArray(), kept.Select(i => w[i]).ToArray());
    }

    /// <summary>The index of one side of an opened Lex run's split (ids = motion ids, vocabulary hash of RUN/vocab.txt).</summary>
    public static SparseIndex BuildIndex(RetrievalIndex run, string runDir, string side = "motions", int? topK = null, int scale = 100)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!run.IsLexical) throw new InvalidOperationException($"run {runDir} is not a Lex run: a sparse index needs a Lex run (model.architecture = lex)");
        var rows = Side(run, side);
        int width = rows.Length > 0 ? rows[0].Length : run.EmbedText("a person").Length;
        var (_, hash) = Vocabulary(runDir, width);
        return SparseIndex.Build(rows.Select(r => ToSparse(r)).ToArray(), width, hash, run.Embeddings.Ids, new IndexBuildOptions { TopK = topK, Scale = scale });
    }

    /// <summary>Opens a Lex run on <paramref name="split"/> and indexes one side of it.</summary>
    public static SparseIndex BuildIndex(string runDir, string? dataDir = null, string split = "test", string side = "motions", int? topK = null, int scale = 100) =>
        BuildIndex(OpenLex(runDir, dataDir, split), runDir, side, topK, scale);

    /// <summary>Loads an index and checks that it was built over the run's vocabulary (else one error naming the file and both hashes).</summary>
    public static SparseIndex LoadFor(string indexPath, RetrievalIndex run, string runDir)
    {
        ArgumentNullException.ThrowIfNull(run);
        int width = run.EmbedText("a person").Length;
        var (_, hash) = Vocabulary(runDir, width);
        return SparseIndex.Load(indexPath, hash);
    }

    /// <summary>
    /// Free text -> the k best items of the index: the run's text lexical vector, quantised like the items, scored by
    /// the sparse dot product. Hits carry the split's caption of the id (empty when the id is not in the split) and
    /// the dot product of the quantised vectors as the score.
    /// </summary>
    public static IReadOnlyList<SearchHit> Search(RetrievalIndex run, SparseIndex index, string text, int k = 5, SearchMode mode = SearchMode.MaxScore)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(index);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1");
        var q = run.EmbedText(text);
        if (q.Length != index.VocabularySize) throw new InvalidDataException($"the index is over {index.VocabularySize} terms, the run's text vectors over {q.Length}");
        var captions = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < run.Embeddings.Ids.Count; i++) captions.TryAdd(run.Embeddings.Ids[i], run.Embeddings.Captions[i]);
        return index.Search(ToSparse(q), k, mode).Select((h, r) =>
        {
            string id = h.Id ?? h.Item.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new SearchHit(r + 1, id, captions.GetValueOrDefault(id, ""), h.Dot);
        }).ToList();
    }

    /// <summary>
    /// <see cref="IndexBench.RunOn"/> on a Lex run's real lexical vectors: the split's motions are the items, their
    /// captions (one per motion) the queries; same figures as the synthetic rows, source "run DIR, split S".
    /// </summary>
    public static Dictionary<string, object?> Bench(string runDir, IndexBenchSettings settings, string split = "test", string? dataDir = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        progress?.Invoke($"embedding the {split} split");
        var run = OpenLex(runDir, dataDir, split);
        var emb = run.Embeddings;
        if (emb.Count == 0) throw new InvalidDataException($"run {runDir}: split '{split}' has no items");
        int width = emb.Motions[0].Length;
        return IndexBench.RunOn(emb.Motions.Select(m => ToSparse(m)).ToArray(), emb.Texts.Select(t => ToSparse(t)).ToArray(), width,
            $"run {Path.GetFileName(Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar))}, split {split}", settings, progress);
    }

    /// <summary>
    /// R@1/5/10 text -> motion of a Lex run's split as the top-k truncation grows (both sides truncated, quantised x
    /// <paramref name="scale"/>): for each k an index of the motions is built and every caption is searched through it
    /// (all items), so the ranking is the index's; mean non-zeros, index bytes per item and the index's latency per
    /// query against a dense scan of the untruncated |V|-dim float vectors.
    /// </summary>
    public static SparseSweep Sweep(string runDir, string split = "test", IReadOnlyList<int?>? topKs = null, string? dataDir = null, int scale = 100, int repeats = 5)
    {
        var run = OpenLex(runDir, dataDir, split);
        var emb = run.Embeddings;
        int n = emb.Count;
        if (n == 0) throw new InvalidDataException($"run {runDir}: split '{split}' has no items");
        int width = emb.Motions[0].Length;
        var (_, hash) = Vocabulary(runDir, width);
        var dense = RetrievalProtocols.EvaluateAll(emb.Similarity(), emb.Captions, threads: Tensors.Par.Threads).TextToMotion;
        double denseNnz = emb.Motions.Average(m => (double)m.Count(x => x != 0));
        double denseMs = DenseScanMs(emb.Texts, emb.Motions, 10, repeats);
        var rows = new List<SparseSweepRow>();
        foreach (var topK in topKs ?? DefaultTopKs)
        {
            var index = SparseIndex.Build(emb.Motions.Select(m => ToSparse(m)).ToArray(), width, hash, emb.Ids, new IndexBuildOptions { TopK = topK, Scale = scale });
            var queries = emb.Texts.Select(t => ToSparse(t, topK)).ToArray();
            var s = new float[(long)n * n];
            var hits = index.SearchBatch(queries, n); // every caption against every motion, over the engine's threads
            for (int q = 0; q < n; q++)
                foreach (var h in hits[q]) s[(long)q * n + h.Item] = (float)h.Dot;
            var t2m = RetrievalProtocols.EvaluateAll(new SimilarityMatrix(s, n, n), emb.Captions, threads: Tensors.Par.Threads).TextToMotion;
            double qNnz = queries.Average(q => (double)index.QuantiseQuery(q).Terms.Length);
            double ms = IndexMs(index, queries, 10, repeats);
            var info = index.Info;
            rows.Add(new SparseSweepRow(topK, t2m, info.MeanNnz, qNnz, info.Bytes, info.BytesPerItem, ms));
        }
        return new SparseSweep(runDir, split, n, width, dense, denseNnz, (long)n * width * sizeof(float), denseMs, rows);
    }

    /// <summary>A sweep as a metric table (t2m R@1/5/10, mean non-zeros, bytes/item, ms/query), the dense reference first.</summary>
    public static MetricTable Table(SparseSweep sweep, string title = "Sparsity for efficient retrieval (t2m, all protocol)")
    {
        ArgumentNullException.ThrowIfNull(sweep);
        string[] columns = ["R@1", "R@5", "R@10", "nnz/motion", "nnz/query", "bytes/item", "ms/query"];
        var table = new MetricTable(title, columns, lowerIsBetter: ["nnz/motion", "nnz/query", "bytes/item", "ms/query"]) { Format = "0.000" };
        table.Add("dense |V| floats, untruncated", new double?[] {sweep.DenseTextToMotion.R1, sweep.DenseTextToMotion.R5, sweep.DenseTextToMotion.R10, sweep.DenseMeanNnzMotion, null,
            (double)sweep.VocabularySize * sizeof(float), sweep.DenseMsPerQuery });
        foreach (var r in sweep.Rows)
            table.Add($"index, top-{r.Label}", new double?[] { r.TextToMotion.R1, r.TextToMotion.R5, r.TextToMotion.R10, r.MeanNnzMotion, r.MeanNnzText, r.BytesPerItem, r.IndexMsPerQuery });
        return table;
    }

    /// <summary>Mean ms per query (one thread) of index search, best of <paramref name="repeats"/> passes over the queries.</summary>
    private static double IndexMs(SparseIndex index, SparseVector[] queries, int k, int repeats)
    {
        foreach (var q in queries.Take(3)) index.Search(q, k); // JIT warm-up
        double best = double.MaxValue;
        for (int rep = 0; rep < Math.Max(1, repeats); rep++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var q in queries) index.Search(q, k);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds / queries.Length);
        }
        return best;
    }

    /// <summary>Mean ms per query (one thread) of a dense scan: a dot product with every gallery row, then a top-k.</summary>
    public static double DenseScanMs(float[][] queries, float[][] gallery, int k, int repeats = 5)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(gallery);
        if (queries.Length == 0 || gallery.Length == 0) return 0;
        var scores = new float[gallery.Length];
        var best = new int[Math.Min(k, gallery.Length)];
        double bestMs = double.MaxValue;
        for (int rep = -1; rep < Math.Max(1, repeats); rep++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var q in queries)
            {
                for (int d = 0; d < gallery.Length; d++) scores[d] = TensorPrimitives.Dot(q, gallery[d]);
                IndexBench.TopK(scores, best);
            }
            if (rep >= 0) bestMs = Math.Min(bestMs, sw.Elapsed.TotalMilliseconds / queries.Length);
        }
        return bestMs;
    }
}

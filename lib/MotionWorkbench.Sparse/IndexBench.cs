using System.Diagnostics;
using System.Globalization;
using System.Text;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Sparse;

/// <summary>Settings of <see cref="IndexBench.Run"/> (the options of <c>mw bench index</c>).</summary>
public sealed record IndexBenchSettings(int Nnz = 40, int QueryNnz = 24, int Queries = 100, int K = 10, int Vocab = 30522, double Zipf = 1.0,
    int Dim = 256, int BudgetMb = 4096, int Seed = 1, bool TermWeights = true)
{
    /// <summary>Null when the settings are usable, else what is wrong.</summary>
    public string? Problem() =>
        Nnz < 1 || QueryNnz < 1 || Queries < 1 || K < 1 || Vocab < 2 || Nnz > Vocab || QueryNnz > Vocab || Dim < 1 || Zipf < 0
            ? "need 1 <= --nnz, --query-nnz <= --vocab-size, --queries, --k, --dim >= 1, --zipf >= 0"
            : null;

    /// <summary>
    /// Null when a gallery of <paramref name="items"/> synthetic items fits what this machine can hold, else why not:
    /// the index's item limit, the largest .NET array (items x nnz terms) and the memory the generated vectors need
    /// (8 bytes per non-zero, twice over with the index built from them) against the memory the runtime may use.
    /// </summary>
    public string? SizeProblem(long items)
    {
        if (items < 1) return $"--items {items}: a gallery needs at least one item";
        if (items > SparseIndex.MaxItems) return $"--items {items:N0}: an index holds at most {SparseIndex.MaxItems:N0} items";
        long nonZeros = items * Nnz;
        if (nonZeros > Array.MaxLength) return $"--items {items:N0} x --nnz {Nnz}: {nonZeros:N0} non-zeros exceed the largest array ({Array.MaxLength:N0})";
        long need = 16 * nonZeros, available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > available) return $"--items {items:N0} x --nnz {Nnz}: needs about {need >> 20:N0} MiB, this machine gives the process {available >> 20:N0} MiB";
        return null;
    }
}

/// <summary>
/// The sparse index against dense brute force at one gallery size (<c>mw bench index</c>, notebook 13), on seeded
/// synthetic lexical vectors (<see cref="Run"/>) or given ones such as a run's (<see cref="RunOn"/>): build time, index
/// bytes per item, one-thread query latency p50/p99 of exhaustive and MaxScore search (their top-k must be identical),
/// and of exact dense scoring with the engine's GEMM plus a top-k over (a) Dim-d float32 embeddings and (b) the same
/// |V|-dim vectors stored dense (skipped above BudgetMb).
/// <para>Synthetic vectors: an item's Nnz distinct terms are drawn Zipf-like (p(rank r) ~ 1/(r+1)^s, term id = rank), a
/// query's QueryNnz likewise. With TermWeights (the default) a weight is 3 x idf(t) x U, U uniform in (0, 1], where
/// idf(t) = -ln P(t is among an item's draws), scaled to 1 at the rarest term: frequent terms are light and rare
/// (content) terms heavy, as in SPLADE / Lex vectors, whose FLOPS-regularised weights track IDF. Without it (flat) a
/// weight is 0.05 + Exp(mean 0.5) whatever the term, the worst case for MaxScore: the frequent terms' long lists keep
/// high bounds.</para>
/// </summary>
public static class IndexBench
{
    /// <summary>One row of figures (JSON-ready keys, as <c>mw bench index --json</c> prints them).</summary>
    public static Dictionary<string, object?> Run(int n, IndexBenchSettings o, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Problem() is { } problem) throw new ArgumentException(problem, nameof(o));
        if (o.SizeProblem(n) is { } size) throw new ArgumentException(size, nameof(n));
        GC.Collect();
        void Say(string s) => progress?.Invoke(s);
        var rng = new Random(o.Seed * 1_000_003 + n);
        var zipf = new ZipfSampler(o.Vocab, o.Zipf, o.Nnz);
        var stamp = new int[o.Vocab];
        int tag = 0;
        Say("generating");
        var terms = new int[(long)n * o.Nnz];
        var impacts = new int[(long)n * o.Nnz];
        for (int i = 0; i < n; i++) Sample(rng, zipf, o.Nnz, stamp, ++tag, terms.AsSpan(i * o.Nnz, o.Nnz), impacts.AsSpan(i * o.Nnz, o.Nnz), o.TermWeights);
        Say("building the index");
        var sw = Stopwatch.StartNew();
        var builder = new SparseIndex.Builder(o.Vocab, VocabularyHash.OfSize(o.Vocab), new IndexBuildOptions());
        for (int i = 0; i < n; i++) builder.AddQuantised(terms.AsSpan(i * o.Nnz, o.Nnz), impacts.AsSpan(i * o.Nnz, o.Nnz));
        var index = builder.Build();
        double buildS = sw.Elapsed.TotalSeconds;

        var queries = new SparseVector[o.Queries];
        var qt = new int[o.QueryNnz];
        var qi = new int[o.QueryNnz];
        for (int q = 0; q < o.Queries; q++)
        {
            Sample(rng, zipf, o.QueryNnz, stamp, ++tag, qt, qi, o.TermWeights);
            queries[q] = new SparseVector((int[])qt.Clone(), qi.Select(x => x / 100f).ToArray());
        }
        terms = [];
        impacts = [];
        return Measure(index, queries, buildS, o, o.TermWeights ? "synthetic, IDF weights" : "synthetic, flat weights", o.Nnz, o.QueryNnz, o.Zipf, Say);
    }

    /// <summary>
    /// The same row on given vectors (a run's lexical vectors: motions as items, captions as queries, <c>mw bench index
    /// --run</c>): the index is built over <paramref name="items"/> (its build time measured), every query is timed (one
    /// thread) exhaustive and pruned, and the dense baselines run at the same gallery size. nnz and query_nnz are the
    /// means after quantisation; zipf is null.
    /// </summary>
    public static Dictionary<string, object?> RunOn(IReadOnlyList<SparseVector> items, IReadOnlyList<SparseVector> queries, int vocabularySize, string source,
        IndexBenchSettings o, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(o);
        if (items.Count < 1 || queries.Count < 1) throw new ArgumentException($"{source}: need at least one item and one query, got {items.Count} and {queries.Count}");
        o = o with { Vocab = vocabularySize, Queries = queries.Count };
        void Say(string s) => progress?.Invoke(s);
        GC.Collect();
        Say("building the index");
        var sw = Stopwatch.StartNew();
        var index = SparseIndex.Build(items, vocabularySize, VocabularyHash.OfSize(vocabularySize), null);
        double buildS = sw.Elapsed.TotalSeconds;
        var qs = queries.ToArray();
        double queryNnz = qs.Average(q => (double)index.QuantiseQuery(q).Terms.Length);
        return Measure(index, qs, buildS, o, source, Math.Round(index.Info.MeanNnz, 1), Math.Round(queryNnz, 1), null, Say);
    }

    private static Dictionary<string, object?> Measure(SparseIndex index, SparseVector[] queries, double buildS, IndexBenchSettings o, string source,
        object nnz, object queryNnz, double? zipf, Action<string> Say)
    {
        int n = index.ItemCount;
        var info = index.Info;
        var sw = new Stopwatch();
        Say("sparse queries");
        for (int i = 0; i < 40; i++) { index.Search(queries[i % queries.Length], o.K, SearchMode.Exhaustive); index.Search(queries[i % queries.Length], o.K, SearchMode.MaxScore); } // warm-up: caches, JIT
        var exhaustive = new double[o.Queries];
        var maxScore = new double[o.Queries];
        bool identical = true;
        for (int q = 0; q < o.Queries; q++)
        {
            sw.Restart();
            var a = index.Search(queries[q], o.K, SearchMode.Exhaustive);
            exhaustive[q] = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var b = index.Search(queries[q], o.K, SearchMode.MaxScore);
            maxScore[q] = sw.Elapsed.TotalMilliseconds;
            identical &= a.AsSpan().SequenceEqual(b);
        }
        GC.Collect();

        Say($"dense {o.Dim}-d");
        double[]? dense = null;
        string? denseNote = null;
        long denseBytes = (long)n * o.Dim * 4;
        if (denseBytes > (long)o.BudgetMb << 20) denseNote = $"dense {o.Dim}-d needs {denseBytes >> 20} MiB > --dense-budget-mb {o.BudgetMb}";
        else dense = DenseLatency(n, o.Dim, o.Queries, o.K, (g, qv) =>
        {
            var r = new Random(o.Seed + 7);
            for (int i = 0; i < g.Length; i++) g[i] = (float)(r.NextDouble() - 0.5);
            for (int i = 0; i < qv.Length; i++) qv[i] = (float)(r.NextDouble() - 0.5);
        });

        Say("dense |V|");
        double[]? denseV = null;
        string? denseVNote = null;
        long denseVBytes = (long)n * o.Vocab * 4;
        if (denseVBytes > (long)o.BudgetMb << 20 || (long)n * o.Vocab > Array.MaxLength)
            denseVNote = $"dense |V| needs {denseVBytes >> 20} MiB > --dense-budget-mb {o.BudgetMb}: skipped";
        else
        {
            var (offsets, it, ii) = index.ItemMajor();
            denseV = DenseLatency(n, o.Vocab, o.Queries, o.K, (g, qv) =>
            {
                for (int d = 0; d < n; d++)
                    for (int j = offsets[d]; j < offsets[d + 1]; j++) g[(long)d * o.Vocab + it[j]] = ii[j] / 100f;
                for (int q = 0; q < queries.Length; q++)
                    for (int j = 0; j < queries[q].Count; j++) qv[(long)q * o.Vocab + queries[q].Terms[j]] = queries[q].Weights[j];
            });
        }
        static double P(double[] xs, double p) { var s = xs.Order().ToArray(); return s[Math.Min(s.Length - 1, (int)Math.Ceiling(p * s.Length) - 1)]; }
        static double? R(double? x) => x is double v ? Math.Round(v, 4) : null;
        double exP50 = P(exhaustive, 0.5), msP50 = P(maxScore, 0.5);
        return new Dictionary<string, object?>
        {
            ["bench"] = "index", ["source"] = source, ["items"] = n, ["vocab_size"] = o.Vocab, ["nnz"] = nnz, ["query_nnz"] = queryNnz, ["zipf"] = zipf, ["k"] = o.K, ["queries"] = o.Queries,
            ["build_s"] = Math.Round(buildS, 3), ["index_bytes"] = info.Bytes, ["bytes_per_item"] = Math.Round(info.BytesPerItem, 1), ["postings"] = info.Postings,
            ["exhaustive_ms_p50"] = R(exP50), ["exhaustive_ms_p99"] = R(P(exhaustive, 0.99)),
            ["maxscore_ms_p50"] = R(msP50), ["maxscore_ms_p99"] = R(P(maxScore, 0.99)), ["maxscore_topk_identical"] = identical,
            ["dense_dim"] = o.Dim, ["dense_bytes_per_item"] = o.Dim * 4,
            ["dense_ms_p50"] = R(dense is null ? null : P(dense, 0.5)), ["dense_ms_p99"] = R(dense is null ? null : P(dense, 0.99)), ["dense_note"] = denseNote,
            ["dense_vocab_ms_p50"] = R(denseV is null ? null : P(denseV, 0.5)), ["dense_vocab_ms_p99"] = R(denseV is null ? null : P(denseV, 0.99)), ["dense_vocab_note"] = denseVNote,
            ["speedup_maxscore_vs_dense"] = R(dense is null ? null : P(dense, 0.5) / msP50),
            ["speedup_exhaustive_vs_dense"] = R(dense is null ? null : P(dense, 0.5) / exP50),
            ["speedup_maxscore_vs_exhaustive"] = R(exP50 / msP50),
            ["bytes_ratio_vs_dense"] = Math.Round(info.BytesPerItem / (o.Dim * 4), 3),
            ["gemm"] = Gemm.UsingBlas ? "openblas" : "managed",
        };
    }

    /// <summary>The rows of <see cref="Run"/> as the fixed-width table <c>mw bench index</c> prints.</summary>
    public static string Table(IReadOnlyList<Dictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("no rows", nameof(rows));
        var sb = new StringBuilder();
        static string F(object? x) => x switch { null => "-", double d => d.ToString(d < 10 ? "F3" : "F1", CultureInfo.InvariantCulture), bool b => b ? "yes" : "NO", _ => Convert.ToString(x, CultureInfo.InvariantCulture)! };
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"items",10} {"build s",8} {"B/item",7} {"exh p50",8} {"exh p99",8} {"MS p50",8} {"MS p99",8} {"same",5} {"d256 p50",9} {"d256 p99",9} {"d|V| p50",9} {"d256/exh",9} {"d256/MS",8} {"exh/MS",7}  source"));
        foreach (var r in rows)
        {
            static string X(object? v) => v is double d ? d.ToString("F1", CultureInfo.InvariantCulture) + "x" : "-";
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r["items"],10:N0} {F(r["build_s"]),8} {F(r["bytes_per_item"]),7} {F(r["exhaustive_ms_p50"]),8} {F(r["exhaustive_ms_p99"]),8} {F(r["maxscore_ms_p50"]),8} {F(r["maxscore_ms_p99"]),8} {F(r["maxscore_topk_identical"]),5} {F(r["dense_ms_p50"]),9} {F(r["dense_ms_p99"]),9} {F(r["dense_vocab_ms_p50"]),9} {X(r["speedup_exhaustive_vs_dense"]),9} {X(r["speedup_maxscore_vs_dense"]),8} {X(r["speedup_maxscore_vs_exhaustive"]),7}  {r["source"]}"));
        }
        foreach (var r in rows)
        {
            if (r["dense_note"] is string a) sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r["items"]:N0}: {a}"));
            if (r["dense_vocab_note"] is string b) sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r["items"]:N0}: {b}"));
        }
        sb.Append(string.Create(CultureInfo.InvariantCulture, $"latencies in ms/query (one thread); d256/exh, d256/MS: dense 256-d p50 over sparse p50; exh/MS: exhaustive p50 over MaxScore p50; dense 256-d stores {(int)rows[0]["dense_bytes_per_item"]!} B/item"));
        return sb.ToString();
    }

    /// <summary>Zipf-like sampler over [0, V) (cumulative table + binary search).</summary>
    private sealed class ZipfSampler
    {
        private readonly double[] cdf;

        public ZipfSampler(int v, double s, int nnz)
        {
            Count = v;
            cdf = new double[v];
            double acc = 0;
            for (int r = 0; r < v; r++) cdf[r] = acc += 1 / Math.Pow(r + 1, s);
            for (int r = 0; r < v; r++) cdf[r] /= acc;
            Idf = new double[v];
            for (int r = 0; r < v; r++)
            {
                double p = (r == 0 ? cdf[0] : cdf[r] - cdf[r - 1]), inItem = 1 - Math.Pow(1 - Math.Min(p, 0.999999), nnz);
                Idf[r] = -Math.Log(inItem);
            }
            double max = Idf.Max();
            for (int r = 0; r < v; r++) Idf[r] /= max;
        }

        /// <summary>Per term: -ln P(the term is among an item's nnz draws), scaled to a maximum of 1 (an IDF).</summary>
        public double[] Idf { get; }

        public int Count { get; }

        public int Next(Random rng)
        {
            int i = Array.BinarySearch(cdf, rng.NextDouble());
            return Math.Min(i < 0 ? ~i : i, cdf.Length - 1);
        }
    }

    /// <summary>Distinct Zipf terms, ascending, with positive impacts (x 100 of 3 x idf(t) x U, or flat 0.05 + Exp(mean 0.5)).</summary>
    private static void Sample(Random rng, ZipfSampler z, int count, int[] stamp, int tag, Span<int> terms, Span<int> impacts, bool termDependent)
    {
        int got = 0;
        while (got < count)
        {
            int t = z.Next(rng);
            if (stamp[t] == tag) continue;
            stamp[t] = tag;
            terms[got++] = t;
        }
        terms[..count].Sort();
        if (termDependent)
            for (int i = 0; i < count; i++) impacts[i] = Math.Max(1, (int)Math.Round(100 * 3 * z.Idf[terms[i]] * (1 - rng.NextDouble())));
        else
            for (int i = 0; i < count; i++) impacts[i] = Math.Max(1, (int)Math.Round(100 * (0.05 - 0.5 * Math.Log(1 - rng.NextDouble()))));
    }

    /// <summary>Per-query ms of exact dense scoring: one (1 x dim) x (dim x n) GEMM on one thread, then a top-k scan.</summary>
    private static unsafe double[] DenseLatency(int n, int dim, int queries, int k, Action<float[], float[]> fill)
    {
        var gallery = new float[(long)n * dim];
        var q = new float[(long)queries * dim];
        fill(gallery, q);
        var scores = new float[n];
        var times = new double[queries];
        var best = new int[k];
        fixed (float* g = gallery, qp = q, s = scores)
        {
            for (int i = -2; i < queries; i++) // two warm-up queries
            {
                int qi = Math.Max(0, i);
                var sw = Stopwatch.StartNew();
                Gemm.Serial(false, true, 1, n, dim, 1f, qp + (long)qi * dim, dim, g, dim, 0f, s, n);
                TopK(scores, best);
                if (i >= 0) times[i] = sw.Elapsed.TotalMilliseconds;
            }
        }
        return times;
    }

    /// <summary>Indices of the k largest scores (insertion into a small sorted buffer; ties: smaller index).</summary>
    public static void TopK(ReadOnlySpan<float> scores, Span<int> best)
    {
        int k = best.Length, count = 0;
        Span<float> val = k <= 256 ? stackalloc float[k] : new float[k];
        for (int d = 0; d < scores.Length; d++)
        {
            float v = scores[d];
            if (count == k && v <= val[k - 1]) continue;
            int p = count < k ? count++ : k - 1;
            while (p > 0 && val[p - 1] < v) { val[p] = val[p - 1]; best[p] = best[p - 1]; p--; }
            val[p] = v;
            best[p] = d;
        }
    }
}

using MotionWorkbench.Sparse;

namespace MotionWorkbench.Sparse.Tests;

internal static class Synthetic
{
    /// <summary>Random sparse vectors over V terms with a skewed term distribution; coarse weights give many ties.</summary>
    public static SparseVector[] Vectors(int n, int V, int nnz, int seed, int levels = 4)
    {
        var rng = new Random(seed);
        var result = new SparseVector[n];
        for (int i = 0; i < n; i++)
        {
            var pairs = new Dictionary<int, float>();
            int want = rng.Next(0, nnz + 1);
            while (pairs.Count < want)
            {
                int t = (int)(V * Math.Pow(rng.NextDouble(), 2.5)) % V; // low ids frequent
                pairs[t] = levels > 0 ? rng.Next(1, levels + 1) / 10f : (float)rng.NextDouble() * 3;
            }
            result[i] = SparseVector.FromPairs(pairs.Select(p => (p.Key, p.Value)));
        }
        return result;
    }

    /// <summary>Reference: dense dot product of the quantised vectors over every item, score desc then item asc, score > 0.</summary>
    public static (int Item, long Score)[] Reference(SparseVector[] items, SparseVector query, int k, int scale = 100, int? topK = null)
    {
        var (qt, qw) = Quantiser.Apply(query, scale, null);
        var q = new Dictionary<int, long>();
        for (int i = 0; i < qt.Length; i++) q[qt[i]] = qw[i];
        var scores = new List<(int, long)>();
        for (int d = 0; d < items.Length; d++)
        {
            var (t, w) = Quantiser.Apply(items[d], scale, topK);
            long s = 0;
            for (int i = 0; i < t.Length; i++) if (q.TryGetValue(t[i], out var v)) s += v * w[i];
            if (s > 0) scores.Add((d, s));
        }
        return scores.OrderByDescending(x => x.Item2).ThenBy(x => x.Item1).Take(k).ToArray();
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-sparse-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

public class SparseIndexTests
{
    private const int V = 500;

    private static SparseIndex BuildIndex(SparseVector[] items, int? topK = null, bool ids = false) =>
        SparseIndex.Build(items, V, VocabularyHash.OfSize(V), ids ? items.Select((_, i) => $"item{i}").ToArray() : null, new IndexBuildOptions { TopK = topK });

    [Theory]
    [InlineData(1, 3000, 30, 10)]
    [InlineData(2, 5000, 12, 1)]
    [InlineData(3, 2000, 50, 100)]
    [InlineData(4, 700, 8, 1000)]
    public void MaxScore_returns_exactly_the_exhaustive_top_k_with_ties(int seed, int n, int nnz, int k)
    {
        var items = Synthetic.Vectors(n, V, nnz, seed);
        var queries = Synthetic.Vectors(60, V, 20, seed + 100);
        var index = BuildIndex(items);
        foreach (var q in queries)
        {
            var ex = index.Search(q, k, SearchMode.Exhaustive);
            var ms = index.Search(q, k, SearchMode.MaxScore);
            Assert.Equal(ex, ms);
            var reference = Synthetic.Reference(items, q, k);
            Assert.Equal(reference, ex.Select(h => (h.Item, h.Score)).ToArray());
        }
    }

    [Fact]
    public void Long_posting_lists_exercise_block_skipping()
    {
        // A few very frequent terms (many blocks) plus rare ones; coarse weights: heavy ties.
        var rng = new Random(9);
        var items = new SparseVector[20000];
        for (int i = 0; i < items.Length; i++)
        {
            var p = new Dictionary<int, float> { [rng.Next(0, 3)] = rng.Next(1, 3) / 10f };
            for (int j = 0; j < 4; j++) p[rng.Next(3, V)] = rng.Next(1, 6) / 10f;
            items[i] = SparseVector.FromPairs(p.Select(x => (x.Key, x.Value)));
        }
        var index = BuildIndex(items);
        Assert.True(index.DocumentFrequency(0) > 5 * SparseIndex.BlockSize);
        for (int s = 0; s < 40; s++)
        {
            var q = SparseVector.FromPairs([(0, 0.5f), (1, 0.3f), (2, 0.1f), (3 + s, 0.9f), (100 + s, 0.4f), (300 + s, 0.2f)]);
            foreach (int k in new[] { 1, 10, 100 })
            {
                var ex = index.Search(q, k, SearchMode.Exhaustive);
                Assert.Equal(ex, index.Search(q, k, SearchMode.MaxScore));
                Assert.Equal(Synthetic.Reference(items, q, k), ex.Select(h => (h.Item, h.Score)).ToArray());
            }
        }
    }

    [Fact]
    public void Ranking_equals_the_float_dense_ranking_on_well_separated_data()
    {
        // Weights on a 0.05 grid score exactly after x100; the float dense dot products then differ by >= 0.0025
        // between distinct scores, far above float rounding, so the float ranking is the sparse ranking.
        var rng = new Random(5);
        int n = 800;
        var dense = new float[n][];
        var items = new SparseVector[n];
        for (int i = 0; i < n; i++)
        {
            dense[i] = new float[V];
            for (int j = 0; j < 15; j++) dense[i][rng.Next(V)] = rng.Next(1, 40) * 0.05f;
            items[i] = SparseVector.FromDense(dense[i]);
        }
        var index = BuildIndex(items);
        for (int s = 0; s < 30; s++)
        {
            var qd = new float[V];
            for (int j = 0; j < 25; j++) qd[rng.Next(V)] = rng.Next(1, 40) * 0.05f;
            var q = SparseVector.FromDense(qd);
            var floatRank = Enumerable.Range(0, n).Select(d => (d, score: Dot(dense[d], qd)))
                .Where(x => x.score > 0).OrderByDescending(x => Math.Round(x.score, 4)).ThenBy(x => x.d).Take(20).ToArray();
            var hits = index.Search(q, 20);
            Assert.Equal(floatRank.Select(x => x.d), hits.Select(h => h.Item));
            for (int i = 0; i < hits.Length; i++) Assert.True(Math.Abs(floatRank[i].score - hits[i].Dot) < 1e-4, $"{floatRank[i].score} vs {hits[i].Dot}");
        }
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    [Fact]
    public void Top_k_truncation_keeps_the_largest_weights_per_item()
    {
        var items = Synthetic.Vectors(1500, V, 40, 21, levels: 0);
        var index = BuildIndex(items, topK: 8);
        Assert.Equal(8, index.TopK);
        Assert.True(index.Info.MeanNnz <= 8);
        var (t, w) = index.Decode(7);
        var (et, ew) = Quantiser.Apply(items[7], 100, 8);
        Assert.Equal(et, t);
        Assert.Equal(ew, w);
        foreach (var q in Synthetic.Vectors(30, V, 20, 22, levels: 0))
        {
            var ex = index.Search(q, 10, SearchMode.Exhaustive);
            Assert.Equal(ex, index.Search(q, 10, SearchMode.MaxScore));
            Assert.Equal(Synthetic.Reference(items, q, 10, topK: 8), ex.Select(h => (h.Item, h.Score)).ToArray());
        }
    }

    [Fact]
    public void Empty_query_and_absent_terms_give_no_hits()
    {
        var items = new[]
        {
            SparseVector.FromPairs([(1, 0.5f), (2, 0.25f)]),
            SparseVector.FromPairs([(2, 1f)]),
            SparseVector.FromPairs([(1, 0.001f)]), // rounds to 0 at x100: dropped
        };
        var index = BuildIndex(items, ids: true);
        foreach (var mode in new[] { SearchMode.Exhaustive, SearchMode.MaxScore })
        {
            Assert.Empty(index.Search(new SparseVector([], []), 5, mode));
            Assert.Empty(index.Search(SparseVector.FromPairs([(7, 1f), (400, 2f)]), 5, mode));
            Assert.Empty(index.Search(SparseVector.FromPairs([(1, 0.001f)]), 5, mode)); // query weight rounds to 0
            Assert.Empty(index.Search(SparseVector.FromPairs([(1, 1f)]), 0, mode));
            var hits = index.Search(SparseVector.FromPairs([(1, 1f), (2, 1f), (9, 3f)]), 5, mode);
            Assert.Equal([(0, "item0", 7500L), (1, "item1", 10000L)], hits.Select(h => (h.Item, h.Id, h.Score)).Reverse().ToArray());
            Assert.Equal(1.0, hits[0].Dot, 12);
        }
        Assert.Equal(3, index.PostingCount);
        Assert.Throws<ArgumentException>(() => index.Search(SparseVector.FromPairs([(V, 1f)]), 5));
    }

    [Fact]
    public void Large_scores_use_long_accumulators()
    {
        var items = new[] { SparseVector.FromPairs([(0, 1e6f), (1, 1e6f)]), SparseVector.FromPairs([(0, 2e6f)]) };
        var index = BuildIndex(items);
        var q = SparseVector.FromPairs([(0, 1e6f), (1, 1e6f)]);
        var ex = index.Search(q, 2, SearchMode.Exhaustive);
        Assert.Equal(ex, index.Search(q, 2, SearchMode.MaxScore));
        Assert.Equal(2L * 100_000_000 * 100_000_000, ex[0].Score);
        Assert.Equal([0, 1], ex.Select(h => h.Item)); // tie broken by item
    }

    [Fact]
    public void Batch_search_matches_single_queries()
    {
        var items = Synthetic.Vectors(2000, V, 20, 31);
        var queries = Synthetic.Vectors(50, V, 10, 32);
        var index = BuildIndex(items);
        var batch = index.SearchBatch(queries, 10, SearchMode.MaxScore);
        for (int i = 0; i < queries.Length; i++) Assert.Equal(index.Search(queries[i], 10, SearchMode.Exhaustive), batch[i]);
    }

    [Fact]
    public void Vocabulary_hash_is_stable_and_order_sensitive()
    {
        Assert.Equal(16, VocabularyHash.Of(["a", "b"]).Length);
        Assert.Equal(VocabularyHash.Of(["a", "b"]), VocabularyHash.Of(["a", "b"]));
        Assert.NotEqual(VocabularyHash.Of(["a", "b"]), VocabularyHash.Of(["b", "a"]));
        Assert.Equal(VocabularyHash.Of(["size:30522"]), VocabularyHash.OfSize(30522));
    }
}

public class SparseIndexFileTests
{
    private const int V = 300;

    private static (SparseIndex Index, SparseVector[] Items) Make(bool ids = true)
    {
        var items = Synthetic.Vectors(1200, V, 25, 41);
        var index = SparseIndex.Build(items, V, VocabularyHash.OfSize(V), ids ? items.Select((_, i) => $"m{i:0000}-é").ToArray() : null, new IndexBuildOptions { TopK = 20 });
        return (index, items);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trip_gives_the_same_results(bool ids)
    {
        var (index, _) = Make(ids);
        string dir = Synthetic.TempDir();
        try
        {
            string path = Path.Combine(dir, "a.mwidx");
            index.Save(path);
            Assert.Equal(new FileInfo(path).Length, index.Info.Bytes);
            var loaded = SparseIndex.Load(path, VocabularyHash.OfSize(V));
            Assert.Equal(index.Info, loaded.Info);
            Assert.Equal(20, loaded.TopK);
            foreach (var q in Synthetic.Vectors(40, V, 15, 42))
                foreach (var mode in new[] { SearchMode.Exhaustive, SearchMode.MaxScore })
                    Assert.Equal(index.Search(q, 10, mode), loaded.Search(q, 10, mode));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static void Fails(Action<string> corrupt, string expected)
    {
        var (index, _) = Make();
        string dir = Synthetic.TempDir();
        try
        {
            string path = Path.Combine(dir, "bad.mwidx");
            index.Save(path);
            corrupt(path);
            var e = Assert.Throws<InvalidDataException>(() => SparseIndex.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Truncated_file_is_a_clear_error()
    {
        Fails(p => { var b = File.ReadAllBytes(p); File.WriteAllBytes(p, b[..(b.Length / 2)]); }, "truncated");
        Fails(p => { var b = File.ReadAllBytes(p); File.WriteAllBytes(p, b[..10]); }, "truncated");
        Fails(p => File.WriteAllBytes(p, []), "bad magic");
    }

    [Fact]
    public void Flipped_byte_is_a_crc_error()
    {
        Fails(p => { var b = File.ReadAllBytes(p); b[b.Length / 2] ^= 0x10; File.WriteAllBytes(p, b); }, "CRC-32 mismatch");
        Fails(p => { var b = File.ReadAllBytes(p); b[^1] ^= 0x01; File.WriteAllBytes(p, b); }, "CRC-32 mismatch");
    }

    [Fact]
    public void Bad_magic_and_unknown_version_are_named()
    {
        Fails(p => { var b = File.ReadAllBytes(p); b[0] = (byte)'X'; File.WriteAllBytes(p, b); }, "bad magic");
        Fails(p => { var b = File.ReadAllBytes(p); b[8] = 9; File.WriteAllBytes(p, b); }, "unknown format version 9");
        Fails(p => File.AppendAllText(p, "junk"), "length mismatch");
    }

    [Fact]
    public void Wrong_vocabulary_hash_is_refused()
    {
        var (index, _) = Make();
        string dir = Synthetic.TempDir();
        try
        {
            string path = Path.Combine(dir, "v.mwidx");
            index.Save(path);
            var e = Assert.Throws<InvalidDataException>(() => SparseIndex.Load(path, "0123456789abcdef"));
            Assert.Contains(path, e.Message);
            Assert.Contains($"index built over vocabulary {VocabularyHash.OfSize(V)}, query vocabulary 0123456789abcdef", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}

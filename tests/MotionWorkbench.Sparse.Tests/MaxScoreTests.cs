using MotionWorkbench.Sparse;

namespace MotionWorkbench.Sparse.Tests;

/// <summary>
/// The pruned (TAAT MaxScore) search against the exhaustive one and a brute-force reference, on data where each of its
/// paths runs: phase 1 only, phase 2 (candidate probing), and phase 2 given up for the remaining whole lists.
/// </summary>
public class MaxScoreTests
{
    /// <summary>IDF-like vectors: term t is drawn with p ~ 1/(t+1) and weighs about (1 + ln(t+1)) x a coarse level, so frequent terms are light and ties are many.</summary>
    private static SparseVector[] IdfVectors(int n, int V, int nnz, int seed, int levels)
    {
        var rng = new Random(seed);
        var result = new SparseVector[n];
        for (int i = 0; i < n; i++)
        {
            var pairs = new Dictionary<int, float>();
            int want = rng.Next(1, nnz + 1);
            while (pairs.Count < want)
            {
                int t = Math.Min(V - 1, (int)Math.Floor(Math.Exp(rng.NextDouble() * Math.Log(V + 1)) - 1));
                pairs[t] = (float)Math.Round((1 + Math.Log(t + 1)) * rng.Next(1, levels + 1) / levels, 1);
            }
            result[i] = SparseVector.FromPairs(pairs.Select(p => (p.Key, p.Value)));
        }
        return result;
    }

    [Theory]
    [InlineData(1, 20000, 1000, 30, 3, 10)]
    [InlineData(2, 20000, 1000, 30, 3, 1)]
    [InlineData(3, 8000, 300, 20, 2, 100)]
    [InlineData(4, 30000, 2000, 12, 5, 10)]
    public void Pruned_search_equals_exhaustive_and_reference_on_idf_like_data(int seed, int n, int V, int nnz, int levels, int k)
    {
        var items = IdfVectors(n, V, nnz, seed, levels);
        var queries = IdfVectors(40, V, 16, seed + 50, levels);
        var index = SparseIndex.Build(items, V, VocabularyHash.OfSize(V), null);
        var paths = new int[3];
        foreach (var q in queries)
        {
            var ex = index.Search(q, k, SearchMode.Exhaustive);
            var ms = index.Search(q, k, SearchMode.MaxScore);
            paths[SparseIndex.LastMaxScorePath]++;
            Assert.Equal(ex, ms);
            Assert.Equal(Synthetic.Reference(items, q, k), ex.Select(h => (h.Item, h.Score)).ToArray());
        }
        Assert.True(paths[1] + paths[2] > 0, $"no query reached phase 2 (paths {string.Join("/", paths)})");
    }

    [Fact]
    public void Every_path_runs_and_stays_exact()
    {
        var paths = new int[3];
        void Check(SparseVector[] items, SparseVector[] queries, int V, int k)
        {
            var index = SparseIndex.Build(items, V, VocabularyHash.OfSize(V), null);
            foreach (var q in queries)
            {
                var ms = index.Search(q, k, SearchMode.MaxScore);
                paths[SparseIndex.LastMaxScorePath]++;
                Assert.Equal(index.Search(q, k, SearchMode.Exhaustive), ms);
            }
        }
        Check(IdfVectors(20000, 1000, 30, 7, 3), IdfVectors(30, 1000, 16, 8, 3), 1000, 10);
        Check(Synthetic.Vectors(20000, 500, 30, 9), Synthetic.Vectors(30, 500, 20, 10), 500, 10);
        Check(Synthetic.Vectors(3000, 500, 30, 11), Synthetic.Vectors(30, 500, 3, 12), 500, 50);
        Assert.True(paths.All(p => p > 0), $"paths phase-1-only / phase-2 / given-up: {string.Join("/", paths)}");
    }
}

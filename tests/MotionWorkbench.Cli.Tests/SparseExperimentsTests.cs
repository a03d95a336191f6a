using MotionWorkbench.Experiments;
using MotionWorkbench.Sparse;

namespace MotionWorkbench.Cli.Tests;

/// <summary>SparseExperiments (the library behind mw index build --run and notebook 13) on a tiny trained Lex run.</summary>
public class SparseExperimentsTests
{
    [Fact]
    public void Sweep_over_top_k_reports_recall_non_zeros_bytes_and_latency_of_the_index()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-sparse-sweep-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "lex"), dense = Path.Combine(dir, "dense");
            Assert.True(Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "3").ExitCode == 0, "synth");
            var train = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", run, "--set", "model.architecture=lex", "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(train.ExitCode == 0, train.All);

            var sweep = SparseExperiments.Sweep(run, "all", [4, 16, 64, null], repeats: 2);
            int vocab = File.ReadAllLines(Path.Combine(run, "vocab.txt")).Length;
            Assert.Equal(vocab, sweep.VocabularySize);
            Assert.True(sweep.Items >= 40, $"{sweep.Items} items");
            Assert.Equal(["4", "16", "64", "all"], sweep.Rows.Select(r => r.Label));
            foreach (var r in sweep.Rows)
            {
                Assert.InRange(r.MeanNnzMotion, 1, r.TopK ?? vocab);
                Assert.InRange(r.MeanNnzText, 1, r.TopK ?? vocab);
                Assert.True(r.TextToMotion.R1 <= r.TextToMotion.R5 && r.TextToMotion.R5 <= r.TextToMotion.R10, $"top-{r.Label}: recall not increasing with k");
                Assert.True(r.IndexMsPerQuery > 0 && r.BytesPerItem > 0 && r.IndexBytes > 0);
            }
            for (int i = 1; i < sweep.Rows.Count; i++)
            {
                Assert.True(sweep.Rows[i].MeanNnzMotion >= sweep.Rows[i - 1].MeanNnzMotion);
                Assert.True(sweep.Rows[i].BytesPerItem >= sweep.Rows[i - 1].BytesPerItem);
            }
            Assert.Equal(4, sweep.Rows[0].MeanNnzMotion, 6); // every Lex vector has far more than 4 non-zeros worth >= 0.005

            // untruncated, the index's ranking is the dense one up to x100 quantisation
            var all = sweep.Rows[^1];
            Assert.InRange(Math.Abs(all.TextToMotion.R10 - sweep.DenseTextToMotion.R10), 0, 10);
            Assert.True(sweep.DenseMsPerQuery > 0);
            Assert.Equal((long)sweep.Items * vocab * 4, sweep.DenseBytes);
            var table = SparseExperiments.Table(sweep);
            Assert.Equal(5, table.Rows.Count);
            Assert.Contains("index, top-all", table.ToCsv());

            // the index of a split and a text search through it
            var lex = SparseExperiments.OpenLex(run, null, "all");
            var index = SparseExperiments.BuildIndex(lex, run, "motions");
            Assert.Equal(lex.Embeddings.Ids, index.Ids);
            Assert.Equal(VocabularyHash.Of(File.ReadAllLines(Path.Combine(run, "vocab.txt"))), index.VocabularyHash);
            var hits = SparseExperiments.Search(lex, index, "a person walks forward", 3);
            Assert.Equal([1, 2, 3], hits.Select(h => h.Rank));
            Assert.All(hits, h => Assert.False(string.IsNullOrEmpty(h.Caption)));
            Assert.Equal(lex.SearchMotions("a person walks forward", 1)[0].Score, hits[0].Score, 1);

            var denseTrain = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", dense, "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(denseTrain.ExitCode == 0, denseTrain.All);
            var e = Assert.Throws<InvalidDataException>(() => SparseExperiments.Sweep(dense));
            Assert.Contains($"run {dense} is not a Lex run", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ToSparse_keeps_the_largest_weights_with_ties_to_the_smaller_term()
    {
        var v = SparseExperiments.ToSparse([0, 0.5f, 0.2f, 0.5f, 0, 0.9f], 3);
        Assert.Equal([1, 3, 5], v.Terms);
        Assert.Equal([0.5f, 0.5f, 0.9f], v.Weights);
        Assert.Equal([1, 2, 3, 5], SparseExperiments.ToSparse([0, 0.5f, 0.2f, 0.5f, 0, 0.9f]).Terms);
    }

    [Fact]
    public void Index_bench_runs_as_a_library_call()
    {
        var row = IndexBench.Run(2000, new IndexBenchSettings(Queries: 5, Vocab: 1000, BudgetMb: 64));
        Assert.Equal(true, row["maxscore_topk_identical"]);
        Assert.Equal(2000, row["items"]);
        Assert.True((double)row["dense_ms_p50"]! > 0);
        Assert.Contains("items", IndexBench.Table([row]));
    }
}

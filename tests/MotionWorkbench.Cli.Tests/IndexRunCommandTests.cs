using System.Text.Json;
using MotionWorkbench.IO;

namespace MotionWorkbench.Cli.Tests;

/// <summary>One tiny trained Lex run (as <see cref="IndexCommandTests"/> trains it) and its index over split 'all', shared by <see cref="IndexRunCommandTests"/>.</summary>
public sealed class TinyLexRunFixture : IDisposable
{
    public TinyLexRunFixture()
    {
        Dir = Path.Combine(Path.GetTempPath(), "mw-cli-index-run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        Data = Path.Combine(Dir, "data");
        Run = Path.Combine(Dir, "lex");
        Index = Path.Combine(Dir, "lex.mwidx");
        var synth = Mw.Run("data", "synth", "--out", Data, "--count", "40", "--seed", "3");
        Problem = synth.ExitCode != 0 ? "synth: " + synth.All : null;
        if (Problem is null)
        {
            var train = Mw.Run("train", "--preset", "Smoke", "--data", Data, "--out", Run, "--set", "model.architecture=lex", "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            if (train.ExitCode != 0) Problem = "train: " + train.All;
        }
        if (Problem is null)
        {
            var build = Mw.Run("index", "build", "--run", Run, "--split", "all", "--out", Index);
            if (build.ExitCode != 0) Problem = "index build: " + build.All;
        }
    }

    public string Dir { get; }
    public string Data { get; }
    public string Run { get; }
    public string Index { get; }
    public string? Problem { get; }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>mw index search IDX --run R "text" and mw bench index --run R on a tiny trained Lex run.</summary>
public class IndexRunCommandTests(TinyLexRunFixture lex) : IClassFixture<TinyLexRunFixture>
{
    private static List<(int Rank, string Id, double Score, string Caption)> Hits(Mw.Result r)
    {
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.EnumerateArray().Select(h => (h.GetProperty("rank").GetInt32(), h.GetProperty("id").GetString()!, h.GetProperty("score").GetDouble(), h.GetProperty("caption").GetString()!)).ToList();
    }

    [Fact]
    public void Index_search_embeds_free_text_with_the_runs_text_tower()
    {
        Assert.True(lex.Problem is null, lex.Problem);
        const string query = "a person walks forward";
        var hits = Hits(Mw.Run("index", "search", lex.Index, "--run", lex.Run, "--split", "all", "--k", "7", "--json", query));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], hits.Select(h => h.Rank));
        Assert.All(hits, h => Assert.False(string.IsNullOrEmpty(h.Caption), $"{h.Id}: no caption"));
        Assert.Equal(hits.Select(h => h.Score).OrderByDescending(x => x), hits.Select(h => h.Score));
        Assert.Equal(7, hits.Select(h => h.Id).Distinct().Count());

        // the same ranking as mw search --index (same vectors, same index), exhaustive or pruned
        var viaSearch = Hits(Mw.Run("search", "--run", lex.Run, "--split", "all", "--index", lex.Index, "--k", "7", "--json", query));
        Assert.Equal(viaSearch.Select(h => (h.Id, h.Score)), hits.Select(h => (h.Id, h.Score)));
        var exhaustive = Hits(Mw.Run("index", "search", "--index", lex.Index, "--run", lex.Run, "--split", "all", "--k", "7", "--mode", "exhaustive", "--json", query));
        Assert.Equal(exhaustive, hits);
        // and within quantisation of the dense scan's top-1
        var dense = Hits(Mw.Run("search", "--run", lex.Run, "--split", "all", "--k", "1", "--json", query));
        Assert.InRange(Math.Abs(hits[0].Score - dense[0].Score), 0, 0.05);

        var text = Mw.Run("index", "search", lex.Index, "--run", lex.Run, "--split", "all", query);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains($"closest to \"{query}\"", text.Stdout);
        Assert.Contains($"   1. {hits[0].Score.ToString("F4", System.Globalization.CultureInfo.InvariantCulture),8}  {hits[0].Id}", text.Stdout);
        Assert.Contains(hits[0].Caption, text.Stdout);
        Assert.Equal(11, text.Stdout.Trim().Split('\n').Length); // header + the default 10 hits
    }

    [Fact]
    public void Index_search_refuses_another_vocabulary_and_half_given_queries()
    {
        Assert.True(lex.Problem is null, lex.Problem);
        string other = Path.Combine(lex.Dir, "other-" + Guid.NewGuid().ToString("N")[..6] + ".mwidx"), vec = Path.Combine(lex.Dir, "v-" + Guid.NewGuid().ToString("N")[..6] + ".npy");
        Npy.Write(vec, [0, 1f, 0.5f, 0, 0, 0], 1, 6);
        Assert.Equal(0, Mw.Run("index", "build", "--vectors", vec, "--out", other).ExitCode);
        var mismatch = Mw.Run("index", "search", other, "--run", lex.Run, "a person walks");
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Contains(other, mismatch.Stderr);
        Assert.Contains("index built over vocabulary", mismatch.Stderr);

        var noRun = Mw.Run("index", "search", lex.Index, "a person walks");
        Assert.Equal(2, noRun.ExitCode);
        Assert.Contains("needs --run", noRun.Stderr);
        var noText = Mw.Run("index", "search", lex.Index, "--run", lex.Run);
        Assert.Equal(2, noText.ExitCode);
        Assert.Contains("needs a query text", noText.Stderr);
        var both = Mw.Run("index", "search", lex.Index, "--run", lex.Run, "--query-vectors", vec, "a person");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--query-vectors and --vocab go without --run", both.Stderr);

        // the vector form still works with the index as the first argument
        var vectors = Mw.Run("index", "search", other, "--query-vectors", vec, "--json");
        Assert.True(vectors.ExitCode == 0, vectors.All);
        using var doc = JsonDocument.Parse(vectors.Stdout);
        Assert.Equal(100L * 100 + 50 * 50, doc.RootElement[0][0].GetProperty("score").GetInt64());
    }

    [Fact]
    public void Bench_index_with_a_run_adds_a_row_of_its_real_vectors()
    {
        Assert.True(lex.Problem is null, lex.Problem);
        var r = Mw.Run("bench", "index", "--items", "1500", "--queries", "5", "--vocab-size", "1000", "--run", lex.Run, "--split", "all", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        var rows = r.Stdout.Trim().Split('\n').Select(l => JsonDocument.Parse(l)).ToList();
        try
        {
            Assert.Equal(2, rows.Count);
            var synthetic = rows[0].RootElement;
            var real = rows[1].RootElement;
            Assert.Equal(synthetic.EnumerateObject().Select(p => p.Name), real.EnumerateObject().Select(p => p.Name)); // same columns
            Assert.Equal("synthetic, IDF weights", synthetic.GetProperty("source").GetString());
            Assert.Equal("run lex, split all", real.GetProperty("source").GetString());
            int vocab = File.ReadAllLines(Path.Combine(lex.Run, "vocab.txt")).Length;
            Assert.Equal(vocab, real.GetProperty("vocab_size").GetInt32());
            int items = real.GetProperty("items").GetInt32();
            Assert.True(items >= 40, $"{items} items");
            Assert.Equal(items, real.GetProperty("queries").GetInt32()); // one caption per motion
            Assert.True(real.GetProperty("maxscore_topk_identical").GetBoolean());
            Assert.InRange(real.GetProperty("nnz").GetDouble(), 1, vocab);
            Assert.InRange(real.GetProperty("query_nnz").GetDouble(), 1, vocab);
            Assert.True(real.GetProperty("exhaustive_ms_p50").GetDouble() > 0 && real.GetProperty("dense_ms_p50").GetDouble() > 0 && real.GetProperty("dense_vocab_ms_p50").GetDouble() > 0);
            Assert.True(real.GetProperty("bytes_per_item").GetDouble() > 0);
        }
        finally { rows.ForEach(d => d.Dispose()); }

        var table = Mw.Run("bench", "index", "--items", "1000", "--queries", "3", "--vocab-size", "500", "--weights", "flat", "--run", lex.Run, "--split", "all");
        Assert.True(table.ExitCode == 0, table.All);
        Assert.Contains("synthetic, flat weights", table.Stdout);
        Assert.Contains("run lex, split all", table.Stdout);
        var bad = Mw.Run("bench", "index", "--items", "1000", "--weights", "heavy");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--weights 'heavy'", bad.Stderr);
    }
}

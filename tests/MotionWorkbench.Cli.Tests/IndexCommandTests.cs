using System.Text.Json;
using MotionWorkbench.IO;

namespace MotionWorkbench.Cli.Tests;

/// <summary>mw index build | search | info | export and mw bench index, through the built tool.</summary>
public class IndexCommandTests
{
    private const int V = 6;
    private static readonly string[] Vocab = ["[PAD]", "walk", "##ing", ".", "jump", "turn"];

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-index-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Build_search_info_and_export_round_trip()
    {
        string dir = TempDir();
        try
        {
            // 4 items over 6 terms; the query hits item 2 best, then item 0.
            float[] items =
            [
                0, 0.5f, 0, 0, 0.2f, 0,
                0, 0, 0, 0.3f, 0, 0,
                0, 0.9f, 0.4f, 0, 0, 0,
                0, 0, 0, 0, 0, 1f,
            ];
            string vec = Path.Combine(dir, "items.npy"), ids = Path.Combine(dir, "ids.txt"), vocab = Path.Combine(dir, "vocab.txt");
            string idx = Path.Combine(dir, "g.mwidx"), q = Path.Combine(dir, "q.npy"), es = Path.Combine(dir, "es");
            Npy.Write(vec, items, 4, V);
            File.WriteAllLines(ids, ["a", "b", "c", "d"]);
            File.WriteAllLines(vocab, Vocab);
            Npy.Write(q, [0, 1f, 0.5f, 0, 0, 0], 1, V);

            var build = Mw.Run("index", "build", "--vectors", vec, "--ids", ids, "--vocab", vocab, "--out", idx);
            Assert.True(build.ExitCode == 0, build.All);
            Assert.Contains("items 4", build.Stdout);

            foreach (var mode in new[] { "exhaustive", "maxscore" })
            {
                var search = Mw.Run("index", "search", "--index", idx, "--query-vectors", q, "--k", "3", "--mode", mode, "--json");
                Assert.True(search.ExitCode == 0, search.All);
                using var doc = JsonDocument.Parse(search.Stdout);
                var hits = doc.RootElement[0].EnumerateArray().Select(h => (h.GetProperty("id").GetString(), h.GetProperty("score").GetInt64())).ToArray();
                Assert.Equal([("c", 100L * 90 + 50 * 40), ("a", 100L * 50)], hits);
            }
            var text = Mw.Run("index", "search", "--index", idx, "--query-vectors", q);
            Assert.True(text.ExitCode == 0, text.All);
            Assert.Contains("1.1000  c", text.Stdout);

            var info = Mw.Run("index", "info", "--index", idx, "--json");
            Assert.True(info.ExitCode == 0, info.All);
            using (var doc = JsonDocument.Parse(info.Stdout))
            {
                Assert.Equal(4, doc.RootElement.GetProperty("items").GetInt32());
                Assert.Equal(6, doc.RootElement.GetProperty("postings").GetInt64());
                Assert.Equal(new FileInfo(idx).Length, doc.RootElement.GetProperty("bytes").GetInt64());
            }

            var export = Mw.Run("index", "export", "--index", idx, "--format", "elasticsearch", "--vocab", vocab, "--query-vectors", q, "--out", es);
            Assert.True(export.ExitCode == 0, export.All);
            var bulk = File.ReadAllLines(Path.Combine(es, "bulk-0000.ndjson"));
            Assert.Equal(8, bulk.Length);
            using (var d = JsonDocument.Parse(bulk[3])) Assert.Equal(0.3, d.RootElement.GetProperty("terms").GetProperty("%2E").GetDouble(), 9);
            using (var d = JsonDocument.Parse(File.ReadAllText(Path.Combine(es, "query.json"))))
                Assert.Equal(0.5, d.RootElement.GetProperty("query").GetProperty("sparse_vector").GetProperty("query_vector").GetProperty("##ing").GetDouble(), 9);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Bad_inputs_are_clear_errors()
    {
        string dir = TempDir();
        try
        {
            string vec = Path.Combine(dir, "nan.npy"), idx = Path.Combine(dir, "x.mwidx"), good = Path.Combine(dir, "ok.npy");
            var data = new float[3 * V];
            data[V + 2] = float.NaN;
            Npy.Write(vec, data, 3, V);
            var r = Mw.Run("index", "build", "--vectors", vec, "--out", idx);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(vec, r.Stderr);
            Assert.Contains("row 1", r.Stderr);
            Assert.False(File.Exists(idx));

            Npy.Write(good, [0, 1, 0, 0, 0, 0], 1, V);
            Assert.Equal(0, Mw.Run("index", "build", "--vectors", good, "--out", idx).ExitCode);
            string wide = Path.Combine(dir, "wide.npy");
            Npy.Write(wide, new float[8], 1, 8);
            r = Mw.Run("index", "search", "--index", idx, "--query-vectors", wide);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("8 wide, expected 6", r.Stderr);

            var bytes = File.ReadAllBytes(idx);
            File.WriteAllBytes(idx, bytes[..^7]);
            r = Mw.Run("index", "info", "--index", idx);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(idx, r.Stderr);
            Assert.Contains("truncated", r.Stderr);

            File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Vocab);
            Assert.Equal(0, Mw.Run("index", "build", "--vectors", good, "--out", idx).ExitCode); // built without a vocabulary
            r = Mw.Run("index", "search", "--index", idx, "--query-vectors", good, "--vocab", Path.Combine(dir, "vocab.txt"));
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("index built over vocabulary", r.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Bench_index_reports_identical_top_k_as_json()
    {
        var r = Mw.Run("bench", "index", "--items", "3000", "--queries", "5", "--vocab-size", "2000", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout.Trim());
        Assert.True(doc.RootElement.GetProperty("maxscore_topk_identical").GetBoolean());
        Assert.Equal(3000, doc.RootElement.GetProperty("items").GetInt32());
        Assert.True(doc.RootElement.GetProperty("bytes_per_item").GetDouble() > 0);
        Assert.True(doc.RootElement.GetProperty("dense_vocab_ms_p50").GetDouble() > 0);
    }
    [Fact]
    public void Index_built_from_a_lex_run_searches_like_the_dense_scan_and_a_dense_run_is_refused()
    {
        string dir = TempDir();
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "lex"), dense = Path.Combine(dir, "dense"), idx = Path.Combine(dir, "lex.mwidx");
            Assert.True(Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "3").ExitCode == 0, "synth");
            var train = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", run, "--set", "model.architecture=lex", "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(train.ExitCode == 0, train.All);

            var build = Mw.Run("index", "build", "--run", run, "--split", "all", "--out", idx);
            Assert.True(build.ExitCode == 0, build.All);
            var info = Mw.Run("index", "info", "--index", idx, "--json");
            Assert.True(info.ExitCode == 0, info.All);
            int items;
            using (var doc = JsonDocument.Parse(info.Stdout))
            {
                items = doc.RootElement.GetProperty("items").GetInt32();
                Assert.Equal(File.ReadAllLines(Path.Combine(run, "vocab.txt")).Length, doc.RootElement.GetProperty("vocabulary_size").GetInt32());
            }
            Assert.True(items >= 40, $"{items} items in the index of split 'all'");

            foreach (var query in new[] { "a person walks forward", "someone jumps up and down", "a man waves with the left hand" })
            {
                var sparse = Hits(Mw.Run("search", "--run", run, "--split", "all", "--index", idx, "--k", "5", "--json", query));
                var exact = Hits(Mw.Run("search", "--run", run, "--split", "all", "--k", "5", "--json", query));
                Assert.Equal(5, sparse.Count);
                Assert.Equal(5, exact.Count);
                // quantised x100: scores agree to about 0.01, so the top-1 is the dense top-1 or ties it within that
                var top = exact.FirstOrDefault(h => h.Id == sparse[0].Id);
                Assert.True(sparse[0].Id == exact[0].Id || (top.Id is not null && exact[0].Score - top.Score < 0.02), $"'{query}': index top-1 {sparse[0].Id}, dense top-5 {string.Join(", ", exact.Select(h => $"{h.Id} {h.Score}"))}");
                Assert.InRange(Math.Abs(sparse[0].Score - exact[0].Score), 0, 0.05);
                Assert.True(sparse.Select(h => h.Id).Intersect(exact.Select(h => h.Id)).Count() >= 4, $"'{query}': index {string.Join(", ", sparse.Select(h => h.Id))} vs dense {string.Join(", ", exact.Select(h => h.Id))}");
            }
            var text = Mw.Run("search", "--run", run, "--split", "all", "--index", idx, "a person walks forward");
            Assert.True(text.ExitCode == 0, text.All);
            Assert.Contains("closest to \"a person walks forward\"", text.Stdout);
            Assert.Matches(@"\n  1\.   \d\.\d{3}  \S+ +\S", text.Stdout);

            var motionQuery = Mw.Run("search", "--run", run, "--index", idx, "--motion", "000001");
            Assert.Equal(2, motionQuery.ExitCode);
            Assert.Contains("--index searches with a query text", motionQuery.Stderr);

            // an index over another vocabulary is refused, naming the file and both hashes
            string other = Path.Combine(dir, "other.mwidx"), vec = Path.Combine(dir, "v.npy");
            Npy.Write(vec, [0, 1f, 0.5f, 0, 0, 0], 1, V);
            Assert.Equal(0, Mw.Run("index", "build", "--vectors", vec, "--out", other).ExitCode);
            var mismatch = Mw.Run("search", "--run", run, "--index", other, "a person walks");
            Assert.Equal(2, mismatch.ExitCode);
            Assert.Contains(other, mismatch.Stderr);
            Assert.Contains("index built over vocabulary", mismatch.Stderr);

            // a dense run: both commands refuse it, naming the run
            var denseTrain = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", dense, "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(denseTrain.ExitCode == 0, denseTrain.All);
            var bad = Mw.Run("index", "build", "--run", dense, "--out", Path.Combine(dir, "d.mwidx"));
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains($"run {dense} is not a Lex run (model.architecture = vit)", bad.Stderr);
            Assert.False(File.Exists(Path.Combine(dir, "d.mwidx")));
            var badSearch = Mw.Run("search", "--run", dense, "--index", idx, "a person walks");
            Assert.Equal(2, badSearch.ExitCode);
            Assert.Contains("is not a Lex run", badSearch.Stderr);
            var both = Mw.Run("index", "build", "--run", run, "--vectors", vec, "--out", Path.Combine(dir, "e.mwidx"));
            Assert.Equal(2, both.ExitCode);
            Assert.Contains("either --vectors", both.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static List<(string Id, double Score)> Hits(Mw.Result r)
    {
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.EnumerateArray().Select(h => (h.GetProperty("id").GetString()!, h.GetProperty("score").GetDouble())).ToList();
    }
}

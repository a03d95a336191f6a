using System.Text.Json;
using System.Text.RegularExpressions;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Running;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>
/// Runs notebook 13 alone at <c>preset=Smoke</c> with the library runner and the options of
/// <see cref="NotebookRunFixture"/> (that fixture belongs to <see cref="NotebookTests"/>'s class; sharing it would need a
/// collection on that class, and a second instance would run every notebook again), with its report and run folder in a
/// temp folder. The notebooks reference lib/MotionWorkbench.Experiments/bin/Release, so run these tests with -c Release.
/// </summary>
public sealed class SparseNotebookFixture : IDisposable
{
    public const string Notebook = "13-sparse-retrieval";

    public SparseNotebookFixture()
    {
        var repo = NotebookRunFixture.FindRepoRoot();
        Root = Path.Combine(Path.GetTempPath(), "mw-workflow-sparse-" + Guid.NewGuid().ToString("N")[..8]);
        ReportsDir = Path.Combine(Root, "reports");
        RunRoot = Path.Combine(Root, "runs");
        Directory.CreateDirectory(ReportsDir);
        var log = new StringWriter();
        var options = new RunOptions
        {
            Parameters = NotebookRunner.ParseParameters(["preset=Smoke", $"runRoot={RunRoot}", $"dataRoot={Path.Combine(Root, "data")}", $"bandaiImport={Path.Combine(Root, "bandai")}"]),
            KernelEnvironment = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" },
            EmbedPlotly = false,
            ShadowRoot = Path.Combine(Root, "shadow"),
            CellTimeout = TimeSpan.FromMinutes(5),
            EchoOut = TextWriter.Synchronized(log),
            EchoErr = TextWriter.Synchronized(log),
        };
        var result = NotebookRunner.RunAsync(Path.Combine(repo, "notebooks", Notebook + ".ipynb"), options).GetAwaiter().GetResult();
        HtmlReport.Write(result.Executed, Path.Combine(ReportsDir, Notebook + ".html"), plotlyBundle: options.PlotlyBundle);
        Entry = IndexPage.From(result, Notebook + ".html");
        Log = log.ToString();
    }

    public string Root { get; }
    public string ReportsDir { get; }
    public string RunRoot { get; }
    public IndexPage.Entry Entry { get; }
    public string Log { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Notebook 13 ran without a cell error and its report and run folder hold what it promises (as <see cref="NotebookTests"/> checks 01-11).</summary>
public sealed class SparseNotebookTests(SparseNotebookFixture run) : IClassFixture<SparseNotebookFixture>
{
    private string Report()
    {
        var entry = run.Entry;
        Assert.True(entry.Status == "ok", $"{SparseNotebookFixture.Notebook}: {entry.Status}, cell {entry.FailedCell}: {entry.Message}\n{Tail(run.Log)}");
        Assert.Equal(entry.CodeCells, entry.CellsRun);
        var path = Path.Combine(run.ReportsDir, SparseNotebookFixture.Notebook + ".html");
        Assert.True(File.Exists(path), $"{path}: no report");
        var html = File.ReadAllText(path);
        Assert.DoesNotContain("<div class=\"error\">", html);
        return html;
    }

    private string RunFile(string file)
    {
        var path = Path.Combine(run.RunRoot, SparseNotebookFixture.Notebook + "-smoke", file);
        Assert.True(File.Exists(path), $"{path}: not written (folder holds: {string.Join(", ", Directory.Exists(Path.GetDirectoryName(path)) ? Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName) : [])})");
        return File.ReadAllText(path);
    }

    private static int Count(string html, string what) => Regex.Matches(html, Regex.Escape(what)).Count;
    private static int Figures(string html) => Count(html, "<div class=\"figure\"");
    private static int Tables(string html, string title) => Count(html, "<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">" + title);
    private static string Tail(string s) => s.Length > 4000 ? s[^4000..] : s;

    [Fact]
    public void Notebook13_SparseRetrieval_SweepsTopKSearchesTheIndexAndBenchesItAgainstDense()
    {
        var html = Report();
        Assert.Equal(1, Tables(html, "Sparsity for efficient retrieval"));
        Assert.Equal(3, Figures(html)); // R@k / nnz against top-k, latency, bytes per item
        Assert.Contains("How this compares with the paper", html);

        var csv = RunFile("sweep.csv");
        foreach (var row in new[] { "\"dense |V| floats, untruncated\",", "\"index, top-8\",", "\"index, top-256\",", "\"index, top-all\"," }) Assert.Contains(row, csv);

        using var sweep = JsonDocument.Parse(RunFile("sweep.json"));
        var rows = sweep.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(7, rows.Count);
        var nnz = rows.Select(r => r.GetProperty("meanNnzMotion").GetDouble()).ToList();
        Assert.Equal(nnz.Order(), nnz);
        Assert.Equal(8, nnz[0], 6);
        Assert.All(rows, r => Assert.True(r.GetProperty("indexMsPerQuery").GetDouble() > 0));

        using var search = JsonDocument.Parse(RunFile("search.json"));
        Assert.Equal(3, search.RootElement.GetArrayLength());
        Assert.All(search.RootElement.EnumerateArray(), q => Assert.True(q.GetProperty("overlap").GetInt32() >= 4, $"'{q.GetProperty("query")}': top-5 overlap {q.GetProperty("overlap")}"));

        using var bench = JsonDocument.Parse(RunFile("bench.json"));
        Assert.Equal([10_000, 100_000], bench.RootElement.EnumerateArray().Select(r => r.GetProperty("items").GetInt32()));
        Assert.All(bench.RootElement.EnumerateArray(), r =>
        {
            Assert.True(r.GetProperty("maxscore_topk_identical").GetBoolean());
            Assert.True(r.GetProperty("dense_ms_p50").GetDouble() > 0);
            Assert.InRange(r.GetProperty("bytes_per_item").GetDouble(), 1, 1024);
        });
        Assert.True(new FileInfo(Path.Combine(run.RunRoot, SparseNotebookFixture.Notebook + "-smoke", "lex-test.mwidx")).Length > 0);
    }
}

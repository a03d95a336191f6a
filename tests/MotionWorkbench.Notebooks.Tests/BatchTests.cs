using System.Text.Json.Nodes;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Running;

namespace MotionWorkbench.Notebooks.Tests;

public sealed class BatchTests : IClassFixture<TestNotebooks>
{
    private readonly TestNotebooks notebooks;

    public BatchTests(TestNotebooks notebooks) => this.notebooks = notebooks;

    [Fact]
    public async Task RunAll_RunsEachNotebook_WritesReportsAndIndex_AndRecordsFailuresAndSkips()
    {
        string folder = Path.Combine(notebooks.Directory, "batch");
        string reports = Path.Combine(notebooks.Directory, "batch-reports");
        Directory.CreateDirectory(folder);
        var ok = new Notebook();
        ok.Cells.Add(new NotebookCell("markdown", "# Smoke notebook"));
        ok.Cells.Add(new NotebookCell("code", "var preset = \"Paper\";", metadata: new JsonObject { ["tags"] = new JsonArray("parameters") }));
        ok.Cells.Add(new NotebookCell("code", "Console.WriteLine($\"preset={preset}\");"));
        string render = Path.GetRelativePath(folder, Path.Combine(AppContext.BaseDirectory, "MotionWorkbench.Render.dll")).Replace('\\', '/');
        ok.Cells.Add(new NotebookCell("code", $"#r \"{render}\"\nnew MotionWorkbench.Render.Plots.Figure(\"f\").Add(MotionWorkbench.Render.Plots.Trace.Line(new[] {{ 1.0, 2.0 }}))"));
        ok.Save(Path.Combine(folder, "a_ok.ipynb"));
        var fails = new Notebook();
        fails.Cells.Add(new NotebookCell("code", "var preset = \"Paper\";", metadata: new JsonObject { ["tags"] = new JsonArray("parameters") }));
        fails.Cells.Add(new NotebookCell("code", "var b = undefinedName;"));
        fails.Save(Path.Combine(folder, "b_fails.ipynb"));
        File.WriteAllText(Path.Combine(folder, "c_broken.ipynb"), "{\"nbformat\": 4}");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a notebook");

        var stdout = new StringWriter();
        var lines = new List<string>();
        var options = new RunOptions { KernelEnvironment = TestNotebooks.FastKernel, EmbedPlotly = false, Parameters = NotebookRunner.ParseParameters(["preset=Smoke"]), EchoOut = TextWriter.Synchronized(stdout), ShadowRoot = Path.Combine(notebooks.Directory, "shadow") };
        var entries = await BatchRunner.RunAllAsync(folder, options, reports, (_, _, line) => lines.Add(line));

        Assert.Equal(["a_ok.ipynb", "b_fails.ipynb", "c_broken.ipynb"], entries.Select(e => e.Notebook));
        Assert.Equal(["ok", "failed", "error"], entries.Select(e => e.Status));
        Assert.Contains("preset=Smoke\n", stdout.ToString());                       // streamed live, with the override applied
        Assert.Contains("c_broken.ipynb: has no 'cells' list", entries[2].Message);
        Assert.Contains(lines, l => l.StartsWith("c_broken: skipped: ", StringComparison.Ordinal));
        // the failed cell's error says why, in the progress line and the index entry
        Assert.Contains(lines, l => l.StartsWith("b_fails.ipynb: FAILED, 3/3 code cells run in ", StringComparison.Ordinal) && l.Contains(" s, cell 3 failed (", StringComparison.Ordinal) && l.Contains("undefinedName", StringComparison.Ordinal));
        Assert.Contains("undefinedName", entries[1].Message);

        Assert.Equal(["a_ok.html", "a_ok.ipynb", "b_fails.html", "b_fails.ipynb", "index.html"],
            Directory.GetFiles(reports).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        string index = File.ReadAllText(Path.Combine(reports, "index.html"));
        Assert.Contains("<a href=\"a_ok.html\">a_ok.ipynb</a>", index);
        Assert.Contains("<td class=\"failed\">failed</td>", index);
        Assert.Contains("2 failed", index);
        var executed = Notebook.Load(Path.Combine(reports, "a_ok.ipynb"));
        Assert.Equal(["injected-parameters"], executed.Cells[2].Tags);
        var figure = executed.Cells[4].Outputs.Single()["data"]!;
        string figureHtml = Notebook.JoinLines(figure["text/html"]);
        Assert.Contains("Plotly.newPlot", figureHtml);
        Assert.True(figureHtml.Length < 5000, $"EmbedPlotly = false still inlined {figureHtml.Length} characters of HTML");
        Assert.NotNull(figure["application/vnd.plotly.v1+json"]);
        Assert.Contains("Smoke notebook", File.ReadAllText(Path.Combine(reports, "a_ok.html")));
    }

    [Fact]
    public void FindNotebooks_ExplainsAMissingOrEmptyFolder()
    {
        Assert.Contains("does not exist", Assert.Throws<DirectoryNotFoundException>(() => BatchRunner.FindNotebooks(Path.Combine(notebooks.Directory, "none"))).Message);
        string empty = Path.Combine(notebooks.Directory, "empty");
        Directory.CreateDirectory(empty);
        Assert.Contains("no .ipynb files", Assert.Throws<FileNotFoundException>(() => BatchRunner.FindNotebooks(empty)).Message);
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MotionWorkbench.Notebooks.Ipynb;
using Xunit.Abstractions;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>
/// Runs notebooks 03, 15, 12 and 02 (in that order: 15 reuses 03's baseline, as a user's second notebook does) through a
/// real Jupyter client and the official .NET Interactive kernel, as VS Code's Jupyter extension runs them: unchanged, at
/// their defaults (Smoke), in a <see cref="NotebookWorkspace"/>. Started by the first test that needs it.
/// </summary>
public sealed class JupyterRunFixture : IDisposable
{
    public static readonly string[] Notebooks = ["03-retrieval", "15-captioning", "12-lexical-retrieval", "02-motion-patches"];
    private readonly Lazy<IReadOnlyDictionary<string, JupyterRun>> runs;
    private NotebookWorkspace? workspace;

    public JupyterRunFixture() => runs = new(RunAll);

    public sealed record JupyterRun(string Notebook, int ExitCode, string Log, TimeSpan Elapsed, Notebook? Executed);

    public JupyterRun this[string notebook] => runs.Value[notebook];

    private IReadOnlyDictionary<string, JupyterRun> RunAll()
    {
        workspace = new NotebookWorkspace("mw-jupyter-", Notebooks);
        string outDir = Path.Combine(workspace.Root, "executed");
        Directory.CreateDirectory(outDir);
        var result = new Dictionary<string, JupyterRun>(StringComparer.Ordinal);
        foreach (var nb in Notebooks)
        {
            string output = Path.Combine(outDir, nb + ".ipynb");
            var (code, log, elapsed) = JupyterKernel.Execute(workspace.PathOf(nb), output, TimeSpan.FromMinutes(15));
            result[nb] = new JupyterRun(nb, code, log, elapsed, File.Exists(output) ? Notebook.Load(output) : null);
        }
        return result;
    }

    public void Dispose() => workspace?.Dispose();
}

/// <summary>
/// Each notebook ran to the end under the official kernel with no error output and no compiler warning in any output
/// (streams, displayed values, errors), and the workbench's views came back as text/html.
/// </summary>
public sealed partial class JupyterKernelTests(JupyterRunFixture runs, ITestOutputHelper log) : IClassFixture<JupyterRunFixture>
{
    [GeneratedRegex(@"\bwarning [A-Z]{2,}\d{3,}")]
    private static partial Regex CompilerWarning();

    private Notebook Executed(string notebook)
    {
        var run = runs[notebook];
        log.WriteLine($"{notebook}: jupyter nbconvert --execute exit {run.ExitCode} in {run.Elapsed.TotalSeconds:0} s");
        string tail = run.Log.Length > 6000 ? run.Log[^6000..] : run.Log;
        Assert.True(run.ExitCode == 0 && run.Executed is not null, $"{notebook}: jupyter nbconvert --execute failed (exit {run.ExitCode}):\n{tail}");
        var nb = run.Executed!;
        Assert.Equal("C#", (string?)nb.Metadata["language_info"]?["name"]);   // written by the dotnet-interactive Jupyter kernel, not by our runner
        Assert.Equal(JupyterKernel.KernelName, (string?)nb.Metadata["kernelspec"]?["name"]);
        for (int i = 0; i < nb.Cells.Count; i++)
        {
            var cell = nb.Cells[i];
            if (!cell.IsCode || string.IsNullOrWhiteSpace(cell.Source)) continue;
            Assert.True(cell.ExecutionCount is not null, $"{notebook}: cell {i + 1} was not executed");
            foreach (var output in cell.Outputs)
            {
                Assert.False((string?)output["output_type"] == "error", $"{notebook}: cell {i + 1} failed: {output["ename"]}: {output["evalue"]}");
                Assert.True(FindWarning(output) is null, $"{notebook}: cell {i + 1} has a compiler warning in its output: {FindWarning(output)}");
            }
        }
        return nb;
    }

    private static string Html(Notebook nb) => string.Concat(nb.Cells.SelectMany(c => c.Outputs)
        .Select(o => o["data"] is JsonObject d && d["text/html"] is { } h ? Notebook.JoinLines(h) : ""));

    /// <summary>The first compiler warning ("warning CS1701: ...") in any text of an output (stream, any MIME type, error), or null.</summary>
    internal static string? FindWarning(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(p => FindWarning(p.Value)).FirstOrDefault(w => w is not null),
        JsonArray a => a.Select(FindWarning).FirstOrDefault(w => w is not null),
        JsonValue v when v.TryGetValue<string>(out var s) && CompilerWarning().Match(s) is { Success: true } m => s.Substring(m.Index, Math.Min(240, s.Length - m.Index)),
        _ => null,
    };

    [Fact]
    public void FindWarning_FindsTheKernelsCs1701InAStderrStream()
    {
        var output = new JsonObject
        {
            ["output_type"] = "stream",
            ["name"] = "stderr",
            ["text"] = new JsonArray("\n", "warning CS1701: Assuming assembly reference 'Microsoft.AspNetCore.Html.Abstractions, Version=2.3.0.0' ..."),
        };
        Assert.StartsWith("warning CS1701: Assuming", FindWarning(output));
        Assert.Null(FindWarning(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = "no warnings here: CS is fine" }));
    }

    [JupyterFact]
    public void Notebook03_Retrieval_RunsUnderTheOfficialKernel()
    {
        var html = Html(Executed("03-retrieval"));
        Assert.Contains("Table 2", html);
        Assert.Contains("Table 3", html);
        Assert.Contains("<th>t2m R@1 (paper)</th>", html);   // the DataFrame cell: #r "nuget: Microsoft.Data.Analysis" and its formatter
    }

    [JupyterFact]
    public void Notebook15_Captioning_RunsUnderTheOfficialKernel()
    {
        var html = Html(Executed("15-captioning"));
        Assert.Contains("Table 3", html);
        Assert.Contains("BLEU@4", html);
    }

    [JupyterFact]
    public void Notebook12_LexicalRetrieval_RunsUnderTheOfficialKernel()
    {
        var html = Html(Executed("12-lexical-retrieval"));
        Assert.Contains("Sparsity of the lexical vectors", html);
        Assert.Contains("Lex ablation", html);
    }

    [JupyterFact]
    public void Notebook02_MotionPatches_RunsUnderTheOfficialKernel()
    {
        var html = Html(Executed("02-motion-patches"));
        Assert.True(Regex.Matches(html, "<figure class=\"mw-motion-figure\"").Count >= 4, "fewer than 4 motion figures");
        Assert.Contains("synthetic KIT-21", html);
    }
}

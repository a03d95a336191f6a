using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MotionWorkbench.Experiments;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Running;
using MotionWorkbench.Torch;
using MotionWorkbench.Training;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>
/// The notebooks on the torch engine: notebook 01 at Smoke with <c>--param engine=torch</c> (as <c>mw notebook run ...
/// --param engine=torch</c> runs it), and notebook 11's TorchInterop cell; plus the engine argument of the notebooks'
/// configuration and run folders.
/// </summary>
public sealed class TorchEngineNotebookTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-workflow-torch-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private (RunResult Result, string Html, string Log) Run(string notebook, params string[] parameters)
    {
        var log = new StringWriter();
        var options = new RunOptions
        {
            Parameters = NotebookRunner.ParseParameters(["preset=Smoke", $"runRoot={Path.Combine(root, "runs")}", $"dataRoot={Path.Combine(root, "data")}",
                $"bandaiImport={Path.Combine(root, "bandai")}", .. parameters]),
            KernelEnvironment = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" },
            EmbedPlotly = false,
            ShadowRoot = Path.Combine(root, "shadow"),
            CellTimeout = TimeSpan.FromMinutes(5),
            EchoOut = TextWriter.Synchronized(log),
            EchoErr = TextWriter.Synchronized(log),
        };
        string path = Path.Combine(NotebookRunFixture.FindRepoRoot(), "notebooks", notebook + ".ipynb");
        var result = NotebookRunner.RunAsync(path, options).GetAwaiter().GetResult();
        string report = Path.Combine(root, notebook + ".html");
        HtmlReport.Write(result.Executed, report);
        string text = log.ToString();
        Assert.True(result.Succeeded, $"{notebook}: {BatchRunner.Summary(result)}\n{(text.Length > 4000 ? text[^4000..] : text)}");
        Assert.Equal(result.CodeCells, result.CellsRun);
        var html = File.ReadAllText(report);
        Assert.DoesNotContain("<div class=\"error\">", html);
        Assert.DoesNotContain("warning CS", html);
        return (result, html, text);
    }

    [WorkflowTorchFact]
    public void Notebook01_with_engine_torch_trains_its_own_baseline_on_torch_and_reports_numbers()
    {
        var (_, html, _) = Run("01-quickstart", "engine=torch", "device=cpu");
        string baseline = Path.Combine(root, "runs", "baseline-smpl-smoke-torch");
        Assert.Contains("engine torch on cpu", File.ReadAllText(Path.Combine(baseline, Trainer.LogFileName)));
        Assert.Contains($"{baseline}: trained by engine torch on cpu", html);
        Assert.Equal("torch", RunConfig.Load(baseline).Train.Engine);
        Assert.False(Directory.Exists(Path.Combine(root, "runs", "baseline-smpl-smoke")), "the torch run replaced the own engine's shared baseline folder");

        // the numbers: the evaluation of the torch run's best checkpoint (loaded by the own engine) ...
        using var experiment = JsonDocument.Parse(File.ReadAllText(Path.Combine(baseline, Experiment.ResultFileName)));
        var all = experiment.RootElement.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("protocol").GetString() == "all");
        int n = all.GetProperty("n").GetInt32();
        Assert.True(n > 0);
        double r1 = all.GetProperty("t2m").GetProperty("R@1").GetDouble();
        Assert.InRange(r1, 0, 100);
        Assert.Contains($"all t2m R@1 {r1.ToString("0.00", CultureInfo.InvariantCulture)} (n = {n})", html);
        // ... the retrieval table and the search in the notebook's own -torch result folder
        string results = Path.Combine(root, "runs", "01-quickstart-smoke-torch");
        var csv = File.ReadAllLines(Path.Combine(results, "retrieval.csv"));
        const string label = "\"MP (scratch), Smoke, synthetic SMPL\",";
        var ours = csv.Single(l => l.StartsWith(label, StringComparison.Ordinal))[label.Length..].Split(',');
        Assert.Equal(r1, double.Parse(ours[0], CultureInfo.InvariantCulture), 2); // t2m R@1 (ours)
        using var query = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "query.json")));
        var hits = query.RootElement.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.InRange(h.GetProperty("score").GetDouble(), -1.0001, 1.0001));
    }

    [Fact]
    public void Notebook11_shows_the_embeddings_as_torch_tensors_or_says_why_not()
    {
        var (_, html, _) = Run("11-qualitative-retrieval");
        if (TorchRuntime.IsAvailable)
        {
            var m = Regex.Match(html, @"max \|torch - workbench\| = ([0-9.E+-]+) \(equal up to float32 rounding\); embeddings -&gt; torch -&gt; embeddings exact: True");
            Assert.True(m.Success, "no interop line in the report");
            Assert.InRange(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), 0, 1e-5);
            Assert.Matches(@"torch similarity \((\d+) x \1\) on cpu from \1 test captions and motions \(64 dims\)", html);
        }
        else
        {
            Assert.Contains("TorchSharp cannot load here, so no torch tensors are shown", html);
        }
    }

    [Fact]
    public void The_engine_argument_keeps_the_preset_by_default_and_names_a_bad_value()
    {
        string data = Path.Combine(root, "d");
        Assert.Equal((RunConfig.Smoke with { Name = "x", Data = RunConfig.Smoke.Data with { Dir = data } }).ToJson(), PaperData.Config("Smoke", data, "x").ToJson());
        var torch = PaperData.Config("Smoke", data, "x", c => c with { Train = c.Train with { Epochs = 1 } }, engine: "torch", device: "cpu");
        Assert.Equal(("torch", "cpu", 1), (torch.Train.Engine, torch.Train.Device, torch.Train.Epochs));
        var bad = Assert.Throws<ArgumentException>(() => PaperData.Config("Smoke", data, "x", engine: "jax"));
        Assert.Contains("train.engine must be 'mw' (the own engine) or 'torch' (TorchSharp), got 'jax'", bad.Message);
        Assert.Contains("needs train.engine = torch", Assert.Throws<ArgumentException>(() => PaperData.Config("Smoke", data, "x", device: "cuda")).Message);

        Assert.Equal(Path.GetFullPath(Path.Combine(root, "baseline-smpl-smoke")), RunFolder.Baseline(root, "smpl", "Smoke"));
        Assert.Equal(Path.GetFullPath(Path.Combine(root, "baseline-smpl-smoke-torch")), RunFolder.Baseline(root, "smpl", "Smoke", "torch"));
        Assert.EndsWith("01-quickstart-smoke-torch", RunFolder.Create(root, "01-quickstart", "Smoke", "torch").Dir);
        Assert.Contains("got 'jax'", Assert.Throws<ArgumentException>(() => RunFolder.Baseline(root, "smpl", "Smoke", "jax")).Message);
    }
}

/// <summary>Skipped, with the loader's reason, where TorchSharp's native libraries cannot load.</summary>
public sealed class WorkflowTorchFactAttribute : FactAttribute
{
    public WorkflowTorchFactAttribute()
    {
        if (!TorchRuntime.IsAvailable) Skip = TorchRuntime.UnavailableReason;
    }
}

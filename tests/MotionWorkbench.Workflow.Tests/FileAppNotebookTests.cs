using System.Diagnostics;
using System.Text.RegularExpressions;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Running;
using Xunit.Abstractions;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>
/// Notebooks 03 (with its <c>#r "nuget: Microsoft.Data.Analysis"</c> cell) and 15 exported with <c>mw notebook export --format
/// cs</c>'s exporter and run as .NET 10 file-based apps (<c>dotnet run -c Release NN.cs -- --preset Smoke ...</c>), each training
/// into its own folder: every table of their reports (the paper-style tables and 03's DataFrame) equals the headless runner's at
/// Smoke, cell for cell. The apps live in the test output folder (bin/.../fileapps), so reruns reuse their builds.
/// </summary>
public sealed partial class FileAppNotebookTests(ITestOutputHelper log) : IDisposable
{
    private static readonly string[] Notebooks = ["03-retrieval", "15-captioning"];
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-fileapp-nb-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"<table.*?</table>", RegexOptions.Singleline)]
    private static partial Regex Table();

    [GeneratedRegex(@" id=""table_\d+""")]
    private static partial Regex DataFrameId();

    /// <summary>Every table of a report, with the DataFrame formatter's per-render element id taken out.</summary>
    private static List<string> Tables(string html) => [.. Table().Matches(html).Select(m => DataFrameId().Replace(m.Value, ""))];

    private string[] Folders(string who) =>
    [
        $"--runRoot={Path.Combine(root, who, "runs")}", $"--dataRoot={Path.Combine(root, who, "data")}", $"--bandaiImport={Path.Combine(root, who, "bandai")}",
    ];

    [Fact]
    public async Task Notebooks03And15_AsFileBasedApps_GiveTheRunnersTables()
    {
        string repo = NotebookRunFixture.FindRepoRoot();
        var clock = Stopwatch.StartNew();
        var runnerReports = new Dictionary<string, string>();
        foreach (var nb in Notebooks)
        {
            var output = new StringWriter();
            var result = await NotebookRunner.RunAsync(Path.Combine(repo, "notebooks", nb + ".ipynb"), new RunOptions
            {
                Parameters = NotebookRunner.ParseParameters(["preset=Smoke", .. Folders("runner").Select(f => f[2..])]),
                KernelEnvironment = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" },
                EmbedPlotly = false,
                CellTimeout = TimeSpan.FromMinutes(5),
                EchoOut = TextWriter.Synchronized(output),
                EchoErr = TextWriter.Synchronized(output),
            });
            Assert.True(result.Succeeded, $"mw notebook run {nb}: {BatchRunner.Summary(result)}\n{Tail(output.ToString())}");
            runnerReports[nb] = HtmlReport.Render(result.Executed);
        }
        log.WriteLine($"runner: {clock.Elapsed.TotalSeconds:0} s");

        string apps = Path.Combine(AppContext.BaseDirectory, "fileapps");
        foreach (var nb in Notebooks)
        {
            clock.Restart();
            string app = Path.Combine(apps, nb + ".cs"), report = Path.Combine(root, "app", nb + ".html");
            FileAppExporter.Write(Notebook.Load(Path.Combine(repo, "notebooks", nb + ".ipynb")), app);
            var (code, text) = DotnetRun(app, ["--preset", "Smoke", .. Folders("app"), "--html", report]);
            log.WriteLine($"{nb}.cs: dotnet run exit {code} in {clock.Elapsed.TotalSeconds:0} s");
            Assert.True(code == 0, $"dotnet run {app} failed ({code}):\n{Tail(text)}");
            Assert.DoesNotMatch(@"warning [A-Z]{2,}\d{3,}", text);                       // the exported app compiles without a warning
            string html = File.ReadAllText(report);
            Assert.Contains("all cells succeeded", html);
            Assert.Contains($"{Path.Combine(root, "app", "runs")}", html);                 // it trained into its own folders

            var expected = Tables(runnerReports[nb]);
            var actual = Tables(html);
            Assert.True(expected.Count >= (nb == "03-retrieval" ? 3 : 1), $"{nb}: the runner's report has only {expected.Count} table(s)");
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        }
    }

    private static (int Code, string Output) DotnetRun(string app, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["run", "-c", "Release", app, "--", .. args]) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_TieredPGO"] = "0";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"dotnet run {app} did not finish in 10 minutes"); }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Tail(string s) => s.Length > 5000 ? s[^5000..] : s;
}

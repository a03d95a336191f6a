using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Running;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>
/// Runs every notebook of <c>notebooks/</c> once at <c>preset=Smoke</c> with the library runner (as
/// <c>mw notebook run-all</c> does), with run folders, generated data and reports in a temp folder.
/// The notebooks reference lib/MotionWorkbench.Experiments/bin/Release, so run these tests with -c Release.
/// </summary>
public sealed class NotebookRunFixture : IDisposable
{
    public NotebookRunFixture()
    {
        RepoRoot = FindRepoRoot();
        NotebooksDir = Path.Combine(RepoRoot, "notebooks");
        Root = Path.Combine(Path.GetTempPath(), "mw-workflow-tests-" + Guid.NewGuid().ToString("N")[..8]);
        ReportsDir = Path.Combine(Root, "reports");
        RunRoot = Path.Combine(Root, "runs");
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
        Entries = BatchRunner.RunAllAsync(NotebooksDir, options, ReportsDir).GetAwaiter().GetResult();
        Log = log.ToString();
    }

    public string RepoRoot { get; }
    public string NotebooksDir { get; }
    public string Root { get; }
    public string ReportsDir { get; }
    public string RunRoot { get; }
    public IReadOnlyList<IndexPage.Entry> Entries { get; }
    public string Log { get; }

    public static bool SharedDataPresent => Directory.Exists(Path.Combine(FindRepoRoot(), "..", "shared", "data", "bandai"));

    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MotionWorkbench.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"MotionWorkbench.sln not found above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Running;

namespace MotionWorkbench.Notebooks.Tests;

/// <summary>Copies the test notebooks into a fresh temporary folder and runs them there (nothing is written into the repository).</summary>
public sealed class TestNotebooks : IDisposable
{
    public TestNotebooks()
    {
        Directory = Path.Combine(Path.GetTempPath(), "mw-nbtests-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        string source = Path.Combine(AppContext.BaseDirectory, "Notebooks");
        foreach (var file in System.IO.Directory.GetFiles(source, "*.ipynb")) File.Copy(file, Path.Combine(Directory, Path.GetFileName(file)));
        string render = Path.Combine(AppContext.BaseDirectory, "MotionWorkbench.Render.dll");
        foreach (var name in new[] { "reference.ipynb", "figures.ipynb" })
        {
            string file = Path.Combine(Directory, name);
            File.WriteAllText(file, File.ReadAllText(file).Replace("REFDLL", Path.GetRelativePath(Directory, render).Replace("\\", "/"), StringComparison.Ordinal));
        }
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public Task<RunResult> RunAsync(string name, RunOptions? options = null)
        => NotebookRunner.RunAsync(PathOf(name), (options ?? new RunOptions()) with { KernelEnvironment = FastKernel });

    /// <summary>Dynamic PGO only costs time in the short kernel processes of the tests.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastKernel = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" };

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}

internal static class NotebookAssert
{
    public static IReadOnlyList<System.Text.Json.Nodes.JsonObject> Outputs(Notebook nb, int cellNumber) => nb.Cells[cellNumber - 1].Outputs;

    public static string Text(System.Text.Json.Nodes.JsonObject output, string mime = "text/plain")
        => Notebook.JoinLines(output["data"]?[mime]);
}

using MotionWorkbench.Testing;

namespace MotionWorkbench.Cli.Tests;

/// <summary><c>mw notebook export --format cs</c>: the app is written; a notebook or option it refuses is exit code 2, one line, no file.</summary>
public sealed class NotebookExportCommandTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-nbexport-" + Guid.NewGuid().ToString("N")[..8]);

    public NotebookExportCommandTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private string Notebook(string name, string cellSource)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, "{\"cells\":[{\"cell_type\":\"code\",\"id\":\"c1\",\"metadata\":{},\"execution_count\":null,\"outputs\":[],\"source\":"
            + System.Text.Json.JsonSerializer.Serialize(cellSource) + "}],\"metadata\":{},\"nbformat\":4,\"nbformat_minor\":5}");
        return path;
    }

    [Fact]
    public void FormatCs_WritesTheApp_BesideTheNotebookByDefault()
    {
        string render = Path.Combine(SharedData.RepoRoot, "lib", "MotionWorkbench.Render");
        string nb = Notebook("views.ipynb", $"#r \"{Path.Combine(render, "bin", "Release", "net10.0", "MotionWorkbench.Render.dll")}\"\nusing MotionWorkbench.Render.Views;\nnew HtmlView(\"<b>x</b>\")");
        var r = Mw.Run("notebook", "export", nb, "--format", "cs");
        Assert.True(r.ExitCode == 0, r.All);
        string app = File.ReadAllText(Path.Combine(dir, "views.cs"));
        Assert.Contains($"#:project {Path.Combine(render, "MotionWorkbench.Render.csproj")}\n", app);   // absolute: no common folder but the root
        Assert.Contains("NotebookApp.Result(() => new HtmlView(\"<b>x</b>\"));", app);
    }

    [Fact]
    public void FormatCs_RefusesAnFSharpCell_NamingIt_AndWritesNothing()
    {
        string nb = Notebook("fs.ipynb", "#!fsharp\nlet x = 1");
        string target = Path.Combine(dir, "out", "fs.cs");
        var r = Mw.Run("notebook", "export", nb, "--format", "cs", "--out", target);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"mw notebook export: {nb}: cell 1: it is a fsharp cell; a C# file-based app can only hold C# code (rewrite the cell in C# or move it out of the notebook)", r.Stderr.Trim());
        Assert.False(Directory.Exists(Path.Combine(dir, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir, "out")).Any(), "a refused export must leave no file");
    }

    [Fact]
    public void FormatCs_RefusesAnOutputThatIsNotACsFile()
    {
        var r = Mw.Run("notebook", "export", Notebook("a.ipynb", "var a = 1;"), "--format", "cs", "--out", Path.Combine(dir, "a.txt"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("a file-based app's name must end in .cs", r.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "a.txt")));
    }

    [Fact]
    public void FormatHtml_NeedsAReportPath()
    {
        var r = Mw.Run("notebook", "export", Notebook("b.ipynb", "var b = 1;"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--format html needs --html OUT.html (or --out OUT.html)", r.Stderr);
    }
}

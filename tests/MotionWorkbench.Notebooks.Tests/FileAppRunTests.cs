using System.Diagnostics;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Tests;

/// <summary>
/// A small notebook exported with <see cref="FileAppExporter"/> and run with <c>dotnet run NAME.cs -- ...</c>, as a user runs it:
/// parameters from the command line, console output, <c>display</c> + <c>Update</c>, <c>DisplayAs</c>, a trailing expression,
/// the report; a bad value or option (exit 2, no report); an exception in a cell (the report shows it in that cell).
/// The app lives in the test output folder (bin/.../fileapps/tiny), so <c>dotnet run</c> reuses its build between runs.
/// </summary>
public sealed class FileAppRunTests : IDisposable
{
    private readonly string reports = Path.Combine(Path.GetTempPath(), "mw-fileapp-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string app;

    public FileAppRunTests()
    {
        Directory.CreateDirectory(reports);
        string folder = Path.Combine(AppContext.BaseDirectory, "fileapps", "tiny");
        Directory.CreateDirectory(folder);
        var nb = new Notebook { SourcePath = Path.Combine(folder, "tiny.ipynb") };
        nb.Cells.Add(new NotebookCell("markdown", "# Tiny app\nA notebook as a program."));
        nb.Cells.Add(new NotebookCell("code", "var name = \"world\";\nint count = 2;",
            metadata: new System.Text.Json.Nodes.JsonObject { ["tags"] = new System.Text.Json.Nodes.JsonArray("parameters") }));
        nb.Cells.Add(new NotebookCell("code", "Console.WriteLine($\"hello {name}\");\nvar d = display(\"step 0\");\nfor (int i = 1; i <= count; i++) d.Update($\"step {i}\");"));
        nb.Cells.Add(new NotebookCell("code", "\"*from markdown*\".DisplayAs(\"text/markdown\");\ncount * 10"));
        nb.Cells.Add(new NotebookCell("code", "if (name == \"crash\") throw new InvalidOperationException(\"boom in cell 5\");\nConsole.WriteLine(\"done\");"));
        nb.Save(nb.SourcePath);
        app = Path.Combine(folder, "tiny.cs");
        FileAppExporter.Write(nb, app);
    }

    public void Dispose()
    {
        try { Directory.Delete(reports, recursive: true); } catch (IOException) { }
    }

    private (int Code, string Out, string Err) Run(bool build, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = reports };
        foreach (var a in (string[])["run", "-c", "Release", .. build ? Array.Empty<string>() : ["--no-build"], app, "--", .. args]) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); throw new TimeoutException("dotnet run " + app); }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void ExportedApp_RunsToItsReport_AndRefusesBadInputWithoutOne()
    {
        string report = Path.Combine(reports, "a.html");
        var ok = Run(build: true, "--count", "3", "--html", report);
        Assert.True(ok.Code == 0, $"dotnet run failed ({ok.Code}):\n{ok.Out}\n{ok.Err}");
        Assert.Contains("hello world", ok.Out);                                    // the console still shows cell output
        string html = File.ReadAllText(report);
        Assert.Contains("<pre class=\"stream stdout\">hello world\n</pre>", html);
        Assert.Contains("<pre class=\"output-text\">step 3</pre>", html);        // Update replaced the display in place
        Assert.DoesNotContain("<pre class=\"output-text\">step 0</pre>", html);
        Assert.Contains("<em>from markdown</em>", html);                           // DisplayAs("text/markdown")
        Assert.Contains("<pre>30</pre>", html);                                    // the trailing expression count * 10, count from --count
        Assert.Contains("from the command line: count = 3", html);                 // the parameters cell's output says what the command line set
        Assert.Contains("all cells succeeded", html);
        Assert.Contains("<h1 id=\"tiny-app\">Tiny app</h1>", html);                // markdown cells back from the comments

        string bad = Path.Combine(reports, "b.html");
        var badValue = Run(build: false, "--count", "many", "--html", bad);
        Assert.Equal(2, badValue.Code);
        Assert.Contains("tiny.cs: --count many: 'count' is not a whole number; the notebook's default is 2", badValue.Err);
        var badOption = Run(build: false, "--counts", "3", "--html", bad);
        Assert.Equal(2, badOption.Code);
        Assert.Contains("--counts is not a parameter of this notebook (the options are --name, --count and --html REPORT.html)", badOption.Err);
        Assert.False(File.Exists(bad), "a refused run must not write a report");

        string crashed = Path.Combine(reports, "c.html");
        var crash = Run(build: false, "--name", "crash", "--html", crashed);
        Assert.NotEqual(0, crash.Code);
        Assert.Contains("cell 5 failed (InvalidOperationException: boom in cell 5)", crash.Err);
        string crashHtml = File.ReadAllText(crashed);
        Assert.Contains("<div class=\"error\"><div class=\"error-title\">InvalidOperationException: Cell 5: System.InvalidOperationException: boom in cell 5", crashHtml);
        Assert.Contains("cell 5 failed</a>", crashHtml);
    }
}

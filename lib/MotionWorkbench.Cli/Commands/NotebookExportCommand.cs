using System.CommandLine;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw notebook export NOTEBOOK.ipynb --html OUT.html</c>: the HTML report of an already-executed notebook;
/// <c>mw notebook export NOTEBOOK.ipynb --format cs [--out F.cs]</c>: the notebook as a .NET 10 file-based app
/// (<see cref="FileAppExporter"/>; default: beside the notebook, same name, <c>.cs</c>). A notebook that cannot be exported is
/// one error naming the cell, exit code 2, and no file is written.
/// </summary>
internal static class NotebookExportCommand
{
    public static Command Create()
    {
        var notebook = new Argument<string>("notebook") { Description = "The .ipynb to export (for html: an executed one, from mw notebook run or VS Code)" };
        var format = new Option<string>("--format") { Description = "html: the report of the executed notebook; cs: the notebook as a .NET 10 file-based app (dotnet run F.cs)", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong("html", "cs");
        var html = new Option<string?>("--html") { Description = "The HTML report to write (--format html)" };
        var output = new Option<string?>("--out") { Description = "The file to write: the report (--format html) or the app (--format cs; default NOTEBOOK.cs beside the notebook)" };
        var command = new Command("export", "Export a notebook: its HTML report, or a .NET 10 file-based app (--format cs).") { notebook, format, html, output };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(notebook)!;
            try
            {
                var nb = Notebook.Load(path);
                if (parse.GetValue(format) == "cs")
                {
                    if (parse.GetValue(html) is not null) throw new ArgumentException("--html is the report of --format html; the app's report is set when it runs (dotnet run F.cs -- --html R.html)");
                    string target = parse.GetValue(output) ?? Path.ChangeExtension(path, ".cs");
                    if (!target.EndsWith(".cs", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"--out {target}: a file-based app's name must end in .cs (dotnet run runs NAME.cs)");
                    OutputCheck.File(target, "--out");
                    FileAppExporter.Write(nb, target);
                    Console.Error.WriteLine($"app: {target} (run it: dotnet run {target} -- --help)");
                    return 0;
                }
                string report = parse.GetValue(html) ?? parse.GetValue(output)
                    ?? throw new ArgumentException("--format html needs --html OUT.html (or --out OUT.html)");
                if (parse.GetValue(html) is not null && parse.GetValue(output) is not null) throw new ArgumentException("use either --html or --out, not both");
                OutputCheck.File(report, parse.GetValue(html) is null ? "--out" : "--html");
                HtmlReport.Write(nb, report);
                Console.Error.WriteLine($"report: {report}");
                return 0;
            }
            catch (Exception e) when (e is NotebookFormatException or NotebookExportException or FileNotFoundException or ArgumentException)
            {
                return CliErrors.Report("mw notebook export", e);
            }
        });
        return command;
    }
}

using System.CommandLine;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Cli.Commands;

/// <summary><c>mw notebook export NOTEBOOK.ipynb --html OUT.html</c>: the HTML report of an already-executed notebook.</summary>
internal static class NotebookExportCommand
{
    public static Command Create()
    {
        var notebook = new Argument<string>("notebook") { Description = "An executed .ipynb (from mw notebook run or VS Code)" };
        var html = new Option<string>("--html") { Description = "The HTML report to write", Required = true };
        var command = new Command("export", "Export an executed notebook as one self-contained HTML report.") { notebook, html };
        command.SetAction(parse =>
        {
            try
            {
                var nb = Notebook.Load(parse.GetValue(notebook)!);
                HtmlReport.Write(nb, parse.GetValue(html)!);
                Console.Error.WriteLine($"report: {parse.GetValue(html)}");
                return 0;
            }
            catch (Exception e) when (e is NotebookFormatException or FileNotFoundException)
            {
                Console.Error.WriteLine($"mw notebook export: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}

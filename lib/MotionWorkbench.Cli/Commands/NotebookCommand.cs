using System.CommandLine;
using System.Globalization;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Running;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw notebook run|run-all|export</c>: runs Polyglot C# notebooks headless (fresh kernel process per notebook hosting the
/// real .NET Interactive kernel), writes the executed .ipynb in the VS Code + Polyglot format and self-contained HTML reports.
/// Exit codes: 0 all cells succeeded, 1 a cell failed or timed out, 2 bad input (missing/malformed notebook, bad --param).
/// </summary>
internal static class NotebookCommand
{
    public static Command Create()
    {
        var command = new Command("notebook", "Run C# (Polyglot) notebooks headless and export HTML reports.");
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(NotebookRunAllCommand.Create());
        command.Subcommands.Add(NotebookExportCommand.Create());
        return command;
    }

    internal static Option<string[]> ParamOption() => new("--param")
    {
        Description = "Override a variable of the cell tagged 'parameters': name=value (repeatable), e.g. --param preset=Smoke",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    internal static Option<bool> LeanOption() => new("--no-plotly-in-notebook")
    {
        Description = "Do not inline plotly.js into figure outputs of the executed .ipynb (about 1.5 MB less per figure; HTML reports are unchanged)",
    };

    internal static Option<double?> TimeoutOption() => new("--cell-timeout")
    {
        Description = "Seconds a single cell may run; past it the kernel process is killed and the cell reported as failed",
    };

    private static Command CreateRun()
    {
        var notebook = new Argument<string>("notebook") { Description = "The .ipynb file to run" };
        var param = ParamOption();
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report here" };
        var inplace = new Option<bool>("--inplace") { Description = "Write the executed notebook over the input file" };
        var output = new Option<string?>("--output") { Description = "Write the executed notebook to this .ipynb file" };
        var timeout = TimeoutOption();
        var lean = LeanOption();
        var command = new Command("run", "Run one notebook in a fresh kernel process; cell output is streamed to the console.")
        {
            notebook, param, html, inplace, output, timeout, lean, ThreadsOption.Create("Engine threads in the kernel process (passed as MW_THREADS; a notebook's threads parameter wins; default: $MW_THREADS, else the cores it may use)"),
        };
        command.SetAction(async (parse, cancellation) =>
        {
            string path = parse.GetValue(notebook)!;
            if (parse.GetValue(inplace) && parse.GetValue(output) is not null)
            {
                Console.Error.WriteLine("mw notebook run: use either --inplace or --output, not both");
                return 2;
            }
            RunResult result;
            try
            {
                // Output paths are checked before any cell runs: a bad --html must not cost a whole run.
                if (parse.GetValue(html) is { } htmlPath) OutputCheck.File(htmlPath, "--html");
                if (parse.GetValue(output) is { } outputPath) OutputCheck.File(outputPath, "--output");
                result = await NotebookRunner.RunAsync(path, new RunOptions
                {
                    Parameters = NotebookRunner.ParseParameters(parse.GetValue(param) ?? []),
                    CellTimeout = Seconds(parse.GetValue(timeout)),
                    EmbedPlotly = !parse.GetValue(lean),
                    KernelEnvironment = KernelThreads(),
                    EchoOut = Console.Out,
                    EchoErr = Console.Error,
                }, cancellation);
            }
            catch (Exception e) when (e is NotebookFormatException or FileNotFoundException or ArgumentException)
            {
                Console.Error.WriteLine($"mw notebook run: {e.Message}");
                return 2;
            }
            string? ipynb = parse.GetValue(inplace) ? path : parse.GetValue(output);
            if (ipynb is not null) result.Executed.Save(ipynb);
            if (parse.GetValue(html) is { } report) HtmlReport.Write(result.Executed, report);
            Console.Error.WriteLine(Summary(result) + (ipynb is null ? "" : $"; notebook: {ipynb}") + (parse.GetValue(html) is { } r ? $"; report: {r}" : ""));
            return result.Succeeded ? 0 : 1;
        });
        return command;
    }

    /// <summary>--threads for the kernel process: MW_THREADS in its environment (it inherits mw's own otherwise).</summary>
    internal static IReadOnlyDictionary<string, string>? KernelThreads() =>
        EngineThreads.CommandLine is int n ? new Dictionary<string, string> { [EngineThreads.Variable] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null;

    internal static TimeSpan? Seconds(double? seconds)
    {
        if (seconds is null) return null;
        if (seconds <= 0 || double.IsNaN(seconds.Value)) throw new ArgumentException($"--cell-timeout must be a positive number of seconds, got {seconds}");
        return TimeSpan.FromSeconds(seconds.Value);
    }

    internal static string Summary(RunResult r) => BatchRunner.Summary(r);
}

using System.CommandLine;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Running;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw notebook run-all DIR [--param ...] [--html OUTDIR] [--cell-timeout S]</c>: every <c>*.ipynb</c> in DIR (sorted, not
/// recursive), each in a fresh kernel process; with --html, OUTDIR gets NAME.html, the executed NAME.ipynb and index.html.
/// A progress bar on a terminal (cell output streamed live otherwise, e.g. in CI), a summary table at the end, exit code 1
/// when any notebook failed (the others still run), 2 for bad arguments.
/// </summary>
internal static class NotebookRunAllCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Folder with the notebooks" };
        var param = NotebookCommand.ParamOption();
        var html = new Option<string?>("--html") { Description = "Folder for the HTML reports, the executed notebooks and index.html" };
        var timeout = NotebookCommand.TimeoutOption();
        var lean = NotebookCommand.LeanOption();
        var command = new Command("run-all", "Run every notebook in a folder, each in a fresh process; write reports and an index.") { dir, param, html, timeout, lean, ThreadsOption.Create("Engine threads in the kernel process (passed as MW_THREADS; a notebook's threads parameter wins; default: $MW_THREADS, else the cores it may use)") };
        command.SetAction(async (parse, cancellation) =>
        {
            string folder = parse.GetValue(dir)!;
            string? outDir = parse.GetValue(html);
            RunOptions options;
            try
            {
                BatchRunner.FindNotebooks(folder);
                if (outDir is not null) OutputCheck.Folder(outDir, "--html");
                options = new RunOptions
                {
                    Parameters = NotebookRunner.ParseParameters(parse.GetValue(param) ?? []),
                    CellTimeout = NotebookCommand.Seconds(parse.GetValue(timeout)),
                    EmbedPlotly = !parse.GetValue(lean),
                    KernelEnvironment = NotebookCommand.KernelThreads(),
                };
            }
            catch (Exception e) when (e is ArgumentException or IOException)
            {
                Console.Error.WriteLine($"mw notebook run-all: {e.Message}");
                return 2;
            }

            bool interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected && !Console.IsErrorRedirected;
            IReadOnlyList<IndexPage.Entry> entries;
            if (interactive)
            {
                entries = [];
                await AnsiConsole.Progress().AutoClear(false).StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("notebooks", maxValue: BatchRunner.FindNotebooks(folder).Count);
                    entries = await BatchRunner.RunAllAsync(folder, options, outDir, (done, _, line) =>
                    {
                        task.Value = done;
                        task.Description = Markup.Escape(line.Length > 70 ? line[..70] : line);
                    }, cancellation);
                });
            }
            else
            {
                options = options with { EchoOut = Console.Out, EchoErr = Console.Error };
                entries = await BatchRunner.RunAllAsync(folder, options, outDir,
                    (done, count, line) => Console.Error.WriteLine($"[{Math.Min(done + (line.EndsWith(": running", StringComparison.Ordinal) ? 1 : 0), count)}/{count}] {line}"), cancellation);
            }

            var table = new Table().AddColumns("notebook", "status", "cells", "time", "note");
            foreach (var e in entries)
            {
                string colour = e.Status == "ok" ? "green" : "red";
                table.AddRow(Markup.Escape(e.Notebook), $"[{colour}]{e.Status}[/]", $"{e.CellsRun}/{e.CodeCells}", HtmlReport.DurationText(e.Duration),
                    Markup.Escape(e.Message ?? (e.FailedCell is { } c ? $"cell {c} failed" : "")));
            }
            AnsiConsole.Write(table);
            if (outDir is not null) Console.Error.WriteLine($"index: {Path.Combine(outDir, "index.html")}");
            int failed = entries.Count(e => e.Status != "ok");
            Console.Error.WriteLine(failed == 0 ? $"{entries.Count} notebook(s) ok" : $"{failed} of {entries.Count} notebook(s) failed");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}

using System.CommandLine;
using MotionWorkbench.Notebooks;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Running;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw notebook run-all DIR [--param ...] [--html OUTDIR]</c>: every <c>*.ipynb</c> in DIR (sorted, not recursive), each in
/// a fresh kernel process; with --html, OUTDIR gets NAME.html, the executed NAME.ipynb and index.html. A summary table at
/// the end; exit code 1 when any notebook failed, and the others still run.
/// </summary>
internal static class NotebookRunAllCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Folder with the notebooks" };
        var param = NotebookCommand.ParamOption();
        var html = new Option<string?>("--html") { Description = "Folder for the HTML reports, the executed notebooks and index.html" };
        var timeout = NotebookCommand.TimeoutOption();
        var command = new Command("run-all", "Run every notebook in a folder, each in a fresh process; write reports and an index.") { dir, param, html, timeout };
        command.SetAction(async (parse, cancellation) =>
        {
            string folder = parse.GetValue(dir)!;
            if (!Directory.Exists(folder)) { Console.Error.WriteLine($"mw notebook run-all: folder '{folder}' does not exist"); return 2; }
            var notebooks = Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
            if (notebooks.Count == 0) { Console.Error.WriteLine($"mw notebook run-all: no .ipynb files in '{folder}'"); return 2; }
            IReadOnlyList<KeyValuePair<string, string>> parameters;
            TimeSpan? cellTimeout;
            try
            {
                parameters = NotebookRunner.ParseParameters(parse.GetValue(param) ?? []);
                cellTimeout = NotebookCommand.Seconds(parse.GetValue(timeout));
            }
            catch (ArgumentException e) { Console.Error.WriteLine($"mw notebook run-all: {e.Message}"); return 2; }
            string? outDir = parse.GetValue(html);
            if (outDir is not null) Directory.CreateDirectory(outDir);

            var started = DateTimeOffset.UtcNow;
            var entries = new List<IndexPage.Entry>();
            bool interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

            async Task RunOne(string path, Action<string> status)
            {
                string name = Path.GetFileNameWithoutExtension(path);
                status($"{name}: running");
                try
                {
                    var result = await NotebookRunner.RunAsync(path, new RunOptions
                    {
                        Parameters = parameters,
                        CellTimeout = cellTimeout,
                        EchoOut = interactive ? null : Console.Out,
                        EchoErr = interactive ? null : Console.Error,
                    }, cancellation);
                    string? report = null;
                    if (outDir is not null)
                    {
                        report = name + ".html";
                        result.Executed.Save(Path.Combine(outDir, name + ".ipynb"));
                        HtmlReport.Write(result.Executed, Path.Combine(outDir, report));
                    }
                    entries.Add(IndexPage.From(result, report));
                    status(NotebookCommand.Summary(result));
                }
                catch (Exception e) when (e is NotebookFormatException or ArgumentException or FileNotFoundException)
                {
                    entries.Add(new IndexPage.Entry(Path.GetFileName(path), null, "error", 0, 0, null, TimeSpan.Zero, e.Message));
                    status($"{name}: skipped: {e.Message}");
                }
            }

            if (interactive)
            {
                await AnsiConsole.Progress().AutoClear(false).StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("notebooks", maxValue: notebooks.Count);
                    foreach (var path in notebooks)
                    {
                        await RunOne(path, s => task.Description = Markup.Escape(s.Length > 60 ? s[..60] : s));
                        task.Increment(1);
                    }
                });
            }
            else
            {
                for (int i = 0; i < notebooks.Count; i++)
                    await RunOne(notebooks[i], s => Console.Error.WriteLine($"[{i + 1}/{notebooks.Count}] {s}"));
            }

            if (outDir is not null)
                AtomicFile.WriteAllText(Path.Combine(outDir, "index.html"),
                    IndexPage.Render(entries, $"Notebook run: {Path.GetFileName(Path.GetFullPath(folder))}", started, parameters));

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

using System.CommandLine;
using MotionWorkbench.Data;
using MotionWorkbench.IO;
using MotionWorkbench.Tensors;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary><c>mw data summary DIR</c>: load a HumanML3D/KIT-ML-format folder and print its summary table.</summary>
internal static class DataSummaryCommand
{
    public static Command Create()
    {
        var dirArg = new Argument<string>("dir") { Description = "A HumanML3D/KIT-ML-format folder (new_joints/, texts/, split files)." };
        var splitOpt = new Option<string?>("--split") { Description = "Load only this split (train, val, test, ...)." };
        var noCapOpt = new Option<bool>("--allow-missing-captions") { Description = "Load motions that have no caption file instead of reporting them." };
        var htmlOpt = new Option<string?>("--html") { Description = "Also write the summary as an HTML table to this file." };
        var command = new Command("summary", "Load a dataset folder and print counts, lengths and caption statistics; lists skipped files.");
        command.Arguments.Add(dirArg);
        command.Options.Add(splitOpt);
        command.Options.Add(noCapOpt);
        command.Options.Add(htmlOpt);
        command.Options.Add(ThreadsOption.Create("Threads that read the motion files (default: $MW_THREADS, else the cores this process may use)"));
        command.SetAction(parse => DataCommand.Run(() =>
        {
            var ds = MotionDataset.Load(parse.GetValue(dirArg)!, new DatasetLoadOptions
            {
                Split = parse.GetValue(splitOpt),
                RequireCaptions = !parse.GetValue(noCapOpt),
                Threads = Par.Threads,
            });
            var summary = ds.Summarize();
            var table = new Table().AddColumns("section", "metric", "value");
            foreach (var r in summary.Rows) table.AddRow(Markup.Escape(r.Section), Markup.Escape(r.Metric), Markup.Escape(r.Value));
            AnsiConsole.Write(table);
            foreach (var s in ds.Report.Skipped) Console.WriteLine($"skipped {s.Message}");
            foreach (var n in ds.Report.Notes) Console.WriteLine($"note: {n}");
            if (parse.GetValue(htmlOpt) is { } html)
            {
                AtomicFile.WriteAllText(html, summary.ToHtml());
                Console.WriteLine($"wrote {Path.GetFullPath(html)}");
            }
            return 0;
        }));
        return command;
    }
}

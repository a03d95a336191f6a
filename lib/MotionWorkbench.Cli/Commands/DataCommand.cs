using System.CommandLine;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary><c>mw data ...</c>: synthetic data, BVH import and dataset summaries.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Motion data: generate the synthetic dataset, import BVH folders, summarise a dataset, write minimal-pair probe sets.");
        command.Subcommands.Add(DataSynthCommand.Create());
        command.Subcommands.Add(DataImportBvhCommand.Create());
        command.Subcommands.Add(DataSummaryCommand.Create());
        command.Subcommands.Add(DataProbesCommand.Create());
        return command;
    }

    /// <summary>Runs a verb, turning bad-input exceptions into one "error: ..." line and exit code 1.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or KeyNotFoundException or InvalidOperationException
            or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            return CliErrors.Report("error", e);
        }
    }

    /// <summary>Runs work with a Spectre progress bar; report(stage, done, total) may be called from any thread.</summary>
    public static T WithProgress<T>(string title, Func<Action<string, int, int>, T> work)
    {
        if (Console.IsOutputRedirected)
        {
            var gate = new object();
            int lastPct = -10;
            string lastStage = "";
            return work((stage, done, total) =>
            {
                lock (gate)
                {
                    int pct = total == 0 ? 100 : done * 100 / total;
                    if (stage != lastStage) { lastStage = stage; lastPct = -10; }
                    if (pct >= lastPct + 10 || done == total) { lastPct = pct; Console.Error.WriteLine($"{title}: {stage} {done}/{total} ({pct}%)"); }
                }
            });
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var gate = new object();
                result = work((stage, done, total) =>
                {
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(stage, out var t))
                        {
                            t = ctx.AddTask($"{title}: {stage}", maxValue: Math.Max(1, total));
                            tasks[stage] = t;
                        }
                        t.Value = done;
                    }
                });
                foreach (var t in tasks.Values) t.Value = t.MaxValue;
            });
        return result;
    }
}

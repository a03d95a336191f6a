using System.CommandLine;
using System.Text.Json;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw probe --run RUNDIR --probes DIR [--checkpoint best|last] [--statistics auto|run|probes] [--json]</c>: what a trained
/// run tells apart, per attribute of a minimal-pair probe set (mw data probes): text->motion and motion->text accuracy,
/// pairs, 95 % Wilson interval, mean margin, chance 50 %.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by mw train (any architecture, either engine)", Required = true };
        var probes = new Option<string>("--probes") { Description = "Probe set folder written by mw data probes", Required = true };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "best or last (default: best when present)" };
        var statistics = new Option<string>("--statistics") { Description = "auto (the run's own on its skeleton, else the probe set's), run or probes", DefaultValueFactory = _ => "auto" };
        statistics.AcceptOnlyFromAmong("auto", "run", "probes");
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object" };
        var command = new Command("probe", "Probe a trained run with minimal pairs: which distinctions (left/right, order, count, pace, direction) it makes, per attribute against chance.");
        foreach (var o in new Option[] { run, probes, checkpoint, statistics, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                string? ck = parse.GetValue(checkpoint) switch { null => null, "best" => Checkpoint.BestFileName, "last" => Checkpoint.LastFileName, var other => other };
                var choice = Enum.Parse<ProbeStatistics>(parse.GetValue(statistics)!, ignoreCase: true);
                var result = ProbeEvaluation.Run(parse.GetValue(run)!, parse.GetValue(probes)!, ck, choice);
                Console.Write(parse.GetValue(json) ? result.ToJson().ToJsonString() + "\n" : result.ToText());
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or JsonException or UnauthorizedAccessException)
            {
                return CliErrors.Report("mw probe", e);
            }
        });
        return command;
    }
}

using System.CommandLine;
using System.Text.Json;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw eval --run RUNDIR [--data DIR] [--split test] [--protocol all|small-batches|tmr-normal|tmr-guo|tmr-threshold] [--checkpoint best|last] [--json]</c>:
/// retrieval metrics of a trained run; embeddings are cached per checkpoint and data, so a second evaluation is instant.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by mw train", Required = true };
        var data = new Option<string?>("--data") { Description = "Dataset folder (default: the one the run was trained on)" };
        var split = new Option<string>("--split") { Description = "Split to evaluate", DefaultValueFactory = _ => "test" };
        var protocol = new Option<string[]>("--protocol") { Description = "all, small-batches, tmr-normal, tmr-guo or tmr-threshold (MiniLM-L6 sentence embeddings standing in for TMR's all-mpnet-base-v2) (repeatable; default: all five)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "best or last (default: best when present)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per protocol" };
        var command = new Command("eval", "Evaluate a trained run: text->motion and motion->text retrieval (R@1/2/3/5/10, MedR) under the reference protocols.");
        foreach (var o in new Option[] { run, data, split, protocol, checkpoint, json, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var names = parse.GetValue(protocol) is { Length: > 0 } p ? p : RunEvaluation.Protocols;
                foreach (var n in names)
                    if (!RunEvaluation.Protocols.Contains(n)) throw new ArgumentException($"unknown protocol '{n}' (known: {string.Join(", ", RunEvaluation.Protocols)})");
                string? ck = parse.GetValue(checkpoint) switch { null => null, "best" => Checkpoint.BestFileName, "last" => Checkpoint.LastFileName, var other => other };
                var ev = RunEvaluation.Run(parse.GetValue(run)!, parse.GetValue(data), parse.GetValue(split)!, names, ck);
                foreach (var skipped in ev.Skipped) Console.Error.WriteLine($"mw eval: skipped: {skipped}");
                if (parse.GetValue(json))
                {
                    foreach (var r in ev.Results) Console.WriteLine(r.ToJson());
                    if (ev.Sparsity is not null) Console.WriteLine(new System.Text.Json.Nodes.JsonObject { ["sparsity"] = ev.Sparsity.ToJson() }.ToJsonString());
                    return 0;
                }
                Console.WriteLine($"{ev.Checkpoint} ({ev.Selection}) on split '{ev.Split}' of {ev.DataDir}: n = {ev.N}{(ev.FromCache ? " (embeddings from cache)" : "")}");
                foreach (var r in ev.Results)
                {
                    int g = RunEvaluation.GallerySize(r.Protocol, r.N);
                    Console.WriteLine($"\n{RunEvaluation.ProtocolTitle(r.Protocol)}");
                    Console.WriteLine($"  {"",-14} {"R@1",7} {"R@2",7} {"R@3",7} {"R@5",7} {"R@10",7} {"MedR",7}");
                    Console.WriteLine(Line("text->motion", r.TextToMotion));
                    Console.WriteLine(Line("motion->text", r.MotionToText));
                    Console.WriteLine($"  {"chance",-14} {RunEvaluation.ChanceRecall(1, g),7:F2} {RunEvaluation.ChanceRecall(2, g),7:F2} {RunEvaluation.ChanceRecall(3, g),7:F2} {RunEvaluation.ChanceRecall(5, g),7:F2} {RunEvaluation.ChanceRecall(10, g),7:F2} {RunEvaluation.ChanceMedR(g),7:F1}");
                }
                if (ev.Sparsity is not null) Console.WriteLine($"\nlexical vectors: {ev.Sparsity}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or JsonException or UnauthorizedAccessException)
            {
                return CliErrors.Report("mw eval", e);
            }
        });
        return command;
    }

    private static string Line(string label, RecallMetrics m) => $"  {label,-14} {m.R1,7:F2} {m.R2,7:F2} {m.R3,7:F2} {m.R5,7:F2} {m.R10,7:F2} {m.MedR,7:F1}";
}

using System.CommandLine;
using System.Text.Json.Nodes;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw classify --run RUNDIR --data DIR [--split test] [--template "A person {label}"] [--json]</c>: zero-shot action
/// classification of a split's labelled motions (actions.json or the clips' labels): top-1, top-5, class-balanced top-1, confusion matrix.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by mw train", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder with action labels (actions.json)", Required = true };
        var split = new Option<string>("--split") { Description = "Split to classify", DefaultValueFactory = _ => "test" };
        var template = new Option<string>("--template") { Description = "Prompt template with {label}", DefaultValueFactory = _ => ZeroShotPrompts.DefaultTemplate };
        var json = new Option<bool>("--json") { Description = "Print JSON (metrics, classes, confusion matrix)" };
        var command = new Command("classify", "Zero-shot action classification with a trained run (prompts \"A person {label}\").");
        foreach (var o in new Option[] { run, data, split, template, json, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var r = ZeroShot.Classify(parse.GetValue(run)!, parse.GetValue(data)!, parse.GetValue(split)!, parse.GetValue(template)!);
                if (parse.GetValue(json))
                {
                    var o = JsonNode.Parse(r.Metrics.ToJson())!.AsObject();
                    o["classes"] = new JsonArray(r.Classes.Select(c => (JsonNode)c).ToArray());
                    o["prompts"] = new JsonArray(r.Prompts.Select(c => (JsonNode)c).ToArray());
                    o["skipped"] = r.Skipped.Count;
                    Console.WriteLine(o.ToJsonString());
                    return 0;
                }
                int C = r.Classes.Count;
                Console.WriteLine($"{r.Samples} labelled motions of split '{parse.GetValue(split)}', {C} classes ({r.Skipped.Count} without a label skipped)");
                Console.WriteLine($"top-1 {r.Metrics.Top1:F2}  top-5 {r.Metrics.Top5:F2}  class-balanced top-1 {r.Metrics.BalancedTop1:F2}  (chance top-1 {100.0 / C:F2}, top-5 {Math.Min(100, 500.0 / C):F2})");
                Console.WriteLine("confusion matrix (rows: true class, columns: predicted):");
                for (int c = 0; c < C; c++) Console.WriteLine($"  {r.Classes[c],-22} {string.Join(" ", r.Metrics.Confusion[c].Select(v => v.ToString().PadLeft(3)))}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mw classify: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

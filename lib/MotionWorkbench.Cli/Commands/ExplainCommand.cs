using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw explain --run RUNDIR (--motion ID | --text "..." | --actions) [--k 20] [--split test] [--data DIR]</c>: the
/// top-weighted words of a Lex run's lexical vector for a motion of a split or for a text ("which words does this motion
/// light up?"); <c>--actions</c> measures over the split how often a motion's top-k words name its action (actions.json)
/// against shuffled labels.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "A Lex run folder (model.architecture = lex)", Required = true };
        var motion = new Option<string?>("--motion") { Description = "A motion id of the split" };
        var text = new Option<string?>("--text") { Description = "A text" };
        var k = new Option<int>("--k") { Description = "Number of words", DefaultValueFactory = _ => 20 };
        var split = new Option<string>("--split") { Description = "Split holding --motion", DefaultValueFactory = _ => "test" };
        var data = new Option<string?>("--data") { Description = "Dataset folder (default: the run's)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "best or last (default: best when present)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var actions = new Option<bool>("--actions") { Description = "Measure over the split: the fraction of motions whose top-k words (default k 10) name their action (actions.json), against shuffled labels" };
        var command = new Command("explain", "Top-weighted vocabulary words of a Lex run's vector for a motion or a text.");
        foreach (var o in new Option[] { run, motion, text, k, split, data, checkpoint, json, actions, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var motionId = parse.GetValue(motion);
                var query = parse.GetValue(text);
                bool measure = parse.GetValue(actions);
                if ((measure ? 1 : 0) + (motionId is null ? 0 : 1) + (string.IsNullOrWhiteSpace(query) ? 0 : 1) != 1)
                    throw new ArgumentException("give one of --motion ID, --text \"...\" or --actions");
                if (parse.GetValue(k) <= 0) throw new ArgumentException($"--k must be positive, got {parse.GetValue(k)}");
                string runDir = parse.GetValue(run)!;
                if (RunConfig.Load(runDir).Model.Architecture != Architecture.Lex)
                    throw new ArgumentException($"{runDir}: a '{RunConfig.Load(runDir).Model.Architecture}' run; mw explain needs a Lex run (mw train --set model.architecture=lex)");
                string? ck = parse.GetValue(checkpoint) switch { null => null, "best" => Checkpoint.BestFileName, "last" => Checkpoint.LastFileName, var other => other };
                var index = RetrievalIndex.Open(runDir, parse.GetValue(data), parse.GetValue(split)!, ck is null ? null : File.Exists(ck) ? ck : Path.Combine(runDir, ck));
                if (measure)
                {
                    int kk = parse.GetResult(k) is { Implicit: false } ? parse.GetValue(k) : 10;
                    var hits = index.ActionWordHits(kk);
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(JsonSerializer.Serialize(new { split = hits.Split, motions = hits.Motions, k = hits.K, hit = Math.Round(hits.Hit, 4), shuffledHit = Math.Round(hits.ShuffledHit, 4),
                            examples = hits.Examples.Select(x => new { id = x.Id, caption = x.Caption, actions = x.Actions, topWords = x.TopWords, hit = x.Hit }) }, new JsonSerializerOptions { WriteIndented = true }));
                        return 0;
                    }
                    Console.WriteLine(hits);
                    foreach (var x in hits.Examples)
                        Console.WriteLine($"  {(x.Hit ? "+" : "-")} {x.Id} [{string.Join(", ", x.Actions)}]: {string.Join(" ", x.TopWords)}");
                    return 0;
                }
                if (query is not null && index.UnknownWords(query) is { Count: > 0 } unknown)
                    Console.Error.WriteLine($"note: not in the run's vocabulary, read as [UNK]: {string.Join(", ", unknown.Select(w => $"'{w}'"))}");
                var words = motionId is null ? index.ExplainText(query!, parse.GetValue(k)) : index.ExplainMotion(motionId, parse.GetValue(k));
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(words.Select(w => new { word = w.Word, weight = Math.Round(w.Weight, 6) }), new JsonSerializerOptions { WriteIndented = true }));
                    return 0;
                }
                Console.WriteLine(motionId is null ? $"text \"{query}\"" : $"motion {motionId} of '{parse.GetValue(split)}' (caption: \"{index.CaptionOf(motionId)}\")");
                if (words.Count == 0) Console.WriteLine("  (the vector is all zeros: no word lights up)");
                float max = words.Count > 0 ? words[0].Weight : 1;
                foreach (var (word, weight) in words)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {word,-16} {weight,8:F4}  {new string('#', Math.Max(1, (int)Math.Round(30 * weight / max)))}"));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or JsonException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mw explain: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

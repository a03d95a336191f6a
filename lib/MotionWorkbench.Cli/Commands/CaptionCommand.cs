using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Evaluation.Captioning;
using MotionWorkbench.Experiments;
using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw caption --run R (--motion ID ... | --split test) [--beam 4] [--max-length N] [--length-penalty A] [--checkpoint last|best] [--limit N] [--baseline-run R2] [--json]</c>:
/// captions motions with a caption run (model.architecture = caption); with --split also the captioning metrics and
/// the nearest-caption baseline's.
/// </summary>
internal static class CaptionCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "A caption run folder (mw train --set model.architecture=caption)", Required = true };
        var motion = new Option<string[]>("--motion") { Description = "Motion id(s) to caption (repeatable); without it the whole --split is captioned and scored" };
        var split = new Option<string>("--split") { Description = "Split to caption and score (or where --motion ids are looked up first)", DefaultValueFactory = _ => "test" };
        var beam = new Option<int>("--beam") { Description = "Beam width (1 = greedy search)", DefaultValueFactory = _ => 4 };
        var maxLength = new Option<int>("--max-length") { Description = "Most generated word pieces ([SEP] included)", DefaultValueFactory = _ => 30 };
        var penalty = new Option<float>("--length-penalty") { Description = "GNMT length penalty alpha: finished captions rank by log P / ((5 + n) / 6)^alpha (0: by log P)", DefaultValueFactory = _ => 0.6f };
        var checkpoint = new Option<string>("--checkpoint") { Description = "last (default; best is selected by retrieval, not captioning), best, or a checkpoint file", DefaultValueFactory = _ => "last" };
        var limit = new Option<int?>("--limit") { Description = "Caption only the first N motions of --split" };
        var baselineRun = new Option<string?>("--baseline-run") { Description = "Retrieval run of the nearest-caption baseline (default: the caption run's train.initFrom run, else the caption run)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("caption", "Caption motions with a trained caption run (greedy or beam search); with --split, BLEU@1-4, ROUGE-L, CIDEr-D against the references and the nearest-caption baseline.");
        foreach (var o in new Option[] { run, motion, split, beam, maxLength, penalty, checkpoint, limit, baselineRun, json, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var options = new CaptionSearchOptions(parse.GetValue(beam), parse.GetValue(penalty), parse.GetValue(maxLength));
                options.Validate();
                string runDir = parse.GetValue(run)!, splitName = parse.GetValue(split)!;
                if (parse.GetValue(limit) is int l && l < 1) throw new ArgumentException($"--limit must be at least 1, got {l}");
                var ids = parse.GetValue(motion) ?? [];
                if (ids.Length > 0 && (parse.GetValue(limit) is not null || parse.GetValue(baselineRun) is not null))
                    throw new ArgumentException("--limit and --baseline-run apply to --split (captioning and scoring a whole split), not to --motion");
                return ids.Length > 0
                    ? Motions(runDir, ids, splitName, options, parse.GetValue(checkpoint)!, parse.GetValue(json))
                    : Split(runDir, splitName, options, parse.GetValue(checkpoint)!, parse.GetValue(limit), parse.GetValue(baselineRun), parse.GetValue(json));
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or KeyNotFoundException or JsonException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mw caption: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int Motions(string runDir, string[] ids, string split, CaptionSearchOptions options, string checkpoint, bool json)
    {
        var captioner = CaptionRun.Open(runDir, checkpoint);
        foreach (var note in captioner.LexPrefix?.Notes ?? []) Console.Error.WriteLine("note: " + note);
        var generated = captioner.CaptionMotions(ids, options, split);
        var refs = ids.Select(id => CaptionBaseline.ReferencesOf(captioner.Data, captioner.FindSample(id, split)!)).ToList();
        if (json)
        {
            Console.WriteLine(new JsonObject { ["run"] = runDir, ["checkpoint"] = Path.GetFileName(captioner.CheckpointPath), ["search"] = Search(options), ["captions"] = Captions(generated, refs) }.ToJsonString());
            return 0;
        }
        for (int i = 0; i < generated.Count; i++) Print(generated[i], refs[i]);
        return 0;
    }

    private static int Split(string runDir, string split, CaptionSearchOptions options, string checkpoint, int? limit, string? baselineRun, bool json)
    {
        var ours = Captioning.Evaluate(runDir, split, options, checkpoint, limit);
        var baseDir = baselineRun ?? Captioning.BaselineRunOf(runDir);
        var nearest = CaptionBaseline.Run(baseDir, split, RunConfig.Load(runDir).Data.TrainSplit);
        if (limit is int n) // the baseline over the same motions
        {
            var keep = ours.Motions.Select(m => m.Id).ToHashSet();
            var motions = nearest.Motions.Where(m => keep.Contains(m.Id)).ToList();
            nearest = nearest with { Motions = motions, Scores = CaptionMetrics.Score(motions.Select(m => m.Caption).ToArray(), motions.Select(m => m.References).ToArray()) };
        }
        bool beats = Captioning.BeatsFloor(ours, nearest);
        // the prefix words the decoder read (from lex-prefix.json, or recomputed where that cache was stale)
        IReadOnlyList<string>? LexWords(string id) => ours.LexWords is null ? null : ours.LexWords.TryGetValue(id, out var w) ? w : [];
        if (json)
        {
            Console.WriteLine(new JsonObject
            {
                ["run"] = runDir, ["checkpoint"] = Path.GetFileName(ours.Checkpoint), ["split"] = split, ["search"] = Search(options),
                ["scores"] = Scores(ours.Scores), ["baseline"] = new JsonObject { ["run"] = baseDir, ["method"] = nearest.Method, ["scores"] = Scores(nearest.Scores) },
                ["beatsBaseline"] = beats, ["bertScore"] = CaptionScores.BertScoreNote,
                ["captions"] = new JsonArray(ours.Motions.Select(m => WithLexWords(new JsonObject { ["id"] = m.Id, ["caption"] = m.Caption, ["logProb"] = Round(m.Score), ["references"] = new JsonArray(m.References.Select(r => (JsonNode)r).ToArray()) }, LexWords(m.Id))).ToArray()),
            }.ToJsonString());
            return 0;
        }
        foreach (var m in ours.Motions)
        {
            Console.WriteLine($"{m.Id}: {(m.Caption.Length == 0 ? "(empty)" : m.Caption)}");
            if (LexWords(m.Id) is { } words) Console.WriteLine($"    lex: {LexLine(words)}");
            foreach (var r in m.References) Console.WriteLine($"    ref: {r}");
        }
        Console.WriteLine();
        Console.WriteLine($"{Path.GetFileName(ours.Checkpoint)} on split '{split}', {ours.Motions.Count} motions, beam {options.Beam}, length penalty {options.LengthPenalty.ToString(CultureInfo.InvariantCulture)}, max length {options.MaxLength}:");
        Console.WriteLine($"  {"",-34} {"BLEU@1",7} {"BLEU@4",7} {"ROUGE-L",8} {"CIDEr-D",8}");
        Console.WriteLine(Line("caption decoder", ours.Scores));
        Console.WriteLine(Line("nearest training caption", nearest.Scores) + $"  ({baseDir})");
        Console.WriteLine($"  generated captions {(beats ? "beat" : "do NOT beat")} the nearest-caption floor on BLEU@4 and CIDEr-D; {CaptionScores.BertScoreNote}");
        return 0;
    }

    private static string Line(string label, CaptionScores s) => $"  {label,-34} {s.Bleu1,7:F2} {s.Bleu4,7:F2} {s.RougeL,8:F2} {s.CiderD,8:F2}";

    private static void Print(GeneratedCaption g, IReadOnlyList<string> refs)
    {
        Console.WriteLine($"{g.Id}: {(g.Caption.Length == 0 ? "(empty)" : g.Caption)}   (log P {g.LogProb.ToString("F3", CultureInfo.InvariantCulture)}{(g.Finished ? "" : ", cut at the maximum length")})");
        if (g.LexWords is { } words) Console.WriteLine($"    lex: {LexLine(words)}");
        foreach (var r in refs) Console.WriteLine($"    ref: {r}");
    }

    private static string LexLine(IReadOnlyList<string> words) => words.Count == 0 ? "(no word)" : string.Join(" ", words);

    /// <summary>Adds "lexWords" (the prefix words the decoder read) when the run has a lexical prefix.</summary>
    private static JsonNode WithLexWords(JsonObject o, IReadOnlyList<string>? words)
    {
        if (words is not null) o["lexWords"] = new JsonArray(words.Select(w => (JsonNode)w).ToArray());
        return o;
    }

    private static JsonObject Search(CaptionSearchOptions o) => new() { ["beam"] = o.Beam, ["lengthPenalty"] = o.LengthPenalty, ["maxLength"] = o.MaxLength };

    private static JsonObject Scores(CaptionScores s) => new()
    {
        ["bleu1"] = Round(s.Bleu1), ["bleu2"] = Round(s.Bleu2), ["bleu3"] = Round(s.Bleu3), ["bleu4"] = Round(s.Bleu4),
        ["rougeL"] = Round(s.RougeL), ["ciderD"] = Round(s.CiderD), ["bertScore"] = null, ["count"] = s.Count,
    };

    private static JsonArray Captions(IReadOnlyList<GeneratedCaption> generated, IReadOnlyList<IReadOnlyList<string>> refs) =>
        new(generated.Select((g, i) => WithLexWords(new JsonObject
        {
            ["id"] = g.Id, ["caption"] = g.Caption, ["tokens"] = g.Tokens.Count, ["logProb"] = Round(g.LogProb), ["finished"] = g.Finished,
            ["references"] = new JsonArray(refs[i].Select(r => (JsonNode)r).ToArray()),
        }, g.LexWords)).ToArray());

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 4) : 0;
}

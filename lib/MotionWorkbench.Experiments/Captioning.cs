using System.Diagnostics;
using System.Net;
using System.Text;
using MotionWorkbench.Evaluation.Captioning;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Torch;
using MotionWorkbench.Training;
using MotionWorkbench.Visuals;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Generated captions of a split with their references and <see cref="CaptionScores"/>; <see cref="LexWords"/>: the
/// lexical prefix words the decoder read for each motion (by id), when the run has a prefix.
/// </summary>
public sealed record CaptioningResult(string Label, string RunDir, string Checkpoint, string Split, CaptionSearchOptions Options,
    IReadOnlyList<CaptionedMotion> Motions, CaptionScores Scores, double Seconds, IReadOnlyDictionary<string, IReadOnlyList<string>>? LexWords = null)
{
    public override string ToString() =>
        $"{Label} on {Split} ({Motions.Count} motions, beam {Options.Beam}): BLEU@1 {Scores.Bleu1:0.00}, BLEU@4 {Scores.Bleu4:0.00}, ROUGE-L {Scores.RougeL:0.00}, CIDEr-D {Scores.CiderD:0.00}";
}

/// <summary>A caption run trained (or reused) for a notebook: its folder, configuration and whether it was reused.</summary>
public sealed record CaptionTraining(string Label, string RunDir, RunConfig Config, double Seconds, bool Reused);

/// <summary>One qualitative example: a motion's patch image, the generated caption, the nearest training caption, the references.</summary>
public sealed record CaptionExample(string Id, MotionPatch Patch, string Generated, string? Nearest, IReadOnlyList<string> References);

/// <summary>
/// Motion captioning (Lex Table 3, issue 17) for notebook 15 and <c>mw caption</c>: trains a caption run
/// (<c>model.architecture = caption</c>) from a retrieval run's encoders, generates captions of a split with greedy or
/// beam search (<see cref="CaptionRun"/>), scores them against the motions' reference captions with the COCO
/// captioning metrics (<see cref="CaptionMetrics"/>), and sets them beside the nearest-caption baseline
/// (<see cref="CaptionBaseline"/>) and the published rows (<see cref="CaptionTables.LexTable3"/>).
/// </summary>
public static class Captioning
{
    /// <summary>Epochs of a caption run per preset: Smoke 15 (64 clips, 4 steps an epoch: seconds), Laptop 4, Paper 20.</summary>
    public static int Epochs(string preset) => preset.ToLowerInvariant() switch { "smoke" => 15, "laptop" => 4, _ => 20 };

    /// <summary>
    /// The caption configuration on top of a retrieval run's: the same model and data settings, architecture "caption",
    /// train.initFrom = the retrieval run (its ViT, text encoder and heads; the decoder is new), the ViT frozen (or
    /// fine-tuned), <see cref="Epochs"/> epochs, the decoder at the preset's head learning rate.
    /// </summary>
    public static RunConfig Config(RunConfig retrieval, string retrievalRunDir, bool freezeEncoder = true, int? epochs = null, Func<RunConfig, RunConfig>? change = null)
    {
        var config = retrieval with
        {
            Name = retrieval.Name + "-caption",
            Model = retrieval.Model with { Architecture = Architecture.Caption, CaptionFreezeEncoder = freezeEncoder },
            Train = retrieval.Train with { InitFrom = Path.GetFullPath(retrievalRunDir), Epochs = epochs ?? Epochs(retrieval.Preset), MlmEpochs = 0 },
        };
        return (change is null ? config : change(config)).Validate();
    }

    /// <summary>
    /// Trains <paramref name="config"/> into <paramref name="runDir"/>, resumes an interrupted run there, or reuses a
    /// completed run with the same configuration (any other content of the folder is replaced).
    /// </summary>
    public static CaptionTraining Train(string label, RunConfig config, string runDir, TextWriter? log = null)
    {
        TorchEngine.Register(); // this library (the notebooks' trainer) trains on train.engine = mw or torch
        var last = Path.Combine(runDir, MotionWorkbench.Training.Checkpoint.LastFileName);
        // the run records the thread count it used; a request with train.threads = 0 leaves the count to the process
        bool same = File.Exists(Path.Combine(runDir, RunConfig.FileName)) && RunConfig.Load(runDir).SameRunAs(config);
        if (same && File.Exists(last) && MotionWorkbench.Training.Checkpoint.Read(last).State.Completed)
        {
            log?.WriteLine($"{label}: reusing {runDir} (same configuration, completed)");
            return new CaptionTraining(label, runDir, config, 0, Reused: true);
        }
        bool resume = same && File.Exists(last);
        if (!resume && Directory.Exists(runDir) && Directory.EnumerateFileSystemEntries(runDir).Any())
        {
            // only a caption run's folder is replaced: never a retrieval run or anything else given by mistake
            string configPath = Path.Combine(runDir, RunConfig.FileName);
            Architecture? arch = File.Exists(configPath) ? RunConfig.Load(runDir).Model.Architecture : default(Architecture?);
            if (arch != Architecture.Caption)
                throw new InvalidOperationException($"{runDir}: holds {(arch is null ? "files but no caption run" : $"a '{arch}' run")}; a caption run is only written into an empty folder or over another caption run's");
            Directory.Delete(runDir, recursive: true);
        }
        Directory.CreateDirectory(runDir);
        var watch = Stopwatch.StartNew();
        log?.WriteLine($"{label}: {(resume ? "resuming" : "training")} a caption decoder ({config.Preset}) for {config.Train.Epochs} epoch(s) from {config.Train.InitFrom ?? "scratch"}...");
        var result = new Trainer(config, runDir) { LogSteps = true }.Run(resume);
        if (!result.Completed) throw new InvalidOperationException($"{runDir}: caption training stopped before the last epoch");
        log?.WriteLine($"{label}: trained in {watch.Elapsed.TotalSeconds:0.0} s; last epoch's caption loss {LastTrainLoss(runDir):0.000}");
        return new CaptionTraining(label, runDir, config, watch.Elapsed.TotalSeconds, Reused: false);
    }

    /// <summary>The per-step caption loss of a run (metrics.jsonl), for a loss curve.</summary>
    public static IReadOnlyList<(int Step, double Loss)> StepLosses(string runDir) =>
        Trainer.ReadStepLosses(Path.Combine(runDir, Trainer.MetricsFileName)).Select(s => (s.Step, s.Loss)).ToList();

    private static double LastTrainLoss(string runDir)
    {
        var losses = StepLosses(runDir);
        return losses.Count == 0 ? double.NaN : losses.TakeLast(Math.Min(20, losses.Count)).Average(s => s.Loss);
    }

    /// <summary>
    /// Captions every evaluation entry of <paramref name="split"/> (or the first <paramref name="limit"/>) and scores them
    /// against each motion's references (<see cref="CaptionBaseline.ReferencesOf"/>: the clip's captions of the same span).
    /// </summary>
    public static CaptioningResult Evaluate(string runDir, string split = "test", CaptionSearchOptions? options = null, string? checkpoint = null,
        int? limit = null, string label = "caption decoder")
    {
        options ??= new CaptionSearchOptions();
        var watch = Stopwatch.StartNew();
        var run = CaptionRun.Open(runDir, checkpoint);
        var generated = run.CaptionSplit(split, options, limit: limit);
        var refs = CaptionBaseline.ReferencesOf(run.Data, split);
        var motions = generated.Select((g, i) => new CaptionedMotion(g.Id, g.Caption, refs[i], g.LogProb)).ToArray();
        var scores = CaptionMetrics.Score(motions.Select(m => m.Caption).ToArray(), motions.Select(m => m.References).ToArray());
        var lexWords = run.LexPrefix is null ? null : generated.GroupBy(g => g.Id).ToDictionary(g => g.Key, g => g.First().LexWords ?? []);
        return new CaptioningResult(label, runDir, run.CheckpointPath, split, options, motions, scores, watch.Elapsed.TotalSeconds, lexWords);
    }

    /// <summary>
    /// The retrieval run whose nearest training caption is the floor of a caption run: its train.initFrom run folder
    /// (a file there: that file's folder) when it still exists, else the caption run itself (its own retrieval towers).
    /// </summary>
    public static string BaselineRunOf(string captionRunDir)
    {
        var from = RunConfig.Load(captionRunDir).Train.InitFrom;
        if (from is not null)
        {
            var dir = Directory.Exists(from) ? from : File.Exists(from) ? Path.GetDirectoryName(Path.GetFullPath(from)) : null;
            if (dir is not null && File.Exists(Path.Combine(dir, RunConfig.FileName))) return dir;
        }
        return captionRunDir;
    }

    /// <summary>
    /// Lex Table 3 for the synthetic data: our caption decoder row(s), the nearest-caption baseline, the random-caption
    /// control, then the paper's rows for <paramref name="paperDataset"/> (HumanML3D or KIT-ML; another dataset, so the
    /// rows are context, not a comparison). BERTScore is never computed (the table's note says why).
    /// </summary>
    public static MetricTable Table3(IEnumerable<CaptioningResult> ours, NearestCaptionResult nearest, NearestCaptionResult? random = null, string paperDataset = "HumanML3D", string? note = null)
    {
        var list = ours.ToList();
        if (list.Count == 0) throw new ArgumentException("Table 3 needs at least one caption decoder result", nameof(ours));
        var rows = list.Select(o => ($"{o.Label} ({(o.Options.Beam == 1 ? "greedy" : $"beam {o.Options.Beam}")})", o.Scores)).ToList();
        rows.Add(("nearest training caption (retrieval baseline)", nearest.Scores));
        if (random is not null) rows.Add(("random training caption (control)", random.Scores));
        return CaptionTables.LexTable3(paperDataset, rows, note ?? $"ours: synthetic {list[0].Split} split, {list[0].Motions.Count} motions; paper: {paperDataset}");
    }

    /// <summary><see cref="Table3(IEnumerable{CaptioningResult}, NearestCaptionResult, NearestCaptionResult?, string, string?)"/> with one decoder row.</summary>
    public static MetricTable Table3(CaptioningResult ours, NearestCaptionResult nearest, NearestCaptionResult? random = null, string paperDataset = "HumanML3D", string? note = null) =>
        Table3([ours], nearest, random, paperDataset, note);

    /// <summary>The caption run's per-step loss as a training curve, with its 20-step running mean.</summary>
    public static IReadOnlyList<CurveSeries> LossCurves(string runDir, string label = "caption cross-entropy")
    {
        var steps = StepLosses(runDir);
        var x = steps.Select(s => (double)s.Step).ToArray();
        var y = steps.Select(s => s.Loss).ToArray();
        var mean = y.Select((_, i) => y.Skip(Math.Max(0, i - 19)).Take(Math.Min(20, i + 1)).Average()).ToArray();
        return [new CurveSeries(label, x, y), new CurveSeries(label + " (20-step mean)", x, mean)];
    }

    /// <summary>Whether the generated captions beat the nearest-caption floor on BLEU@4 and CIDEr-D (the issue's requirement).</summary>
    public static bool BeatsFloor(CaptioningResult ours, NearestCaptionResult nearest) =>
        ours.Scores.Bleu4 > nearest.Scores.Bleu4 && ours.Scores.CiderD > nearest.Scores.CiderD;

    /// <summary>The first <paramref name="count"/> motions of the result with their patch images and the baseline's caption.</summary>
    public static IReadOnlyList<CaptionExample> Examples(CaptioningResult ours, NearestCaptionResult? nearest, int count = 6)
    {
        var run = CaptionRun.Open(ours.RunDir, ours.Checkpoint);
        var builder = new MotionPatchBuilder(run.Data.Statistics, run.Data.PatchOptions);
        var nearestById = nearest?.Motions.ToDictionary(m => m.Id, m => m.Caption) ?? [];
        var list = new List<CaptionExample>();
        foreach (var m in ours.Motions.Take(count))
        {
            var sample = run.FindSample(m.Id, ours.Split) ?? throw new KeyNotFoundException($"{ours.RunDir}: motion '{m.Id}' is not in the data any more");
            list.Add(new CaptionExample(m.Id, builder.Build(sample.Clip, PatchMode.Eval), m.Caption, nearestById.GetValueOrDefault(m.Id), m.References));
        }
        return list;
    }

    /// <summary>The examples as one HTML table: patch image, generated caption, nearest training caption, references.</summary>
    public static HtmlView ExamplesView(IReadOnlyList<CaptionExample> examples, int scale = 2)
    {
        var sb = new StringBuilder("<table style=\"border-collapse:collapse\"><tr><th>motion</th><th>patch image</th><th>generated</th><th>nearest training caption</th><th>references</th></tr>");
        foreach (var e in examples)
        {
            sb.Append("<tr style=\"border-top:1px solid #ccc;vertical-align:top\"><td>").Append(WebUtility.HtmlEncode(e.Id)).Append("</td><td><img src=\"")
              .Append(PatchImage.ToDataUri(e.Patch, new PatchImageOptions(Scale: scale))).Append("\" alt=\"motion patches of ").Append(WebUtility.HtmlEncode(e.Id))
              .Append("\"/></td><td><b>").Append(WebUtility.HtmlEncode(e.Generated.Length == 0 ? "(empty)" : e.Generated)).Append("</b></td><td>")
              .Append(WebUtility.HtmlEncode(e.Nearest ?? "-")).Append("</td><td><ul style=\"margin:0;padding-left:1.2em\">");
            foreach (var r in e.References) sb.Append("<li>").Append(WebUtility.HtmlEncode(r)).Append("</li>");
            sb.Append("</ul></td></tr>");
        }
        return new HtmlView(sb.Append("</table>").ToString());
    }
}

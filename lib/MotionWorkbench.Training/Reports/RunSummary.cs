using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Training;

/// <summary>
/// The run's self-contained HTML summary (<c>summary.html</c>, no scripts or external files): configuration, the
/// training-loss curve with its chance line (inline SVG), the learning-rate schedule, per-epoch validation loss and
/// R@1 (charts and a table), retrieval tables with chance levels, text -> motion and motion -> text examples with
/// the ground truth's rank when it is not in the top 3, and the most common confusions (left/right mirrors flagged).
/// </summary>
public static class RunSummary
{
    public const string FileName = "summary.html";

    /// <summary>
    /// Writes <c>summary.html</c> into the run folder. With <paramref name="index"/> the examples and confusions come from
    /// its split's embeddings, each example with a thumbnail of its motion's patch image (built from the motions of
    /// <paramref name="dataDir"/>, default the run's dataset, with the run's statistics; left out when they cannot be loaded).
    /// </summary>
    public static string Write(string runDir, IReadOnlyList<RunEvaluation> evaluations, RetrievalIndex? index = null, int examples = 5, string? dataDir = null,
        ProbeEvaluation? probes = null, string? probesNote = null)
    {
        var config = RunConfig.Load(runDir);
        var metricsPath = Path.Combine(runDir, Trainer.MetricsFileName);
        var steps = Trainer.ReadStepLosses(metricsPath);
        var epochs = Trainer.ReadEpochMetrics(metricsPath);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(H(config.Name)).Append(" – MotionWorkbench run</title>\n<style>")
          .Append("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}")
          .Append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.chance td{color:#888;font-style:italic}")
          .Append(".hit{color:#1a7f37;font-weight:600}.miss{color:#999}.gt{color:#b35900;margin-top:-.5em;overflow:hidden}img.thumb{float:left;height:150px;margin:0 12px 8px 0;image-rendering:pixelated;border:1px solid #ddd}ol{overflow:hidden}h2,p.ex{clear:both}code,pre{background:#f4f4f4}pre{padding:8px;overflow:auto;font-size:12px}</style></head><body>\n");
        sb.Append("<h1>Run <code>").Append(H(config.Name)).Append("</code> (preset ").Append(H(config.Preset)).Append(")</h1>\n");
        var last = epochs.LastOrDefault();
        sb.Append(CultureInfo.InvariantCulture, $"<p>Model: {H(Describe(config.Model))}. Data: <code>{H(config.Data.Dir)}</code>. Trained {epochs.Count} epoch(s)");
        if (last is not null) sb.Append(CultureInfo.InvariantCulture, $", {last["step"]} optimiser steps in {(double?)last["seconds"] ?? 0:0} s");
        sb.Append(".</p>\n");
        double? lastLoss = last?["trainLoss"] is System.Text.Json.Nodes.JsonNode tl ? tl.GetValue<double>() : null;
        if (Trainer.DidNotLearn(lastLoss, config.Train.BatchSize) is { } warning)
            sb.Append("<p style=\"color:#b00020;font-weight:600\">Warning: ").Append(H(warning)).Append(".</p>\n");

        sb.Append("<h2>Retrieval</h2>\n");
        foreach (var e in evaluations) sb.Append(e.ToHtml());
        sb.Append("<p>Chance: a random ranking puts the right item at R@k = 100·k/n percent and at median rank (n+1)/2, n being the gallery size (the whole split for All/TMR normal, 32 for the batched protocols). Identical captions make the All and Small-batches protocols slightly easier than that for chance too.</p>\n");
        if (probes is not null || probesNote is not null)
        {
            sb.Append("<h2>Minimal-pair probes</h2>\n<p>What the run tells apart: pairs of motions that differ in one attribute only (the other arm or leg, the whole body mirrored, the order of two actions, the count, the pace, the direction; a different action as the control), each with its caption. Chance is 50 %; an attribute whose interval holds 50 % is not told apart. <code>mw probe</code> gives the same table for any run, notebook 16 compares every architecture.</p>\n");
            sb.Append(probes is not null ? probes.ToHtml() : $"<p>{H(probesNote!)}.</p>\n");
        }

        var chance = SummaryAnalysis.ChanceLoss(config);
        sb.Append("<h2>Training loss</h2>\n").Append(LossCurve(steps, chance: chance)).Append('\n');
        if (chance is double ch)
            sb.Append(CultureInfo.InvariantCulture, $"<p>The dashed line is chance, ln {config.Train.BatchSize} = {ch:0.000}: the symmetric InfoNCE loss of a model that has learnt nothing (uniform over the batch).</p>\n");
        var lrs = SummaryAnalysis.ReadStepLearningRates(metricsPath);
        if (lrs.Count > 0)
        {
            var t = config.Train;
            sb.Append("<h2>Learning-rate schedule</h2>\n")
              .Append(Charts.SvgLines([new LineSeries("learning rate (motion group)", "#08519c", lrs.Select(x => ((double)x.Step, x.Lr)).ToList())], "step", "0.0e0"))
              .Append(CultureInfo.InvariantCulture, $"<p>Cosine schedule stepped every optimiser step, period {t.CosinePeriodFactor:0.##} x the run's {lrs[^1].Step} steps")
              .Append(t.WarmupSteps > 0 ? $", linear warm-up over {t.WarmupSteps} steps" : ", no warm-up")
              .Append(CultureInfo.InvariantCulture, $"; base rates motion {t.MotionLr:0.###e0}, text {t.TextLr:0.###e0}, heads {t.HeadLr:0.###e0} (all groups follow the same curve).</p>\n");
        }
        if (epochs.Count > 0)
        {
            sb.Append("<h2>Per-epoch model selection</h2>\n");
            var perEpoch = epochs.Select(ep => (Epoch: (double)(int)ep["epoch"]!, Split: (string?)ep["selectionSplit"] ?? "", Node: ep)).ToList();
            List<(double, double)> Series(Func<JsonObject, JsonNode?> get) =>
                perEpoch.Where(x => get(x.Node) is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number).Select(x => (x.Epoch, get(x.Node)!.GetValue<double>())).ToList();
            string selSplit = perEpoch.Select(x => x.Split).LastOrDefault(x => x.Length > 0) ?? "";
            var lossSeries = new List<LineSeries> { new("train loss", "#9ecae1", Series(n => n["trainLoss"])) };
            if (selSplit.Length > 0) lossSeries.Add(new($"{selSplit} loss", "#08519c", Series(n => n[selSplit + "Loss"])));
            sb.Append(Charts.SvgLines(lossSeries, "epoch", "0.00", chance, chance is null ? null : "chance ln B"));
            if (selSplit.Length > 0)
                sb.Append(Charts.SvgLines([new LineSeries($"{selSplit} text→motion R@1", "#e6550d", Series(n => n[selSplit]?["t2m"]?["R@1"])),
                                           new LineSeries($"{selSplit} motion→text R@1", "#31a354", Series(n => n[selSplit]?["m2t"]?["R@1"]))], "epoch", "0.0"));
            sb.Append("<table><tr><th>epoch</th><th>learning rate</th><th>train loss</th><th>split</th><th>split loss</th><th>t2m R@1</th><th>t2m R@5</th><th>m2t R@1</th><th>m2t R@5</th><th>best</th></tr>\n");
            foreach (var ep in epochs)
            {
                string split = (string?)ep["selectionSplit"] ?? "";
                var res = split.Length > 0 ? ep[split] : null;
                string lr = ep["lr"] is JsonObject groups && groups.FirstOrDefault().Value is JsonValue g0 ? g0.GetValue<double>().ToString("0.###e0", CultureInfo.InvariantCulture) : "";
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{ep["epoch"]}</td><td>{lr}</td><td>{F(ep["trainLoss"])}</td><td>{H(split)}</td><td>{F(split.Length > 0 ? ep[split + "Loss"] : null)}</td>" +
                    $"<td>{F(res?["t2m"]?["R@1"])}</td><td>{F(res?["t2m"]?["R@5"])}</td><td>{F(res?["m2t"]?["R@1"])}</td><td>{F(res?["m2t"]?["R@5"])}</td><td>{((bool?)ep["best"] == true ? "✓" : "")}</td></tr>\n");
            }
            sb.Append("</table>\n");
            sb.Append(config.Train.Selection == "test"
                ? "<p><b>Test-set selection</b>: the best checkpoint was chosen on the test split, as the reference implementation does; test numbers of <code>best</code> are therefore optimistic.</p>\n"
                : "<p>The <code>best</code> checkpoint is chosen on the validation split (motion→text R@1, \"All\" protocol).</p>\n");
        }

        if (index is not null)
        {
            var emb = index.Embeddings;
            sb.Append("<h2>Text → motion examples</h2>\n<p>Each query is the first caption of a ").Append(H(emb.Split)).Append(" motion; the list shows the top-3 motions with their own first captions (green: the query's motion or one with the identical caption); when none of them is, the rank of the best-placed one follows.</p>\n");
            var thumbs = Thumbnails(runDir, dataDir ?? config.Data.Dir, emb.Split);
            AppendExamples(sb, SummaryAnalysis.TextToMotionExamples(emb, examples), "motion", q => $"<b>“{H(q.Caption)}”</b> (motion <code>{H(q.Id)}</code>)", thumbs);
            sb.Append("<h2>Motion → text examples</h2>\n<p>Each query is a ").Append(H(emb.Split)).Append(" motion; the list shows the top-3 captions of the split (green: its own caption, or an identical one).</p>\n");
            AppendExamples(sb, SummaryAnalysis.MotionToTextExamples(emb, examples), "caption", q => $"motion <code>{H(q.Id)}</code> (its caption: “{H(q.Caption)}”)", thumbs);

            var conf = SummaryAnalysis.TextToMotionConfusions(emb);
            sb.Append("<h2>Most common confusions</h2>\n");
            if (conf.Errors == 0) sb.Append(CultureInfo.InvariantCulture, $"<p>No text→motion top-1 errors among the {conf.Queries} queries.</p>\n");
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"<p>{conf.Errors} of {conf.Queries} text→motion queries ({100.0 * conf.Errors / conf.Queries:0.0} %) retrieve a motion with another caption first; ")
                  .Append(CultureInfo.InvariantCulture, $"{conf.MirrorErrors} of those ({100.0 * conf.MirrorErrors / conf.Errors:0.0} %) retrieve the left/right mirror (the mirrored <code>M</code> clip, or the caption with left and right swapped).</p>\n");
                sb.Append("<table><tr><th>query caption</th><th>retrieved first</th><th>times</th><th>mirror</th></tr>\n");
                foreach (var c in conf.Top)
                    sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(c.QueryCaption)}</td><td style=\"text-align:left\">{H(c.RetrievedCaption)}</td><td>{c.Count}</td><td>{(c.Mirror ? "left/right" : "")}</td></tr>\n");
                sb.Append("</table>\n");
            }
        }

        sb.Append("<h2>Configuration</h2>\n<pre>").Append(H(config.ToJson())).Append("</pre>\n");
        sb.Append("<p>Files: <code>config.json</code>, <code>metrics.jsonl</code>, <code>train.log</code>, <code>last.safetensors</code>, <code>best.safetensors</code>, <code>vocab.txt</code>, <code>eval-*.json</code>.</p>\n</body></html>\n");
        var path = Path.Combine(runDir, FileName);
        Files.WriteText(path, sb.ToString());
        return path;
    }

    /// <summary>The patch image (PNG data URI) of a motion of the split by id, or null; null for every id when the data cannot be loaded.</summary>
    private static Func<string, string?> Thumbnails(string runDir, string dataDir, string split)
    {
        try
        {
            var data = RunData.ForRun(runDir, dataDir);
            var clips = new Dictionary<string, MotionWorkbench.Data.MotionClip>(StringComparer.Ordinal);
            foreach (var sample in data.EvalSamples(split)) clips.TryAdd(sample.Id, sample.Clip);
            var builder = new MotionWorkbench.Patches.MotionPatchBuilder(data.Statistics, data.PatchOptions);
            var options = new MotionWorkbench.Visuals.PatchImageOptions(Scale: 1, PartStripHeight: 4);
            return id =>
            {
                if (!clips.TryGetValue(id, out var clip)) return null;
                try { return "data:image/png;base64," + Convert.ToBase64String(MotionWorkbench.Visuals.PatchImage.ToPng(builder.Build(clip), options)); }
                catch (Exception e) when (e is ArgumentException or InvalidDataException) { return null; }
            };
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            return _ => null;
        }
    }

    private static void AppendExamples(StringBuilder sb, IReadOnlyList<RankedExample> list, string what, Func<RankedExample, string> title, Func<string, string?> thumbnail)
    {
        foreach (var q in list)
        {
            sb.Append("<p class=\"ex\">");
            if (thumbnail(q.Id) is string uri)
                sb.Append("<img class=\"thumb\" src=\"").Append(uri).Append("\" alt=\"patch image of motion ").Append(H(q.Id)).Append("\" title=\"patch image of motion ").Append(H(q.Id)).Append("\">");
            sb.Append(title(q)).Append("</p>\n<ol>\n");
            foreach (var hit in q.Top)
            {
                bool ok = hit.Caption == q.Caption;
                sb.Append(CultureInfo.InvariantCulture, $"<li class=\"{(ok ? "hit" : "miss")}\"><code>{H(hit.Id)}</code> ({hit.Score:0.000}): {H(hit.Caption)}</li>\n");
            }
            sb.Append("</ol>\n");
            if (q.GroundTruthRank > q.Top.Count)
                sb.Append(CultureInfo.InvariantCulture, $"<p class=\"gt\">ground truth: the first matching {what} is at rank {q.GroundTruthRank} of {q.GallerySize}.</p>\n");
        }
    }

    public static string Describe(ModelSpec m) => m.Architecture == Architecture.Bag
        ? $"bag-of-patches motion encoder ({m.VitWidth} wide) + bag-of-words text encoder ({m.TextWidth} wide), {m.EmbeddingDim}-d embeddings"
        : $"ViT {m.VitWidth}x{m.VitDepth} ({m.VitHeads} heads, patch {m.PatchSize}, {m.MaxFrames} frames) + {m.TextKind} {m.TextWidth}x{m.TextDepth} ({m.TextHeads} heads), {m.EmbeddingDim}-d embeddings, temperature {m.Temperature}{(m.LearnableTemperature ? " (learned)" : "")}";

    /// <summary>An inline SVG line chart of the per-step loss (and its 20-step moving average), with a dashed chance line when given.</summary>
    public static string LossCurve(IReadOnlyList<(int Step, double Loss)> steps, int width = 760, int height = 260, double? chance = null)
    {
        if (steps.Count == 0) return "<p>(no step losses logged)</p>";
        var mean = new List<(double X, double Y)>(steps.Count);
        double sum = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            sum += steps[i].Loss;
            if (i >= 20) sum -= steps[i - 20].Loss;
            mean.Add((steps[i].Step, sum / Math.Min(i + 1, 20)));
        }
        return Charts.SvgLines([new LineSeries("loss per step", "#9ecae1", steps.Select(s => ((double)s.Step, s.Loss)).ToList()), new LineSeries("20-step mean", "#08519c", mean)],
            "step", "0.00", chance, "chance ln B", width, height);
    }

    private static string F(JsonNode? v) => v is null ? "" : v.GetValueKind() == System.Text.Json.JsonValueKind.Number ? v.GetValue<double>().ToString("0.00", CultureInfo.InvariantCulture) : "";

    private static string H(string s) => RunEvaluation.Html(s);
}

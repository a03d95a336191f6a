using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Evaluation;

namespace MotionWorkbench.Training;

/// <summary>
/// The run's self-contained HTML summary (<c>summary.html</c>, no scripts or external files): configuration, the
/// training-loss curve (inline SVG), per-epoch selection metrics, retrieval tables with chance levels, and a few
/// text -> motion examples with the captions of the retrieved motions.
/// </summary>
public static class RunSummary
{
    public const string FileName = "summary.html";

    public static string Write(string runDir, IReadOnlyList<RunEvaluation> evaluations, RetrievalIndex? index = null, int examples = 5)
    {
        var config = RunConfig.Load(runDir);
        var metricsPath = Path.Combine(runDir, Trainer.MetricsFileName);
        var steps = Trainer.ReadStepLosses(metricsPath);
        var epochs = Trainer.ReadEpochMetrics(metricsPath);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(H(config.Name)).Append(" – MotionWorkbench run</title>\n<style>")
          .Append("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}")
          .Append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.chance td{color:#888;font-style:italic}")
          .Append(".hit{color:#1a7f37;font-weight:600}.miss{color:#999}code,pre{background:#f4f4f4}pre{padding:8px;overflow:auto;font-size:12px}</style></head><body>\n");
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

        sb.Append("<h2>Training loss</h2>\n").Append(LossCurve(steps)).Append('\n');
        if (epochs.Count > 0)
        {
            sb.Append("<h2>Per-epoch model selection</h2>\n<table><tr><th>epoch</th><th>train loss</th><th>split</th><th>split loss</th><th>t2m R@1</th><th>m2t R@1</th><th>best</th></tr>\n");
            foreach (var ep in epochs)
            {
                string split = (string?)ep["selectionSplit"] ?? "";
                var res = split.Length > 0 ? ep[split] : null;
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{ep["epoch"]}</td><td>{F(ep["trainLoss"])}</td><td>{H(split)}</td><td>{F(split.Length > 0 ? ep[split + "Loss"] : null)}</td>" +
                    $"<td>{F(res?["t2m"]?["R@1"])}</td><td>{F(res?["m2t"]?["R@1"])}</td><td>{((bool?)ep["best"] == true ? "✓" : "")}</td></tr>\n");
            }
            sb.Append("</table>\n");
            sb.Append(config.Train.Selection == "test"
                ? "<p><b>Test-set selection</b>: the best checkpoint was chosen on the test split, as the reference implementation does; test numbers of <code>best</code> are therefore optimistic.</p>\n"
                : "<p>The <code>best</code> checkpoint is chosen on the validation split (motion→text R@1, \"All\" protocol).</p>\n");
        }

        if (index is not null)
        {
            sb.Append("<h2>Text → motion examples</h2>\n<p>Each query is the first caption of a test motion; the list shows the top-3 motions with their own first captions (green: the query's motion or one with the identical caption).</p>\n");
            var emb = index.Embeddings;
            int n = emb.Count, step = Math.Max(1, n / Math.Max(1, examples));
            for (int q = 0, shown = 0; q < n && shown < examples; q += step, shown++)
            {
                string query = emb.Captions[q];
                sb.Append("<p><b>“").Append(H(query)).Append("”</b> (motion <code>").Append(H(emb.Ids[q])).Append("</code>)</p>\n<ol>\n");
                foreach (var hit in index.SearchMotions(query, 3))
                {
                    bool ok = hit.Caption == query;
                    sb.Append(CultureInfo.InvariantCulture, $"<li class=\"{(ok ? "hit" : "miss")}\"><code>{H(hit.Id)}</code> ({hit.Score:0.000}): {H(hit.Caption)}</li>\n");
                }
                sb.Append("</ol>\n");
            }
        }

        sb.Append("<h2>Configuration</h2>\n<pre>").Append(H(config.ToJson())).Append("</pre>\n");
        sb.Append("<p>Files: <code>config.json</code>, <code>metrics.jsonl</code>, <code>train.log</code>, <code>last.safetensors</code>, <code>best.safetensors</code>, <code>vocab.txt</code>, <code>eval-*.json</code>.</p>\n</body></html>\n");
        var path = Path.Combine(runDir, FileName);
        Files.WriteText(path, sb.ToString());
        return path;
    }

    public static string Describe(ModelSpec m) => m.Architecture == "bag"
        ? $"bag-of-patches motion encoder ({m.VitWidth} wide) + bag-of-words text encoder ({m.TextWidth} wide), {m.EmbeddingDim}-d embeddings"
        : $"ViT {m.VitWidth}x{m.VitDepth} ({m.VitHeads} heads, patch {m.PatchSize}, {m.MaxFrames} frames) + {m.TextKind} {m.TextWidth}x{m.TextDepth} ({m.TextHeads} heads), {m.EmbeddingDim}-d embeddings, temperature {m.Temperature}{(m.LearnableTemperature ? " (learned)" : "")}";

    /// <summary>An inline SVG line chart of the per-step loss (and its 20-step moving average).</summary>
    public static string LossCurve(IReadOnlyList<(int Step, double Loss)> steps, int width = 760, int height = 260)
    {
        if (steps.Count == 0) return "<p>(no step losses logged)</p>";
        double maxS = steps.Max(s => s.Step), minS = steps.Min(s => s.Step);
        double maxL = steps.Max(s => s.Loss), minL = Math.Min(0, steps.Min(s => s.Loss));
        if (maxS <= minS) maxS = minS + 1;
        if (maxL <= minL) maxL = minL + 1;
        const int left = 50, bottom = 30, top = 10, right = 10;
        string X(double s) => (left + (s - minS) / (maxS - minS) * (width - left - right)).ToString("0.0", CultureInfo.InvariantCulture);
        string Y(double l) => (top + (1 - (l - minL) / (maxL - minL)) * (height - top - bottom)).ToString("0.0", CultureInfo.InvariantCulture);
        var raw = string.Join(" ", steps.Select(s => $"{X(s.Step)},{Y(s.Loss)}"));
        var avg = new List<string>();
        double sum = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            sum += steps[i].Loss;
            if (i >= 20) sum -= steps[i - 20].Loss;
            avg.Add($"{X(steps[i].Step)},{Y(sum / Math.Min(i + 1, 20))}");
        }
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" style=\"background:#fff;border:1px solid #ddd\">");
        for (int t = 0; t <= 4; t++)
        {
            double l = minL + (maxL - minL) * t / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(l)}\" y2=\"{Y(l)}\" stroke=\"#eee\"/><text x=\"{left - 5}\" y=\"{Y(l)}\" font-size=\"11\" text-anchor=\"end\" dominant-baseline=\"middle\">{l:0.00}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 8}\" font-size=\"11\">step {minS:0}</text><text x=\"{width - right}\" y=\"{height - 8}\" font-size=\"11\" text-anchor=\"end\">step {maxS:0}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#9ecae1\" stroke-width=\"1\" points=\"{raw}\"/><polyline fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\" points=\"{string.Join(" ", avg)}\"/>");
        sb.Append("<text x=\"").Append(width - right - 5).Append("\" y=\"20\" font-size=\"11\" text-anchor=\"end\" fill=\"#08519c\">contrastive loss per step (light) and 20-step mean (dark)</text></svg>");
        return sb.ToString();
    }

    private static string F(JsonNode? v) => v is null ? "" : v.GetValueKind() == System.Text.Json.JsonValueKind.Number ? v.GetValue<double>().ToString("0.00", CultureInfo.InvariantCulture) : "";

    private static string H(string s) => RunEvaluation.Html(s);
}

/// <summary>
/// The main job: generate the synthetic dataset if absent (through the Data library's generator), train a preset,
/// evaluate the test split with "All" and "Small batches", and write <c>summary.html</c> in the run folder.
/// </summary>
public static class Quickstart
{
    public sealed record Outcome(string RunDir, RunEvaluation Evaluation, string SummaryPath, bool GeneratedData, TrainingResult Training);

    /// <summary>Writes the synthetic dataset (seed 42) into <paramref name="dataDir"/> unless it already holds motions; true when it wrote it.</summary>
    public static bool EnsureData(string dataDir, Action<string>? status = null, int syntheticCount = 4000)
    {
        if (Directory.Exists(Path.Combine(dataDir, "new_joints"))) return false;
        status?.Invoke($"generating the synthetic dataset ({syntheticCount} motions + mirrors) in {dataDir} ...");
        int lastShown = -1;
        SyntheticMotions.Write(dataDir, new SynthOptions { Count = syntheticCount }, (phase, done, total) =>
        {
            int pct = done * 100 / Math.Max(1, total);
            if (pct / 25 != lastShown) { lastShown = pct / 25; status?.Invoke($"  {phase} {done}/{total}"); }
        });
        return true;
    }

    public static Outcome Run(string outDir, string dataDir, RunConfig preset, bool resume = false, IProgress<TrainingProgress>? progress = null,
        Action<string>? status = null, CancellationToken cancellation = default, int syntheticCount = 4000)
    {
        bool generated = EnsureData(dataDir, status, syntheticCount);
        var config = preset with { Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir))), Data = preset.Data with { Dir = dataDir } };
        bool canResume = resume && File.Exists(Path.Combine(outDir, Checkpoint.LastFileName));
        if (canResume) config = RunConfig.Load(outDir);
        var training = new Trainer(config, outDir) { Progress = progress }.Run(canResume, cancellation);
        if (!training.Completed) throw new OperationCanceledException($"training stopped before the end; continue with --resume (run folder {outDir})");
        status?.Invoke("evaluating the test split");
        var evaluation = RunEvaluation.Run(outDir, dataDir, config.Data.TestSplit, [RetrievalProtocols.All, RetrievalProtocols.SmallBatches]);
        Files.WriteText(Path.Combine(outDir, $"eval-{config.Data.TestSplit}.json"), evaluation.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        var index = RetrievalIndex.Open(outDir, dataDir, config.Data.TestSplit);
        var summary = RunSummary.Write(outDir, [evaluation], index);
        return new Outcome(outDir, evaluation, summary, generated, training);
    }
}

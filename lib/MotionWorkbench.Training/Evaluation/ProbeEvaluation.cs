using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Data.Probes;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;

namespace MotionWorkbench.Training;

/// <summary>Which motion statistics normalise a probe set's motions.</summary>
public enum ProbeStatistics
{
    /// <summary>The run's own when the probe set has the run's skeleton, else the probe set's (its source dataset's, for real clips).</summary>
    Auto,
    /// <summary>The run's own statistics (the skeleton it was trained on).</summary>
    Run,
    /// <summary>The probe set's: those of the dataset its motions were cut from (<see cref="ProbeSet.SourceData"/>), else of the probe folder.</summary>
    Probes,
}

/// <summary>
/// A run probed with a minimal-pair set (<c>mw probe</c>): the probe folder embedded through the same path as
/// <c>mw eval</c> (the run's model, vocabulary, patch options and statistics, embeddings cached per checkpoint and
/// data), each pair scored by <see cref="ProbeScoring"/>: per attribute, text->motion and motion->text accuracy with a
/// 95 % Wilson interval and the mean margin, chance 50 %. <see cref="Cropped"/> counts probe motions longer than the
/// run's <c>model.maxFrames</c> (evaluation keeps their first frames, so a change after the crop cannot be seen).
/// </summary>
public sealed record ProbeEvaluation(string RunDir, string Checkpoint, string ProbesDir, string Source, string Skeleton, string Architecture,
    string Statistics, string StatisticsNote, int Motions, int Cropped, int MaxFrames,
    IReadOnlyList<ProbeAttributeResult> Attributes, IReadOnlyList<(string Contrast, ProbeAttributeResult Result)> Contrasts, bool FromCache)
{
    public const int JsonVersion = 1;

    /// <summary>Probes a run (default checkpoint: best, else last) with the probe set in <paramref name="probesDir"/>.</summary>
    public static ProbeEvaluation Run(string runDir, string probesDir, string? checkpoint = null, ProbeStatistics statistics = ProbeStatistics.Auto,
        IProgress<(int Done, int Total)>? progress = null)
    {
        var set = ProbeSet.Load(probesDir);
        var config = RunConfig.Load(runDir);
        if (config.Model.Architecture == Models.Architecture.Interaction)
            throw new InvalidOperationException($"{runDir}: a two-person (interaction) run; probe sets hold single-person motions");
        var path = checkpoint is null ? RunModels.DefaultCheckpoint(runDir) : File.Exists(checkpoint) ? checkpoint : Path.Combine(runDir, checkpoint);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found", path);

        var (useProbes, note) = ChooseStatistics(runDir, config, probesDir, set, statistics);
        string? statisticsFrom = useProbes && set.SourceData is { } source && Directory.Exists(source) ? source : null;
        var data = RunData.ForRun(runDir, probesDir, dataStatistics: useProbes, statisticsFrom: statisticsFrom, allClips: true);
        if (config.Model.ReadsRawFrames() && useProbes)
            note += "; a raw-frame model reads joints by position, so on another skeleton its scores are not meaningful";
        var samples = data.EvalSamples(ProbeFolder.Split);
        var emb = Embedder.EmbedCached(runDir, path, data, ProbeFolder.Split, () => RunModels.Load(runDir, path), 64, progress);

        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < emb.Count; i++) row[emb.Ids[i]] = i;
        var items = new List<ProbeItem>(set.Pairs.Count);
        foreach (var p in set.Pairs)
        {
            foreach (var (id, caption) in new[] { (p.MotionA, p.CaptionA), (p.MotionB, p.CaptionB) })
            {
                if (!row.TryGetValue(id, out int r))
                    throw new InvalidDataException($"{probesDir}: pair '{p.Id}' names motion '{id}', which the probe folder's '{ProbeFolder.Split}' split does not hold");
                if (emb.Captions[r] != caption)
                    throw new InvalidDataException($"{probesDir}: pair '{p.Id}' gives motion '{id}' the caption \"{caption}\" but its texts file has \"{emb.Captions[r]}\"");
            }
            items.Add(new ProbeItem(p.Attribute, row[p.MotionA], row[p.MotionB]));
        }
        var results = Order(ProbeScoring.Score(items, emb.Texts, emb.Motions));
        var contrasts = new List<(string, ProbeAttributeResult)>();
        foreach (var group in set.Pairs.Select((p, i) => (p, i)).GroupBy(x => x.p.Attribute))
        {
            var names = group.Select(x => x.p.Contrast).Distinct().ToList();
            if (names.Count < 2 || names.Count > 6) continue; // order and action pairs each have their own contrast
            foreach (var name in names)
            {
                var sub = group.Where(x => x.p.Contrast == name).Select(x => items[x.i]).ToList();
                contrasts.Add((name, ProbeScoring.Score(sub, emb.Texts, emb.Motions).Single()));
            }
        }
        int T = config.Model.MaxFrames;
        int cropped = samples.Count(s => Retimed(s.Clip, data.PatchOptions) > T);
        string skeleton = data.Dataset.Skeleton.Name;
        return new ProbeEvaluation(runDir, Path.GetFileName(path), Path.GetFullPath(probesDir), set.Source, skeleton, config.Model.Architecture.Name,
            useProbes ? "probes" : "run", note, emb.Count, cropped, T, results, contrasts, emb.FromCache);
    }

    private static int Retimed(Data.MotionClip clip, PatchOptions options) =>
        FrameRetiming.IsIdentity(clip.Fps, options.TargetFps) ? clip.Frames : FrameRetiming.RetimedLength(clip.Frames, clip.Fps, options.TargetFps!.Value);

    private static IReadOnlyList<ProbeAttributeResult> Order(IReadOnlyList<ProbeAttributeResult> results) =>
        results.OrderBy(r => ProbeAttributes.Rank(r.Attribute)).ThenBy(r => r.Attribute, StringComparer.Ordinal).ToList();

    /// <summary>The run's statistics when the probe set has the run's skeleton (by the name in the run data's skeleton.json, else the joint count), the probe set's otherwise.</summary>
    private static (bool UseProbes, string Note) ChooseStatistics(string runDir, RunConfig config, string probesDir, ProbeSet set, ProbeStatistics choice)
    {
        string probeSkeleton = set.Skeleton;
        var skPath = Path.Combine(probesDir, SkeletonJson.FileName);
        if (File.Exists(skPath)) probeSkeleton = SkeletonJson.Load(skPath).Skeleton.Name;
        string? runSkeleton = null;
        var runSkPath = Path.Combine(config.Data.Dir, SkeletonJson.FileName);
        if (File.Exists(runSkPath)) runSkeleton = SkeletonJson.Load(runSkPath).Skeleton.Name;
        string Source() => set.SourceData is { } s && Directory.Exists(s) ? $"the probe set's source data {s}" : "the probe folder's own";
        switch (choice)
        {
            case ProbeStatistics.Run: return (false, "statistics: the run's own (--statistics run)");
            case ProbeStatistics.Probes: return (true, $"statistics: {Source()} (--statistics probes)");
        }
        if (runSkeleton is null)
        {
            bool sameJoints = StatisticsFiles.Exist(runDir) && StatisticsFiles.Load(runDir).JointCount == SkeletonJoints(probesDir);
            return sameJoints
                ? (false, $"statistics: the run's own (its training data {config.Data.Dir} has no skeleton.json; the joint counts match)")
                : (true, $"statistics: {Source()} (the run's skeleton is not known and the joint counts differ)");
        }
        return runSkeleton == probeSkeleton
            ? (false, $"statistics: the run's own (same skeleton, {runSkeleton})")
            : (true, $"statistics: {Source()} (the run was trained on {runSkeleton}, the probes are {probeSkeleton}: zero-shot across skeletons)");
    }

    private static int SkeletonJoints(string probesDir)
    {
        var skPath = Path.Combine(probesDir, SkeletonJson.FileName);
        return File.Exists(skPath) ? SkeletonJson.Load(skPath).Skeleton.JointCount : -1;
    }

    public JsonObject ToJson() => new()
    {
        ["version"] = JsonVersion,
        ["run"] = RunDir,
        ["checkpoint"] = Checkpoint,
        ["architecture"] = Architecture,
        ["probes"] = ProbesDir,
        ["source"] = Source,
        ["skeleton"] = Skeleton,
        ["statistics"] = Statistics,
        ["statisticsNote"] = StatisticsNote,
        ["motions"] = Motions,
        ["cropped"] = Cropped,
        ["maxFrames"] = MaxFrames,
        ["chance"] = ProbeScoring.Chance,
        ["tieTolerance"] = ProbeScoring.DefaultTieTolerance,
        ["attributes"] = new JsonArray(Attributes.Select(a => (JsonNode?)a.ToJson()).ToArray()),
        ["contrasts"] = new JsonArray(Contrasts.Select(c => { var o = c.Result.ToJson(); o["contrast"] = c.Contrast; return (JsonNode?)o; }).ToArray()),
    };

    /// <summary>Reads what <see cref="ToJson"/> wrote (notebooks keep results as JSON); a malformed file is one error naming it.</summary>
    public static ProbeEvaluation FromJson(JsonNode node, string where)
    {
        try
        {
            if ((int?)node["version"] != JsonVersion) throw new InvalidDataException($"{where}: probe result version {node["version"]}, expected {JsonVersion}");
            var attributes = node["attributes"]!.AsArray().Select((a, i) => ProbeAttributeResult.FromJson(a!, $"{where} attribute {i}")).ToList();
            var contrasts = node["contrasts"]!.AsArray().Select((c, i) => ((string)c!["contrast"]!, ProbeAttributeResult.FromJson(c!, $"{where} contrast {i}"))).ToList();
            return new ProbeEvaluation((string)node["run"]!, (string)node["checkpoint"]!, (string)node["probes"]!, (string)node["source"]!, (string)node["skeleton"]!,
                (string)node["architecture"]!, (string)node["statistics"]!, (string)node["statisticsNote"]!, (int)node["motions"]!, (int)node["cropped"]!,
                (int)node["maxFrames"]!, attributes, contrasts, FromCache: true);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{where}: not a probe result ({e.Message})");
        }
    }

    /// <summary>The console table: one row per attribute, then the chance row.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Checkpoint} of {RunDir} ({Architecture}) on probe set {ProbesDir} ({Source}, {Skeleton}): {Motions} motions{(FromCache ? " (embeddings from cache)" : "")}\n");
        sb.Append(StatisticsNote).Append('\n');
        if (Cropped > 0) sb.Append(CultureInfo.InvariantCulture, $"note: {Cropped} of {Motions} probe motions are longer than the run's {MaxFrames} frames and are cropped to their start\n");
        sb.Append(CultureInfo.InvariantCulture, $"\n  {"attribute",-12} {"pairs",6}   {"text->motion",-22} {"motion->text",-22} {"margin",8}\n");
        foreach (var a in Attributes) sb.Append(Line(a.Attribute, a)).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  {"chance",-12} {"",6}   {ProbeScoring.Chance,6:F1}{"",16} {ProbeScoring.Chance,6:F1}{"",16} {0,8:F4}\n");
        if (Contrasts.Count > 0)
        {
            sb.Append("\n  by contrast:\n");
            foreach (var (name, r) in Contrasts) sb.Append(Line($"{r.Attribute}: {name}", r, 34)).Append('\n');
        }
        sb.Append("  accuracy in % of pair trials (two per pair and direction; ties count half) [95 % Wilson interval];\n  margin: mean of (s(a,a) + s(b,b) - s(a,b) - s(b,a)) / 2, positive when the right pairings score higher\n");
        return sb.ToString();
    }

    private static string Line(string label, ProbeAttributeResult a, int width = 12) =>
        string.Create(CultureInfo.InvariantCulture, $"  {label.PadRight(width)} {a.Pairs,6}   {Cell(a.TextToMotion),-22} {Cell(a.MotionToText),-22} {a.MeanMargin,8:F4}");

    private static string Cell(ProbeAccuracy a) => string.Create(CultureInfo.InvariantCulture, $"{a.Accuracy,6:F1} [{a.Low:F1}, {a.High:F1}]");

    /// <summary>An HTML table: one row per attribute (accuracy, interval, pairs, margin, both directions) and a chance row.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<p>Probe set <code>{RunEvaluation.Html(ProbesDir)}</code> ({RunEvaluation.Html(Source)}, {RunEvaluation.Html(Skeleton)}, {Motions} motions), {RunEvaluation.Html(Checkpoint)}; {RunEvaluation.Html(StatisticsNote)}.");
        if (Cropped > 0) sb.Append(CultureInfo.InvariantCulture, $" {Cropped} probe motions are longer than the run's {MaxFrames} frames and were cropped to their start.");
        sb.Append("</p>\n<table><tr><th>attribute</th><th>pairs</th><th>text → motion (%)</th><th>95 % CI</th><th>motion → text (%)</th><th>95 % CI</th><th>mean margin</th></tr>\n");
        foreach (var a in Attributes)
            sb.Append(CultureInfo.InvariantCulture,
                $"<tr><td title=\"{RunEvaluation.Html(ProbeAttributes.Describe(a.Attribute))}\">{RunEvaluation.Html(a.Attribute)}</td><td>{a.Pairs}</td><td>{a.TextToMotion.Accuracy:0.0}</td><td>{a.TextToMotion.Low:0.0}–{a.TextToMotion.High:0.0}</td><td>{a.MotionToText.Accuracy:0.0}</td><td>{a.MotionToText.Low:0.0}–{a.MotionToText.High:0.0}</td><td>{a.MeanMargin:0.0000}</td></tr>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<tr class=\"chance\"><td>chance</td><td></td><td>{ProbeScoring.Chance:0.0}</td><td></td><td>{ProbeScoring.Chance:0.0}</td><td></td><td>0</td></tr>\n</table>\n");
        sb.Append("<p>Accuracy: the share of pair trials scored right (per pair and direction two trials: each caption must prefer its own motion over the other, each motion its own caption; ties count half); mean margin: (s(a, a) + s(b, b) − s(a, b) − s(b, a)) / 2 per pair, positive when the right pairings score higher.</p>\n");
        return sb.ToString();
    }
}

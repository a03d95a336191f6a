using System.Diagnostics;
using System.Text.Json.Nodes;
using MotionWorkbench.Evaluation;
using MotionWorkbench.IO;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Torch;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>One trained and evaluated run of an experiment grid.</summary>
public sealed record ExperimentResult(string Label, string RunDir, RunConfig Config, string EvalData, string EvalSplit,
    IReadOnlyList<RetrievalResult> Results, double TrainSeconds, bool Reused)
{
    /// <summary>The result of a protocol ("all", "small-batches", "tmr-normal", "tmr-guo").</summary>
    public RetrievalResult Protocol(string name) => Results.FirstOrDefault(r => r.Protocol == name)
        ?? throw new KeyNotFoundException($"{RunDir}: no '{name}' result (evaluated: {string.Join(", ", Results.Select(r => r.Protocol))})");

    /// <summary>R@1/2/3/5/10 and MedR in both directions (<see cref="Columns.Full"/>).</summary>
    public double?[] Full(string protocol = "all")
    {
        var r = Protocol(protocol);
        return [.. r.TextToMotion.ToArray().Select(v => (double?)v), .. r.MotionToText.ToArray().Select(v => (double?)v)];
    }

    /// <summary>R@1/5/10 and MedR in both directions (<see cref="Columns.Short"/>).</summary>
    public double?[] Short(string protocol = "all")
    {
        var r = Protocol(protocol);
        static double?[] S(RecallMetrics m) => [m.R1, m.R5, m.R10, m.MedR];
        return [.. S(r.TextToMotion), .. S(r.MotionToText)];
    }

    /// <summary>The training curve (loss per step) from the run's metrics.jsonl.</summary>
    public CurveSeries LossCurve()
    {
        var steps = Trainer.ReadStepLosses(Path.Combine(RunDir, Trainer.MetricsFileName));
        return new CurveSeries(Label, steps.Select(s => (double)s.Step).ToArray(), steps.Select(s => s.Loss).ToArray());
    }
}

/// <summary>
/// Train-then-evaluate helpers for the notebooks: one call per row of a paper table. A run folder that already holds a
/// finished experiment with the same configuration (and evaluation data) is reused, so re-running a notebook only
/// re-trains what changed; an unfinished training of the same configuration (a notebook stopped in a long run) is
/// resumed from its 'last' checkpoint; any other content of that folder is replaced.
/// </summary>
public static class Experiment
{
    public const string ResultFileName = "experiment.json";
    public static IReadOnlyList<string> DefaultProtocols { get; } = ["all", "small-batches"];

    /// <summary>
    /// Trains <paramref name="config"/> into <paramref name="runDir"/> and evaluates the best checkpoint on the test
    /// split, or reuses the folder when it holds a finished experiment with the same configuration and evaluation data.
    /// </summary>
    /// <param name="evalDataDir">Evaluate on another dataset (cross-skeleton zero-shot); default: the training data.</param>
    public static ExperimentResult TrainAndEvaluate(string label, RunConfig config, string runDir, IEnumerable<string>? protocols = null,
        string? evalDataDir = null, TextWriter? log = null)
    {
        TorchEngine.Register(); // this library (the notebooks' trainer) trains on train.engine = mw or torch
        var protocolList = (protocols ?? DefaultProtocols).ToList();
        string evalData = Path.GetFullPath(evalDataDir ?? config.Data.Dir);
        string configJson = config.ToJson();
        var cached = TryLoad(runDir, configJson, evalData, protocolList);
        if (cached is not null)
        {
            var missing = protocolList.Where(p => cached.Results.All(r => r.Protocol != p)).ToList();
            if (missing.Count == 0)
            {
                log?.WriteLine($"{label}: reusing {runDir} (same configuration, already evaluated)");
                return cached with { Label = label };
            }
            // The same finished run, asked for more protocols: evaluate those, keep the training.
            log?.WriteLine($"{label}: reusing {runDir} (same configuration); evaluating {string.Join(", ", missing)}");
            var added = cached with { Label = label, Results = [.. cached.Results, .. Evaluate(runDir, evalDataDir, cached.EvalSplit, missing)] };
            Save(added, configJson);
            return added;
        }
        // An unfinished (or finished but not evaluated) training of this very configuration continues where it stopped,
        // so a notebook stopped in a long run loses at most the epoch it was in; anything else in the folder is replaced.
        bool resume = CanResume(runDir, config);
        if (!resume && Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
        var watch = Stopwatch.StartNew();
        log?.WriteLine(resume
            ? $"{label}: resuming the unfinished {config.Model.Architecture} run in {runDir} (same configuration; its train.log says from which step)..."
            : $"{label}: training {config.Model.Architecture} ({config.Preset}) on {config.Data.Dir} for {config.Train.Epochs} epoch(s)...");
        var training = new Trainer(config, runDir).Run(resume);
        if (!training.Completed) throw new InvalidOperationException($"{runDir}: training stopped before the last epoch");
        // a resumed run's training time is its checkpoint's, summed over every part it trained in
        double seconds = resume ? training.State.ElapsedSeconds : watch.Elapsed.TotalSeconds;
        var results = Evaluate(runDir, evalDataDir, config.Data.TestSplit, protocolList);
        var result = new ExperimentResult(label, runDir, config, evalData, config.Data.TestSplit, results, seconds, Reused: false);
        Save(result, configJson);
        log?.WriteLine($"{label}: trained in {seconds:0.0} s; {protocolList[0]} t2m R@1 {result.Protocol(protocolList[0]).TextToMotion.R1:0.00} (n = {result.Protocol(protocolList[0]).N})");
        return result;
    }

    /// <summary>
    /// Zero-shot transfer: the trained <paramref name="source"/> evaluated as is on the test split of another dataset
    /// (another skeleton: its own statistics normalise the motions). Evaluation only, so nothing is cached.
    /// </summary>
    public static ExperimentResult ZeroShot(string label, ExperimentResult source, string targetDataDir, IEnumerable<string>? protocols = null, TextWriter? log = null)
    {
        var protocolList = (protocols ?? DefaultProtocols).ToList();
        var results = Evaluate(source.RunDir, targetDataDir, source.Config.Data.TestSplit, protocolList);
        log?.WriteLine($"{label}: {protocolList[0]} t2m R@1 {results[0].TextToMotion.R1:0.00} (n = {results[0].N})");
        return new ExperimentResult(label, source.RunDir, source.Config, Path.GetFullPath(targetDataDir), source.Config.Data.TestSplit, results, 0, Reused: false);
    }

    /// <summary>
    /// Evaluates a trained run on a split of <paramref name="dataDir"/> (default: its own data). On another dataset the
    /// motions are normalised with that dataset's own statistics (the run's statistics describe another skeleton).
    /// </summary>
    public static List<RetrievalResult> Evaluate(string runDir, string? dataDir, string split, IEnumerable<string>? protocols = null)
    {
        var model = RunModels.Load(runDir);
        var data = ForData(runDir, dataDir);
        var embeddings = Embedder.Embed(model, data, split, batchSize: 64);
        var names = (protocols ?? DefaultProtocols).ToList();
        var standard = embeddings.Evaluate(names.Where(p => p != RetrievalProtocols.TmrThreshold));
        // TMR's threshold protocol: MiniLM-L6 sentence embeddings of the captions (cached in the run) stand in for all-mpnet-base-v2.
        return names.Select(p => p == RetrievalProtocols.TmrThreshold ? ThresholdProtocol.Evaluate(embeddings, runDir) : standard.First(r => r.Protocol == p)).ToList();
    }

    /// <summary>The run's data for evaluation on <paramref name="dataDir"/>, with that dataset's statistics when it is another one.</summary>
    public static RunData ForData(string runDir, string? dataDir)
    {
        var config = RunConfig.Load(runDir);
        bool other = dataDir is not null && Path.GetFullPath(dataDir) != Path.GetFullPath(config.Data.Dir);
        return RunData.ForRun(runDir, dataDir, dataStatistics: other);
    }

    internal static void Save(ExperimentResult r, string configJson)
    {
        var node = new JsonObject
        {
            ["label"] = r.Label,
            ["config"] = JsonNode.Parse(configJson),
            ["evalData"] = r.EvalData,
            ["evalSplit"] = r.EvalSplit,
            ["trainSeconds"] = r.TrainSeconds,
            ["results"] = new JsonArray(r.Results.Select(x => JsonNode.Parse(x.ToJson())).ToArray()),
        };
        var path = Path.Combine(r.RunDir, ResultFileName);
        AtomicFile.WriteAllText(path, node.ToJsonString(RunFolder.Json));
    }

    /// <summary>
    /// True when <paramref name="runDir"/> holds a training of <paramref name="config"/> (its config.json equal up to the
    /// thread count) with a 'last' checkpoint: one a notebook was stopped in, or one stopped during its evaluation.
    /// </summary>
    internal static bool CanResume(string runDir, RunConfig config)
    {
        if (!File.Exists(Path.Combine(runDir, Checkpoint.LastFileName))) return false;
        try { return RunConfig.Load(runDir).SameRunAs(config); }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or ArgumentException or UnauthorizedAccessException)
        {
            return false; // an unreadable or older config.json: train again
        }
    }

    internal static ExperimentResult? TryLoad(string runDir, string configJson, string evalData, IReadOnlyList<string> protocols)
    {
        var path = Path.Combine(runDir, ResultFileName);
        if (!File.Exists(path)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            if (!JsonNode.DeepEquals(node["config"], JsonNode.Parse(configJson))) return null;
            if ((string?)node["evalData"] != evalData) return null;
            var results = node["results"]!.AsArray().Select(x => RetrievalResult.FromJson(x!.ToJsonString())).ToList();
            if (!File.Exists(Path.Combine(runDir, Checkpoint.BestFileName)) && !File.Exists(Path.Combine(runDir, Checkpoint.LastFileName))) return null;
            return new ExperimentResult((string?)node["label"] ?? "", runDir, RunConfig.FromJson(node["config"]!.ToJsonString(), path), evalData,
                (string?)node["evalSplit"] ?? "test", results, (double?)node["trainSeconds"] ?? 0, Reused: true);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or NullReferenceException or InvalidOperationException)
        {
            return null; // a damaged or older result file: train again
        }
    }

    /// <summary>A metric table (short columns) of results with the published row beside each (null: none published).</summary>
    public static MetricTable ShortTable(string title, IEnumerable<(ExperimentResult Result, double?[]? Published)> rows, string protocol = "all", string? note = null)
    {
        var table = new MetricTable(title, Columns.Short, Columns.LowerIsBetter) { Note = note };
        foreach (var (r, p) in rows) table.Add(r.Label, r.Short(protocol), p);
        return table;
    }
}

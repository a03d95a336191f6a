using System.Diagnostics;
using MotionWorkbench.Models;
using MotionWorkbench.Torch;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Lex rows for the notebooks: the multi-phase pipeline (or any subset of its phases: the ablations; phase 4 alone
/// from scratch: the "†" baseline) trained into one folder and its last phase evaluated, reused when unchanged.
/// </summary>
public static class LexExperiment
{
    /// <summary>A Lex configuration of a preset: model.architecture = lex on <paramref name="dataDir"/>.</summary>
    public static RunConfig Config(string preset, string dataDir, string name, Func<RunConfig, RunConfig>? change = null) =>
        PaperData.Config(preset, dataDir, name, c => { var lex = c with { Model = c.Model with { Architecture = Architecture.Lex } }; return change is null ? lex : change(lex); });

    /// <summary>
    /// Runs the <paramref name="phases"/> (keys of <see cref="LexPipeline.Phases"/>; default all) of the pipeline into
    /// <paramref name="pipelineDir"/> and evaluates the last phase's best checkpoint on the test split. A folder that
    /// holds the same finished pipeline is reused, one that holds the same pipeline stopped part-way is resumed (finished
    /// phases kept, the phase it was in continued from its 'last' checkpoint); any other content is replaced.
    /// </summary>
    public static ExperimentResult Pipeline(string label, RunConfig config, string pipelineDir, IEnumerable<string>? phases = null,
        IEnumerable<string>? protocols = null, TextWriter? log = null)
    {
        TorchEngine.Register(); // this library (the notebooks' trainer) trains on train.engine = mw or torch
        var protocolList = (protocols ?? Experiment.DefaultProtocols).ToList();
        var plan = LexPipeline.Plan(config, pipelineDir, phases);
        var (_, _, finalDir, finalConfig) = plan[^1];
        string evalData = Path.GetFullPath(config.Data.Dir);
        var cached = Experiment.TryLoad(finalDir, finalConfig.ToJson(), evalData, protocolList);
        if (cached is not null && File.Exists(Path.Combine(pipelineDir, LexPipeline.SummaryFileName))
            && plan.All(p => File.Exists(Path.Combine(p.RunDir, Checkpoint.LastFileName))) && SamePhases(pipelineDir, plan.Select(p => p.Key)))
        {
            log?.WriteLine($"{label}: reusing {pipelineDir} (same phases and configuration, already evaluated)");
            return cached with { Label = label };
        }
        // A pipeline stopped part-way (a notebook stopped in a long phase) continues: the phases it finished are kept and
        // the one it was in resumes from its 'last' checkpoint, when every phase folder it wrote holds this plan's
        // configuration; anything else in the folder is replaced.
        bool resume = CanResume(pipelineDir, plan);
        if (!resume && Directory.Exists(pipelineDir)) Directory.Delete(pipelineDir, recursive: true);
        var watch = Stopwatch.StartNew();
        log?.WriteLine($"{label}: {(resume ? "resuming the unfinished pipeline in " + pipelineDir + ": " : "")}Lex phases {string.Join(" -> ", plan.Select(p => p.Title))} ({config.Preset}) on {config.Data.Dir}, {config.Train.Epochs} epoch(s) each...");
        var runs = LexPipeline.Run(config, pipelineDir, plan.Select(p => p.Key), log: log is null ? null : log.WriteLine);
        if (runs.Count != plan.Count || runs[^1].Result is { Completed: false }) throw new InvalidOperationException($"{pipelineDir}: the pipeline stopped before its last phase finished");
        // a resumed pipeline's training time is its phases' checkpoints', summed over every part they trained in
        double seconds = resume ? plan.Sum(p => Checkpoint.Read(Path.Combine(p.RunDir, Checkpoint.LastFileName)).State.ElapsedSeconds) : watch.Elapsed.TotalSeconds;
        var results = Experiment.Evaluate(finalDir, null, config.Data.TestSplit, protocolList);
        var result = new ExperimentResult(label, finalDir, finalConfig, evalData, config.Data.TestSplit, results, seconds, Reused: false);
        Experiment.Save(result, finalConfig.ToJson());
        log?.WriteLine($"{label}: {seconds:0.0} s; {protocolList[0]} t2m R@1 {result.Protocol(protocolList[0]).TextToMotion.R1:0.00} (n = {result.Protocol(protocolList[0]).N})");
        return result;
    }

    /// <summary>
    /// True when <paramref name="pipelineDir"/> holds nothing but this plan's phase folders and at least one of them has a
    /// 'last' checkpoint of its phase's configuration (equal up to the thread count), with no phase after the first
    /// unstarted one: a pipeline stopped part-way that <see cref="LexPipeline.Run"/> can continue.
    /// </summary>
    internal static bool CanResume(string pipelineDir, IReadOnlyList<(string Key, string Title, string RunDir, RunConfig Config)> plan)
    {
        if (!Directory.Exists(pipelineDir)) return false;
        var phaseDirs = plan.Select(p => Path.GetFullPath(p.RunDir)).ToHashSet();
        if (Directory.EnumerateDirectories(pipelineDir).Any(d => !phaseDirs.Contains(Path.GetFullPath(d)))) return false;
        bool started = false, gap = false;
        foreach (var (_, _, runDir, phaseConfig) in plan)
        {
            bool has = File.Exists(Path.Combine(runDir, Checkpoint.LastFileName));
            if (!has) { gap = true; continue; }
            if (gap || !Experiment.CanResume(runDir, phaseConfig)) return false;
            started = true;
        }
        return started;
    }

    private static bool SamePhases(string pipelineDir, IEnumerable<string> keys)
    {
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(pipelineDir, LexPipeline.SummaryFileName)));
            var done = node!["phases"]!.AsArray().Where(p => (bool?)p!["completed"] == true).Select(p => (string)p!["phase"]!).ToList();
            return done.SequenceEqual(keys);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException) { return false; }
    }

    /// <summary>Sparsity of a Lex run's vectors on a split (non-zeros per motion and caption, FLOPS).</summary>
    public static LexicalSparsity Sparsity(ExperimentResult lexRun, string? split = null) =>
        RunEvaluation.Run(lexRun.RunDir, split: split ?? lexRun.EvalSplit, protocols: ["all"]).Sparsity
        ?? throw new InvalidOperationException($"{lexRun.RunDir}: not a Lex run (no lexical vectors)");

    /// <summary>The top words of the lexical vectors of a few test motions and of their captions.</summary>
    public static IReadOnlyList<(string Id, string Caption, IReadOnlyList<(string Word, float Weight)> MotionWords, IReadOnlyList<(string Word, float Weight)> CaptionWords)> Words(
        ExperimentResult lexRun, int motions = 3, int k = 10)
    {
        var index = RetrievalIndex.Open(lexRun.RunDir, split: lexRun.EvalSplit);
        return index.Embeddings.Ids.Take(motions).Select(id => (id, index.CaptionOf(id), index.ExplainMotion(id, k), index.ExplainText(index.CaptionOf(id), k))).ToList();
    }
}

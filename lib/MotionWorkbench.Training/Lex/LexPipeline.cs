using System.Text.Json.Nodes;
using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>One phase of a <see cref="LexPipeline"/> run: its folder and how it ended (null when it was already complete).</summary>
public sealed record LexPhaseRun(string Phase, string Title, string RunDir, bool AlreadyComplete, TrainingResult? Result);

/// <summary>
/// The Lex pre-training pipeline (lex-facts §4): each phase is a normal run of the one <see cref="Trainer"/> in its own
/// folder under one pipeline folder (<c>1-lexmlm</c>, <c>2-cmmm</c>, <c>3-lexmmm</c>, <c>4-lexcmlp</c>), started from the previous
/// phase's <c>last</c> checkpoint by <c>train.initFrom</c>. Running it again resumes: a completed phase is skipped, a stopped one resumes from
/// its <c>last</c> checkpoint, the rest start. Leaving phases
/// out (<c>phases</c>) gives the ablations, and phase 4 alone from scratch is the "†" baseline.
/// </summary>
public static class LexPipeline
{
    /// <summary>(key = model.lexPhase, folder, title) in pipeline order.</summary>
    public static IReadOnlyList<(string Key, string Folder, string Title)> Phases { get; } =
    [
        ("mlm", "1-lexmlm", "LexMLM"),
        ("cmmm", "2-cmmm", "CMMM"),
        ("mmm", "3-lexmmm", "LexMMM"),
        ("cmlp", "4-lexcmlp", "LexCMLP"),
    ];

    public const string SummaryFileName = "pipeline.json";

    /// <summary>The phase keys of a comma-separated list ("mlm,mmm,cmlp"), validated and in pipeline order.</summary>
    public static IReadOnlyList<string> ParsePhases(string? list)
    {
        if (list is null) return Phases.Select(p => p.Key).ToList();
        string order = string.Join(",", Phases.Select(p => p.Key));
        var keys = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => k.ToLowerInvariant()).ToList();
        if (keys.Count == 0) throw new ArgumentException($"--phases '{list}' names no phase; leave it out for all ({order}) or list some of them");
        foreach (var k in keys)
        {
            if (Phases.All(p => p.Key != k)) throw new ArgumentException($"unknown Lex phase '{k}' (known: {string.Join(", ", Phases.Select(p => p.Key))})");
        }
        if (keys.Distinct().Count() != keys.Count) throw new ArgumentException($"phases listed twice in '{list}'");
        var ordered = Phases.Select(p => p.Key).Where(keys.Contains).ToList();
        if (!ordered.SequenceEqual(keys))
            throw new ArgumentException($"--phases '{list}': the phases run in pipeline order ({order}), each from the one before; list them in that order ({string.Join(",", ordered)})");
        return ordered;
    }

    /// <summary>The phases' folders and configurations: each phase named after the pipeline, its model.lexPhase set and
    /// its train.initFrom the previous phase's <c>last</c> checkpoint (the first phase keeps the config's own initFrom).</summary>
    public static IReadOnlyList<(string Key, string Title, string RunDir, RunConfig Config)> Plan(RunConfig config, string outDir, IEnumerable<string>? phases = null)
    {
        var keys = (phases ?? Phases.Select(p => p.Key)).ToList();
        if (keys.Count == 0) throw new ArgumentException("the Lex pipeline needs at least one phase");
        foreach (var k in keys) if (Phases.All(p => p.Key != k)) throw new ArgumentException($"unknown Lex phase '{k}' (known: {string.Join(", ", Phases.Select(p => p.Key))})");
        var plan = new List<(string, string, string, RunConfig)>();
        string? previous = config.Train.InitFrom;
        foreach (var (key, folder, title) in Phases.Where(p => keys.Contains(p.Key)))
        {
            string dir = Path.Combine(outDir, folder);
            var phaseConfig = config with
            {
                Name = $"{config.Name}-{folder}",
                Model = config.Model with { Architecture = Architecture.Lex, LexPhase = key },
                Train = config.Train with { InitFrom = previous },
            };
            plan.Add((key, title, dir, phaseConfig.Validate()));
            previous = Path.Combine(dir, Checkpoint.LastFileName); // a phase's end, not its "best" (selected by retrieval, which phases 1 and 3 do not train)
        }
        return plan;
    }

    /// <summary>Runs (or resumes) the phases into <paramref name="outDir"/>; stops early when a phase is stopped.</summary>
    public static IReadOnlyList<LexPhaseRun> Run(RunConfig config, string outDir, IEnumerable<string>? phases = null,
        Func<RunConfig, string, Trainer>? trainer = null, Action<string>? log = null, CancellationToken cancellation = default)
    {
        var plan = Plan(config, outDir, phases);
        TrainingEngines.Require(config.Train.Engine); // before the pipeline's folder is made
        trainer ??= (c, d) => new Trainer(c, d);
        bool created = !Directory.Exists(outDir);
        Directory.CreateDirectory(outDir);
        try { return RunPlan(config, outDir, plan, trainer, log, cancellation); }
        catch
        {
            // a pipeline refused before its first phase trained leaves no folder (each phase's trainer removes its own)
            if (created && Directory.Exists(outDir) && !Directory.EnumerateFileSystemEntries(outDir).Any()) Directory.Delete(outDir);
            throw;
        }
    }

    private static List<LexPhaseRun> RunPlan(RunConfig config, string outDir, IReadOnlyList<(string Key, string Title, string RunDir, RunConfig Config)> plan,
        Func<RunConfig, string, Trainer> trainer, Action<string>? log, CancellationToken cancellation)
    {
        var runs = new List<LexPhaseRun>();
        foreach (var (key, title, dir, phaseConfig) in plan)
        {
            string last = Path.Combine(dir, Checkpoint.LastFileName);
            LexPhaseRun run;
            if (File.Exists(last))
            {
                var saved = RunConfig.Load(dir);
                if (saved.Model.LexPhase != key || saved.Model.Architecture != Architecture.Lex)
                    throw new InvalidDataException($"{dir}: holds a '{saved.Model.Architecture}' run of phase '{saved.Model.LexPhase}', not Lex phase '{key}' ({title}); move it away or choose another --out");
                var state = Checkpoint.Read(last).State;
                if (state.Completed)
                {
                    log?.Invoke($"{title}: already complete in {dir}");
                    run = new LexPhaseRun(key, title, dir, true, null);
                }
                else
                {
                    log?.Invoke($"{title}: resuming {dir} at step {state.GlobalStep}");
                    // the phase keeps its recorded thread count unless the pipeline's configuration asks for one (mw lex pretrain --threads)
                    var resumed = config.Train.Threads > 0 ? saved with { Train = saved.Train with { Threads = config.Train.Threads } } : saved;
                    run = new LexPhaseRun(key, title, dir, false, trainer(resumed, dir).Run(resume: true, cancellation));
                }
            }
            else
            {
                var from = phaseConfig.Train.InitFrom;
                string start = from is not null ? $" from {from}"
                    : phaseConfig.Train.InitTextEncoder is string t ? $" from scratch except its text tower (train.initTextEncoder = {t})"
                    : phaseConfig.Model.TextKind.IsPretrained ? $" from scratch except its text tower (model.textKind = {phaseConfig.Model.TextKind}, from the weights store)"
                    : " from scratch";
                log?.Invoke($"{title}: training {dir}{start}");
                run = new LexPhaseRun(key, title, dir, false, trainer(phaseConfig, dir).Run(resume: false, cancellation));
            }
            runs.Add(run);
            WriteSummary(outDir, runs);
            if (run.Result is { Completed: false }) break;
        }
        return runs;
    }

    private static void WriteSummary(string outDir, IReadOnlyList<LexPhaseRun> runs)
    {
        var phases = new JsonArray();
        foreach (var r in runs)
            phases.Add(new JsonObject
            {
                ["phase"] = r.Phase, ["title"] = r.Title, ["runDir"] = Path.GetFileName(r.RunDir),
                ["completed"] = r.AlreadyComplete || r.Result?.Completed == true,
            });
        Files.WriteText(Path.Combine(outDir, SummaryFileName), new JsonObject { ["format"] = "motionworkbench-lex-pipeline-1", ["phases"] = phases }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}

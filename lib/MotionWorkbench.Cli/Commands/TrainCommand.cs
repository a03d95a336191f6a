using System.CommandLine;
using MotionWorkbench.Training;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw train --preset NAME --data DIR --out RUNDIR [--engine mw|torch] [--device cpu|cuda|auto] [--set key=value ...] [--resume]</c>: trains a motion-language
/// model into a run folder (config.json, metrics.jsonl, train.log, last/best checkpoints) with a live progress bar.
/// Ctrl+C stops after the current step and saves <c>last</c>; <c>--resume</c> continues.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = $"Configuration preset: {string.Join(", ", RunConfig.PresetNames)}", DefaultValueFactory = _ => "Laptop" };
        var data = new Option<string?>("--data") { Description = "Dataset folder (HumanML3D/KIT format); default: the preset's (data/synthetic)" };
        var outDir = new Option<string?>("--out") { Description = "Run folder (runs/<name>); required unless --list-keys" };
        var set = new Option<string[]>("--set") { Description = "Override a setting, e.g. --set train.epochs=3 --set model.vitDepth=2 (see --list-keys)", AllowMultipleArgumentsPerToken = false };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its 'last' checkpoint" };
        var listKeys = new Option<bool>("--list-keys") { Description = "Print every settable key with its type, default (in --preset) and meaning, and exit" };
        var (engine, device) = EngineOptions.Create();
        var command = new Command("train", "Train a motion-language model (contrastive, motion patches + text encoder) into a run folder.");
        foreach (var o in new Option[] { preset, data, outDir, set, engine, device, resume, listKeys, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            if (parse.GetValue(listKeys))
            {
                string presetName = parse.GetValue(preset)!;
                var help = RunConfig.KeyHelp(RunConfig.FromPreset(presetName));
                Console.WriteLine($"{"key",-32} {"type",-22} {$"default ({presetName})",-20} meaning");
                foreach (var k in help) Console.WriteLine($"{k.Key,-32} {k.Type,-22} {k.Default,-20} {k.Meaning}");
                return 0;
            }
            if (parse.GetValue(outDir) is not { } run)
            {
                Console.Error.WriteLine("mw train: --out is required (the run folder, e.g. --out runs/mine)");
                return 2;
            }
            try
            {
                RunConfig config;
                bool isResume = parse.GetValue(resume);
                if (isResume)
                {
                    var saved = RunConfig.Load(run);
                    if ((parse.GetValue(set) ?? []).Length > 0) throw new ArgumentException("--set cannot change a run being resumed (its config.json is fixed; --threads may change its thread count)");
                    if (parse.GetValue(engine) is not null || parse.GetValue(device) is not null)
                        throw new ArgumentException($"--engine/--device cannot change a run being resumed (it trains on train.engine = {saved.Train.Engine}, train.device = {saved.Train.Device} from its config.json)");
                    config = EngineThreads.ForResume(saved);
                    foreach (var note in RunThreads.ForResume(saved, config).Notes) Console.Error.WriteLine($"mw train: {note}");
                }
                else
                {
                    OutputCheck.Folder(run, "--out");
                    config = RunConfig.FromPreset(parse.GetValue(preset)!);
                    config = config with { Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(run))) };
                    if (parse.GetValue(data) is { } d) config = config with { Data = config.Data with { Dir = d } };
                    config = EngineThreads.ForNewRun(config.WithOverrides(EngineOptions.Overrides(parse, set, engine, device)).Validate());
                }
                var result = TrainingUi.Train(config, run, isResume);
                Console.WriteLine(result.Completed
                    ? $"done: {result.State.GlobalStep} steps, best {(config.Train.Selection == "test" ? "test (test-set selection)" : "validation")} motion->text R@1 {result.State.BestMetric:F2} at epoch {result.State.BestEpoch}; run folder {Path.GetFullPath(run)}"
                    : $"stopped at step {result.State.GlobalStep}; continue with: mw train --out {run} --resume");
                if (result.SkippedFiles.Count > 0)
                {
                    Console.Error.WriteLine($"mw train: {result.SkippedFiles.Count} dataset file(s) were skipped (all listed in train.log):");
                    foreach (var f in result.SkippedFiles.Take(5)) Console.Error.WriteLine("  " + f);
                }
                foreach (var w in result.StatisticsWarnings) Console.Error.WriteLine($"mw train: WARNING: {w}");
                if (result.Warning is not null) Console.Error.WriteLine($"mw train: WARNING: {result.Warning}");
                return result.Completed ? 0 : 130;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException or TrainingDivergedException or UnauthorizedAccessException)
            {
                return CliErrors.Report("mw train", e);
            }
        });
        return command;
    }
}

/// <summary>
/// <c>--engine mw|torch</c> and <c>--device cpu|cuda|cuda:N|auto</c> of <c>mw train</c> and <c>mw quickstart</c>: shorthands
/// for <c>--set train.engine=...</c> and <c>--set train.device=...</c>, applied after the <c>--set</c> list (so they win),
/// checked by <see cref="RunConfig.Validate"/> like any other value.
/// </summary>
internal static class EngineOptions
{
    public static (Option<string?> Engine, Option<string?> Device) Create() => (
        new Option<string?>("--engine") { Description = "Training engine: mw (the own engine, default) or torch (TorchSharp); = --set train.engine=..." },
        new Option<string?>("--device") { Description = "Device: cpu, cuda, cuda:N or auto (default; CUDA when the torch engine sees one); = --set train.device=..." });

    /// <summary>The <c>--set</c> overrides followed by those of <c>--engine</c>/<c>--device</c> when given.</summary>
    public static string[] Overrides(ParseResult parse, Option<string[]> set, Option<string?> engine, Option<string?> device)
    {
        var overrides = new List<string>(parse.GetValue(set) ?? []);
        if (parse.GetValue(engine) is { } e) overrides.Add($"train.engine={e}");
        if (parse.GetValue(device) is { } d) overrides.Add($"train.device={d}");
        return [.. overrides];
    }
}

/// <summary>The terminal side of training: a Spectre.Console live bar (epoch, step, loss, samples/s, ETA), Ctrl+C to stop.</summary>
internal static class TrainingUi
{
    public static TrainingResult Train(RunConfig config, string runDir, bool resume) =>
        Run((progress, ct) => new Trainer(config, runDir) { Progress = progress }.Run(resume, ct));

    public static T Run<T>(Func<IProgress<TrainingProgress>, CancellationToken, T> work)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler handler = (_, e) => { e.Cancel = true; cts.Cancel(); Console.Error.WriteLine("stopping after this step (saving 'last')..."); };
        Console.CancelKeyPress += handler;
        try
        {
            if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            {
                return work(new SyncProgress(p => { if (p.Phase == "eval" || p.Step == p.StepsPerEpoch || p.GlobalStep % 20 == 0) Console.WriteLine(Describe(p)); }), cts.Token);
            }
            T result = default!;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("starting", maxValue: 1);
                    result = work(new SyncProgress(p =>
                    {
                        task.MaxValue = Math.Max(1, p.TotalSteps);
                        task.Value = p.GlobalStep;
                        task.Description = Markup.Escape(Describe(p));
                    }), cts.Token);
                    task.Value = task.MaxValue;
                });
            return result;
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }

    /// <summary>Runs <paramref name="work"/> with Ctrl+C cancelling its token (no progress display), e.g. the quickstart's data generation.</summary>
    public static T Interruptible<T>(Func<CancellationToken, T> work)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler handler = (_, e) => { e.Cancel = true; cts.Cancel(); Console.Error.WriteLine("stopping..."); };
        Console.CancelKeyPress += handler;
        try
        {
            return work(cts.Token);
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }

    public static string Describe(TrainingProgress p) =>
        p.Phase == "eval" ? $"epoch {p.Epoch}/{p.Epochs} {p.Message}"
        : p.Phase == "mlm" ? $"MLM pre-training epoch {p.Epoch}/{p.Epochs} step {p.GlobalStep} masked-token loss {p.Loss:F4}"
        : $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch} loss {p.Loss:F4} {p.SamplesPerSecond:F1} samples/s" + (p.Eta is { } eta ? $" ETA {eta:hh\\:mm\\:ss}" : "");

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

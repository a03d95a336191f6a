using System.CommandLine;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw lex pretrain --preset NAME --data DIR --out DIR [--phases mlm,cmmm,mmm,cmlp] [--set key=value ...]</c>: the Lex
/// phases, each a run folder under --out chained by train.initFrom; run it again to resume where it stopped.
/// </summary>
internal static class LexCommand
{
    public static Command Create()
    {
        var command = new Command("lex", "Lex (sparse lexical motion-language model): the multi-phase pre-training pipeline.");
        command.Subcommands.Add(Pretrain());
        return command;
    }

    private static Command Pretrain()
    {
        var preset = new Option<string>("--preset") { Description = $"Configuration preset: {string.Join(", ", RunConfig.PresetNames)}", DefaultValueFactory = _ => "Laptop" };
        var data = new Option<string?>("--data") { Description = "Dataset folder (HumanML3D/KIT format); default: the preset's (data/synthetic)" };
        var outDir = new Option<string>("--out") { Description = "Pipeline folder: one run folder per phase (1-lexmlm, 2-cmmm, 3-lexmmm, 4-lexcmlp) and pipeline.json", Required = true };
        var phases = new Option<string?>("--phases") { Description = "Comma-separated phases to run, in pipeline order: mlm (LexMLM), cmmm (CMMM), mmm (LexMMM), cmlp (LexCMLP); default all. 'cmlp' alone is the † baseline" };
        var set = new Option<string[]>("--set") { Description = "Override a setting for every phase, e.g. --set train.epochs=3 (see mw train --list-keys)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("pretrain", "Run (or resume) the Lex phases into one folder; each phase starts from the previous one.");
        foreach (var o in new Option[] { preset, data, outDir, phases, set, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                string dir = parse.GetValue(outDir)!;
                var keys = LexPipeline.ParsePhases(parse.GetValue(phases));
                var config = RunConfig.FromPreset(parse.GetValue(preset)!);
                config = config with { Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))) };
                if (parse.GetValue(data) is { } d) config = config with { Data = config.Data with { Dir = d } };
                config = EngineThreads.ForNewRun(config.WithOverrides(["model.architecture=lex", .. parse.GetValue(set) ?? []]).Validate());
                var runs = TrainingUi.Run((progress, ct) => LexPipeline.Run(config, dir, keys, (c, d) => new Trainer(c, d) { Progress = progress }, Console.WriteLine, ct));
                foreach (var r in runs)
                    Console.WriteLine(r.AlreadyComplete ? $"{r.Title}: already complete ({r.RunDir})"
                        : r.Result!.Completed ? $"{r.Title}: done, {r.Result.State.GlobalStep} steps ({r.RunDir})"
                        : $"{r.Title}: stopped at step {r.Result.State.GlobalStep}; run the same command again to resume");
                var lastRun = runs[^1];
                bool complete = lastRun.AlreadyComplete || lastRun.Result!.Completed;
                if (complete) Console.WriteLine($"evaluate the final phase with: mw eval --run {lastRun.RunDir}");
                return complete ? 0 : 130;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or TrainingDivergedException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mw lex pretrain: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

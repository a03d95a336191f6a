using System.CommandLine;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw quickstart [--out runs/quickstart] [--data data/synthetic] [--preset Laptop] [--engine mw|torch] [--device cpu|cuda|auto] [--set key=value ...] [--resume]</c>:
/// the main job. Generates the synthetic dataset if absent, trains, evaluates the test split with "All" and
/// "Small batches", and writes runs/quickstart/summary.html.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Run folder", DefaultValueFactory = _ => "runs/quickstart" };
        var data = new Option<string>("--data") { Description = "Dataset folder (generated when it has no new_joints/)", DefaultValueFactory = _ => "data/synthetic" };
        var preset = new Option<string>("--preset") { Description = $"Configuration preset: {string.Join(", ", RunConfig.PresetNames)}", DefaultValueFactory = _ => "Laptop" };
        var set = new Option<string[]>("--set") { Description = "Override a setting (see mw train --list-keys)" };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted quickstart run" };
        var (engine, device) = EngineOptions.Create();
        var command = new Command("quickstart", "The main job: synthetic data (if absent) -> train -> evaluate (All, Small batches, TMR normal, TMR Guo) -> HTML summary.");
        foreach (var o in new Option[] { outDir, data, preset, set, engine, device, resume, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string run = parse.GetValue(outDir)!, dataDir = parse.GetValue(data)!;
            RunFolderGuard? generated = null; // the dataset this call generates: removed when the quickstart fails before its run's first step
            bool finished = false;
            try
            {
                if (!parse.GetValue(resume) && File.Exists(Path.Combine(run, Checkpoint.LastFileName)))
                    throw new InvalidOperationException($"{run} already holds a run; pass --resume to continue it, or --out another folder");
                var config = RunConfig.FromPreset(parse.GetValue(preset)!).WithOverrides(EngineOptions.Overrides(parse, set, engine, device)).Validate();
                // where it writes, before minutes of data generation and training (a complete dataset is only read)
                OutputCheck.Folder(run, "--out");
                if (!Directory.Exists(Path.Combine(dataDir, "new_joints"))) OutputCheck.Folder(dataDir, "--data");
                bool resuming = parse.GetValue(resume);
                if (resuming && File.Exists(Path.Combine(run, Checkpoint.LastFileName)))
                {
                    // the run keeps its recorded thread count unless --threads (or --set train.threads) asks for another
                    config = EngineThreads.ForResume(config);
                    foreach (var note in RunThreads.ForResume(RunConfig.Load(run), config).Notes) Console.Error.WriteLine($"mw quickstart: {note}");
                }
                else config = EngineThreads.ForNewRun(config);
                generated = TrainingUi.Interruptible(ct => Quickstart.EnsureData(dataDir, Console.WriteLine, cancellation: ct));
                if (generated is not null) Console.WriteLine($"synthetic dataset written to {Path.GetFullPath(dataDir)}");
                var outcome = TrainingUi.Run((progress, ct) => Quickstart.Run(run, dataDir, config, resuming, progress, null, ct, generatedData: generated));
                var ev = outcome.Evaluation;
                Console.WriteLine($"\ntest split: n = {ev.N} ({ev.Checkpoint}, {ev.Selection})");
                foreach (var r in ev.Results)
                {
                    int g = RunEvaluation.GallerySize(r.Protocol, r.N);
                    Console.WriteLine($"  {r.Protocol,-14} text->motion R@1 {r.TextToMotion.R1,6:F2} R@5 {r.TextToMotion.R5,6:F2} MedR {r.TextToMotion.MedR,6:F1} | motion->text R@1 {r.MotionToText.R1,6:F2} R@5 {r.MotionToText.R5,6:F2}" +
                        $"   (chance R@1 {RunEvaluation.ChanceRecall(1, g):F2}, R@5 {RunEvaluation.ChanceRecall(5, g):F2}, MedR {RunEvaluation.ChanceMedR(g):F1})");
                }
                if (outcome.Confusions is { Errors: > 0 } c)
                    Console.WriteLine($"  text->motion top-1 errors: {c.Errors} of {c.Queries} ({100.0 * c.Errors / c.Queries:F1} %), {100.0 * c.MirrorErrors / c.Errors:F1} % of them the left/right mirror (most common confusions in the summary)");
                if (outcome.Probes is { } probes) Console.Write("\nminimal-pair probes (chance 50 %):\n" + probes.ToText());
                else if (outcome.ProbesNote is not null) Console.WriteLine($"note: {outcome.ProbesNote}");
                Console.WriteLine($"summary: {Path.GetFullPath(outcome.SummaryPath)}");
                foreach (var w in outcome.Training.StatisticsWarnings) Console.Error.WriteLine($"mw quickstart: WARNING: {w}");
                if (outcome.Training.Warning is not null) Console.Error.WriteLine($"mw quickstart: WARNING: {outcome.Training.Warning}");
                finished = true;
                return 0;
            }
            catch (OperationCanceledException e)
            {
                Console.Error.WriteLine($"mw quickstart: {e.Message}");
                return 130;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException or TrainingDivergedException or UnauthorizedAccessException)
            {
                return CliErrors.Report("mw quickstart", e);
            }
            finally
            {
                if (!finished) generated?.Rollback(); // Quickstart.Run rolls back what fails inside it; this covers what fails around it
            }
        });
        return command;
    }
}

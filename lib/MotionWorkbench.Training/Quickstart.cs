using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Evaluation;

namespace MotionWorkbench.Training;

/// <summary>
/// The main job: generate the synthetic dataset if absent (through the Data library's generator), train a preset,
/// evaluate the test split with "All", "Small batches", "TMR normal", "TMR Guo" and "TMR threshold" (MiniLM-L6 sentence
/// embeddings standing in for all-mpnet-base-v2), probe it with a small minimal-pair set generated beside the data
/// (<see cref="Probe"/>), and write <c>summary.html</c> in the run folder.
/// </summary>
public static class Quickstart
{
    public sealed record Outcome(string RunDir, RunEvaluation Evaluation, string SummaryPath, bool GeneratedData, TrainingResult Training)
    {
        /// <summary>The test split's text -> motion top-1 errors (and how many retrieved the left/right mirror), as in the summary.</summary>
        public ConfusionSummary? Confusions { get; init; }

        /// <summary>The run probed with the small probe set beside the data (<see cref="Probe"/>), or null (<see cref="ProbesNote"/> says why).</summary>
        public ProbeEvaluation? Probes { get; init; }
        public string? ProbesNote { get; init; }
    }

    /// <summary>The protocols the quickstart evaluates: Motion Patches' All and Small batches, and TMR's normal, Guo et al. and threshold protocols (<see cref="RunEvaluation.Protocols"/>).</summary>
    public static IReadOnlyList<string> QuickstartProtocols => RunEvaluation.Protocols;

    /// <summary>
    /// Writes the synthetic dataset (seed 42) into <paramref name="dataDir"/> unless it already holds motions (a
    /// <c>new_joints/</c> folder: reused as it is). Returns the <see cref="RunFolderGuard"/> of what it wrote, or null when
    /// it wrote nothing: a quickstart that then fails before its run's first step rolls it back (<see cref="Run"/>), so
    /// a folder created here is removed and a folder that existed gets back what it held. A failure or a cancellation
    /// (<paramref name="cancellation"/>, checked as the motions are generated and written) while writing removes it at once.
    /// </summary>
    public static RunFolderGuard? EnsureData(string dataDir, Action<string>? status = null, int syntheticCount = 4000, CancellationToken cancellation = default)
    {
        if (Directory.Exists(Path.Combine(dataDir, "new_joints"))) return null;
        var guard = RunFolderGuard.Begin(dataDir);
        try
        {
            status?.Invoke($"generating the synthetic dataset ({syntheticCount} motions + mirrors) in {dataDir} ...");
            int lastShown = -1;
            SyntheticMotions.Write(dataDir, new SynthOptions { Count = syntheticCount, Threads = Tensors.Par.Threads }, (phase, done, total) =>
            {
                cancellation.ThrowIfCancellationRequested();
                int pct = done * 100 / Math.Max(1, total);
                if (pct / 25 != lastShown) { lastShown = pct / 25; status?.Invoke($"  {phase} {done}/{total}"); }
            });
            cancellation.ThrowIfCancellationRequested();
            return guard;
        }
        catch (Exception e)
        {
            guard.Rollback();
            if (cancellation.IsCancellationRequested && e is OperationCanceledException or AggregateException)
                throw new OperationCanceledException($"interrupted while generating the synthetic dataset; {dataDir} was left as it was", e, cancellation);
            throw;
        }
    }

    /// <summary>
    /// Runs the main job into <paramref name="outDir"/>. A quickstart that fails or is refused leaves the world as it found
    /// it: the run folder follows <see cref="Trainer"/>'s rule (removed when the run fails before its first step), and the
    /// dataset generated for it (here, or by the caller's <see cref="EnsureData"/>, passed as <paramref name="generatedData"/>)
    /// goes with it; once the run has taken a step (or a resumed run exists) the data stays with the run, which needs it
    /// to resume or be evaluated. A probe set generated into a new folder is removed when the quickstart fails.
    /// </summary>
    public static Outcome Run(string outDir, string dataDir, RunConfig preset, bool resume = false, IProgress<TrainingProgress>? progress = null,
        Action<string>? status = null, CancellationToken cancellation = default, int syntheticCount = 4000, RunFolderGuard? generatedData = null)
    {
        RunFolderGuard? probesGuard = null;
        try
        {
            TrainingEngines.Require(preset.Train.Engine); // before the dataset is generated
            generatedData ??= EnsureData(dataDir, status, syntheticCount, cancellation);
            var config = preset with { Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir))), Data = preset.Data with { Dir = dataDir } };
            bool canResume = resume && File.Exists(Path.Combine(outDir, Checkpoint.LastFileName));
            // a resume trains on the saved configuration, and on its recorded thread count unless the caller asks for another
            if (canResume)
            {
                generatedData?.Commit(); // the run exists: the data it was trained on stays with it
                var saved = RunConfig.Load(outDir);
                config = preset.Train.Threads > 0 ? saved with { Train = saved.Train with { Threads = preset.Train.Threads } } : saved;
            }
            var data = generatedData;
            var trainer = new Trainer(config, outDir) { Progress = progress, StepCallback = _ => { data?.Commit(); return true; } };
            var training = trainer.Run(canResume, cancellation);
            if (!training.Completed) throw new OperationCanceledException($"training stopped before the end; continue with --resume (run folder {outDir})");
            status?.Invoke("evaluating the test split");
            var evaluation = RunEvaluation.Run(outDir, dataDir, config.Data.TestSplit, QuickstartProtocols);
            Files.WriteText(Path.Combine(outDir, $"eval-{config.Data.TestSplit}.json"), evaluation.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
            var index = RetrievalIndex.Open(outDir, dataDir, config.Data.TestSplit);
            status?.Invoke("probing with minimal pairs");
            string probesDir = ProbesDir(dataDir);
            if (!Directory.Exists(probesDir)) probesGuard = RunFolderGuard.Begin(probesDir);
            var (probes, probesNote) = Probe(outDir, dataDir, config);
            var summary = RunSummary.Write(outDir, [evaluation], index, dataDir: dataDir, probes: probes, probesNote: probesNote);
            probesGuard?.Commit();
            return new Outcome(outDir, evaluation, summary, generatedData is not null, training)
            {
                Confusions = SummaryAnalysis.TextToMotionConfusions(index.Embeddings), Probes = probes, ProbesNote = probesNote,
            };
        }
        catch
        {
            probesGuard?.Rollback();
            generatedData?.Rollback(); // nothing once the run has taken a step (committed)
            throw;
        }
    }

    /// <summary>Pairs per attribute of the quickstart's probe set (small: seconds to generate and embed; intervals of about ±15 points).</summary>
    public const int ProbePairs = 20;

    /// <summary>
    /// The run probed with a small synthetic probe set generated beside its data (<c>DATA-probes</c>: <see cref="ProbePairs"/>
    /// pairs per attribute of the data's skeleton, clips no longer than the run's window where the generator allows; reused
    /// when present), or null and the reason when the data's skeleton is not one the generator makes (SMPL-22, KIT-21).
    /// </summary>
    public static (ProbeEvaluation? Result, string? Note) Probe(string runDir, string dataDir, RunConfig config)
    {
        var skeletonPath = Path.Combine(dataDir, Data.Skeletons.SkeletonJson.FileName);
        string? name = File.Exists(skeletonPath) ? Data.Skeletons.SkeletonJson.Load(skeletonPath).Skeleton.Name : null;
        string? skeleton = name switch { "smpl22" => "smpl", "kit21" => "kit", _ => null };
        if (skeleton is null || config.Model.Architecture == Models.Architecture.Interaction)
            return (null, $"no minimal-pair probes: the probe generator makes single-person SMPL-22 and KIT-21 motions, and this run's data is {name ?? "of an unknown skeleton"}"
                + (config.Model.Architecture == Models.Architecture.Interaction ? " (two-person)" : "") + "; mw data probes --from-bandai writes real left/right pairs of an imported Bandai folder");
        float seconds = Math.Clamp(config.Model.MaxFrames / 20f, ProbeOptions.MinSeconds, 10f);
        var options = new ProbeOptions { Skeleton = skeleton, PairsPerAttribute = ProbePairs, Seed = 42, MaxSeconds = seconds };
        var dir = ProbesDir(dataDir);
        SyntheticProbes.Ensure(dir, options);
        return (ProbeEvaluation.Run(runDir, dir), null);
    }

    /// <summary>The folder of the quickstart's probe set beside <paramref name="dataDir"/>: <c>DATA-probes</c>.</summary>
    public static string ProbesDir(string dataDir) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir)) + "-probes";
}

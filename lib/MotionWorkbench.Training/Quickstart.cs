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

    /// <summary>Writes the synthetic dataset (seed 42) into <paramref name="dataDir"/> unless it already holds motions; true when it wrote it.</summary>
    public static bool EnsureData(string dataDir, Action<string>? status = null, int syntheticCount = 4000)
    {
        if (Directory.Exists(Path.Combine(dataDir, "new_joints"))) return false;
        status?.Invoke($"generating the synthetic dataset ({syntheticCount} motions + mirrors) in {dataDir} ...");
        int lastShown = -1;
        SyntheticMotions.Write(dataDir, new SynthOptions { Count = syntheticCount, Threads = Tensors.Par.Threads }, (phase, done, total) =>
        {
            int pct = done * 100 / Math.Max(1, total);
            if (pct / 25 != lastShown) { lastShown = pct / 25; status?.Invoke($"  {phase} {done}/{total}"); }
        });
        return true;
    }

    public static Outcome Run(string outDir, string dataDir, RunConfig preset, bool resume = false, IProgress<TrainingProgress>? progress = null,
        Action<string>? status = null, CancellationToken cancellation = default, int syntheticCount = 4000)
    {
        TrainingEngines.Require(preset.Train.Engine); // before the dataset is generated
        bool generated = EnsureData(dataDir, status, syntheticCount);
        var config = preset with { Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir))), Data = preset.Data with { Dir = dataDir } };
        bool canResume = resume && File.Exists(Path.Combine(outDir, Checkpoint.LastFileName));
        // a resume trains on the saved configuration, and on its recorded thread count unless the caller asks for another
        if (canResume)
        {
            var saved = RunConfig.Load(outDir);
            config = preset.Train.Threads > 0 ? saved with { Train = saved.Train with { Threads = preset.Train.Threads } } : saved;
        }
        var training = new Trainer(config, outDir) { Progress = progress }.Run(canResume, cancellation);
        if (!training.Completed) throw new OperationCanceledException($"training stopped before the end; continue with --resume (run folder {outDir})");
        status?.Invoke("evaluating the test split");
        var evaluation = RunEvaluation.Run(outDir, dataDir, config.Data.TestSplit, QuickstartProtocols);
        Files.WriteText(Path.Combine(outDir, $"eval-{config.Data.TestSplit}.json"), evaluation.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        var index = RetrievalIndex.Open(outDir, dataDir, config.Data.TestSplit);
        status?.Invoke("probing with minimal pairs");
        var (probes, probesNote) = Probe(outDir, dataDir, config);
        var summary = RunSummary.Write(outDir, [evaluation], index, dataDir: dataDir, probes: probes, probesNote: probesNote);
        return new Outcome(outDir, evaluation, summary, generated, training)
        {
            Confusions = SummaryAnalysis.TextToMotionConfusions(index.Embeddings), Probes = probes, ProbesNote = probesNote,
        };
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
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir)) + "-probes";
        SyntheticProbes.Ensure(dir, options);
        return (ProbeEvaluation.Run(runDir, dir), null);
    }
}

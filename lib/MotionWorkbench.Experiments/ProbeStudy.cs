using MotionWorkbench.Data.Import;
using MotionWorkbench.Data.Probes;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>One model of notebook 16's comparison: its label and how it is trained (or its finished run reused).</summary>
public sealed record ProbeModel(string Label, Func<TextWriter?, ExperimentResult> Train);

/// <summary>
/// Notebook 16 ("What the models understand"): the models it compares (<see cref="Models"/>, one line each), the probe
/// sets it reads (a synthetic set generated beside the notebooks' data, the real Bandai left/right pairs) and the
/// probing of a trained model (<see cref="Probe"/>, the <c>mw probe</c> path).
/// </summary>
public static class ProbeStudy
{
    /// <summary>Pairs per attribute of the synthetic probe set: Smoke keeps CI fast, Laptop/Paper give intervals of about ±7 points.</summary>
    public static int Pairs(string preset) => preset.ToLowerInvariant() switch
    {
        "smoke" => 10,
        "laptop" => 100,
        "paper" => 200,
        _ => throw new ArgumentException($"unknown preset '{preset}' (known: {string.Join(", ", RunConfig.PresetNames)})"),
    };

    /// <summary>
    /// Every architecture the workbench trains, on the same data and preset, one line each. The bag and raw rows are notebook
    /// 04's runs, the ViT row the preset's shared baseline, the Lex rows notebook 12's shared pipelines: whichever notebook
    /// runs first trains them and the others reuse them; the ResNet-18 rows (ImageNet-initialised and from scratch, first seed)
    /// are notebook 04's SMPL-22 runs; the MiniLM-L6 row (the ViT baseline with the pretrained text tower) is notebooks
    /// 03/08's shared run.
    /// </summary>
    public static IReadOnlyList<ProbeModel> Models(string preset, string smplData, string runRoot)
    {
        var baseline = PaperData.Config(preset, smplData, "baseline");
        string Ablation(string run) => RunFolder.Create(runRoot, "04-ablation", preset).Sub(run);   // created when a row trains, not by listing
        var lex = LexExperiment.Config(preset, smplData, "lex-smpl");
        RunConfig As(string name, Architecture architecture) => baseline with { Name = name, Model = baseline.Model with { Architecture = architecture } };
        return
        [
            new("bag-of-patches", log => Experiment.TrainAndEvaluate("bag-of-patches", As("bag", Architecture.Bag), Ablation("bag-smpl"), log: log)),
            new("ViT, patches (scratch)", log => Experiment.TrainAndEvaluate("ViT, patches (scratch)", baseline, RunFolder.Baseline(runRoot, "smpl", preset), log: log)),
            new("ViT + MiniLM-L6 text", log => Experiment.TrainAndEvaluate("ViT + MiniLM-L6 text", baseline.WithTextTower(TextKind.MiniLmL6), RunFolder.Baseline(runRoot, "smpl", preset, text: "minilm-l6"), log: log)),
            new("raw sequence", log => Experiment.TrainAndEvaluate("raw sequence", As("raw", Architecture.Raw), Ablation("raw-smpl"), log: log)),
            new("Lex †", log => LexExperiment.Pipeline("Lex †", lex, RunFolder.LexPipeline(runRoot, "smpl", preset, "dagger"), ["cmlp"], log: log)),
            new("Lex (four phases)", log => LexExperiment.Pipeline("Lex (four phases)", lex, RunFolder.LexPipeline(runRoot, "smpl", preset, "lex"), log: log)),
            new("ResNet-18, ImageNet", log => ResNetRows.Train("ResNet-18, ImageNet", baseline, imagenet: true, 1, n => RunFolder.ResNet(runRoot, "smpl", preset, n), log: log)[0]),
            new("ResNet-18, scratch", log => ResNetRows.Train("ResNet-18, scratch", baseline, imagenet: false, 1, n => RunFolder.ResNet(runRoot, "smpl", preset, n), log: log)[0]),
        ];
    }

    /// <summary>
    /// The models of <paramref name="models"/> that notebook 16's <c>only</c> and <c>skip</c> parameters keep: comma-separated
    /// parts of labels, case-insensitive ("" keeps all; e.g. skip = "ResNet" leaves out both ResNet-18 rows). A part that
    /// names no model is an error that lists the labels; what is left out is returned too, so the notebook can say so.
    /// </summary>
    public static (IReadOnlyList<ProbeModel> Kept, IReadOnlyList<string> Skipped) Select(IReadOnlyList<ProbeModel> models, string? only, string? skip)
    {
        static List<string> Parts(string? list) => (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        bool Matches(ProbeModel m, string part) => m.Label.Contains(part, StringComparison.OrdinalIgnoreCase);
        var (onlyParts, skipParts) = (Parts(only), Parts(skip));
        foreach (var (name, parts) in new[] { ("only", onlyParts), ("skip", skipParts) })
            foreach (var part in parts)
                if (!models.Any(m => Matches(m, part)))
                    throw new ArgumentException($"{name}: '{part}' names none of the models ({string.Join("; ", models.Select(m => m.Label))})");
        var kept = models.Where(m => (onlyParts.Count == 0 || onlyParts.Any(p => Matches(m, p))) && !skipParts.Any(p => Matches(m, p))).ToList();
        if (kept.Count == 0) throw new ArgumentException($"only '{only}' and skip '{skip}' leave no model to probe");
        return (kept, models.Except(kept).Select(m => m.Label).ToList());
    }

    /// <summary>
    /// The synthetic probe set of a preset beside the notebooks' data (<c>dataRoot/probes-SKELETON-PAIRS-seedS</c>),
    /// generated when absent or made with other options (its probes.json records them), else reused.
    /// </summary>
    public static string SyntheticSet(string dataRoot, string skeleton, string preset, ulong seed = 7)
    {
        var options = new ProbeOptions { Skeleton = skeleton, PairsPerAttribute = Pairs(preset), Seed = seed };
        options.Validate();
        var dir = Path.GetFullPath(Path.Combine(dataRoot, $"probes-{skeleton.ToLowerInvariant()}-{options.PairsPerAttribute}-seed{seed}"));
        SyntheticProbes.Ensure(dir, options);
        return dir;
    }

    /// <summary>
    /// The real left/right probe set of an imported Bandai folder (its test split's cross-clip left/right pairs and
    /// mirrors), written into <paramref name="outDir"/> once per import (replaced when the import is newer).
    /// </summary>
    public static string BandaiSet(string importedDir, string outDir)
    {
        var file = Path.Combine(outDir, ProbeSet.FileName);
        var stamp = Path.Combine(importedDir, "import-stamp.txt");
        bool fresh = File.Exists(file) && (!File.Exists(stamp) || File.GetLastWriteTimeUtc(file) >= File.GetLastWriteTimeUtc(stamp));
        if (!fresh)
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
            BandaiProbes.Write(importedDir, outDir);
        }
        return Path.GetFullPath(outDir);
    }

    /// <summary>
    /// A real probe set's comparison: the <paramref name="direct"/> models (trained on that data's skeleton) under their
    /// labels, then every model of <paramref name="zeroShot"/> that reads skeletons by their chains, labelled "(zero-shot)";
    /// a model that reads joints by position (raw sequence) is named in the log and left out.
    /// </summary>
    public static ProbeComparison RealComparison(string title, string probesDir, IEnumerable<(string Label, ExperimentResult Model)> direct,
        IEnumerable<ExperimentResult> zeroShot, TextWriter? log = null)
    {
        var rows = direct.Select(d => (d.Label, Probe(d.Model, probesDir, log))).ToList();
        foreach (var r in zeroShot)
            if (AcrossSkeletons(r)) rows.Add(($"{r.Label} (zero-shot)", Probe(r, probesDir, log)));
            else log?.WriteLine($"Note: {r.Label} reads joints by position, so it is not probed on another skeleton.");
        return new ProbeComparison(title, rows);
    }

    /// <summary>Whether a model can be probed zero-shot on another skeleton: not when it reads joints by position (raw sequence).</summary>
    public static bool AcrossSkeletons(ExperimentResult model) => !model.Config.Model.ReadsRawFrames();

    /// <summary>A trained model probed with a probe set: the run's best checkpoint through <c>mw probe</c>'s path (embeddings cached per checkpoint).</summary>
    public static ProbeEvaluation Probe(ExperimentResult model, string probesDir, TextWriter? log = null)
    {
        var result = ProbeEvaluation.Run(model.RunDir, probesDir);
        log?.WriteLine($"{model.Label}: probed {result.Motions} motions of {Path.GetFileName(probesDir)}{(result.FromCache ? " (embeddings from cache)" : "")}; {result.StatisticsNote}"
            + (result.Cropped > 0 ? $"; {result.Cropped} motions longer than the run's {result.MaxFrames} frames cropped to their start" : ""));
        return result;
    }
}

using System.Globalization;
using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>
/// The ResNet-18 rows of notebooks 04 (Table 4's CNN rows) and 05 (Table 8's CNN rows), not in the paper: the same
/// ResNet-18 (stages 2,2,2,3, width 64: the layout of the weights store's <c>resnet18-imagenet</c>) over the preset's
/// patch image, ImageNet-initialised or from scratch, trained with the preset's recipe and seeds
/// <c>train.seed</c>, <c>train.seed + 1</c>, ... so that one seed's difference can be told from noise.
/// </summary>
public static class ResNetRows
{
    /// <summary>The weights store's ImageNet ResNet (<c>train.initMotionEncoder</c>).</summary>
    public const string ImageNetWeights = "resnet18-imagenet";

    /// <summary>Seeds per row when the notebook leaves it to the preset: 3 at Laptop (one seed's difference is within noise there), else 1.</summary>
    public static int Seeds(string preset) => preset.Equals("Laptop", StringComparison.OrdinalIgnoreCase) ? 3 : 1;

    /// <summary>
    /// The ResNet-18 run of <paramref name="preset"/>: <paramref name="imagenet"/> loads <see cref="ImageNetWeights"/>,
    /// <paramref name="batchNorm"/> is <c>model.resnetBatchNorm</c> ("train" or "frozen"), <paramref name="seedOffset"/>
    /// is added to the preset's <c>train.seed</c>, <paramref name="text"/> a pretrained text tower of the weights store
    /// in place of the preset's scratch one (<see cref="RunConfig.WithTextTower"/>; with <paramref name="imagenet"/>, both
    /// towers pretrained). The name says which, so run folders and caches never mix them.
    /// </summary>
    public static RunConfig Config(RunConfig preset, bool imagenet, string batchNorm = "train", int seedOffset = 0, TextKind? text = null)
    {
        if (text is { IsPretrained: false } scratchText)
            throw new ArgumentException($"a ResNet row's text tower is a pretrained one ({string.Join(", ", TextKind.Pretrained)}) or none (the preset's), got '{scratchText.Name}'", nameof(text));
        string name = $"resnet18-{(imagenet ? "imagenet" : "scratch")}{(batchNorm == "train" ? "" : "-bn-" + batchNorm)}{(text is { } t ? "-" + t.Name : "")}-seed{preset.Train.Seed + seedOffset}";
        var towers = text is { } kind ? preset.WithTextTower(kind) : preset;
        var config = towers with
        {
            Name = name,
            Model = towers.Model with { Architecture = Architecture.Resnet, ResnetStages = "2,2,2,3", ResnetWidth = 64, ResnetBatchNorm = batchNorm },
            Train = towers.Train with { InitMotionEncoder = imagenet ? ImageNetWeights : null, Seed = preset.Train.Seed + seedOffset },
        };
        return config.Validate();
    }

    /// <summary>Trains and evaluates <paramref name="seeds"/> runs of <see cref="Config"/> into <c>runDir(name)</c> (reused when already done).</summary>
    public static IReadOnlyList<ExperimentResult> Train(string label, RunConfig preset, bool imagenet, int seeds, Func<string, string> runDir,
        string batchNorm = "train", TextWriter? log = null, TextKind? text = null)
    {
        if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "seeds must be at least 1");
        var runs = new List<ExperimentResult>();
        for (int s = 0; s < seeds; s++)
        {
            var config = Config(preset, imagenet, batchNorm, s, text);
            runs.Add(Experiment.TrainAndEvaluate(seeds > 1 ? $"{label} (seed {config.Train.Seed})" : label, config, runDir(config.Name), log: log));
        }
        return runs;
    }

    /// <summary>The mean over seeds of <see cref="ExperimentResult.Short"/> (R@1/5/10 and MedR both ways).</summary>
    public static double?[] Mean(IReadOnlyList<ExperimentResult> runs, string protocol = "all")
    {
        if (runs.Count == 0) throw new ArgumentException("no runs", nameof(runs));
        var rows = runs.Select(r => r.Short(protocol)).ToList();
        return [.. Enumerable.Range(0, rows[0].Length).Select(i => rows.All(r => r[i] is not null) ? rows.Average(r => r[i]!.Value) : (double?)null)];
    }

    /// <summary>Text-to-motion R@1 over seeds: mean, sample standard deviation (0 for one seed), smallest and largest.</summary>
    public static (double Mean, double Sd, double Min, double Max, int Seeds) R1(IReadOnlyList<ExperimentResult> runs, string protocol = "all")
    {
        var v = runs.Select(r => r.Short(protocol)[0]!.Value).ToList();
        double mean = v.Average();
        double sd = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
        return (mean, sd, v.Min(), v.Max(), v.Count);
    }

    /// <summary>The epoch whose validation metric selected the run's best checkpoint (the last epoch marked best in metrics.jsonl).</summary>
    public static int BestEpoch(ExperimentResult run)
    {
        var epochs = Trainer.ReadEpochMetrics(Path.Combine(run.RunDir, Trainer.MetricsFileName));
        var best = epochs.LastOrDefault(e => (bool?)e["best"] == true) ?? throw new InvalidDataException($"{run.RunDir}: metrics.jsonl marks no best epoch");
        return (int)best["epoch"]!;
    }

    /// <summary>
    /// One sentence: ImageNet-initialised vs from scratch on <paramref name="dataset"/> (t2m R@1 under
    /// <paramref name="protocol"/>, mean and range over seeds), whether the difference exceeds the seeds' spread, and
    /// the epochs at which each selected its best checkpoint (the cost in epochs). Nothing is adjusted.
    /// </summary>
    public static string Compare(string dataset, IReadOnlyList<ExperimentResult> imagenet, IReadOnlyList<ExperimentResult> scratch, string protocol = "all")
    {
        var ci = CultureInfo.InvariantCulture;
        var a = R1(imagenet, protocol);
        var b = R1(scratch, protocol);
        double diff = a.Mean - b.Mean, spread = Math.Max(a.Max - a.Min, b.Max - b.Min);
        string Range((double Mean, double Sd, double Min, double Max, int Seeds) r) => r.Seeds > 1
            ? string.Create(ci, $"{r.Mean:0.00} (mean of {r.Seeds} seeds, {r.Min:0.00}-{r.Max:0.00}, sd {r.Sd:0.00})")
            : string.Create(ci, $"{r.Mean:0.00} (one seed)");
        string verdict = a.Seeds < 2 || b.Seeds < 2
            ? "With one seed per row the seed-to-seed spread is unknown, so this difference is not a finding on its own."
            : Math.Abs(diff) > spread
                ? string.Create(ci, $"The difference is larger than either row's spread over seeds ({spread:0.00}): ImageNet initialisation {(diff > 0 ? "helps" : "hurts")} here.")
                : string.Create(ci, $"The difference is within the spread over seeds ({spread:0.00}): not distinguishable from noise here.");
        double epochsA = imagenet.Average(BestEpoch), epochsB = scratch.Average(BestEpoch);
        int total = imagenet[0].Config.Train.Epochs;
        return string.Create(ci, $"{dataset}, protocol {protocol}, t2m R@1: ResNet-18 ImageNet-initialised {Range(a)} vs from scratch {Range(b)}, {diff:+0.00;-0.00;0.00} points. ")
            + verdict + string.Create(ci, $" Best validation epoch (mean): ImageNet {epochsA:0.#}, scratch {epochsB:0.#} of {total}.");
    }
}

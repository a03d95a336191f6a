using MotionWorkbench.Data;
using MotionWorkbench.Data.Import;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.IO;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>
/// The datasets the notebooks use, sized by preset: the synthetic SMPL-22 (HumanML3D format) and KIT-21 (KIT-ML format)
/// sets generated on first use into <c>dataRoot</c>, and the real Bandai-Namco set imported from the shared archive when
/// it is present. Generated folders carry a stamp, so an existing one is reused.
/// </summary>
public static class PaperData
{
    /// <summary>Synthetic clips (before mirroring) per preset: Smoke keeps CI fast, Laptop/Paper use the default 4,000.</summary>
    public static int SyntheticCount(string preset) => preset.ToLowerInvariant() switch
    {
        "smoke" => 160,
        "laptop" => 4000,
        "paper" => 4000,
        _ => throw new ArgumentException($"unknown preset '{preset}' (known: {string.Join(", ", RunConfig.PresetNames)})"),
    };

    /// <summary>The synthetic dataset for a skeleton ("smpl" or "kit"), generated into <c>dataRoot/synthetic-SKELETON-COUNT</c> when absent.</summary>
    public static string Synthetic(string dataRoot, string skeleton, string preset, ulong seed = 42)
    {
        int count = SyntheticCount(preset);
        var dir = Path.GetFullPath(Path.Combine(dataRoot, $"synthetic-{skeleton.ToLowerInvariant()}-{count}"));
        DefaultData.LoadOrCreate(dir, new SynthOptions { Skeleton = skeleton, Count = count, Seed = seed, Threads = Tensors.Par.Threads });
        return dir;
    }

    /// <summary>Synthetic two-person interactions per preset (InterHuman format).</summary>
    public static int InteractionCount(string preset) => preset.ToLowerInvariant() switch
    {
        "smoke" => 240,
        "laptop" => 800,
        "paper" => 800,
        _ => throw new ArgumentException($"unknown preset '{preset}' (known: {string.Join(", ", RunConfig.PresetNames)})"),
    };

    /// <summary>
    /// The synthetic InterHuman-format interaction set (10 interaction types, splits 80/5/15) written into
    /// <c>dataRoot/synthetic-interhuman-COUNT</c> when absent or made with other options (a stamp file records them).
    /// </summary>
    public static string SyntheticInteractions(string dataRoot, string preset, ulong seed = 42)
    {
        var options = new InteractionOptions { Count = InteractionCount(preset), Seed = seed, Threads = Tensors.Par.Threads };
        var dir = Path.GetFullPath(Path.Combine(dataRoot, $"synthetic-interhuman-{options.Count}"));
        var stamp = Path.Combine(dir, "synth-stamp.txt");
        string expected = $"synthetic interactions v1 count={options.Count} seed={options.Seed} mirrors={options.Mirrors}";
        if (File.Exists(stamp) && File.ReadAllText(stamp).Trim() == expected && RunData.IsInterHuman(dir)) return dir;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        MotionWorkbench.Data.Synthetic.SyntheticInteractions.Write(dir, options);
        AtomicFile.WriteAllText(stamp, expected + "\n");
        return dir;
    }

    /// <summary>
    /// The Bandai archive of dataset <paramref name="dataset"/> under <paramref name="bandaiDir"/> (1: 17 contents x 15
    /// styles, 174 clips; 2: 10 contents, walking, running, waving and raising the left, right or both hands, 2,902 clips),
    /// or null when absent.
    /// </summary>
    public static string? BandaiArchive(string bandaiDir, int dataset = 1)
    {
        if (dataset is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(dataset), $"the Bandai-Namco archives are datasets 1 and 2, got {dataset}");
        var path = Path.Combine(bandaiDir, $"Bandai-Namco-Research-Motiondataset-{dataset}.tar.xz");
        return File.Exists(path) ? path : null;
    }

    /// <summary>
    /// Imports Bandai dataset <paramref name="dataset"/> (1 by default; 20 fps, content labels as actions, captions made
    /// from the labels) into <c>importRoot/dataset-N</c> once (archives extracted under <c>importRoot/cache</c>), or
    /// returns null when the archive is absent. <paramref name="maxFiles"/> limits the import (files are taken in name order).
    /// </summary>
    public static string? Bandai(string bandaiDir, string importRoot, int? maxFiles = null, int dataset = 1)
    {
        var archive = BandaiArchive(bandaiDir, dataset);
        if (archive is null) return null;
        var dir = Path.GetFullPath(Path.Combine(importRoot, maxFiles is int m ? $"dataset-{dataset}-first{m}" : $"dataset-{dataset}"));
        var stamp = Path.Combine(dir, "import-stamp.txt");
        string expected = $"bandai dataset {dataset} from {archive} ({new FileInfo(archive).Length} bytes), maxFiles={maxFiles}";
        if (File.Exists(stamp) && File.ReadAllText(stamp).Trim() == expected && Directory.Exists(Path.Combine(dir, "new_joints"))) return dir;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        BvhImporter.Import(archive, dir, new BvhImportOptions { Format = "bandai", CacheDir = Path.Combine(importRoot, "cache"), MaxFiles = maxFiles, Parallelism = Tensors.Par.Threads });
        File.WriteAllText(stamp, expected + "\n");
        return dir;
    }

    /// <summary>The genuine HumanML3D samples folder when it holds new_joints/*.npy, else null.</summary>
    public static string? HumanML3DSamples(string dir) =>
        Directory.Exists(Path.Combine(dir, "new_joints")) && Directory.EnumerateFiles(Path.Combine(dir, "new_joints"), "*.npy").Any() ? Path.GetFullPath(dir) : null;

    /// <summary>
    /// A preset's run configuration on a dataset, trained by <paramref name="engine"/> ("mw", the own engine, or "torch",
    /// TorchSharp) on <paramref name="device"/> ("cpu", "cuda", "cuda:N" or "auto"), optionally changed by
    /// <paramref name="change"/>. The defaults leave the preset's configuration as it is; a bad engine or device is named
    /// here, before anything trains.
    /// </summary>
    public static RunConfig Config(string preset, string dataDir, string name, Func<RunConfig, RunConfig>? change = null, string engine = "mw", string device = "auto")
    {
        var config = RunConfig.FromPreset(preset) with { Name = name };
        config = (config with { Data = config.Data with { Dir = dataDir }, Train = config.Train with { Engine = engine, Device = device } }).Validate();
        return change is null ? config : change(config);
    }
}

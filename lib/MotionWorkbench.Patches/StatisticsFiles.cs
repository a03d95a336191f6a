using MotionWorkbench.Data;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches;

/// <summary>
/// Reading, writing and computing <see cref="MotionStatistics"/> as the reference's files: <c>Mean_raw.npy</c> and
/// <c>Std_raw.npy</c>, each J x 3 float32, in the dataset folder (reference <c>scripts/cal_mean_var.py</c>).
/// </summary>
public static class StatisticsFiles
{
    /// <summary>True when both files exist in <paramref name="dir"/>.</summary>
    public static bool Exist(string dir) =>
        File.Exists(Path.Combine(dir, MotionStatistics.MeanFileName)) && File.Exists(Path.Combine(dir, MotionStatistics.StdFileName));

    /// <summary>Loads <c>Mean_raw.npy</c> / <c>Std_raw.npy</c> from a folder; both must be J x 3 (or 3J flat) and Std positive.</summary>
    public static MotionStatistics Load(string dir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        string meanPath = Path.Combine(dir, MotionStatistics.MeanFileName), stdPath = Path.Combine(dir, MotionStatistics.StdFileName);
        foreach (var p in new[] { meanPath, stdPath })
            if (!File.Exists(p)) throw new FileNotFoundException($"{p}: statistics file not found (expected {MotionStatistics.MeanFileName} and {MotionStatistics.StdFileName}, J x 3, in {dir})", p);
        var mean = Npy.Read(meanPath);
        var std = Npy.Read(stdPath);
        CheckShape(meanPath, mean);
        CheckShape(stdPath, std);
        if (mean.Data.Length != std.Data.Length)
            throw new InvalidDataException($"{dir}: {MotionStatistics.MeanFileName} is {mean.ShapeText} but {MotionStatistics.StdFileName} is {std.ShapeText}");
        for (int i = 0; i < std.Data.Length; i++)
            if (!(std.Data[i] >= 0) || !float.IsFinite(std.Data[i]))
                throw new InvalidDataException($"{stdPath}: std of joint {i / 3} axis {"xyz"[i % 3]} is {std.Data[i]}; it must be finite and not negative");
        return new MotionStatistics(mean.Data, std.Data, Path.GetFullPath(dir));
    }

    /// <summary>Writes both files (J x 3 float32) atomically into <paramref name="dir"/>.</summary>
    public static void Save(MotionStatistics statistics, string dir)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        Directory.CreateDirectory(dir);
        Npy.Write(Path.Combine(dir, MotionStatistics.MeanFileName), statistics.Mean, statistics.JointCount, 3);
        Npy.Write(Path.Combine(dir, MotionStatistics.StdFileName), statistics.Std, statistics.JointCount, 3);
    }

    /// <summary>
    /// Statistics over every <c>new_joints/*.npy</c> file of a dataset folder, as the reference: all splits and the
    /// mirrored <c>M*</c> files, raw frame rate (KIT before re-timing); files that cannot be read, are not 3-D
    /// (T x J x 3), hold NaN/inf, or have a different joint count than the first are skipped and listed in
    /// <paramref name="report"/>.
    /// </summary>
    public static MotionStatistics ComputeForFolder(string dataDir, LoadReport report, ZeroStdPolicy policy = ZeroStdPolicy.Keep,
        Skeleton? skeleton = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        string jointsDir = Path.Combine(dataDir, "new_joints");
        if (!Directory.Exists(jointsDir))
            throw new DirectoryNotFoundException($"{dataDir}: no new_joints/ folder to compute motion statistics from");
        var files = Directory.EnumerateFiles(jointsDir, "*.npy").Order(StringComparer.Ordinal).ToList();
        report.CountIn(files.Count);
        int J = -1, done = 0;
        var motions = Enumerate();
        return MotionStatistics.Compute(motions, policy, Path.GetFullPath(dataDir), skeleton);

        IEnumerable<(string, float[], int)> Enumerate()
        {
            foreach (var f in files)
            {
                NpyArray? arr = null;
                string? why = null;
                try { arr = Npy.Read(f); }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { why = e.Message; }
                if (arr is not null)
                {
                    if (arr.Rank != 3 || arr.Shape[2] != 3) why = $"shape {arr.ShapeText} is not T x J x 3";
                    else if (arr.Shape[0] == 0) why = "0 frames";
                    else if (J >= 0 && arr.Shape[1] != J) why = $"{arr.Shape[1]} joints, but the first file has {J}";
                    else if (arr.Data.Any(v => !float.IsFinite(v))) why = "contains NaN or infinite values";
                }
                progress?.Report(++done / (double)files.Count);
                if (why is not null) { report.Skip(f, why); continue; }
                J = arr!.Shape[1];
                report.Ok();
                yield return (f, arr.Data, J);
            }
        }
    }

    /// <summary>
    /// Statistics for a dataset folder: loaded from <c>Mean_raw.npy</c>/<c>Std_raw.npy</c> there when both exist,
    /// otherwise computed over every file (<see cref="ComputeForFolder"/>) and cached there. <paramref name="computed"/>
    /// says which happened.
    /// </summary>
    public static MotionStatistics LoadOrCompute(string dataDir, LoadReport report, out bool computed,
        ZeroStdPolicy policy = ZeroStdPolicy.Keep, Skeleton? skeleton = null, IProgress<double>? progress = null)
    {
        if (Exist(dataDir))
        {
            computed = false;
            return Load(dataDir);
        }
        var stats = ComputeForFolder(dataDir, report, policy, skeleton, progress);
        Save(stats, dataDir);
        computed = true;
        return stats;
    }

    private static void CheckShape(string path, NpyArray a)
    {
        bool ok = (a.Rank == 2 && a.Shape[1] == 3 && a.Shape[0] > 0) || (a.Rank == 1 && a.Shape[0] > 0 && a.Shape[0] % 3 == 0);
        if (!ok) throw new InvalidDataException($"{path}: statistics must be J x 3, got shape {a.ShapeText}");
    }
}

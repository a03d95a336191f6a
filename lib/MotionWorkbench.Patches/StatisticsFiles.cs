using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.IO;

namespace MotionWorkbench.Patches;

/// <summary>
/// Reading, writing and computing <see cref="MotionStatistics"/> as the reference's files: <c>Mean_raw.npy</c> and
/// <c>Std_raw.npy</c>, each J x 3 float32 (reference <c>scripts/cal_mean_var.py</c>). A dataset may ship them in its
/// folder (read from there); computed ones go to the user cache (<see cref="StatisticsCache"/>), never into the dataset.
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
    /// Statistics for a dataset folder: the <c>Mean_raw.npy</c>/<c>Std_raw.npy</c> the dataset ships, when both are
    /// there; otherwise the user cache's entry for the folder's fingerprint (<see cref="StatisticsCache"/>), computed over
    /// every file (<see cref="ComputeForFolder"/>) and stored there when absent. Nothing is ever written into the dataset
    /// folder. <paramref name="computed"/> says whether they were computed now.
    /// </summary>
    public static MotionStatistics LoadOrCompute(string dataDir, LoadReport report, out bool computed,
        ZeroStdPolicy policy = ZeroStdPolicy.Keep, Skeleton? skeleton = null, IProgress<double>? progress = null)
    {
        var r = Resolve(dataDir, report, policy, skeleton, progress);
        computed = r.Origin == StatisticsOrigin.Computed;
        return r.Statistics;
    }

    /// <summary>As <see cref="LoadOrCompute"/>, saying where the statistics came from and what to warn about.</summary>
    public static ResolvedStatistics Resolve(string dataDir, LoadReport report, ZeroStdPolicy policy = ZeroStdPolicy.Keep,
        Skeleton? skeleton = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        string jointsDir = Path.Combine(dataDir, "new_joints");
        var files = Directory.Exists(jointsDir) ? Directory.EnumerateFiles(jointsDir, "*.npy").ToList() : [];
        return Resolve(dataDir, files, $"humanml3d;zeroStd={policy}", () =>
        {
            int before = report.FilesOk;
            var stats = ComputeForFolder(dataDir, report, policy, skeleton, progress);
            return (stats, report.FilesOk - before);
        });
    }

    /// <summary>
    /// The general form of <see cref="Resolve(string, LoadReport, ZeroStdPolicy, Skeleton?, IProgress{double}?)"/>:
    /// <paramref name="files"/> are the files the statistics are computed from (their names, sizes and times make the
    /// fingerprint, with <paramref name="settings"/>), <paramref name="compute"/> computes them and the motion count.
    /// </summary>
    public static ResolvedStatistics Resolve(string dataDir, IReadOnlyCollection<string> files, string settings,
        Func<(MotionStatistics Statistics, int MotionCount)> compute)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        ArgumentNullException.ThrowIfNull(compute);
        string full = Path.GetFullPath(dataDir);
        var warnings = new List<string>();
        if (Exist(dataDir))
        {
            var shipped = Load(dataDir);
            if (StaleWarning(dataDir, files) is string stale) warnings.Add(stale);
            return new ResolvedStatistics(shipped, StatisticsOrigin.Dataset, full, null, null, warnings);
        }
        string fingerprint = StatisticsCache.Fingerprint(dataDir, files, settings);
        if (StatisticsCache.TryLoad(fingerprint, out var cached, out int cachedCount))
        {
            if (StatisticsCache.FewMotionsWarning(cachedCount, full) is string few) warnings.Add(few);
            return new ResolvedStatistics(cached, StatisticsOrigin.Cache, StatisticsCache.FolderFor(fingerprint), cachedCount, fingerprint, warnings);
        }
        var (stats, count) = compute();
        var folder = StatisticsCache.Store(fingerprint, stats, count, dataDir);
        if (StatisticsCache.FewMotionsWarning(count, full) is string w) warnings.Add(w);
        return new ResolvedStatistics(stats, StatisticsOrigin.Computed, folder, count, fingerprint, warnings);
    }

    /// <summary>
    /// A warning when motion files of the dataset are newer than its <c>Mean_raw.npy</c> (by more than 2 s): the
    /// statistics may not describe the clips added or changed since (an earlier version of the workbench cached its
    /// computed statistics there).
    /// </summary>
    private static string? StaleWarning(string dataDir, IReadOnlyCollection<string> files)
    {
        string meanPath = Path.Combine(dataDir, MotionStatistics.MeanFileName);
        var written = File.GetLastWriteTimeUtc(meanPath).AddSeconds(2);
        int newer = files.Count(f => File.GetLastWriteTimeUtc(f) > written);
        return newer == 0 ? null
            : $"{newer} of the {files.Count} motion files of {dataDir} are newer than its {MotionStatistics.MeanFileName}/{MotionStatistics.StdFileName}; "
              + "those statistics may be stale. If the workbench computed them (older versions cached them there), delete both files and they are recomputed into the user cache";
    }

    private static void CheckShape(string path, NpyArray a)
    {
        bool ok = (a.Rank == 2 && a.Shape[1] == 3 && a.Shape[0] > 0) || (a.Rank == 1 && a.Shape[0] > 0 && a.Shape[0] % 3 == 0);
        if (!ok) throw new InvalidDataException($"{path}: statistics must be J x 3, got shape {a.ShapeText}");
    }
}

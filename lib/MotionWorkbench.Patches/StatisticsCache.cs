using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.IO;

namespace MotionWorkbench.Patches;

/// <summary>Where a dataset's motion statistics came from.</summary>
public enum StatisticsOrigin
{
    /// <summary>Shipped with the dataset: <c>Mean_raw.npy</c>/<c>Std_raw.npy</c> in the dataset folder (read, never written).</summary>
    Dataset,

    /// <summary>Computed earlier for the same dataset fingerprint and read from the user cache.</summary>
    Cache,

    /// <summary>Computed now (and stored in the user cache).</summary>
    Computed,
}

/// <summary>
/// Statistics for a dataset folder and where they came from: <see cref="Folder"/> holds the two files,
/// <see cref="MotionCount"/> is the number of motions they were computed over (null for statistics shipped with the
/// dataset), <see cref="Warnings"/> what a user should be told (few motions, statistics older than the motion files).
/// </summary>
public sealed record ResolvedStatistics(MotionStatistics Statistics, StatisticsOrigin Origin, string Folder, int? MotionCount,
    string? Fingerprint, IReadOnlyList<string> Warnings)
{
    /// <summary>One line for a console or a log: where the statistics are and how many motions they describe.</summary>
    public string Describe() => Origin switch
    {
        StatisticsOrigin.Dataset => $"statistics: {MotionStatistics.MeanFileName}/{MotionStatistics.StdFileName} shipped in {Folder}",
        StatisticsOrigin.Cache => $"statistics: cached for this dataset (fingerprint {Fingerprint![..12]}, {MotionCount} motions) in {Folder}",
        _ => $"statistics: computed over {MotionCount} motions ({Statistics.FrameCount} frames), cached in {Folder}",
    };
}

/// <summary>
/// The user cache of computed dataset statistics, outside every dataset folder (so a read-only dataset, e.g. a shared
/// HumanML3D mount, works and is never written to): <c>statistics/FINGERPRINT/</c> in the <see cref="UserCache"/> folder
/// (<c>$MW_CACHE_DIR/statistics/FINGERPRINT/</c>, else <c>$XDG_CACHE_HOME/motionworkbench/statistics/FINGERPRINT/</c>, else
/// <c>~/.cache/motionworkbench/statistics/FINGERPRINT/</c>).
/// The fingerprint is a SHA-256 over the relative name, size and modification time of every file the statistics
/// are computed from, and the settings that change the result (the zero-std policy, single- or two-person), so adding,
/// removing or changing a clip gives a new fingerprint and fresh statistics. Each entry holds <c>Mean_raw.npy</c>,
/// <c>Std_raw.npy</c> and <c>statistics.json</c> (dataset path, motion and frame counts), written last.
/// </summary>
public static class StatisticsCache
{
    /// <summary>The environment variable that moves the whole workbench cache (statistics go to its <c>statistics/</c>); see <see cref="UserCache"/>.</summary>
    public const string EnvironmentVariable = UserCache.EnvironmentVariable;

    /// <summary>Statistics from fewer motions than this are reported as unreliable.</summary>
    public const int FewMotions = 20;

    public const string InfoFileName = "statistics.json";

    /// <summary>Bumped when the computation changes, so old entries are not reused.</summary>
    private const string FormatVersion = "mw-statistics-v1";

    private static readonly AsyncLocal<string?> RootOverride = new();

    /// <summary>The statistics cache folder now in force (see the type's summary; <see cref="UseRoot"/> overrides it).</summary>
    public static string Root
    {
        get
        {
            if (RootOverride.Value is string o) return o;
            return UserCache.SubFolder("statistics");
        }
    }

    /// <summary>Uses <paramref name="root"/> as the statistics cache for the current async flow until disposed (tests, notebooks).</summary>
    public static IDisposable UseRoot(string root)
    {
        var previous = RootOverride.Value;
        RootOverride.Value = Path.GetFullPath(root);
        return new Restore(previous);
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => RootOverride.Value = previous;
    }

    /// <summary>
    /// The fingerprint of a dataset for statistics: SHA-256 (hex) over <paramref name="settings"/> and the relative
    /// name, length and last-write time (UTC ticks) of each of <paramref name="files"/> (sorted by name).
    /// </summary>
    public static string Fingerprint(string dataDir, IEnumerable<string> files, string settings)
    {
        var root = Path.GetFullPath(dataDir);
        var sb = new StringBuilder();
        sb.Append(FormatVersion).Append('\n').Append(settings).Append('\n');
        foreach (var f in files.Select(Path.GetFullPath).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(f);
            sb.Append(Path.GetRelativePath(root, f).Replace('\\', '/')).Append('\t')
                .Append(info.Exists ? info.Length : -1).Append('\t')
                .Append(info.Exists ? info.LastWriteTimeUtc.Ticks : 0).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>The cache folder of one fingerprint.</summary>
    public static string FolderFor(string fingerprint) => Path.Combine(Root, fingerprint);

    /// <summary>Loads a cached entry; false when there is none (or it is incomplete or unreadable: it is then recomputed).</summary>
    public static bool TryLoad(string fingerprint, out MotionStatistics statistics, out int motionCount)
    {
        statistics = null!;
        motionCount = 0;
        string dir = FolderFor(fingerprint), info = Path.Combine(dir, InfoFileName);
        if (!File.Exists(info) || !StatisticsFiles.Exist(dir)) return false;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(info))!;
            motionCount = node["motions"]!.GetValue<int>();
            statistics = StatisticsFiles.Load(dir);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or InvalidOperationException or NullReferenceException
                                      or FormatException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Stores an entry (the two files, then <c>statistics.json</c>); returns its folder.</summary>
    public static string Store(string fingerprint, MotionStatistics statistics, int motionCount, string dataDir)
    {
        string dir = FolderFor(fingerprint);
        StatisticsFiles.Save(statistics, dir);
        var info = new JsonObject
        {
            ["dataset"] = Path.GetFullPath(dataDir),
            ["motions"] = motionCount,
            ["frames"] = statistics.FrameCount,
            ["joints"] = statistics.JointCount,
            ["created"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteAllText(Path.Combine(dir, InfoFileName), info.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return dir;
    }

    /// <summary>The warning for statistics computed over <paramref name="motionCount"/> motions, or null when there are enough.</summary>
    public static string? FewMotionsWarning(int? motionCount, string dataDir) =>
        motionCount is int n && n < FewMotions
            ? $"the motion statistics of {dataDir} come from only {n} motion(s) (fewer than {FewMotions}); z-scores of other motions may be far outside +-3 sigma. Use more data, or ship Mean_raw.npy/Std_raw.npy of the full dataset with it"
            : null;
}

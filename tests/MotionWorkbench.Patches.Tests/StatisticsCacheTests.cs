using System.Runtime.CompilerServices;
using MotionWorkbench.Data;
using MotionWorkbench.IO;
using MotionWorkbench.Patches;

namespace MotionWorkbench.Patches.Tests;

/// <summary>Points the whole test process's statistics cache at a temp folder (never the user's ~/.cache).</summary>
internal static class TestCache
{
    [ModuleInitializer]
    internal static void Init()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StatisticsCache.EnvironmentVariable))) return;
        string dir = Path.Combine(Path.GetTempPath(), "mw-patches-tests-cache-" + Environment.ProcessId);
        Environment.SetEnvironmentVariable(StatisticsCache.EnvironmentVariable, dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}

public class StatisticsCacheTests
{
    private static MotionClip Clip(int i, int frames = 5) =>
        TestClips.Make(frames, Tiny, id: $"{i:D6}", value: (t, j, c) => (t + 1) * (j + 1) * 0.1f + c + i * 0.37f);

    private static MotionWorkbench.Data.Skeletons.Skeleton Tiny { get; } = new("tiny5", ["root", "a", "b", "c", "d"], [-1, 0, 0, 0, 0],
        [[0, 1], [0, 2], [0, 1, 2], [0, 3], [0, 4]], []);

    private static List<MotionClip> WriteDataset(string dir, int count, int first = 0)
    {
        string joints = Path.Combine(dir, "new_joints");
        Directory.CreateDirectory(joints);
        var clips = new List<MotionClip>();
        for (int i = first; i < first + count; i++)
        {
            var c = Clip(i, 4 + i % 3);
            Npy.Write(Path.Combine(joints, c.Id + ".npy"), c.Positions, c.Frames, c.JointCount, 3);
            clips.Add(c);
        }
        return clips;
    }

    /// <summary>Every file and folder under a directory with its size and time: what "nothing was written" compares.</summary>
    private static List<string> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => $"{p}|{(File.Exists(p) ? new FileInfo(p).Length : -1)}|{File.GetLastWriteTimeUtc(p).Ticks}").ToList();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ReadOnlyDataset_IsNeverWritten_StatisticsGoToTheCache_ThenHit()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        using var _ = StatisticsCache.UseRoot(cache.Path);
        var clips = WriteDataset(data.Path, 24);
        var before = Snapshot(data.Path);
        var readOnly = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(data.Path, readOnly);
        File.SetUnixFileMode(Path.Combine(data.Path, "new_joints"), readOnly);
        try
        {
            var first = StatisticsFiles.Resolve(data.Path, new LoadReport());
            Assert.Equal(StatisticsOrigin.Computed, first.Origin);
            Assert.Equal(24, first.MotionCount);
            Assert.Empty(first.Warnings);
            Assert.StartsWith(cache.Path, first.Folder);
            Assert.True(StatisticsFiles.Exist(first.Folder));
            Assert.True(File.Exists(Path.Combine(first.Folder, StatisticsCache.InfoFileName)));
            var expected = MotionStatistics.Compute(clips);
            Assert.Equal(expected.Mean, first.Statistics.Mean);
            Assert.Equal(expected.Std, first.Statistics.Std);
            // Tests run as root, which chmod does not stop: the folder must be unchanged all the same.
            Assert.Equal(before, Snapshot(data.Path));
            Assert.False(StatisticsFiles.Exist(data.Path));

            var second = StatisticsFiles.Resolve(data.Path, new LoadReport());
            Assert.Equal(StatisticsOrigin.Cache, second.Origin);
            Assert.Equal(first.Fingerprint, second.Fingerprint);
            Assert.Equal(first.Folder, second.Folder);
            Assert.Equal(24, second.MotionCount);
            Assert.Equal(first.Statistics.Mean, second.Statistics.Mean);
            Assert.Equal(first.Statistics.Std, second.Statistics.Std);
            Assert.Contains("cached for this dataset", second.Describe());
            Assert.True(StatisticsFiles.LoadOrCompute(data.Path, new LoadReport(), out bool computed).Std.SequenceEqual(first.Statistics.Std));
            Assert.False(computed);
            Assert.Equal(before, Snapshot(data.Path));
        }
        finally
        {
            File.SetUnixFileMode(Path.Combine(data.Path, "new_joints"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(data.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void AddingOrChangingAClip_InvalidatesTheCache()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        using var _ = StatisticsCache.UseRoot(cache.Path);
        var clips = WriteDataset(data.Path, 22);
        var first = StatisticsFiles.Resolve(data.Path, new LoadReport());
        Assert.Equal(StatisticsOrigin.Computed, first.Origin);

        // A clip added later, far from the others: the old statistics would give it huge z-scores.
        var added = TestClips.Make(6, Tiny, id: "999999", value: (t, j, c) => 50f + t);
        Npy.Write(Path.Combine(data.Path, "new_joints", "999999.npy"), added.Positions, 6, added.JointCount, 3);
        var second = StatisticsFiles.Resolve(data.Path, new LoadReport());
        Assert.Equal(StatisticsOrigin.Computed, second.Origin);
        Assert.NotEqual(first.Fingerprint, second.Fingerprint);
        Assert.Equal(23, second.MotionCount);
        var expected = MotionStatistics.Compute([.. clips, added]);
        Assert.Equal(expected.Mean, second.Statistics.Mean);
        Assert.Equal(expected.Std, second.Statistics.Std);
        Assert.NotEqual(first.Statistics.Mean, second.Statistics.Mean);

        // Same names and sizes, new content and time: a new fingerprint too.
        var changedPath = Path.Combine(data.Path, "new_joints", clips[0].Id + ".npy");
        var changed = TestClips.Make(clips[0].Frames, Tiny, id: clips[0].Id, value: (t, j, c) => -3f * t);
        Npy.Write(changedPath, changed.Positions, changed.Frames, changed.JointCount, 3);
        File.SetLastWriteTimeUtc(changedPath, DateTime.UtcNow.AddMinutes(5));
        var third = StatisticsFiles.Resolve(data.Path, new LoadReport());
        Assert.Equal(StatisticsOrigin.Computed, third.Origin);
        Assert.NotEqual(second.Fingerprint, third.Fingerprint);
        Assert.Equal(MotionStatistics.Compute([changed, .. clips.Skip(1), added]).Mean, third.Statistics.Mean);

        // The zero-std policy changes the result, so it is part of the key.
        Assert.NotEqual(third.Fingerprint, StatisticsFiles.Resolve(data.Path, new LoadReport(), ZeroStdPolicy.UseOne).Fingerprint);
    }

    [Fact]
    public void FewMotions_AreWarnedAbout_OnComputeAndOnCacheHit()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        using var _ = StatisticsCache.UseRoot(cache.Path);
        WriteDataset(data.Path, 3);
        var r = StatisticsFiles.Resolve(data.Path, new LoadReport());
        Assert.Equal(3, r.MotionCount);
        var w = Assert.Single(r.Warnings);
        Assert.Contains("only 3 motion(s)", w);
        Assert.Contains(data.Path, w);
        var hit = StatisticsFiles.Resolve(data.Path, new LoadReport());
        Assert.Equal(StatisticsOrigin.Cache, hit.Origin);
        Assert.Contains("only 3 motion(s)", Assert.Single(hit.Warnings));
        Assert.Null(StatisticsCache.FewMotionsWarning(StatisticsCache.FewMotions, data.Path));
    }

    [Fact]
    public void ShippedStatistics_AreReadFromTheDataset_NotCached_AndStaleOnesWarned()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        using var _ = StatisticsCache.UseRoot(cache.Path);
        WriteDataset(data.Path, 21);
        var shipped = TestClips.Varied(5);
        StatisticsFiles.Save(shipped, data.Path);
        var mean = Path.Combine(data.Path, MotionStatistics.MeanFileName);
        File.SetLastWriteTimeUtc(mean, DateTime.UtcNow.AddMinutes(10));
        var r = StatisticsFiles.Resolve(data.Path, new LoadReport());
        Assert.Equal(StatisticsOrigin.Dataset, r.Origin);
        Assert.Equal(shipped.Mean, r.Statistics.Mean);
        Assert.Empty(r.Warnings);
        Assert.Empty(Directory.EnumerateFileSystemEntries(cache.Path));

        File.SetLastWriteTimeUtc(mean, DateTime.UtcNow.AddMinutes(-10));
        var stale = Assert.Single(StatisticsFiles.Resolve(data.Path, new LoadReport()).Warnings);
        Assert.Contains("21 of the 21 motion files", stale);
        Assert.Contains("stale", stale);
    }

    [Fact]
    public void CacheRoot_FollowsMW_CACHE_DIR()
    {
        // The module initializer set MW_CACHE_DIR for this process (no UseRoot here).
        string env = Environment.GetEnvironmentVariable(StatisticsCache.EnvironmentVariable)!;
        Assert.Equal(Path.Combine(env, "statistics"), StatisticsCache.Root);
        using (StatisticsCache.UseRoot("/tmp/elsewhere")) Assert.Equal("/tmp/elsewhere", StatisticsCache.Root);
        Assert.Equal(Path.Combine(env, "statistics"), StatisticsCache.Root);
    }
}

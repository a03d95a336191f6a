using System.Runtime.CompilerServices;

namespace MotionWorkbench.Cli.Tests;

/// <summary>Points this test process's (and its mw children's) statistics cache at a temp folder, never ~/.cache.</summary>
internal static class TestCache
{
    [ModuleInitializer]
    internal static void Init()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MW_CACHE_DIR"))) return;
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-tests-cache-" + Environment.ProcessId);
        Environment.SetEnvironmentVariable("MW_CACHE_DIR", dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}

/// <summary>mw patches on a dataset it may not write to: statistics go to the user cache, the dataset is untouched.</summary>
public class StatisticsCacheCliTests
{
    private static List<string> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => $"{p}|{(File.Exists(p) ? new FileInfo(p).Length : -1)}|{File.GetLastWriteTimeUtc(p).Ticks}").ToList();

    [Fact]
    public void Patches_never_writes_into_the_dataset_and_warns_about_few_motions()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-stats-" + Guid.NewGuid().ToString("N"));
        try
        {
            string data = Path.Combine(dir, "data");
            var synth = Mw.Run("data", "synth", "--out", data, "--count", "6", "--no-mirrors");
            Assert.True(synth.ExitCode == 0, synth.All);
            var before = Snapshot(data);
            string id = Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(data, "new_joints"), "*.npy").Order(StringComparer.Ordinal).First());

            var first = Mw.Run("patches", "--data", data, "--id", id, "--npy", Path.Combine(dir, "a.npy"));
            Assert.True(first.ExitCode == 0, first.All);
            Assert.Contains("statistics: computed over 6 motions", first.Stdout);
            Assert.Contains(Path.Combine(Environment.GetEnvironmentVariable("MW_CACHE_DIR")!, "statistics"), first.Stdout);
            Assert.Contains("WARNING: the motion statistics of", first.Stderr);
            Assert.Contains("only 6 motion(s)", first.Stderr);
            Assert.Equal(before, Snapshot(data));

            var second = Mw.Run("patches", "--data", data, "--id", id, "--npy", Path.Combine(dir, "b.npy"));
            Assert.True(second.ExitCode == 0, second.All);
            Assert.Contains("statistics: cached for this dataset", second.Stdout);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "a.npy")), File.ReadAllBytes(Path.Combine(dir, "b.npy")));
            Assert.Equal(before, Snapshot(data));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}

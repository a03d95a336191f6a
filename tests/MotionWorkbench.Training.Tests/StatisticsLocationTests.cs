using System.Runtime.CompilerServices;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Patches;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>Points this test process's statistics cache at a temp folder (never the user's ~/.cache).</summary>
internal static class TestCache
{
    [ModuleInitializer]
    internal static void Init()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StatisticsCache.EnvironmentVariable))) return;
        string dir = Path.Combine(Path.GetTempPath(), "mw-training-tests-cache-" + Environment.ProcessId);
        Environment.SetEnvironmentVariable(StatisticsCache.EnvironmentVariable, dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}

[Collection("synth")]
public class StatisticsLocationTests(SynthFixture fx)
{
    private static List<string> Snapshot(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => $"{p}|{(File.Exists(p) ? new FileInfo(p).Length : -1)}|{File.GetLastWriteTimeUtc(p).Ticks}").ToList();

    [Fact]
    public void Training_WritesNothingIntoTheDataset_KeepsItsOwnCopy_AndWarnsAboutFewMotions()
    {
        string data = Path.Combine(fx.Root, "few-" + Guid.NewGuid().ToString("N")[..6]);
        SyntheticMotions.Write(data, new SynthOptions { Count = 12, Seed = 19, Mirrors = false });
        string cache = Path.Combine(fx.Root, "cache-" + Guid.NewGuid().ToString("N")[..6]);
        using var _ = StatisticsCache.UseRoot(cache);
        var before = Snapshot(data);
        var tiny = fx.Tiny(epochs: 1);
        var config = tiny with
        {
            Data = tiny.Data with { Dir = data, ValSplit = "train", TestSplit = "train" },
            Train = tiny.Train with { BatchSize = 4 },
        };
        string run = fx.NewRunDir("few");
        var result = new Trainer(config, run) { LogSteps = false }.Run();

        Assert.True(result.Completed);
        Assert.Equal(before, Snapshot(data));
        Assert.False(StatisticsFiles.Exist(data));
        Assert.True(StatisticsFiles.Exist(run));
        var entry = Assert.Single(Directory.GetDirectories(cache));
        Assert.Equal(StatisticsFiles.Load(entry).Mean, StatisticsFiles.Load(run).Mean);
        var warning = Assert.Single(result.StatisticsWarnings);
        Assert.Contains("only 12 motion(s)", warning);
        string log = File.ReadAllText(Path.Combine(run, Trainer.LogFileName));
        Assert.Contains("WARNING: the motion statistics of", log);
        Assert.Contains("only 12 motion(s)", log);
        Assert.Contains("statistics: computed over 12 motions", log);

        // A second run of the same dataset hits the cache; evaluating the first run uses the run's own copy.
        string run2 = fx.NewRunDir("few2");
        new Trainer(config, run2) { LogSteps = false }.Run();
        Assert.Contains("statistics: cached for this dataset", File.ReadAllText(Path.Combine(run2, Trainer.LogFileName)));
        Assert.Contains("the run's own", Assert.Single(RunData.ForRun(run).StatisticsNotes));
        Assert.Equal(before, Snapshot(data));
    }
}

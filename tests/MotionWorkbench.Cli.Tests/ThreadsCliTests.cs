using System.Text.Json;

namespace MotionWorkbench.Cli.Tests;

/// <summary>
/// The engine thread setting at mw's edge: <c>mw info</c> prints the count and why, <c>--threads</c> beats
/// <c>MW_THREADS</c> beats the default, bad values are one error naming the setting (nothing written), a run records its
/// count and a resume keeps it (another count only with a warning).
/// </summary>
public class ThreadsCliTests
{
    private static string Line(string text, string prefix) => text.Split('\n').First(l => l.StartsWith(prefix, StringComparison.Ordinal)).Trim();

    [Fact]
    public void Info_prints_the_engine_threads_and_why()
    {
        var plain = Mw.RunWith(new Dictionary<string, string> { ["MW_THREADS"] = "" }, "info");
        Assert.True(plain.ExitCode == 0, plain.All);
        Assert.Matches(@"^engine threads: \d+ \(default: ", Line(plain.Stdout, "engine threads:"));
        Assert.StartsWith("CPU allowance: affinity mask ", Line(plain.Stdout, "CPU allowance:"));

        var env = Mw.RunWith(new Dictionary<string, string> { ["MW_THREADS"] = "3" }, "info");
        Assert.Equal("engine threads: 3 (MW_THREADS=3)", Line(env.Stdout, "engine threads:"));
        var flag = Mw.RunWith(new Dictionary<string, string> { ["MW_THREADS"] = "3" }, "info", "--threads", "1");
        Assert.Equal("engine threads: 1 (--threads 1)", Line(flag.Stdout, "engine threads:"));
        Assert.Contains("split over 1 engine threads", flag.Stdout); // the GEMM split follows the setting
    }

    [Theory]
    [InlineData("0", "0 is not a thread count (a whole number from 1 to 1024; leave the setting out for the default)")]
    [InlineData("-2", "-2 is not a thread count (a whole number from 1 to 1024; leave the setting out for the default)")]
    [InlineData("99999", "99999 threads is too many (at most 1024)")]
    [InlineData("lots", "'lots' is not a thread count (a whole number from 1 to 1024)")]
    public void A_bad_thread_count_is_one_error_naming_the_setting(string value, string problem)
    {
        var env = Mw.RunWith(new Dictionary<string, string> { ["MW_THREADS"] = value }, "info");
        Assert.Equal(2, env.ExitCode);
        Assert.Equal($"mw: MW_THREADS: {problem}", env.Stderr.Trim());
        Assert.Empty(env.Stdout);

        var flag = Mw.Run("eval", "--run", "nowhere", "--threads", value);
        Assert.Equal(2, flag.ExitCode);
        Assert.Equal($"mw eval: --threads: {problem}", flag.Stderr.Trim());

        var bench = Mw.Run("bench", "--threads", $"1,{value}", "--model", "vit-tiny");
        Assert.Equal(2, bench.ExitCode);
        Assert.Equal($"mw bench: --threads: {problem}", bench.Stderr.Trim());

        if (value == "0") return; // train.threads = 0 is the default (the process's setting), not an error
        string dir = Path.Combine(Path.GetTempPath(), "mw-threads-" + Guid.NewGuid().ToString("N"));
        var train = Mw.Run("train", "--preset", "Smoke", "--out", dir, "--set", $"train.threads={value}");
        Assert.True(train.ExitCode != 0, train.All);
        Assert.Contains("train.threads", train.Stderr);
        Assert.DoesNotContain("   at ", train.All);
        Assert.False(Directory.Exists(dir), "a refused command left its run folder behind");
    }

    [Fact]
    public void A_run_records_its_threads_and_a_resume_keeps_them_unless_told()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-threads-run-" + Guid.NewGuid().ToString("N"));
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
            Assert.Equal(0, Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "3", "--threads", "2").ExitCode);
            var train = Mw.RunWith(new Dictionary<string, string> { ["MW_THREADS"] = "1" }, "train", "--preset", "Smoke", "--data", data, "--out", run,
                "--threads", "3", "--set", "model.architecture=bag", "--set", "train.epochs=1", "--set", "train.threads=2", "--set", "data.maxTrainClips=32");
            Assert.True(train.ExitCode == 0, train.All);
            using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
                Assert.Equal(3, config.RootElement.GetProperty("train").GetProperty("threads").GetInt32()); // --threads > --set > MW_THREADS
            Assert.Contains("engine threads: 3 (--threads 3)", File.ReadAllText(Path.Combine(run, "train.log")));

            // this process would use 1 (MW_THREADS); the run keeps its 3 and says so
            var keep = Mw.RunWith(new Dictionary<string, string> { ["MW_THREADS"] = "1" }, "train", "--out", run, "--resume");
            Assert.True(keep.ExitCode == 0, keep.All);
            Assert.Contains("mw train: the run keeps the 3 engine threads it was trained with", keep.Stderr);
            Assert.Contains("this process would otherwise use 1 (MW_THREADS=1)", keep.Stderr);

            var change = Mw.Run("train", "--out", run, "--resume", "--threads", "1");
            Assert.True(change.ExitCode == 0, change.All);
            Assert.Contains("mw train: WARNING: resuming on 1 engine threads (--threads 1); the run was trained on 3 until now", change.Stderr);
            using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
                Assert.Equal(1, config.RootElement.GetProperty("train").GetProperty("threads").GetInt32());

            var refused = Mw.Run("train", "--out", run, "--resume", "--set", "train.threads=2");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("--set cannot change a run being resumed", refused.Stderr);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}

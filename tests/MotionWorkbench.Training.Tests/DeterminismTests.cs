using System.Text.Json.Nodes;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// The same configuration, seed and thread count give the same run: byte-identical metrics.jsonl (without its one
/// wall-clock field, the epoch lines' "seconds") and bit-identical checkpoints (weights and Adam moments).
/// </summary>
[Collection("synth")]
public sealed class DeterminismTests(SynthFixture fx)
{
    /// <summary>The wall-clock fields of metrics.jsonl: everything else must repeat exactly.</summary>
    public static readonly string[] WallClockFields = ["seconds"];

    private static string MetricsWithoutWallClock(string runDir)
    {
        var lines = File.ReadAllLines(Path.Combine(runDir, Trainer.MetricsFileName));
        return string.Join("\n", lines.Select(l =>
        {
            var o = JsonNode.Parse(l)!.AsObject();
            foreach (var f in WallClockFields) o.Remove(f);
            return o.ToJsonString();
        }));
    }

    private static void AssertSameCheckpoint(string a, string b)
    {
        var x = Checkpoint.Read(a);
        var y = Checkpoint.Read(b);
        Assert.Equal(x.Model.Keys.Order(), y.Model.Keys.Order());
        foreach (var (name, t) in x.Model)
        {
            var u = y.Model[name];
            int first = -1;
            for (int i = 0; i < t.Size && first < 0; i++)
                if (BitConverter.SingleToInt32Bits(t.Data[i]) != BitConverter.SingleToInt32Bits(u.Data[i])) first = i;
            Assert.True(first < 0, $"{Path.GetFileName(a)}: parameter {name} differs at {first}: {(first < 0 ? 0 : t.Data[first]):R} vs {(first < 0 ? 0 : u.Data[first]):R}");
        }
        Assert.True(x.M!.AsSpan().SequenceEqual(y.M!), "Adam first moments differ");
        Assert.True(x.V!.AsSpan().SequenceEqual(y.V!), "Adam second moments differ");
        Assert.Equal(x.State with { ElapsedSeconds = 0, DropoutCounters = null! }, y.State with { ElapsedSeconds = 0, DropoutCounters = null! });
        Assert.Equal(x.State.DropoutCounters.OrderBy(kv => kv.Key, StringComparer.Ordinal), y.State.DropoutCounters.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    private RunConfig Config(string architecture, int threads)
    {
        var smoke = RunConfig.Smoke;
        return (smoke with
        {
            Name = "det",
            Model = smoke.Model with { Architecture = architecture, HeadDropout = 0.2f, TextDropout = 0.1f, VitDropout = 0.1f },
            Data = smoke.Data with { Dir = fx.DataDir, ValSplit = "train", TestSplit = "train" },
            Train = smoke.Train with { Epochs = 2, Seed = 1234, Threads = threads },
        }).WithoutIgnoredSettings(); // the bag model has no dropout
    }

    /// <summary>Results are reproducible per thread count: 1, 2, 3 and 4 engine threads (train.threads), each run twice.
    /// The run records its count in config.json and train.log.</summary>
    [Theory]
    [InlineData("vit", 1)]
    [InlineData("vit", 2)]
    [InlineData("vit", 3)]
    [InlineData("vit", 4)]
    [InlineData("bag", 2)]
    public void Two_runs_with_the_same_seed_and_threads_are_identical(string architecture, int threads)
    {
        var config = Config(architecture, threads);
        string a = fx.NewRunDir("det-a"), b = fx.NewRunDir("det-b");
        new Trainer(config, a).Run();
        new Trainer(config, b).Run();
        var ma = MetricsWithoutWallClock(a);
        Assert.Contains("\"type\":\"step\"", ma);
        Assert.Contains("\"type\":\"epoch\"", ma);
        Assert.Equal(ma, MetricsWithoutWallClock(b));
        AssertSameCheckpoint(Path.Combine(a, Checkpoint.LastFileName), Path.Combine(b, Checkpoint.LastFileName));
        AssertSameCheckpoint(Path.Combine(a, Checkpoint.BestFileName), Path.Combine(b, Checkpoint.BestFileName));
        Assert.Equal(threads, RunConfig.Load(a).Train.Threads);
        Assert.Contains($"engine threads: {threads} (", File.ReadAllText(Path.Combine(a, Trainer.LogFileName)));
    }

    /// <summary>Other thread counts change the summation order, not the result: the first steps' losses agree to float
    /// tolerance between 1 and 4 threads (later steps drift apart as training amplifies rounding).</summary>
    [Fact]
    public void Runs_on_one_and_four_threads_agree_within_float_tolerance()
    {
        var config = Config("vit", 1) with { Train = Config("vit", 1).Train with { Epochs = 1 } };
        string one = fx.NewRunDir("det-1"), four = fx.NewRunDir("det-4");
        new Trainer(config, one).Run();
        new Trainer(config with { Train = config.Train with { Threads = 4 } }, four).Run();
        var a = Trainer.ReadStepLosses(Path.Combine(one, Trainer.MetricsFileName)).ToList();
        var b = Trainer.ReadStepLosses(Path.Combine(four, Trainer.MetricsFileName)).ToList();
        Assert.Equal(a.Count, b.Count);
        Assert.True(a.Count >= 2);
        for (int i = 0; i < Math.Min(2, a.Count); i++)
            Assert.True(Math.Abs(a[i].Loss - b[i].Loss) <= 1e-4 * Math.Max(1, Math.Abs(a[i].Loss)), $"step {a[i].Step}: loss {a[i].Loss:R} on 1 thread, {b[i].Loss:R} on 4");
    }
}

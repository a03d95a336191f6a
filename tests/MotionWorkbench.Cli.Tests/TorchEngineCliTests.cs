using System.Text.Json;
using MotionWorkbench.Torch;

namespace MotionWorkbench.Cli.Tests;

/// <summary>
/// One tiny synthetic dataset and a Smoke run per engine trained on it with <c>mw train --engine mw|torch</c> (each trained
/// on first use, so the own-engine tests never start TorchSharp), shared by <see cref="TorchEngineCliTests"/>.
/// </summary>
public sealed class EngineRunsFixture : IDisposable
{
    private readonly Dictionary<string, Lazy<(string Run, Mw.Result Train)>> runs = [];

    public EngineRunsFixture()
    {
        Dir = Path.Combine(Path.GetTempPath(), "mw-cli-engines-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        Data = Path.Combine(Dir, "data");
        var synth = Mw.Run("data", "synth", "--out", Data, "--count", "40", "--seed", "3");
        Problem = synth.ExitCode != 0 ? "synth: " + synth.All : null;
        foreach (var engine in new[] { "mw", "torch" })
        {
            string run = Path.Combine(Dir, engine);
            runs[engine] = new Lazy<(string, Mw.Result)>(() => (run, Mw.Run("train", "--preset", "Smoke", "--data", Data, "--out", run, "--engine", engine, "--device", "cpu",
                "--set", "train.epochs=1", "--set", "data.maxTrainClips=32")));
        }
    }

    public string Dir { get; }
    public string Data { get; }
    public string? Problem { get; }

    /// <summary>The run folder trained with <paramref name="engine"/> (trained on the first call), asserting that training succeeded.</summary>
    public string Run(string engine)
    {
        Assert.True(Problem is null, Problem);
        var (run, train) = runs[engine].Value;
        Assert.True(train.ExitCode == 0, $"mw train --engine {engine}: exit {train.ExitCode}\n{train.All}");
        Assert.Contains("done: ", train.Stdout);
        return run;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// <c>mw train --engine/--device</c>, and the run folders of either engine under <c>mw eval</c>, <c>mw search</c> and
/// <c>mw classify</c> (the own engine loads both: the checkpoints share one format).
/// </summary>
public class TorchEngineCliTests(EngineRunsFixture runs) : IClassFixture<EngineRunsFixture>
{
    [CliTorchFact]
    public void A_torch_run_trains_on_the_cpu_and_evaluates_searches_and_classifies()
    {
        string run = runs.Run("torch");
        Assert.Contains("engine torch on cpu", File.ReadAllText(Path.Combine(run, "train.log")));
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            var train = config.RootElement.GetProperty("train");
            Assert.Equal("torch", train.GetProperty("engine").GetString());
            Assert.Equal("cpu", train.GetProperty("device").GetString());
        }
        EvaluatesSearchesAndClassifies(run);
    }

    [Fact]
    public void An_own_engine_run_evaluates_searches_and_classifies_the_same_way()
    {
        string run = runs.Run("mw");
        Assert.Contains("engine mw on cpu", File.ReadAllText(Path.Combine(run, "train.log")));
        EvaluatesSearchesAndClassifies(run);
    }

    private void EvaluatesSearchesAndClassifies(string run)
    {
        // mw eval: one JSON object per protocol, recalls in [0, 100], R@k non-decreasing, MedR >= 1
        var eval = Mw.Run("eval", "--run", run, "--protocol", "all", "--protocol", "tmr-normal", "--json");
        Assert.True(eval.ExitCode == 0, eval.All);
        var lines = eval.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        foreach (var (line, protocol) in lines.Zip(new[] { "all", "tmr-normal" }))
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(protocol, doc.RootElement.GetProperty("protocol").GetString());
            Assert.True(doc.RootElement.GetProperty("n").GetInt32() > 0, line);
            foreach (var direction in new[] { "t2m", "m2t" })
            {
                var m = doc.RootElement.GetProperty(direction);
                double r1 = m.GetProperty("R@1").GetDouble(), r5 = m.GetProperty("R@5").GetDouble(), r10 = m.GetProperty("R@10").GetDouble();
                Assert.InRange(r1, 0, 100);
                Assert.InRange(r5, r1, 100);
                Assert.InRange(r10, r5, 100);
                Assert.True(m.GetProperty("MedR").GetDouble() >= 1, line);
            }
        }
        var table = Mw.Run("eval", "--run", run, "--protocol", "all");
        Assert.True(table.ExitCode == 0, table.All);
        Assert.Matches(@"text->motion\s+[0-9]+\.[0-9]{2}", table.Stdout);

        // mw search: three distinct test motions, scores (cosines) descending within [-1, 1]
        var search = Mw.Run("search", "--run", run, "--k", "3", "--json", "a person walks forward");
        Assert.True(search.ExitCode == 0, search.All);
        using (var hits = JsonDocument.Parse(search.Stdout))
        {
            var list = hits.RootElement.EnumerateArray().ToList();
            Assert.Equal([1, 2, 3], list.Select(h => h.GetProperty("rank").GetInt32()));
            var scores = list.Select(h => h.GetProperty("score").GetDouble()).ToList();
            Assert.All(scores, s => Assert.InRange(s, -1.0001, 1.0001));
            Assert.Equal(scores.OrderByDescending(s => s), scores);
            Assert.Equal(3, list.Select(h => h.GetProperty("id").GetString()).Distinct().Count());
            Assert.All(list, h => Assert.False(string.IsNullOrEmpty(h.GetProperty("caption").GetString())));
        }

        // mw classify (zero-shot over the synthetic actions): top-1 <= top-5, the confusion matrix counts every motion once
        var classify = Mw.Run("classify", "--run", run, "--data", runs.Data, "--json");
        Assert.True(classify.ExitCode == 0, classify.All);
        using var zs = JsonDocument.Parse(classify.Stdout);
        var root = zs.RootElement;
        int n = root.GetProperty("n").GetInt32(), classes = root.GetProperty("classes").GetArrayLength();
        Assert.True(n > 0 && classes > 1, classify.Stdout);
        double top1 = root.GetProperty("top1").GetDouble();
        Assert.InRange(top1, 0, 100);
        Assert.InRange(root.GetProperty("top5").GetDouble(), top1, 100);
        Assert.Equal(classes, root.GetProperty("confusion").GetArrayLength());
        Assert.Equal(n, root.GetProperty("confusion").EnumerateArray().Sum(r => r.EnumerateArray().Sum(c => c.GetInt32())));
        var text = Mw.Run("classify", "--run", run, "--data", runs.Data);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Matches(@"top-1 [0-9]+\.[0-9]{2}  top-5 [0-9]+\.[0-9]{2}", text.Stdout);
    }

    [CliTorchFact]
    public void The_bag_model_on_the_torch_engine_is_a_one_line_error()
    {
        Assert.True(runs.Problem is null, runs.Problem);
        string run = Path.Combine(runs.Dir, "bag-torch");
        var r = Mw.Run("train", "--preset", "Smoke", "--data", runs.Data, "--out", run, "--engine", "torch", "--set", "model.architecture=bag", "--set", "train.epochs=1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("mw train: train.engine = torch has no TorchSharp twin of model.architecture", r.Stderr);
        Assert.Contains("'bag'", r.Stderr);
        Assert.Contains("train.engine = mw", r.Stderr);
        Assert.DoesNotContain("   at ", r.All);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(run, "last.safetensors")));
    }

    [Fact]
    public void A_bad_engine_or_device_is_named_before_anything_is_written()
    {
        string run = Path.Combine(Path.GetTempPath(), "mw-cli-engine-bad-" + Guid.NewGuid().ToString("N"));
        var engine = Mw.Run("train", "--preset", "Smoke", "--out", run, "--engine", "jax");
        Assert.Equal(2, engine.ExitCode);
        Assert.Contains("train.engine must be 'mw' (the own engine) or 'torch' (TorchSharp), got 'jax'", engine.Stderr);
        var device = Mw.Run("train", "--preset", "Smoke", "--out", run, "--engine", "torch", "--device", "tpu");
        Assert.Equal(2, device.ExitCode);
        Assert.Contains("train.device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got 'tpu'", device.Stderr);
        var cudaOnOwn = Mw.Run("train", "--preset", "Smoke", "--out", run, "--device", "cuda");
        Assert.Equal(2, cudaOnOwn.ExitCode);
        Assert.Contains("train.device = cuda needs train.engine = torch", cudaOnOwn.Stderr);
        var quickstart = Mw.Run("quickstart", "--preset", "Smoke", "--out", run, "--data", Path.Combine(run, "data"), "--engine", "jax");
        Assert.Equal(2, quickstart.ExitCode);
        Assert.Contains("mw quickstart: invalid run configuration", quickstart.Stderr);
        Assert.Contains("got 'jax'", quickstart.Stderr);
        foreach (var r in new[] { engine, device, cudaOnOwn, quickstart }) Assert.DoesNotContain("   at ", r.All);
        Assert.False(Directory.Exists(run), $"{run} was created for a configuration that is refused");
    }

    [Fact]
    public void The_engine_flag_wins_over_set_and_cannot_change_a_resumed_run()
    {
        // --engine is applied after the --set list: here it turns an invalid --set value into a valid configuration
        string run = runs.Run("mw");
        var resume = Mw.Run("train", "--out", run, "--resume", "--engine", "torch");
        Assert.Equal(2, resume.ExitCode);
        Assert.Contains("--engine/--device cannot change a run being resumed (it trains on train.engine = mw, train.device = cpu", resume.Stderr);
        var overridden = Mw.Run("train", "--preset", "Smoke", "--out", Path.Combine(runs.Dir, "never"), "--set", "train.engine=jax", "--engine", "mw", "--device", "cuda");
        Assert.Equal(2, overridden.ExitCode);
        Assert.DoesNotContain("got 'jax'", overridden.Stderr);
        Assert.Contains("train.device = cuda needs train.engine = torch", overridden.Stderr);
    }
}

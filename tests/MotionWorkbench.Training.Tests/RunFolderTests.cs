using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>What a run folder guarantees: one writer at a time, and no stale leftovers of a failed attempt.</summary>
[Collection("synth")]
public sealed class RunFolderTests(SynthFixture fx)
{
    [Fact]
    public void A_second_training_into_a_locked_run_folder_gets_a_clear_error()
    {
        var dir = fx.NewRunDir("locked");
        using (RunLock.Acquire(dir))
        {
            var e = Assert.Throws<InvalidOperationException>(() => new Trainer(fx.Tiny(epochs: 1), dir) { LogSteps = false }.Run());
            Assert.Contains("another training is writing to this run folder", e.Message);
            Assert.Contains(dir, e.Message);
            Assert.False(File.Exists(Path.Combine(dir, Trainer.MetricsFileName)), "the refused training wrote metrics");
        }
        // Released: the same folder trains.
        Assert.True(new Trainer(fx.Tiny(epochs: 1), dir) { LogSteps = false }.Run().Completed);
        Assert.False(File.Exists(Path.Combine(dir, RunLock.FileName)), "the lock file outlived the training");
    }

    [Fact]
    public void Dataset_files_skipped_while_training_are_named_in_the_log_and_the_result()
    {
        string data = Path.Combine(fx.Root, "data-with-corrupt-" + Guid.NewGuid().ToString("N")[..6]);
        MotionWorkbench.Data.Synthetic.SyntheticMotions.Write(data, new MotionWorkbench.Data.Synthetic.SynthOptions { Count = 40, Seed = 9, Mirrors = false });
        File.WriteAllBytes(Path.Combine(data, "new_joints", "corrupt1.npy"), [1, 2, 3, 4, 5]);
        var dir = fx.NewRunDir("skips");
        var config = fx.Tiny(epochs: 1) with { Data = fx.Tiny().Data with { Dir = data } };
        var r = new Trainer(config, dir) { LogSteps = false }.Run();
        Assert.True(r.Completed);
        var skipped = Assert.Single(r.SkippedFiles);
        Assert.Contains("corrupt1.npy", skipped);
        Assert.Contains("skipped file: " + skipped, File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
    }

    [Fact]
    public void A_fresh_run_replaces_the_log_of_a_failed_attempt()
    {
        var dir = fx.NewRunDir("retry");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, Trainer.LogFileName), "STALE LINE from a failed attempt\n");
        Assert.True(new Trainer(fx.Tiny(epochs: 1), dir) { LogSteps = false }.Run().Completed);
        var log = File.ReadAllText(Path.Combine(dir, Trainer.LogFileName));
        Assert.DoesNotContain("STALE LINE", log);
        Assert.Contains("starting run", log);
    }
}

/// <summary>A run that never leaves chance level says so; an epoch resumed in its middle logs its true mean loss.</summary>
[Collection("synth")]
public sealed class TrainingHonestyTests(SynthFixture fx)
{
    [Fact]
    public void Chance_level_loss_is_flagged_and_a_learning_run_is_not()
    {
        Assert.NotNull(Trainer.DidNotLearn(Math.Log(16), 16));
        Assert.NotNull(Trainer.DidNotLearn(Math.Log(16) * 0.99, 16));
        Assert.Null(Trainer.DidNotLearn(Math.Log(16) * 0.5, 16));
        Assert.Null(Trainer.DidNotLearn(null, 16));

        // Learning rates of 0: the model stays at its initialisation, near chance; the run completes and says it did not learn.
        var frozen = fx.Tiny(epochs: 1) with { Train = fx.Tiny().Train with { Epochs = 1, MotionLr = 0f, TextLr = 0f, HeadLr = 0f } };
        var dir = fx.NewRunDir("frozen");
        var r = new Trainer(frozen, dir) { LogSteps = false }.Run();
        Assert.True(r.Completed);
        Assert.NotNull(r.Warning);
        Assert.Contains("did not learn", File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
        Assert.Null(new Trainer(fx.Tiny(epochs: 8), fx.NewRunDir("learns")) { LogSteps = false }.Run().Warning);
    }

    [Fact]
    public void An_epoch_resumed_in_its_middle_logs_the_mean_over_all_its_batches()
    {
        var config = fx.Tiny(epochs: 1);
        var whole = fx.NewRunDir("whole");
        var full = new Trainer(config, whole) { LogSteps = false }.Run();
        var split = fx.NewRunDir("split");
        var first = new Trainer(config, split) { LogSteps = false, StepCallback = s => s.GlobalStep < 2 }.Run();
        Assert.False(first.Completed);
        var second = new Trainer(config, split) { LogSteps = false }.Run(resume: true);
        Assert.True(second.Completed);
        double a = full.EpochMetrics[^1]["trainLoss"]!.GetValue<double>(), b = second.EpochMetrics[^1]["trainLoss"]!.GetValue<double>();
        Assert.Equal(a, b, 5);
    }
}

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

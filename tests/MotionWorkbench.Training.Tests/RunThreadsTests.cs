using MotionWorkbench.Tensors;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// A run records the engine thread count it used (config.json's train.threads, train.log), computes on it, and a resume
/// keeps it (determinism is per thread count) unless the caller asks for another, which is allowed with a warning.
/// </summary>
[Collection("synth")]
public sealed class RunThreadsTests(SynthFixture fx)
{
    private RunConfig Tiny(int threads) => fx.Tiny(epochs: 3) with { Train = fx.Tiny(epochs: 3).Train with { Threads = threads }, Data = fx.Tiny().Data with { Workers = 0 } };

    private static string Log(string run) => File.ReadAllText(Path.Combine(run, Trainer.LogFileName));

    [Fact]
    public void A_run_without_train_threads_uses_and_records_the_process_setting()
    {
        using var process = Par.Scope(new ThreadSetting(2, "MW_THREADS=2"));
        var run = fx.NewRunDir("threads-default");
        int seen = 0;
        new Trainer(Tiny(0) with { Train = Tiny(0).Train with { Epochs = 1 } }, run) { StepCallback = _ => { seen = Par.Threads; return true; } }.Run();
        Assert.Equal(2, seen);
        Assert.Equal(2, RunConfig.Load(run).Train.Threads);
        Assert.Contains("engine threads: 2 (MW_THREADS=2)", Log(run));
    }

    [Fact]
    public void Train_threads_wins_for_the_run_and_the_process_setting_comes_back_after_it()
    {
        using var process = Par.Scope(new ThreadSetting(2, "--threads 2"));
        var run = fx.NewRunDir("threads-3");
        int seen = 0;
        new Trainer(Tiny(3) with { Train = Tiny(3).Train with { Epochs = 1 } }, run) { StepCallback = _ => { seen = Par.Threads; return true; } }.Run();
        Assert.Equal(3, seen);
        Assert.Equal(3, RunConfig.Load(run).Train.Threads);
        Assert.Contains("engine threads: 3 (train.threads = 3)", Log(run));
        Assert.Equal(new ThreadSetting(2, "--threads 2"), Par.Setting);
    }

    [Fact]
    public void A_resume_keeps_the_runs_count_and_ends_as_an_uninterrupted_run()
    {
        using var process = Par.Scope(new ThreadSetting(3, "test"));
        var straight = fx.NewRunDir("threads-straight");
        new Trainer(Tiny(0), straight).Run();

        var resumed = fx.NewRunDir("threads-resumed");
        int calls = 0;
        Assert.False(new Trainer(Tiny(0), resumed) { StepCallback = _ => ++calls < 5 }.Run().Completed);
        Assert.Equal(3, RunConfig.Load(resumed).Train.Threads);

        // the machine (or MW_THREADS) now says 2; a notebook re-runs its config with train.threads = 0
        Par.Use(new ThreadSetting(2, "default: 2 cores in the affinity mask"));
        int seen = 0;
        var second = new Trainer(Tiny(0), resumed) { StepCallback = _ => { seen = Par.Threads; return true; } }.Run(resume: true);
        Assert.True(second.Completed);
        Assert.Equal(3, seen);
        Assert.Equal(3, RunConfig.Load(resumed).Train.Threads);
        Assert.Equal(2, Par.Threads);
        string log = Log(resumed);
        Assert.Contains("engine threads: 3 (the run's count, config.json train.threads = 3)", log);
        Assert.Contains("the run keeps the 3 engine threads it was trained with (results are reproducible per thread count); this process would otherwise use 2 (default: 2 cores in the affinity mask); --threads 2 changes it", log);

        var a = Checkpoint.Read(Path.Combine(straight, Checkpoint.LastFileName));
        var b = Checkpoint.Read(Path.Combine(resumed, Checkpoint.LastFileName));
        foreach (var (name, t) in a.Model) Assert.True(t.Data.SequenceEqual(b.Model[name].Data), $"parameter {name} differs after the resume");
    }

    [Fact]
    public void A_resume_on_another_count_is_allowed_with_a_warning_and_recorded()
    {
        using var process = Par.Scope(new ThreadSetting(2, "test"));
        var run = fx.NewRunDir("threads-switch");
        int calls = 0;
        Assert.False(new Trainer(Tiny(3), run) { StepCallback = _ => ++calls < 4 }.Run().Completed);
        var saved = RunConfig.Load(run);
        var (use, notes) = RunThreads.ForResume(saved, saved with { Train = saved.Train with { Threads = 2 } });
        Assert.Equal(2, use.Count);
        Assert.StartsWith("WARNING: resuming on 2 engine threads (test); the run was trained on 3 until now", Assert.Single(notes));

        int seen = 0;
        Assert.True(new Trainer(saved with { Train = saved.Train with { Threads = 2 } }, run) { StepCallback = _ => { seen = Par.Threads; return true; } }.Run(resume: true).Completed);
        Assert.Equal(2, seen);
        Assert.Equal(2, RunConfig.Load(run).Train.Threads);
        Assert.Contains("WARNING: resuming on 2 engine threads", Log(run));
    }

    [Fact]
    public void A_run_from_before_train_threads_resumes_on_the_process_setting_and_says_so()
    {
        var saved = Tiny(0);
        using var process = Par.Scope(new ThreadSetting(2, "MW_THREADS=2"));
        var (use, notes) = RunThreads.ForResume(saved, saved);
        Assert.Equal(new ThreadSetting(2, "MW_THREADS=2"), use);
        Assert.Contains("records no thread count", Assert.Single(notes));
        Assert.Empty(RunThreads.ForResume(Tiny(2), Tiny(0)).Notes); // the run's count is what this process uses anyway
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1025)]
    [InlineData(int.MaxValue)]
    public void Bad_train_threads_is_one_error_naming_the_setting(int threads)
    {
        var e = Assert.Throws<ArgumentException>(() => Tiny(threads).Validate());
        Assert.Contains($"train.threads must be 0 (the default: mw --threads, MW_THREADS, else the cores this process may use) or a thread count from 1 to 1024, got {threads}", e.Message);
        Assert.Equal(2, e.Message.Split('\n').Length); // "invalid run configuration:" and this one problem
        var set = Assert.Throws<ArgumentException>(() => RunConfig.Smoke.WithOverrides(["train.threads=four"]));
        Assert.Equal("override train.threads=four: 'four' is not a valid integer", set.Message);
    }
}

using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

[Collection("synth")]
public sealed class TrainerTests(SynthFixture fx)
{
    [Fact]
    public void Tiny_model_overfits_64_pairs_to_R1_100()
    {
        // 64 originals (no mirrors), first captions only, full-batch steps, 224-frame window (no crops): training and
        // evaluation see exactly the same 64 pairs.
        var dir = fx.NewRunDir("overfit");
        var tiny = fx.Tiny();
        var config = tiny with
        {
            Model = tiny.Model with { Architecture = "bag", MaxFrames = 224, PatchSize = 32 }, // the bag model has no dropout
            Data = tiny.Data with { Dir = fx.NoMirrorDir, FirstCaptionOnly = true },
            Train = tiny.Train with { Epochs = 200, EvalEvery = 200, BatchSize = 64, MotionLr = 3e-2f, TextLr = 3e-2f, HeadLr = 3e-2f },
        };
        var result = new Trainer(config, dir) { LogSteps = false }.Run();
        Assert.True(result.Completed);
        var data = RunData.ForRun(dir);
        Assert.Equal(64, data.EvalSamples("train").Count);
        var model = RunModels.Load(dir, Checkpoint.LastFileName);
        var emb = Embedder.Embed(model, data, "train", 64);
        var all = emb.Evaluate([RetrievalProtocols.All, RetrievalProtocols.TmrNormal]);
        Assert.Equal(64, all[0].N);
        Assert.Equal(100.0, all[0].TextToMotion.R1);
        Assert.Equal(100.0, all[0].MotionToText.R1);
        Assert.Equal(100.0, all[1].TextToMotion.R1); // 64 distinct captions: the diagonal protocol agrees
    }

    [Theory]
    [InlineData("bag")]
    [InlineData("vit")]
    [InlineData("raw")]
    public void Run_stopped_mid_epoch_and_resumed_ends_with_the_same_weights(string architecture)
    {
        // The ViT case has dropout in the text encoder and heads, so it also checks that dropout streams resume where
        // they stopped. It runs the engine on two threads: parallel reductions keep per-chunk partial sums, so the
        // result does not depend on which thread ran which chunk (DeterminismTests checks two uninterrupted runs bit for bit).
        int threads = Par.Threads;
        Par.Threads = 2;
        try { ResumeEquivalence(fx.Tiny(epochs: 3) with { Model = SynthFixture.TinyModelOf(architecture, m => m with { HeadDropout = 0.2f, TextDropout = 0.1f }) }); }
        finally { if (Par.Threads != threads) Par.Threads = threads; }
    }

    private void ResumeEquivalence(RunConfig config)
    {
        var straight = fx.NewRunDir("straight");
        new Trainer(config, straight) { LogSteps = true }.Run();

        var resumed = fx.NewRunDir("resumed");
        int calls = 0;
        var first = new Trainer(config, resumed) { StepCallback = s => ++calls < 6 }.Run(); // stops after step 6 (epoch 2, mid-epoch)
        Assert.False(first.Completed);
        Assert.Equal(6, first.State.GlobalStep);
        Assert.True(first.State.BatchInEpoch > 0);
        var second = new Trainer(RunConfig.Load(resumed), resumed).Run(resume: true);
        Assert.True(second.Completed);

        var a = Checkpoint.Read(Path.Combine(straight, Checkpoint.LastFileName));
        var b = Checkpoint.Read(Path.Combine(resumed, Checkpoint.LastFileName));
        Assert.Equal(a.State.GlobalStep, b.State.GlobalStep);
        Assert.Equal(a.Model.Keys.Order(), b.Model.Keys.Order());
        foreach (var (name, t) in a.Model)
        {
            float diff = 0;
            for (int i = 0; i < t.Size; i++) diff = Math.Max(diff, Math.Abs(t.Data[i] - b.Model[name].Data[i]));
            Assert.True(diff <= 1e-6f, $"parameter {name} differs after resume by {diff}");
        }
        Assert.True(a.M!.AsSpan().SequenceEqual(b.M!), "Adam first moments differ after resume");
        // The metrics file has each step once.
        var steps = Trainer.ReadStepLosses(Path.Combine(resumed, Trainer.MetricsFileName)).Select(s => s.Step).ToList();
        Assert.Equal(Enumerable.Range(1, a.State.GlobalStep), steps);
        Assert.Equal(Trainer.ReadStepLosses(Path.Combine(straight, Trainer.MetricsFileName)), Trainer.ReadStepLosses(Path.Combine(resumed, Trainer.MetricsFileName)));
    }

    [Fact]
    public void Mlm_pretraining_phase_runs_before_the_contrastive_phase_and_changes_the_text_encoder()
    {
        var tiny = fx.Tiny(epochs: 1);
        var vit = tiny with { Model = SynthFixture.TinyModelOf("vit") };
        var plain = fx.NewRunDir("no-mlm");
        new Trainer(vit with { Train = vit.Train with { Epochs = 1 } }, plain) { LogSteps = false }.Run();
        var dir = fx.NewRunDir("mlm");
        var result = new Trainer(vit with { Train = vit.Train with { MlmEpochs = 2, Epochs = 1 } }, dir) { LogSteps = false }.Run();
        Assert.True(result.Completed);
        var log = File.ReadAllText(Path.Combine(dir, Trainer.LogFileName));
        Assert.Contains("MLM epoch 2/2: masked-token loss", log);
        var a = Checkpoint.Read(Path.Combine(plain, Checkpoint.LastFileName)).Model;
        var b = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName)).Model;
        var word = a.Keys.First(k => k.Contains("word_embeddings", StringComparison.Ordinal));
        Assert.False(a[word].Data.SequenceEqual(b[word].Data));
        Assert.Throws<ArgumentException>(() => (tiny with { Train = tiny.Train with { MlmEpochs = 1 } }).Validate()); // bag has no MLM head
    }

    [Fact]
    public void Nan_gradient_stops_naming_the_step_and_the_parameter()
    {
        var config = fx.Tiny(epochs: 1);
        var store = new ParameterStore(new BagModel(config.Model, 100, 1));
        store.Grads[store.Entries[2].Offset + 3] = float.NaN;
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.CheckGradients(store, 41, 1, 7));
        Assert.Contains("step 42", e.Message);
        Assert.Contains($"'{store.Entries[2].Name}'", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void Nan_loss_stops_training_with_the_step()
    {
        var config = fx.Tiny(epochs: 1) with { Train = fx.Tiny().Train with { MotionLr = 1e30f, HeadLr = 1e30f, TextLr = 1e30f, Epochs = 2 } };
        var e = Assert.Throws<TrainingDivergedException>(() => new Trainer(config, fx.NewRunDir("nan")) { LogSteps = false }.Run());
        Assert.Matches(@"step \d+ \(epoch \d+, batch \d+\)", e.Message);
    }

    [Fact]
    public void Run_folder_holds_config_metrics_checkpoints_log_and_no_temp_files()
    {
        var dir = fx.NewRunDir("folder");
        var config = fx.Tiny(epochs: 2);
        var result = new Trainer(config, dir).Run();
        foreach (var f in new[] { RunConfig.FileName, Trainer.MetricsFileName, Trainer.LogFileName, Checkpoint.LastFileName, Checkpoint.BestFileName, RunData.VocabFileName })
            Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} missing");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        // the saved configuration is the requested one with the thread count the run used (train.threads 0 = the process's)
        Assert.Equal((config with { Train = config.Train with { Threads = Par.Threads } }).ToJson(), RunConfig.Load(dir).ToJson());
        Assert.Equal(2, result.EpochMetrics.Count);
        Assert.Equal(2, Trainer.ReadEpochMetrics(Path.Combine(dir, Trainer.MetricsFileName)).Count);
        var last = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName));
        Assert.True(last.State.Completed);
        Assert.NotNull(last.M);
        // A second run into the same folder without --resume is refused.
        var e = Assert.Throws<InvalidOperationException>(() => new Trainer(config, dir).Run());
        Assert.Contains("--resume", e.Message);
    }

    [Fact]
    public void Evaluation_cache_hit_returns_the_same_embeddings_without_the_model()
    {
        var dir = fx.NewRunDir("cache");
        new Trainer(fx.Tiny(epochs: 1), dir) { LogSteps = false }.Run();
        var data = RunData.ForRun(dir);
        var ckpt = Path.Combine(dir, Checkpoint.LastFileName);
        int loads = 0;
        var first = Embedder.EmbedCached(dir, ckpt, data, "train", () => { loads++; return RunModels.Load(dir, Checkpoint.LastFileName); }, 32);
        var second = Embedder.EmbedCached(dir, ckpt, data, "train", () => { loads++; return RunModels.Load(dir, Checkpoint.LastFileName); }, 32);
        Assert.Equal(1, loads);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.Equal(first.Texts[i], second.Texts[i]);
            Assert.Equal(first.Motions[i], second.Motions[i]);
        }
        Assert.Equal(first.Evaluate()[0], second.Evaluate()[0]);
    }
}

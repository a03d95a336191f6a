using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Tensors.Kernels;
using MotionWorkbench.Training;

namespace MotionWorkbench.Torch.Tests;

/// <summary>A small synthetic dataset shared by the torch training tests.</summary>
public sealed class TorchSynthFixture : IDisposable
{
    public TorchSynthFixture()
    {
        TorchEngine.Register(); // the trainer's torch engine, as mw and the Experiments library register it
        Root = Path.Combine(Path.GetTempPath(), "mw-torch-tests-" + Guid.NewGuid().ToString("N")[..8]);
        DataDir = Path.Combine(Root, "data");
        SyntheticMotions.Write(DataDir, new SynthOptions { Count = 48, Seed = 7 });
    }

    public string Root { get; }
    public string DataDir { get; }

    public string NewRunDir(string name) => Path.Combine(Root, "runs", name + "-" + Guid.NewGuid().ToString("N")[..6]);

    /// <summary>A Smoke-sized ViT + BERT run on the fixture's data; dropout as given. The tiny sizes are given for every tower;
    /// the settings <paramref name="architecture"/> does not read go back to the preset's (a run refuses a setting it would ignore).</summary>
    public RunConfig Config(string engine, int epochs = 2, float dropout = 0f, string architecture = "vit") => (RunConfig.Smoke with
    {
        Name = "torch-" + engine,
        Model = RunConfig.Smoke.Model with
        {
            Architecture = architecture, VitWidth = 32, VitDepth = 1, VitHeads = 2, VitMlp = 64, TextWidth = 32, TextDepth = 1, TextHeads = 2, TextFfn = 64,
            EmbeddingDim = 32, VitDropout = dropout, TextDropout = dropout, HeadDropout = dropout,
        },
        Data = RunConfig.Smoke.Data with { Dir = DataDir, MaxTrainClips = 48, MaxEvalClips = 24, Workers = 1 },
        Train = RunConfig.Smoke.Train with { Epochs = epochs, BatchSize = 8, Engine = engine, Device = "cpu" },
    }).WithoutIgnoredSettings();

    /// <summary>A run's per-step training losses (metrics.jsonl).</summary>
    public static List<(int Step, double Loss)> Losses(string runDir) => Trainer.ReadStepLosses(Path.Combine(runDir, Trainer.MetricsFileName));

    /// <summary>
    /// Two runs (own engine, torch engine) of the same configuration took the same number of steps, at least ten, and
    /// their first <paramref name="steps"/> (ten) losses agree within 1e-4 relative; returns both loss lists.
    /// </summary>
    public static (List<(int Step, double Loss)> Own, List<(int Step, double Loss)> Torch) AssertSameLosses(string ownRun, string torchRun, string label, int steps = 10)
    {
        var la = Losses(ownRun);
        var lb = Losses(torchRun);
        Assert.True(la.Count >= 10, $"{label}: only {la.Count} steps");
        Assert.Equal(la.Count, lb.Count);
        for (int i = 0; i < steps; i++)
        {
            double rel = Math.Abs(la[i].Loss - lb[i].Loss) / Math.Abs(la[i].Loss);
            Assert.True(rel <= 1e-4, $"{label} step {la[i].Step}: own {la[i].Loss:R}, torch {lb[i].Loss:R} (relative {rel:E2})");
        }
        return (la, lb);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition("torch-synth")]
public sealed class TorchSynthCollection : ICollectionFixture<TorchSynthFixture>;

/// <summary>
/// The one trainer on the torch engine (train.engine = torch): the same losses as the own engine with dropout 0, an
/// identical continuation after a resume, and a run folder that the own engine evaluates.
/// </summary>
[Collection("torch-synth")]
public sealed class TorchTrainingTests(TorchSynthFixture fx)
{
    private static List<(int Step, double Loss)> Losses(string runDir) => TorchSynthFixture.Losses(runDir);

    [TorchFact]
    public void Ten_steps_with_dropout_0_give_the_own_engines_losses()
    {
        string own = fx.NewRunDir("own"), tor = fx.NewRunDir("torch");
        var a = new Trainer(fx.Config("mw", epochs: 2), own).Run();
        var b = new Trainer(fx.Config("torch", epochs: 2), tor).Run();
        Assert.True(a.Completed && b.Completed);
        TorchSynthFixture.AssertSameLosses(own, tor, "vit");
        Assert.Contains("engine torch on cpu", File.ReadAllText(Path.Combine(tor, Trainer.LogFileName)));
        Assert.Equal("torch", Checkpoint.Read(Path.Combine(tor, Checkpoint.LastFileName)).State.Engine);
    }

    [TorchFact]
    public void A_resumed_torch_run_continues_identically_with_dropout()
    {
        string straight = fx.NewRunDir("straight"), resumed = fx.NewRunDir("resumed");
        var config = fx.Config("torch", epochs: 2, dropout: 0.1f);
        new Trainer(config, straight).Run();
        int calls = 0;
        var first = new Trainer(config, resumed) { StepCallback = _ => ++calls < 7 }.Run(); // stops mid-epoch 2
        Assert.False(first.Completed);
        var second = new Trainer(config, resumed).Run(resume: true);
        Assert.True(second.Completed);
        Assert.Equal(Losses(straight), Losses(resumed));
        var x = Checkpoint.Read(Path.Combine(straight, Checkpoint.LastFileName));
        var y = Checkpoint.Read(Path.Combine(resumed, Checkpoint.LastFileName));
        foreach (var (name, t) in x.Model) Assert.True(t.Data.SequenceEqual(y.Model[name].Data), $"parameter {name} differs after the resume");
        Assert.True(x.M!.AsSpan().SequenceEqual(y.M!), "Adam first moments differ");
        Assert.NotNull(x.State.EngineRandomState);
    }

    [TorchFact]
    public void A_torch_run_evaluates_in_the_own_engine_as_in_training()
    {
        string dir = fx.NewRunDir("eval");
        var result = new Trainer(fx.Config("torch", epochs: 1), dir).Run();
        var trained = MotionWorkbench.Evaluation.RetrievalResult.FromJson(result.EpochMetrics[^1]["val"]!.ToJsonString());
        // The own engine loads the torch run's last checkpoint and embeds the same split: the same R@1.
        var data = RunData.ForRun(dir);
        var model = RunModels.Load(dir, Checkpoint.LastFileName);
        var emb = Embedder.Embed(model, data, "val", 64);
        var all = emb.Evaluate([MotionWorkbench.Evaluation.RetrievalProtocols.All])[0];
        Assert.Equal(trained.MotionToText.R1, all.MotionToText.R1, 6);
        Assert.Equal(trained.TextToMotion.R1, all.TextToMotion.R1, 6);
        Assert.Equal(trained.TextToMotion.MedR, all.TextToMotion.MedR, 6);
    }

    [TorchFact]
    public void A_torch_run_is_probed_through_the_own_engines_embedding_path()
    {
        string dir = fx.NewRunDir("probe");
        Assert.True(new Trainer(fx.Config("torch", epochs: 1), dir).Run().Completed);
        string probes = Path.Combine(fx.Root, "probes-torch");
        SyntheticProbes.Write(probes, new ProbeOptions { PairsPerAttribute = 4, Seed = 5, Attributes = ["side", "order"] });
        var result = ProbeEvaluation.Run(dir, probes, Checkpoint.LastFileName);
        Assert.Equal(["side", "order"], result.Attributes.Select(a => a.Attribute));
        Assert.All(result.Attributes, a => Assert.Equal((4, 8, 8), (a.Pairs, a.TextToMotion.Trials, a.MotionToText.Trials)));
        // the same numbers as scoring the own engine's embeddings of the torch checkpoint by hand
        var data = RunData.ForRun(dir, probes, allClips: true);
        var emb = Embedder.Embed(RunModels.Load(dir, Checkpoint.LastFileName), data, MotionWorkbench.Data.Probes.ProbeFolder.Split, 64);
        var row = emb.Ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var set = MotionWorkbench.Data.Probes.ProbeSet.Load(probes);
        var direct = MotionWorkbench.Evaluation.ProbeScoring.Score(set.Pairs.Select(p => new MotionWorkbench.Evaluation.ProbeItem(p.Attribute, row[p.MotionA], row[p.MotionB])).ToList(), emb.Texts, emb.Motions);
        Assert.Equal(direct.Select(d => d.ToJson().ToJsonString()).Order(), result.Attributes.Select(a => a.ToJson().ToJsonString()).Order());
    }

    [TorchTheory]
    [InlineData("cmlp")]
    [InlineData("mlm")]
    [InlineData("cmmm")]
    [InlineData("mmm")]
    public void Every_Lex_phase_gives_the_own_engines_losses(string phase)
    {
        string own = fx.NewRunDir("lex-own-" + phase), tor = fx.NewRunDir("lex-torch-" + phase);
        RunConfig Lex(string engine)
        {
            var c = fx.Config(engine, epochs: 2, architecture: "lex");
            return c with { Model = c.Model with { LexPhase = phase, LexVocabulary = "captions", LexFlopsWarmupSteps = 4 } };
        }
        new Trainer(Lex("mw"), own).Run();
        new Trainer(Lex("torch"), tor).Run();
        TorchSynthFixture.AssertSameLosses(own, tor, phase);
        Assert.Contains("engine torch on cpu", File.ReadAllText(Path.Combine(tor, Trainer.LogFileName)));
    }

    [TorchFact]
    public void Weight_decay_reaches_parameters_the_loss_does_not_touch_as_in_the_own_engine()
    {
        // Lex's contrastive phase leaves the weak decoder and the MAE decoder without gradient; AdamW still decays them.
        string own = fx.NewRunDir("wd-own"), tor = fx.NewRunDir("wd-torch");
        RunConfig Lex(string engine)
        {
            var c = fx.Config(engine, epochs: 2, architecture: "lex");
            return c with
            {
                Model = c.Model with { LexPhase = "cmlp", LexVocabulary = "captions" },
                Train = c.Train with { Optimizer = "adamw", WeightDecay = 0.5f },
            };
        }
        new Trainer(Lex("mw"), own).Run();
        new Trainer(Lex("torch"), tor).Run();
        var x = Checkpoint.Read(Path.Combine(own, Checkpoint.LastFileName)).Model;
        var y = Checkpoint.Read(Path.Combine(tor, Checkpoint.LastFileName)).Model;
        var untouched = x.Keys.Where(k => k.StartsWith("decoder.", StringComparison.Ordinal) || k.StartsWith("mae.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(untouched);
        foreach (var name in untouched)
        {
            float[] a = x[name].Data.ToArray(), b = y[name].Data.ToArray();
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6f * Math.Max(1f, Math.Abs(a[i])), $"{name}[{i}]: own {a[i]:R}, torch {b[i]:R}");
        }
    }

    [TorchFact]
    public void A_resnet_run_gives_the_own_losses_resumes_with_its_running_statistics_and_evaluates_on_the_own_engine()
    {
        RunConfig Resnet(string engine, float dropout = 0f)
        {
            var c = fx.Config(engine, epochs: 2, dropout: dropout, architecture: "resnet");
            var smoke = RunConfig.Smoke.Model; // the fixture's tiny ViT sizes would be ignored by a ResNet run, which refuses them
            return c with { Model = c.Model with { ResnetStages = "1,1,1,2", ResnetWidth = 4, VitWidth = smoke.VitWidth, VitDepth = smoke.VitDepth, VitHeads = smoke.VitHeads, VitMlp = smoke.VitMlp } };
        }
        // ten steps with dropout 0: the own engine's losses (BatchNorm on batch statistics, running ones updated in both).
        // The own side runs its convolutions as im2col + GEMM here, which rounds as LibTorch's do (own and torch within
        // 5e-7 over the ten steps). Its default (Winograd: F(2x2) forward, F(4x4) gradients) rounds differently: 1.8e-6 at
        // step 2, after one update from its gradients, and this width-4 network with BatchNorm over a few values
        // amplifies that to 3e-5 at step 3 and 3e-3 by step 8 (F(2x2) throughout: 4e-6 at step 2, 4e-4 by step 9), so the
        // default is held to the first two steps.
        string own = fx.NewRunDir("resnet-own"), tor = fx.NewRunDir("resnet-torch"), ownDefault = fx.NewRunDir("resnet-own-winograd");
        using (Winograd.OnThisThread("im2col")) Assert.True(new Trainer(Resnet("mw"), own).Run().Completed);
        Assert.True(new Trainer(Resnet("mw"), ownDefault).Run().Completed);
        var result = new Trainer(Resnet("torch"), tor).Run();
        Assert.True(result.Completed);
        TorchSynthFixture.AssertSameLosses(own, tor, "resnet");
        TorchSynthFixture.AssertSameLosses(ownDefault, tor, "resnet (Winograd)", steps: 2);
        var ownState = Checkpoint.Read(Path.Combine(own, Checkpoint.LastFileName)).Model;
        var torchState = Checkpoint.Read(Path.Combine(tor, Checkpoint.LastFileName)).Model;
        Assert.Equal(ownState.Keys.Order(), torchState.Keys.Order());   // the running statistics are in the torch checkpoint too
        var (a, b) = (ownState["motion_encoder.layer4.1.bn2.running_var"].ToArray(), torchState["motion_encoder.layer4.1.bn2.running_var"].ToArray());
        Assert.True(Support.MaxAbsDiff(a, b) <= 1e-3 * Support.MaxAbs(a), "the running variances after training differ between the engines");

        // the torch run's checkpoint evaluates on the own engine (with its running statistics) to the figures training reported
        var trained = MotionWorkbench.Evaluation.RetrievalResult.FromJson(result.EpochMetrics[^1]["val"]!.ToJsonString());
        var data = RunData.ForRun(tor);
        var all = Embedder.Embed(RunModels.Load(tor, Checkpoint.LastFileName), data, "val", 64).Evaluate([MotionWorkbench.Evaluation.RetrievalProtocols.All])[0];
        Assert.Equal(trained.MotionToText.R1, all.MotionToText.R1, 6);
        Assert.Equal(trained.TextToMotion.MedR, all.TextToMotion.MedR, 6);

        // stopped mid-epoch and resumed (dropout 0.1 in the heads and the text encoder): the same losses, weights and statistics
        string straight = fx.NewRunDir("resnet-straight"), resumed = fx.NewRunDir("resnet-resumed");
        var config = Resnet("torch", dropout: 0.1f);
        new Trainer(config, straight).Run();
        int calls = 0;
        Assert.False(new Trainer(config, resumed) { StepCallback = _ => ++calls < 7 }.Run().Completed);
        Assert.True(new Trainer(config, resumed).Run(resume: true).Completed);
        Assert.Equal(Losses(straight), Losses(resumed));
        var x = Checkpoint.Read(Path.Combine(straight, Checkpoint.LastFileName));
        var y = Checkpoint.Read(Path.Combine(resumed, Checkpoint.LastFileName));
        Assert.Contains("motion_encoder.bn1.running_mean", x.Model.Keys);
        foreach (var (name, t) in x.Model) Assert.True(t.Data.SequenceEqual(y.Model[name].Data), $"{name} differs after the resume");
    }

    [TorchFact]
    public void Architectures_without_a_torch_twin_are_a_clear_error()
    {
        var e = Assert.Throws<NotSupportedException>(() => new Trainer(fx.Config("torch", architecture: "bag"), fx.NewRunDir("bag")).Run());
        Assert.Contains("train.engine = torch has no TorchSharp twin of model.architecture = 'bag'", e.Message);
        Assert.Contains("train.engine = mw", e.Message);
    }
}

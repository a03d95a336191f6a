using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>Architecture "caption": a caption decoder on the ViT, trained by the one trainer as an ordinary run.</summary>
[Collection("synth")]
public sealed class CaptionModelTests(SynthFixture fx)
{
    private RunConfig Caption(int epochs = 6) => fx.Tiny(epochs) with
    {
        Name = "caption",
        Model = fx.Tiny().Model with { Architecture = "caption", CaptionDepth = 1, CaptionDropout = 0.1f },
    };

    [Fact]
    public void Caption_run_loss_falls_and_the_run_captions_its_motions()
    {
        var dir = fx.NewRunDir("caption");
        var result = new Trainer(Caption(8), dir).Run();
        Assert.True(result.Completed);
        var losses = Trainer.ReadStepLosses(Path.Combine(dir, Trainer.MetricsFileName)).Select(s => s.Loss).ToList();
        double first = losses.Take(4).Average(), last = losses.TakeLast(4).Average();
        Assert.True(last < 0.75 * first, $"caption loss {first:F3} -> {last:F3}");
        Assert.Contains("training loss: caption", File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
        // the per-epoch retrieval evaluation still runs (the towers are there)
        Assert.Contains(result.EpochMetrics, e => e["train"] is not null && e["train"]!["m2t"] is not null);
        var model = Assert.IsType<CaptionModel>(RunModels.Load(dir, Checkpoint.LastFileName));
        var data = RunData.ForRun(dir);
        var batch = data.EvalBatch(data.EvalSamples("train"), 0, 5);
        var captions = model.Generate(batch.Motion.RequirePatches("test"), new CaptionSearchOptions(Beam: 2, MaxLength: 12), data.Tokenizer.Vocabulary);
        Assert.Equal(5, captions.Count);
        var vocab = data.Tokenizer.Vocabulary;
        Assert.All(captions, c =>
        {
            Assert.InRange(c.Tokens.Length, 0, 12);
            Assert.DoesNotContain(vocab.PaddingId, c.Tokens);
            Assert.DoesNotContain(vocab.ClassifierId, c.Tokens);
            Assert.DoesNotContain(vocab.SeparatorId, c.Tokens);
            Assert.True(double.IsFinite(c.LogProb) && c.LogProb <= 0);
        });
        // the captions decode to words
        var words = captions.SelectMany(c => data.Tokenizer.Decode(c.Tokens).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.NotEmpty(words);
    }

    [Fact]
    public void Caption_run_stopped_mid_epoch_and_resumed_ends_with_the_same_weights()
    {
        var config = Caption(3) with { Model = Caption().Model with { CaptionContrastiveWeight = 0.5f, HeadDropout = 0.2f, TextDropout = 0.1f } };
        var straight = fx.NewRunDir("caption-straight");
        new Trainer(config, straight).Run();
        var resumed = fx.NewRunDir("caption-resumed");
        int calls = 0;
        var first = new Trainer(config, resumed) { StepCallback = s => ++calls < 6 }.Run();
        Assert.False(first.Completed);
        Assert.Equal(6, first.State.GlobalStep);
        Assert.True(new Trainer(RunConfig.Load(resumed), resumed).Run(resume: true).Completed);
        var a = Checkpoint.Read(Path.Combine(straight, Checkpoint.LastFileName));
        var b = Checkpoint.Read(Path.Combine(resumed, Checkpoint.LastFileName));
        Assert.Contains(a.Model.Keys, k => k.StartsWith(CaptionNetwork.DecoderPrefix, StringComparison.Ordinal));
        foreach (var (name, t) in a.Model)
            Assert.True(t.Data.SequenceEqual(b.Model[name].Data), $"parameter {name} differs after resume");
        Assert.True(a.M!.AsSpan().SequenceEqual(b.M!), "Adam first moments differ after resume");
        Assert.Equal(Trainer.ReadStepLosses(Path.Combine(straight, Trainer.MetricsFileName)), Trainer.ReadStepLosses(Path.Combine(resumed, Trainer.MetricsFileName)));
    }

    [Fact]
    public void InitFrom_a_retrieval_run_loads_the_encoders_and_a_frozen_encoder_stays_fixed()
    {
        var vitConfig = fx.Tiny(1) with { Model = fx.Tiny().Model with { Architecture = "vit" } };
        var vitDir = fx.NewRunDir("caption-source");
        new Trainer(vitConfig, vitDir) { LogSteps = false }.Run();
        var source = Checkpoint.Read(RunModels.DefaultCheckpoint(vitDir)).Model;

        var dir = fx.NewRunDir("caption-frozen");
        var config = Caption(2) with { Model = Caption().Model with { CaptionFreezeEncoder = true }, Train = Caption(2).Train with { InitFrom = vitDir } };
        new Trainer(config, dir) { LogSteps = false }.Run();
        var after = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName)).Model;
        // the retrieval run's every tensor was loaded; the frozen ViT is not updated, and with no contrastive term the
        // text tower and heads get no gradient either: all stay exactly as the source; the decoder learnt
        Assert.Equal(source.Count, after.Keys.Count(k => !k.StartsWith(CaptionNetwork.DecoderPrefix, StringComparison.Ordinal)));
        foreach (var (name, t) in source)
            Assert.True(t.Data.SequenceEqual(after[name].Data), $"{name} differs from the retrieval run's");
        var fresh = ((CaptionModel)ModelFactory.Create(config.Model, RunData.ForRun(dir).Tokenizer.Vocabulary.Count, (ulong)config.Train.Seed)).Network.StateDict();
        Assert.Contains(after, kv => kv.Key.StartsWith(CaptionNetwork.DecoderPrefix, StringComparison.Ordinal) && !kv.Value.Data.SequenceEqual(fresh[kv.Key].Data));
        // a frozen encoder is not in the optimiser
        var model = Assert.IsType<CaptionModel>(ModelFactory.Create(config.Model, 60, 1));
        Assert.DoesNotContain(model.ParameterGroups(), g => g.Group == "motion");
        Assert.Contains(model.Network.Decoder.Parameters().First(), model.ParameterGroups().Single(g => g.Group == "heads").Parameters);

        // another ViT shape is named
        var wrong = config with { Model = config.Model with { VitWidth = 48, VitHeads = 2 } };
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(wrong, fx.NewRunDir("caption-wrong")) { LogSteps = false }.Run());
        Assert.Contains("does not fit this caption model's encoders", e.Message);
    }

    [Fact]
    public void Caption_settings_are_validated()
    {
        var c = Caption();
        var e = Assert.Throws<ArgumentException>(() => (c with { Model = c.Model with { CaptionDepth = 0, CaptionDropout = 1f, CaptionContrastiveWeight = -1 } }).Validate());
        Assert.Contains("model.captionDepth must be at least 1", e.Message);
        Assert.Contains("model.captionDropout", e.Message);
        Assert.Contains("model.captionContrastiveWeight", e.Message);
        e = Assert.Throws<ArgumentException>(() => (c with { Model = c.Model with { CaptionWidth = 30, CaptionHeads = 4 } }).Validate());
        Assert.Contains("width (30) must be divisible by its heads (4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => (c with { Train = c.Train with { MlmEpochs = 1 } }).Validate());
        Assert.Contains("train.mlmEpochs", e.Message);
        var set = c.WithOverrides(["model.captionFreezeEncoder=true", "model.captionContrastiveWeight=0.25"]);
        Assert.True(set.Model.CaptionFreezeEncoder);
        Assert.Equal(0.25f, set.Model.CaptionContrastiveWeight);
    }
}

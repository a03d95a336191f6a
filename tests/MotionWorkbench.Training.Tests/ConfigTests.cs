using MotionWorkbench.Text;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

public sealed class ConfigTests
{
    [Theory]
    [InlineData("Smoke")]
    [InlineData("laptop")]
    [InlineData("PAPER")]
    public void Presets_validate_and_round_trip_through_json(string name)
    {
        var config = RunConfig.FromPreset(name).Validate();
        var back = RunConfig.FromJson(config.ToJson());
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal(config.Model, back.Model);
        Assert.Equal(config.Train, back.Train);
    }

    [Fact]
    public void Paper_preset_has_the_reference_recipe()
    {
        var p = RunConfig.Paper;
        Assert.Equal((768, 12, 12, 3072, 16, 224), (p.Model.VitWidth, p.Model.VitDepth, p.Model.VitHeads, p.Model.VitMlp, p.Model.PatchSize, p.Model.MaxFrames));
        Assert.Equal(("distilbert", 768, 6), (p.Model.TextKind.Name, p.Model.TextWidth, p.Model.TextDepth));
        Assert.Equal((1e-4f, 1e-5f, 1e-4f), (p.Train.MotionLr, p.Train.TextLr, p.Train.HeadLr));
        Assert.Equal((128, 50, 2f, 0f, "adam"), (p.Train.BatchSize, p.Train.Epochs, p.Train.CosinePeriodFactor, p.Train.WeightDecay, p.Train.Optimizer));
        Assert.Equal((0.5f, 0.07f, false, 256), (p.Model.HeadDropout, p.Model.Temperature, p.Model.LearnableTemperature, p.Model.EmbeddingDim));
        Assert.Equal("val", p.Train.Selection);
    }

    [Fact]
    public void Overrides_are_parsed_against_the_property_types()
    {
        var c = RunConfig.Smoke.WithOverrides(["train.epochs=7", "model.learnableTemperature=true", "train.motionLr=2.5e-4", "data.vocabPath=/x/vocab.txt",
            "batchSize=32", "data.maxTrainClips=null", "name=abc", "TRAIN.SELECTION=test"]);
        Assert.Equal(7, c.Train.Epochs);
        Assert.True(c.Model.LearnableTemperature);
        Assert.Equal(2.5e-4f, c.Train.MotionLr);
        Assert.Equal("/x/vocab.txt", c.Data.VocabPath);
        Assert.Equal(32, c.Train.BatchSize);
        Assert.Null(c.Data.MaxTrainClips);
        Assert.Equal("abc", c.Name);
        Assert.Equal("test", c.Train.Selection);
        // Untouched values keep the preset's.
        Assert.Equal(RunConfig.Smoke.Model.VitWidth, c.Model.VitWidth);
    }

    [Theory]
    [InlineData("train.epoch=3", "unknown configuration key 'train.epoch'")]
    [InlineData("train.epochs=three", "'three' is not a valid integer")]
    [InlineData("train.motionLr=fast", "'fast' is not a valid number")]
    [InlineData("model.learnableTemperature=maybe", "not a valid boolean")]
    [InlineData("train.epochs=NaN", "not a valid integer")]
    [InlineData("epochs", "is not key=value")]
    [InlineData("train.epochs=", "not a valid integer")]
    public void Bad_overrides_name_the_key_and_the_expected_type(string assignment, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => RunConfig.Smoke.WithOverrides([assignment]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Unknown_key_lists_close_matches()
    {
        var e = Assert.Throws<ArgumentException>(() => RunConfig.Smoke.WithOverrides(["train.epoch=3"]));
        Assert.Contains("train.epochs", e.Message);
    }

    [Fact]
    public void Validate_lists_every_problem()
    {
        var bad = RunConfig.Smoke with
        {
            Model = RunConfig.Smoke.Model with { VitWidth = 65, MaxFrames = 70, Architecture = "cnn" },
            Train = RunConfig.Smoke.Train with { BatchSize = 10, GradAccumulation = 3, Selection = "train" },
        };
        var e = Assert.Throws<ArgumentException>(() => bad.Validate());
        foreach (var part in new[] { "model.architecture", "model.maxFrames", "model.vitWidth", "train.gradAccumulation", "train.selection" })
            Assert.Contains(part, e.Message);
    }

    [Theory]
    [InlineData("train.device=cuda:+1", "train.device must be")]
    [InlineData("train.device=cuda: 1", "train.device must be")]
    [InlineData("train.device=cuda:", "train.device must be")]
    [InlineData("model.architecture=caption;model.textHeads=0", "must be divisible by")]
    public void Values_the_engines_would_reject_later_are_refused_by_Validate(string assignments, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => RunConfig.Smoke.WithOverrides(assignments.Split(';')).Validate());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Caption_vocabulary_tokenises_training_words_whole_and_unseen_words_by_characters()
    {
        var vocab = CaptionVocabulary.Build(["A person walks forward.", "a person jumps"]);
        var tok = new BertTokenizer(vocab);
        Assert.Equal(["a", "person", "walks", "forward", "."], tok.Tokenize("A person walks forward."));
        Assert.DoesNotContain(vocab.UnknownId, tok.Encode("someone waves"));
        Assert.Equal(0, vocab.PaddingId);
        Assert.NotNull(vocab.MaskId);
    }

    [Fact]
    public void Text_padding_keeps_ids_and_masks_and_rounds_up()
    {
        var batch = new EncodedBatch([2, 5, 3, 2, 3, 0], [1, 1, 1, 1, 1, 0], 2, 3);
        var padded = TextPadding.Pad(batch, 0, 64);
        Assert.Equal(8, padded.Length);
        Assert.Equal([2, 5, 3, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0], padded.InputIds);
        Assert.Equal(3, padded.RowLength(0));
        Assert.Equal(2, padded.RowLength(1));
        Assert.Same(batch, TextPadding.Pad(batch, 0, 3)); // capped by the maximum length
    }
}

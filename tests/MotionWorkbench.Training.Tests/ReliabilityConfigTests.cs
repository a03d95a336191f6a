using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// Issue 28 at the config boundary: range errors in the setting's own words (name, bad value, allowed range), settings
/// that would do nothing refused (one rule, <see cref="RunConfig.IgnoredSettings"/>: one case per kind of ignored setting,
/// and the presets' own sizes on every architecture accepted), and --list-keys' type, default and meaning for every key.
/// </summary>
public sealed class ReliabilityConfigTests
{
    private static string Refusal(params string[] overrides) =>
        Assert.Throws<ArgumentException>(() => RunConfig.Smoke.WithOverrides(overrides).Validate()).Message;

    [Theory]
    [InlineData("train.warmupSteps=-5", "train.warmupSteps must be 0 (no warm-up) or a positive number of steps, got -5")]
    [InlineData("data.maxTrainClips=0", "data.maxTrainClips must be at least 1 (or null: all clips), got 0")]
    [InlineData("data.maxEvalClips=-3", "data.maxEvalClips must be at least 1 (or null: all clips), got -3")]
    [InlineData("train.weightDecay=-0.1", "train.weightDecay must be a finite number >= 0, got -0.1")]
    [InlineData("train.clipGradNorm=-1", "train.clipGradNorm must be a finite number >= 0, got -1")]
    [InlineData("data.trainSplit= ", "data.trainSplit must name a split")]
    public void Validate_OutOfRangeSetting_NamesTheSettingTheValueAndTheRange(string assignment, string expected)
    {
        var message = Refusal(assignment);
        Assert.Contains(expected, message);
        Assert.DoesNotContain("Parameter", message);
    }

    [Fact]
    public void Validate_CheckpointEveryStepsNegative_IsRefusedNotIgnored()
    {
        Assert.Contains("train.checkpointEverySteps must be 0 (save 'last' at epoch ends only) or a positive number of steps, got -1", Refusal("train.checkpointEverySteps=-1"));
    }

    [Theory]
    [InlineData("model.lexVocabulary=captions", "model.lexVocabulary = captions")]
    [InlineData("model.lexPhase=mlm", "model.lexPhase = mlm")]
    [InlineData("model.lexFlopsWeight=0.5", "model.lexFlopsWeight = 0.5")]
    public void Validate_LexSettingOnANonLexRun_IsRefusedNamingIt(string assignment, string named)
    {
        var message = Refusal(assignment); // Smoke is a vit run
        Assert.Contains(named, message);
        Assert.Contains("applies to model.architecture = lex only, and this run is 'vit'", message);
        // the same setting on a lex run is accepted
        RunConfig.Smoke.WithOverrides(["model.architecture=lex", assignment]).Validate();
    }

    /// <summary>One row per kind of ignored setting: the run that ignores it, what the refusal names, and a run that reads it (accepted).</summary>
    public static TheoryData<string[], string, string, string[]> IgnoredSettings => new()
    {
        { ["model.captionDepth=3"], "model.captionDepth = 3", "applies to model.architecture = caption only (the caption decoder), and this run is 'vit'", ["model.architecture=caption", "model.captionDepth=3"] },
        { ["model.architecture=bag", "model.captionFreezeEncoder=true", "model.captionDropout=0.2"], "model.captionDropout = 0.2, model.captionFreezeEncoder = true",
            "these settings apply to model.architecture = caption only (the caption decoder), and this run is 'bag'", ["model.architecture=caption", "model.captionFreezeEncoder=true"] },
        { ["model.resnetWidth=32"], "model.resnetWidth = 32", "applies to a ResNet motion encoder only (model.architecture = resnet, or model.motionEncoder / model.lexMotionEncoder = resnet), and this run has a 'vit' motion encoder",
            ["model.architecture=resnet", "model.resnetWidth=32"] },
        { ["model.architecture=lex", "model.resnetStages=2,2,2,2"], "model.resnetStages = 2,2,2,2", "this run has a 'vit' motion encoder", ["model.architecture=lex", "model.lexMotionEncoder=resnet", "model.resnetStages=2,2,2,2"] },
        { ["model.architecture=resnet", "model.vitDepth=6"], "model.vitDepth = 6", "applies to a ViT (or raw-sequence) motion encoder only, and this run has a 'resnet' motion encoder", ["model.vitDepth=6"] },
        { ["model.architecture=caption", "model.motionEncoder=resnet", "model.vitMlp=256"], "model.vitMlp = 256", "this run has a 'resnet' motion encoder", ["model.architecture=caption", "model.vitMlp=256"] },
        { ["model.architecture=raw", "model.vitPooling=cls"], "model.vitPooling = cls", "applies to a ViT motion encoder only, and this run has a 'raw' motion encoder (its own pooling)", ["model.vitPooling=cls"] },
        { ["train.temperatureLr=0.01"], "train.temperatureLr = 0.01", "applies to a learnable temperature only (model.learnableTemperature = true), and this run keeps its temperature fixed", ["model.learnableTemperature=true", "train.temperatureLr=0.01"] },
        { ["model.architecture=lex", "model.learnableTemperature=true", "train.temperatureLr=0.01"], "train.temperatureLr = 0.01", "this run is 'lex', whose model.lexTemperature is fixed", ["model.architecture=bag", "model.learnableTemperature=true", "train.temperatureLr=0.01"] },
        { ["train.mlmLr=0.001"], "train.mlmLr = 0.001", "applies to the text encoder's MLM pre-training only (train.mlmEpochs > 0), and this run has none", ["train.mlmEpochs=1", "train.mlmLr=0.001"] },
        { ["data.swapPersons=false"], "data.swapPersons = false", "applies to two-person data only (model.architecture = interaction), and this run is 'vit'", ["model.architecture=interaction", "data.swapPersons=false"] },
        { ["model.architecture=bag", "model.vitDepth=6"], "model.vitDepth = 6", "applies to the transformer encoders and dense heads (every architecture but bag), and this run is 'bag'", ["model.vitDepth=6"] },
        { ["model.architecture=bag", "model.headDropout=0.3", "model.textFfn=64"], "model.textFfn = 64, model.headDropout = 0.3", "these settings apply to the transformer encoders and dense heads", ["model.headDropout=0.3", "model.textFfn=64"] },
        { ["model.architecture=lex", "model.embeddingDim=128"], "model.embeddingDim = 128", "applies to the dense projection heads and their InfoNCE (every architecture but lex), and this run is 'lex'", ["model.embeddingDim=128"] },
        { ["model.architecture=lex", "model.temperature=0.1", "model.learnableTemperature=true"], "model.temperature = 0.1, model.learnableTemperature = true", "this run is 'lex' (lexical heads over the vocabulary, temperature model.lexTemperature)",
            ["model.architecture=caption", "model.temperature=0.1", "model.learnableTemperature=true"] },
    };

    [Fact]
    public void WithoutIgnoredSettings_PutsBackOnlyWhatTheRunWouldIgnore()
    {
        var bag = RunConfig.Smoke.WithOverrides(["model.architecture=bag", "model.vitWidth=32", "model.vitDepth=1", "model.headDropout=0", "model.textDepth=1"]);
        Assert.Throws<ArgumentException>(() => bag.Validate());
        var reading = bag.WithoutIgnoredSettings();
        reading.Validate();
        Assert.Equal(32, reading.Model.VitWidth);                                  // read by the bag model: kept
        Assert.Equal(RunConfig.Smoke.Model.VitDepth, reading.Model.VitDepth);      // not read: the preset's again
        Assert.Equal(RunConfig.Smoke.Model.HeadDropout, reading.Model.HeadDropout);
        Assert.Equal(RunConfig.Smoke.Model.TextDepth, reading.Model.TextDepth);
        Assert.Equal(RunConfig.Smoke.ToJson(), RunConfig.Smoke.WithoutIgnoredSettings().ToJson()); // nothing to put back: unchanged
    }

    [Theory]
    [MemberData(nameof(IgnoredSettings))]
    public void Validate_SettingTheRunWouldIgnore_IsRefusedNamingItsValueAndWhy(string[] refused, string named, string why, string[] accepted)
    {
        var message = Refusal(refused);
        Assert.Contains(named, message);
        Assert.Contains(why, message);
        Assert.Single(message.Split('\n'), l => l.Contains(named, StringComparison.Ordinal)); // one line for the group
        RunConfig.Smoke.WithOverrides(accepted).Validate();                                  // the same setting where it is read
    }

    [Theory]
    [InlineData("Smoke")]
    [InlineData("Laptop")]
    [InlineData("Paper")]
    public void Validate_APresetsOwnSizes_AreNotTheUsersChange_OnEveryArchitecture(string preset)
    {
        // the presets set the ViT's sizes for every run: a ResNet, bag or lex run of the preset is not refused for them
        foreach (var architecture in new[] { "vit", "raw", "bag", "lex", "resnet", "interaction", "caption" })
        {
            var config = RunConfig.FromPreset(preset).WithOverrides([$"model.architecture={architecture}"]);
            var e = Record.Exception(() => config.Validate());
            Assert.True(e is null, $"{preset} as {architecture}: {e?.Message}");
        }
        // a custom configuration (no preset) is compared with the defaults
        Assert.Contains("model.vitDepth = 4", Assert.Throws<ArgumentException>(() =>
            (RunConfig.Laptop with { Preset = "custom", Model = RunConfig.Laptop.Model with { Architecture = "resnet" } }).Validate()).Message);
    }

    [Fact]
    public void KeyHelp_EveryKey_HasATypeADefaultAndAMeaning()
    {
        var help = RunConfig.KeyHelp(RunConfig.Smoke);
        Assert.Equal(RunConfig.Keys().Count, help.Count);
        foreach (var k in help)
        {
            Assert.False(string.IsNullOrWhiteSpace(k.Meaning), $"{k.Key} has no meaning in RunConfigKeyHelp");
            Assert.False(string.IsNullOrWhiteSpace(k.Type), $"{k.Key} has no type");
            Assert.False(string.IsNullOrWhiteSpace(k.Default), $"{k.Key} has no default");
        }
        Assert.Equal(RunConfig.Smoke.Train.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), help.Single(k => k.Key == "train.epochs").Default);
        Assert.Equal("null", help.Single(k => k.Key == "train.initFrom").Default);
        Assert.Equal("0", help.Single(k => k.Key == "train.threads").Default);     // left out of config.json at 0, shown all the same
        Assert.Equal("vit", help.Single(k => k.Key == "model.architecture").Default);
    }
}

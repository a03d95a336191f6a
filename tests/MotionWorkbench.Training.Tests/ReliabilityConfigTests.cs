using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// Issue 28 at the config boundary: range errors in the setting's own words (name, bad value, allowed range), settings
/// that would do nothing refused, and --list-keys' type, default and meaning for every key.
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

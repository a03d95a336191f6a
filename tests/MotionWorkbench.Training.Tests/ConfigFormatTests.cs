using MotionWorkbench.Models;
using MotionWorkbench.Testing;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// The configuration's choices are typed (<see cref="Architecture"/>, <see cref="LexVocabularyMode"/>,
/// <see cref="TrainingEngine"/>), but <c>config.json</c> keeps its format: files written by main before the change
/// (Fixtures/configs-0d055ac) load, validate and are written back byte for byte, and the <c>--set</c> keys take the same text.
/// </summary>
public sealed class ConfigFormatTests
{
    private static string FixtureDir => Path.Combine(SharedData.RepoRoot, "tests", "MotionWorkbench.Training.Tests", "Fixtures", "configs-0d055ac");

    [Theory]
    [InlineData("vit", "vit", "mw")]
    [InlineData("raw", "raw", "mw")]
    [InlineData("bag", "bag", "mw")]
    [InlineData("lex", "lex", "mw")]
    [InlineData("caption", "caption", "mw")]
    [InlineData("interaction", "interaction", "mw")]
    [InlineData("vit-torch", "vit", "torch")]
    public void Config_files_of_main_load_validate_and_are_written_back_byte_for_byte(string file, string architecture, string engine)
    {
        string path = Path.Combine(FixtureDir, file + ".json");
        string text = File.ReadAllText(path);
        var config = RunConfig.FromJson(text, path).Validate();
        Assert.Equal(Architecture.Of(architecture), config.Model.Architecture);
        Assert.True(Choice.IsKnown(config.Model.Architecture));
        Assert.Equal(Architecture.Vit, config.Model.LexMotionEncoder);
        Assert.Equal(LexVocabularyMode.Full, config.Model.LexVocabulary);
        Assert.Equal(TrainingEngine.Of(engine), config.Train.Engine);
        Assert.Equal(text, config.ToJson() + "\n");
    }

    [Fact]
    public void Choices_are_written_as_their_names_and_set_from_the_same_text()
    {
        var config = RunConfig.Smoke.WithOverrides(["model.architecture=lex", "model.lexMotionEncoder=raw", "model.lexVocabulary=captions", "train.engine=torch"]);
        Assert.Equal((Architecture.Lex, Architecture.Raw, LexVocabularyMode.Captions, TrainingEngine.Torch),
            (config.Model.Architecture, config.Model.LexMotionEncoder, config.Model.LexVocabulary, config.Train.Engine));
        string json = config.ToJson();
        foreach (var line in new[] { "\"architecture\": \"lex\"", "\"lexMotionEncoder\": \"raw\"", "\"lexVocabulary\": \"captions\"", "\"engine\": \"torch\"" })
            Assert.Contains(line, json);
        Assert.Equal(json, RunConfig.FromJson(json).ToJson());
        Assert.Contains(("model.architecture", "string"), RunConfig.Keys());
    }

    [Fact]
    public void An_unknown_choice_loads_and_is_named_by_the_one_validator()
    {
        var json = RunConfig.Smoke.ToJson().Replace("\"architecture\": \"vit\"", "\"architecture\": \"cnn\"", StringComparison.Ordinal)
            .Replace("\"engine\": \"mw\"", "\"engine\": \"jax\"", StringComparison.Ordinal);
        var config = RunConfig.FromJson(json);
        Assert.Equal("cnn", config.Model.Architecture.Name);
        var e = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Contains("model.architecture must be one of vit, raw, interaction, bag, lex, caption, resnet, got 'cnn'", e.Message);
        Assert.Contains("train.engine must be 'mw' (the own engine) or 'torch' (TorchSharp), got 'jax'", e.Message);
        Assert.Equal(3, e.Message.Split('\n').Length);
        Assert.Contains("got 'jax'", Assert.Throws<ArgumentException>(() => Choice.Parse<TrainingEngine>("jax")).Message);
        Assert.Equal(TrainingEngine.Torch, Choice.Parse<TrainingEngine>("torch"));
        var number = Assert.Throws<InvalidDataException>(() => RunConfig.FromJson(json.Replace("\"cnn\"", "3", StringComparison.Ordinal), "x.json"));
        Assert.Contains("x.json", number.Message);
        Assert.Contains("model.architecture must be a string", number.Message);
    }

    [Fact]
    public void The_patch_size_rule_has_one_home()
    {
        Assert.Equal([8, 16, 32], MotionWorkbench.Patches.PatchOptions.PatchSizes);
        Assert.Equal("8, 16 or 32", MotionWorkbench.Patches.PatchOptions.PatchSizeList);
        Assert.Contains("model.patchSize must be 8, 16 or 32, got 12",
            Assert.Throws<ArgumentException>(() => (RunConfig.Smoke with { Model = RunConfig.Smoke.Model with { PatchSize = 12, MaxFrames = 72 } }).Validate()).Message);
        Assert.Contains("patch size must be 8, 16 or 32, got 4", Assert.Throws<ArgumentException>(() => new MotionWorkbench.Patches.PatchOptions(4, 64).Validate()).Message);
    }
}

using MotionWorkbench.Pretrained;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>The one rule for "a store name or a .safetensors path" (train.initMotionEncoder, train.initTextEncoder, mw encode --checkpoint).</summary>
public sealed class EncoderWeightsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mw-encoder-weights-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void A_path_resolves_to_its_full_path_without_a_store()
    {
        string file = Path.Combine(root, "vit.safetensors");
        File.WriteAllBytes(file, [1, 2, 3]);
        var w = EncoderWeights.Resolve(file, "train.initMotionEncoder", new PretrainedStore(Path.Combine(root, "cache"), []));
        Assert.Equal(Path.GetFullPath(file), w.Path);
        Assert.False(w.FromStore);
        Assert.Null(w.VocabularyPath);
        Assert.False(Directory.Exists(Path.Combine(root, "cache")));
    }

    [Fact]
    public void A_missing_file_that_is_no_store_name_names_the_setting_and_the_store_names()
    {
        var e = Assert.Throws<FileNotFoundException>(() => EncoderWeights.Resolve(Path.Combine(root, "nope.safetensors"), "train.initTextEncoder"));
        Assert.Contains("train.initTextEncoder", e.Message);
        Assert.Contains("nope.safetensors", e.Message);
        Assert.Contains("minilm-l6", e.Message);
        Assert.Contains("resnet18-imagenet", e.Message);
    }

    [Fact]
    public void An_empty_value_is_an_error_naming_the_setting() =>
        Assert.Contains("train.initMotionEncoder", Assert.Throws<ArgumentException>(() => EncoderWeights.Resolve(" ", "train.initMotionEncoder")).Message);

    [Theory]
    [InlineData("minilm-l6", true)]
    [InlineData("ResNet18-ImageNet", true)]
    [InlineData("arctic-xs", true)]
    [InlineData("runs/x/best.safetensors", false)]
    [InlineData(null, false)]
    public void Store_names_are_recognised_case_insensitively(string? value, bool expected) => Assert.Equal(expected, EncoderWeights.IsStoreName(value));

    [Fact]
    public void A_store_name_whose_package_is_missing_is_the_store_error_and_leaves_no_cache()
    {
        string cache = Path.Combine(root, "cache");
        var e = Assert.ThrowsAny<Exception>(() => EncoderWeights.Resolve("resnet18-imagenet", "train.initMotionEncoder", new PretrainedStore(cache, [Path.Combine(root, "empty-nuget")])));
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(!Directory.Exists(cache) || Directory.GetFileSystemEntries(cache).Length == 0);
    }
}

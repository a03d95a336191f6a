using MotionWorkbench.IO;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Tests;

/// <summary>
/// A ResNet run through the built tool: mw train with the ImageNet weights of the store (train.initMotionEncoder =
/// resnet18-imagenet, stages 2,2,2,3), then mw eval, mw classify and mw encode resnet on its checkpoint; and the bad
/// inputs of those paths (weights of the other stage layout, a ResNet setting on a ViT, a checkpoint whose running
/// variance is negative): one error line each, exit 1, nothing written.
/// </summary>
public sealed class ResNetRunCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mw-cli-resnet-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string[] Train(string data, string run, params string[] sets) =>
        ["train", "--preset", "Smoke", "--data", data, "--out", run, "--set", "model.architecture=resnet", "--set", "train.epochs=1",
         "--set", "data.maxTrainClips=32", "--set", "data.maxEvalClips=32", .. sets.SelectMany(s => new[] { "--set", s })];

    [Fact]
    public void An_imagenet_initialised_resnet_trains_evaluates_classifies_and_encodes_and_bad_settings_are_refused()
    {
        string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
        var synth = Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "3");
        Assert.True(synth.ExitCode == 0, synth.All);

        var train = Mw.Run(Train(data, run, "train.initMotionEncoder=resnet18-imagenet"));
        Assert.True(train.ExitCode == 0, train.All);
        var log = File.ReadAllText(Path.Combine(run, "train.log"));
        Assert.Contains("motion encoder from resnet18-imagenet (", log);
        Assert.Contains("110 tensors loaded", log);
        Assert.Contains("\"resnetStages\": \"2,2,2,3\"", File.ReadAllText(Path.Combine(run, "config.json")));

        var eval = Mw.Run("eval", "--run", run, "--split", "test", "--protocol", "all");
        Assert.True(eval.ExitCode == 0, eval.All);
        var classify = Mw.Run("classify", "--run", run, "--data", data);
        Assert.True(classify.ExitCode == 0, classify.All);

        // the run's checkpoint through mw encode resnet: its motion encoder with the running statistics it trained
        string patches = Path.Combine(dir, "patches.npy"), features = Path.Combine(dir, "features.npy");
        Npy.Write(patches, new float[2 * 3 * 64 * 80], 2, 3, 64, 80);
        var encode = Mw.Run("encode", "resnet", "--checkpoint", Path.Combine(run, "best.safetensors"), "--patches", "--input", patches, "--out", features);
        Assert.True(encode.ExitCode == 0, encode.All);
        Assert.Equal([2, 512], Npy.Read(features).Shape);

        // refused before anything is written: the other stage layout, the ImageNet ResNet on a ViT, frozen statistics from scratch
        foreach (var (sets, expected) in new (string[], string)[]
        {
            (["train.initMotionEncoder=resnet18-imagenet", "model.resnetStages=2,2,2,2"], "stage depths [2, 2, 2, 3], the model is configured for [2, 2, 2, 2]"),
            (["train.initMotionEncoder=resnet18-imagenet", "model.architecture=vit"], "'resnet18-imagenet' is an ImageNet ResNet; this run's motion encoder is 'vit'"),
            (["model.resnetBatchNorm=frozen"], "model.resnetBatchNorm = frozen keeps the running statistics"),
        })
        {
            string refused = Path.Combine(dir, "refused");
            var r = Mw.Run(Train(data, refused, sets));
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', sets)}: exit {r.ExitCode}\n{r.All}");
            Assert.Contains(expected, r.Stderr);
            Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("mw train: ", StringComparison.Ordinal));
            Assert.False(Directory.Exists(refused), $"{string.Join(' ', sets)} left {refused} behind");
        }

        // mw eval on a checkpoint whose running variance is negative: the file and the statistic are named
        string best = Path.Combine(run, "best.safetensors");
        var (tensors, m, v, state, config) = Checkpoint.Read(best);
        tensors["motion_encoder.layer2.1.bn1.running_var"].Data[7] = -2f;
        Checkpoint.Save(best, config, tensors.Select(kv => (kv.Key, kv.Value)), state, m, v);
        var bad = Mw.Run("eval", "--run", run, "--split", "test", "--protocol", "all");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(best, bad.Stderr);
        Assert.Contains("motion_encoder.layer2.1.bn1.running_var[7] is -2", bad.Stderr);
        Assert.DoesNotContain("   at ", bad.All);
    }
}

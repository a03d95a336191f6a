using Microsoft.ML.OnnxRuntime;
using MotionWorkbench.IO;
using MotionWorkbench.Models;
using MotionWorkbench.Pretrained;
using MotionWorkbench.Tensors.IO;
using Xunit.Abstractions;

namespace MotionWorkbench.Cli.Tests;

/// <summary>
/// mw encode resnet through the built tool: its features equal ONNX Runtime's on the original ResNet18.onnx graph
/// (224 x 224, every graph optimisation off) within 1e-4; bad input is one error naming the file and what is wrong,
/// and a refused command writes no output.
/// </summary>
public sealed class EncodeResNetCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mw-encode-resnet-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Path_(string name) => Path.Combine(dir, name);

    /// <summary>Seeded images in the network's input space: uniform 0..255 per channel minus the channel means (BGR).</summary>
    private static float[] Images(int B, int H, int W, int seed)
    {
        var rng = new Random(seed);
        var x = new float[B * 3 * H * W];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 255) - ResNetInputMapping.ChannelMeansBgr[i / (H * W) % 3];
        return x;
    }

    [Fact]
    public void Features_equal_OnnxRuntime_on_the_original_graph_at_224()
    {
        const int B = 2, S = 224;
        var images = Images(B, S, S, 24);
        string input = Path_("in.npy"), features = Path_("out.npy");
        Npy.Write(input, images, [B, 3, S, S]);
        var run = Mw.Run("encode", "resnet", "--checkpoint", "resnet18-imagenet", "--input", input, "--out", features, "--tokens");
        Assert.True(run.ExitCode == 0, run.All);
        var ours = Npy.Read(features);
        Assert.Equal([B, 512], ours.Shape);
        Assert.Equal([B, 49, 512], Npy.Read(Path_("out.tokens.npy")).Shape);   // the 7 x 7 map at 224 x 224

        var onnx = new PretrainedStore().ReadModelBytes(PretrainedCatalog.ResNet18ImageNet);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        double max = 0, scale = 0;
        for (int b = 0; b < B; b++)
        {
            using var x = OrtValue.CreateTensorValueFromMemory(images.AsSpan(b * 3 * S * S, 3 * S * S).ToArray(), [1, 3, S, S]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, new Dictionary<string, OrtValue> { ["Input247"] = x }, ["Pooling395_Output_0"]);
            var expected = outputs[0].GetTensorDataAsSpan<float>().ToArray();   // (1, 512, 1, 1)
            Assert.Equal(512, expected.Length);
            for (int c = 0; c < 512; c++)
            {
                max = Math.Max(max, Math.Abs(ours.Data[b * 512 + c] - expected[c]));
                scale = Math.Max(scale, Math.Abs(expected[c]));
            }
        }
        output.WriteLine($"mw encode resnet vs ONNX Runtime (ResNet18.onnx, {B} images of 224 x 224): max |diff| = {max:E2}, max |feature| = {scale:F3}");
        Assert.True(max <= 1e-4, $"features differ from ONNX Runtime by {max:E3} (largest feature {scale:F3})");
        Assert.True(scale > 0.5, "the features are not trivially zero");
    }

    [Fact]
    public void Bad_input_is_one_error_naming_the_file_and_leaves_no_output()
    {
        string images = Path_("images.npy"), twoChannels = Path_("two-channels.npy"), nan = Path_("nan.npy");
        Npy.Write(images, Images(1, 64, 64, 1), [1, 3, 64, 64]);
        Npy.Write(twoChannels, Images(1, 64, 64, 2).AsSpan(0, 2 * 64 * 64), [1, 2, 64, 64]);
        var withNan = Images(1, 64, 64, 3);
        withNan[5000] = float.NaN;
        Npy.Write(nan, withNan, [1, 3, 64, 64]);

        // a torchvision-named ResNet whose running variance is negative in the file
        var small = new ResNetEncoder(new ResNetConfig([1, 1, 1, 1], BaseWidth: 4, Input: ResNetInput.Network, Frames: 64, ImageWidth: 64), 3);
        small.NamedBuffers().First(b => b.Name == "layer3.0.bn2.running_var").Tensor.Data[2] = -0.5f;
        string negative = Path_("negative-variance.safetensors");
        Safetensors.Write(negative, small.NamedState(), new Dictionary<string, string>());
        // a model of another architecture (a ViT motion encoder)
        var vit = MotionTextModel.Create(new MotionTextModelConfig(new VitConfig(16, 1, 2, 32, 16, 64), TextEncoderConfig.BertTiny with { VocabSize = 50 }, 8), 1);
        string vitModel = Path_("vit-model.safetensors");
        vit.Save(vitModel);

        foreach (var (args, expected) in new (string[], string[])[]
        {
            (["--checkpoint", "resnet18-imagenet", "--input", twoChannels], [twoChannels, "3 channels", "got 2"]),
            (["--checkpoint", "resnet18-imagenet", "--input", nan], [nan, "non-finite value NaN", "row 0"]),
            (["--checkpoint", "resnet18-imagenet", "--stages", "2,2,2,2", "--input", images], ["resnet18-imagenet", "stage depths [2, 2, 2, 3]", "configured for [2, 2, 2, 2]"]),
            (["--checkpoint", negative, "--input", images], [negative, "layer3.0.bn2.running_var[2] is -0.5"]),
            (["--checkpoint", vitModel, "--input", images], [vitModel, "not a ResNet"]),
            (["--checkpoint", "minilm-l6", "--input", images], ["minilm-l6", "text encoder"]),
        })
        {
            string outPath = Path_("refused.npy");
            var run = Mw.Run(["encode", "resnet", .. args, "--out", outPath]);
            Assert.True(run.ExitCode == 2, $"mw encode resnet {string.Join(' ', args)}: exit {run.ExitCode}\n{run.All}");
            var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("mw encode resnet: ", StringComparison.Ordinal) && !l.Contains(" reading ") && !l.Contains(" writing ") && !l.Contains("converting")).ToList();
            Assert.Single(lines);
            foreach (var e in expected) Assert.Contains(e, lines[0]);
            Assert.DoesNotContain("   at ", run.All);   // no stack trace
            Assert.False(File.Exists(outPath), $"{string.Join(' ', args)} left {outPath} behind");
        }
    }
}

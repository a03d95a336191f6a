using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// The ResNet motion encoder in every place a motion encoder is chosen (model.architecture = resnet, the two-person
/// model and the caption decoder through model.motionEncoder, Lex's motion tower through model.lexMotionEncoder),
/// train.initMotionEncoder with torchvision-named weights, the BatchNorm policy and the bad inputs of the training path.
/// A tiny ResNet (stages 1,1,1,1, width 4: 32-d features) over the 64 x 80 Smoke patch image (a 2 x 3 final map).
/// </summary>
[Collection("synth")]
public sealed class ResNetArchitectureTests(SynthFixture fx)
{
    private RunConfig Config(string architecture = "resnet", int epochs = 1, Func<ModelSpec, ModelSpec>? change = null)
    {
        // a run refuses the settings it would ignore: the tiny ResNet's sizes go with a ResNet encoder only, the tiny ViT's elsewhere
        var model = SynthFixture.TinyModelOf(architecture, m =>
        {
            var tiny = m with { ResnetStages = "1,1,1,1", ResnetWidth = 4, HeadDropout = 0f, TextDropout = 0f };
            return change is null ? tiny : change(tiny);
        });
        return fx.Tiny(epochs) with { Name = architecture, Model = model };
    }

    /// <summary>A torchvision-named state dict of the tiny ResNet (random weights, running statistics set to known values) in a file.</summary>
    private string WeightsFile(string name, int[] stages, Action<ResNetEncoder>? edit = null)
    {
        var encoder = new ResNetEncoder(new ResNetConfig(stages, BaseWidth: 4, Frames: 64, ImageWidth: 80), 11);
        foreach (var (n, t) in encoder.NamedBuffers()) t.Data.Fill(n.EndsWith("running_var", StringComparison.Ordinal) ? 2.5f : 0.25f);
        edit?.Invoke(encoder);
        var path = Path.Combine(fx.Root, $"{name}-{Guid.NewGuid():N}.safetensors");
        Safetensors.Write(path, encoder.NamedState(), new Dictionary<string, string>());
        return path;
    }

    [Fact]
    public void Resnet_model_trains_evaluates_reloads_and_classifies()
    {
        var dir = fx.NewRunDir("resnet");
        Assert.True(new Trainer(Config(), dir) { LogSteps = false }.Run().Completed);

        var (tensors, _, _, _, _) = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName));
        Assert.Contains("motion_encoder.layer4.0.downsample.1.running_var", tensors.Keys);
        Assert.NotEqual(0f, tensors["motion_encoder.bn1.running_mean"].Data[0]);   // the running statistics trained and were saved

        var model = Assert.IsType<TransformerModel>(RunModels.Load(dir));
        var encoder = Assert.IsType<ResNetEncoder>(model.Model.MotionEncoder);
        Assert.Equal([1, 1, 1, 1], encoder.Config.Stages);
        Assert.Equal((64, 80), (encoder.Config.Frames, encoder.Config.ImageWidth));
        Assert.Equal(32, encoder.FeatureDim);
        Assert.Equal(MotionRepresentation.Patches, model.Representation);
        Assert.Equal(tensors["motion_encoder.bn1.running_var"].ToArray(), encoder.Bn1.RunningVar.ToArray());

        var data = RunData.ForRun(dir);
        var emb = Embedder.Embed(model, data, "train", 32);
        Assert.Equal(64, emb.Count);
        Assert.All(emb.Motions, m => Assert.True(Math.Abs(m.Sum(x => x * x) - 1f) < 1e-4f));
        Assert.InRange(emb.Evaluate([RetrievalProtocols.All])[0].TextToMotion.MedR, 1, 64);

        // a model file keeps the running statistics: the reloaded model embeds the same
        var file = Path.Combine(dir, "model.safetensors");
        model.Model.Save(file);
        var again = new TransformerModel(MotionTextModel.Load(file));
        again.Module.Eval();
        Assert.Contains("\"inputMapping\"", MotionTextModel.ReadConfig(file).ToJson());
        Assert.Equal(emb.Motions[3], Embedder.Embed(again, data, "train", 32).Motions[3]);

        // zero-shot classification runs on the ResNet run as on any other
        var zeroShot = ZeroShot.Classify(dir, fx.DataDir, "train");
        Assert.True(zeroShot.Samples > 0);
    }

    [Fact]
    public void The_two_person_caption_and_lexical_models_take_the_resnet()
    {
        var pairs = Config("interaction", change: m => m with { MotionEncoder = "resnet" }) with
        {
            Data = fx.Tiny().Data with { Dir = fx.InterHumanDir, MaxTrainClips = 32, MaxEvalClips = 16, ValSplit = "test", TestSplit = "test" },
        };
        var caption = Config("caption", change: m => m with { MotionEncoder = "resnet" });
        var lex = Config("lex", change: m => m with { LexMotionEncoder = "resnet" });
        foreach (var config in new[] { pairs, caption, lex })
        {
            var dir = fx.NewRunDir(config.Name);
            Assert.True(new Trainer(config, dir) { LogSteps = false }.Run().Completed, config.Name);
            var model = RunModels.Load(dir);
            Assert.IsType<ResNetEncoder>(MotionEncoderInit.EncoderOf(model));
            if (model is CaptionModel c)
            {
                // the decoder's memory: the last feature map's 2 x 3 cells of 32 channels
                var data = RunData.ForRun(dir);
                var patches = data.EvalBatch(data.EvalSamples("train"), 0, 2).Motion.RequirePatches("test");
                Assert.Equal([2, 6, 32], c.MotionTokens(patches).Shape);
                Assert.Equal(32, c.Network.Decoder.Config.MemoryWidth);
            }
        }
    }

    [Fact]
    public void Pretrained_weights_load_by_name_and_frozen_statistics_stay_as_loaded()
    {
        var file = WeightsFile("tiny-resnet", [1, 1, 1, 1]);
        var frozen = Config(change: m => m with { ResnetBatchNorm = "frozen" }) with { Train = fx.Tiny(1).Train with { InitMotionEncoder = file } };
        var dir = fx.NewRunDir("resnet-frozen");
        Assert.True(new Trainer(frozen, dir) { LogSteps = false }.Run().Completed);
        Assert.Contains($"motion encoder from {Path.GetFullPath(file)}", File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
        var weights = Safetensors.Read(file).Tensors;
        var (trained, _, _, _, _) = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName));
        Assert.Equal(weights["layer2.0.bn1.running_var"].ToArray(), trained["motion_encoder.layer2.0.bn1.running_var"].ToArray());   // frozen: as loaded
        Assert.NotEqual(weights["layer2.0.conv1.weight"].ToArray(), trained["motion_encoder.layer2.0.conv1.weight"].ToArray());     // the weights trained

        var train = frozen with { Model = frozen.Model with { ResnetBatchNorm = "train" } };
        var dir2 = fx.NewRunDir("resnet-train-bn");
        Assert.True(new Trainer(train, dir2) { LogSteps = false }.Run().Completed);
        var (moved, _, _, _, _) = Checkpoint.Read(Path.Combine(dir2, Checkpoint.LastFileName));
        Assert.NotEqual(weights["layer2.0.bn1.running_var"].ToArray(), moved["motion_encoder.layer2.0.bn1.running_var"].ToArray());  // train: updated
    }

    [Fact]
    public void Weights_that_do_not_fit_are_one_error_naming_the_file_before_anything_is_written()
    {
        var otherLayout = WeightsFile("other-layout", [1, 1, 1, 2]);
        var negative = WeightsFile("negative-variance", [1, 1, 1, 1], e => e.NamedBuffers().First(b => b.Name == "layer3.0.bn2.running_var").Tensor.Data[2] = -0.5f);
        var nan = WeightsFile("nan-variance", [1, 1, 1, 1], e => e.Bn1.RunningVar.Data[1] = float.NaN);
        var vit = new VisionTransformer(new VitConfig(16, 1, 2, 32, 16, 64), 1);
        var vitFile = Path.Combine(fx.Root, $"vit-{Guid.NewGuid():N}.safetensors");
        Safetensors.Write(vitFile, vit.NamedState(), new Dictionary<string, string>());
        foreach (var (file, expected) in new[]
        {
            (otherLayout, new[] { "train.initMotionEncoder", otherLayout, "stage depths [1, 1, 1, 2]", "configured for [1, 1, 1, 1]", "model.resnetStages=1,1,1,2" }),
            (negative, ["train.initMotionEncoder", negative, "layer3.0.bn2.running_var[2] is -0.5"]),
            (nan, ["train.initMotionEncoder", nan, "bn1.running_var[1] is not finite (NaN"]),
            (vitFile, ["train.initMotionEncoder", vitFile, "not a ResNet state dict"]),
        })
        {
            var config = Config() with { Train = fx.Tiny(1).Train with { InitMotionEncoder = file } };
            var dir = fx.NewRunDir("refused");
            var e = Assert.Throws<InvalidDataException>(() => new Trainer(config, dir).Run());
            foreach (var part in expected) Assert.Contains(part, e.Message);
            Assert.False(Directory.Exists(dir), $"a refused run left {dir} behind");
        }
    }

    [Fact]
    public void Settings_that_cannot_work_are_named_by_the_validation()
    {
        foreach (var (config, expected) in new[]
        {
            (Config("vit") with { Train = fx.Tiny(1).Train with { InitMotionEncoder = "resnet18-imagenet" } }, "'resnet18-imagenet' is an ImageNet ResNet; this run's motion encoder is 'vit'"),
            (Config() with { Train = fx.Tiny(1).Train with { InitMotionEncoder = "minilm-l6" } }, "'minilm-l6' is a pretrained text encoder"),
            (Config("raw") with { Train = fx.Tiny(1).Train with { InitMotionEncoder = "w.safetensors" } }, "has a 'raw' motion encoder"),
            (Config(change: m => m with { ResnetBatchNorm = "frozen" }), "model.resnetBatchNorm = frozen keeps the running statistics"),
            (Config(change: m => m with { ResnetBatchNorm = "eval" }), "model.resnetBatchNorm must be 'train'"),
            (Config(change: m => m with { ResnetStages = "2,2" }), "model.resnetStages must be four positive block counts"),
            (Config(change: m => m with { ResnetWidth = 0 }), "model.resnetWidth must be positive"),
            (Config("vit", change: m => m with { MotionEncoder = "resnet" }), "model.motionEncoder = resnet chooses the encoder of 'interaction' and 'caption' only"),
            (Config("caption", change: m => m with { MotionEncoder = "raw" }), "model.motionEncoder must be 'vit' or 'resnet'"),
            (Config("lex", change: m => m with { LexMotionEncoder = "cnn" }), "model.lexMotionEncoder must be 'vit', 'raw' or 'resnet'"),
            (Config(change: m => m with { MaxFrames = 16, PatchSize = 16 }), "must be at least 32 x 32"),
        })
            Assert.Contains(expected, Assert.Throws<ArgumentException>(() => config.Validate()).Message);
    }

    [Fact]
    public void Evaluating_a_checkpoint_with_a_negative_running_variance_names_the_file_and_the_statistic()
    {
        var dir = fx.NewRunDir("resnet-bad-eval");
        Assert.True(new Trainer(Config(), dir) { LogSteps = false }.Run().Completed);
        var best = Path.Combine(dir, Checkpoint.BestFileName);
        var (tensors, m, v, state, config) = Checkpoint.Read(best);
        tensors["motion_encoder.layer1.0.bn2.running_var"].Data[0] = -1f;
        Checkpoint.Save(best, config, tensors.Select(kv => (kv.Key, kv.Value)), state, m, v);
        var e = Assert.Throws<InvalidDataException>(() => RunEvaluation.Run(dir));
        Assert.Contains(best, e.Message);
        Assert.Contains("motion_encoder.layer1.0.bn2.running_var[0] is -1", e.Message);
    }
}

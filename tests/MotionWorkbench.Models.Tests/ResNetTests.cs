using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Models.Tests;

/// <summary>
/// The ResNet motion encoder against torchvision 0.14 (environment/reference/resnet_fixtures.py: formula weights, so
/// no 11 M-number fixture), its shapes, its input mapping, its BatchNorm policy and its errors.
/// </summary>
public class ResNetTests
{
    /// <summary>The fixture's hash: u = ((i·2654435761 + k·40503 + 12345) mod 2³²)/2³¹ − 1, exact in 64-bit integers.</summary>
    internal static double Formula(long i, long k) => unchecked(((ulong)i * 2654435761UL + (ulong)k * 40503UL + 12345UL) % (1UL << 32)) / 2147483648.0 - 1.0;

    /// <summary>The fixture's input: float32(u) with k = 1000.</summary>
    internal static Tensor FormulaInput(params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)Formula(i, 1000);
        return t;
    }

    /// <summary>The fixture's weights: the k-th state tensor (torchvision order) from u of its flattened elements.</summary>
    internal static void FormulaWeights(ResNetEncoder model)
    {
        int k = 0;
        foreach (var (name, t) in model.NamedState())
        {
            var d = t.Data;
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            double fanIn = t.Rank == 4 ? t.Shape[1] * t.Shape[2] * t.Shape[3] : 0;
            for (long i = 0; i < d.Length; i++)
            {
                double u = Formula(i, k);
                d[(int)i] = (float)(t.Rank == 4 ? u * Math.Sqrt(6.0 / fanIn) : leaf switch
                {
                    "weight" => 1 + 0.1 * u,
                    "bias" or "running_mean" => 0.1 * u,
                    "running_var" => 1 + 0.25 * u,
                    _ => throw new InvalidOperationException(name),
                });
            }
            k++;
        }
    }

    internal static ResNetEncoder FormulaModel(int[] stages, int H, int W)
    {
        var model = new ResNetEncoder(new ResNetConfig(stages, Input: ResNetInput.Network, Frames: H, ImageWidth: W), seed: 1);
        FormulaWeights(model);
        return model;
    }

    private static float[] Slice(Tensor t, int start, int count) => t.ToArray().AsSpan(start, count).ToArray();

    private static void CloseScaled(Fixture f, string name, ReadOnlySpan<float> actual, double rel = 2e-4)
    {
        var expected = f.Data(name);
        double scale = expected.Max(v => Math.Abs(v));
        Fixture.Close(expected, actual, rel * scale + 1e-6, 1e-4, name);
    }

    [Fact]
    public void State_names_are_torchvisions_in_torchvisions_order()
    {
        var f = Fixture.Load("resnet18_formula");
        var keys = f.Header.GetProperty("state_keys").EnumerateArray().Select(e => e.GetString()!).ToList();
        var model = new ResNetEncoder(ResNetConfig.ResNet18, 1);
        Assert.Equal(keys, model.NamedState().Select(p => p.Name).ToList());
        var keys3 = f.Header.GetProperty("state_keys_2223").EnumerateArray().Select(e => e.GetString()!).ToList();
        var model3 = new ResNetEncoder(ResNetConfig.ResNet18Cntk, 1);
        Assert.Equal(keys3, model3.NamedState().Select(p => p.Name).ToList());
        Assert.Equal(11_176_512, model.ParameterCount());   // torchvision resnet18 without fc
        Assert.Contains(model3.NamedParameters(), p => p.Name == "layer4.2.conv2.weight");
        Assert.DoesNotContain(model3.NamedParameters(), p => p.Name.EndsWith("running_var", StringComparison.Ordinal));
    }

    [Fact]
    public void Training_forward_gradients_and_running_statistics_match_torchvision()
    {
        var f = Fixture.Load("resnet18_formula");
        int B = f.Int("batch"), H = f.Int("height"), W = f.Int("width");
        var model = FormulaModel([2, 2, 2, 2], H, W);
        model.Train();
        var x = FormulaInput(B, 3, H, W);
        x.RequiresGrad = true;
        var features = model.Forward(new MotionInput(x));
        Assert.Equal(new[] { B, 512 }, features.Shape);
        CloseScaled(f, "train.features", features.Data);
        var dout = Tensor.FromArray(f.Data("train.dout"), B, 512);
        Ops.SumAll(Ops.Mul(features, dout)).Backward();
        var p = model.StateDict();
        CloseScaled(f, "train.dx[0, 0, :8]", x.Grad[..(8 * W)], 1e-3);
        CloseScaled(f, "grad.conv1.weight[0]", p["conv1.weight"].Grad[..147], 1e-3);
        CloseScaled(f, "grad.bn1.weight", p["bn1.weight"].Grad, 1e-3);
        CloseScaled(f, "grad.layer1.0.conv1.weight[0]", p["layer1.0.conv1.weight"].Grad[..576], 1e-3);
        CloseScaled(f, "grad.layer1.0.bn1.weight", p["layer1.0.bn1.weight"].Grad, 1e-3);
        CloseScaled(f, "grad.layer4.0.downsample.1.weight", p["layer4.0.downsample.1.weight"].Grad, 1e-3);
        CloseScaled(f, "grad.layer4.1.conv2.weight[0, :8]", p["layer4.1.conv2.weight"].Grad[..72], 1e-3);
        CloseScaled(f, "grad.layer4.1.bn2.weight", p["layer4.1.bn2.weight"].Grad, 1e-3);
        CloseScaled(f, "grad.layer4.1.bn2.bias", p["layer4.1.bn2.bias"].Grad, 1e-3);
        CloseScaled(f, "running.bn1.running_mean", p["bn1.running_mean"].Data);
        CloseScaled(f, "running.bn1.running_var", p["bn1.running_var"].Data);
        CloseScaled(f, "running.layer4.1.bn2.running_var", p["layer4.1.bn2.running_var"].Data);
    }

    [Theory]
    [InlineData("eval.features", new[] { 2, 2, 2, 2 })]
    [InlineData("eval2223.features", new[] { 2, 2, 2, 3 })]
    public void Eval_forward_matches_torchvision(string name, int[] stages)
    {
        var f = Fixture.Load("resnet18_formula");
        int B = f.Int("batch"), H = f.Int("height"), W = f.Int("width");
        var model = FormulaModel(stages, H, W);
        model.Eval();
        using var _ = Autograd.NoGrad();
        CloseScaled(f, name, model.Forward(new MotionInput(FormulaInput(B, 3, H, W))).Data);
    }

    [Fact]
    public void Feature_map_tokens_and_features_have_the_documented_shapes()
    {
        var model = new ResNetEncoder(ResNetConfig.ResNet18, 2);
        Assert.Equal((7, 3), model.Config.FeatureGrid);
        model.Eval();
        using var _ = Autograd.NoGrad();
        var z = TestModels.Random(3, 1, 3, 224, 80);
        var map = model.ForwardFeatureMap(ResNetInputMapping.FromZScores(z));
        Assert.Equal(new[] { 1, 512, 7, 3 }, map.Shape);
        var tokens = model.ForwardTokens(new MotionInput(z));
        Assert.Equal(new[] { 1, 21, 512 }, tokens.Shape);
        var pooled = model.Forward(new MotionInput(z)).ToArray();
        // the pooled features are the mean of the tokens; token t is cell (t / 3, t % 3) of the map
        var tk = tokens.ToArray();
        var mapData = map.ToArray();
        for (int c = 0; c < 512; c += 97)
        {
            Assert.Equal(mapData[c * 21 + 1 * 3 + 2], tk[(1 * 3 + 2) * 512 + c]);
            Assert.Equal(Enumerable.Range(0, 21).Average(t => tk[t * 512 + c]), pooled[c], 4);
        }
        var square = new ResNetEncoder(new ResNetConfig([1, 1, 1, 1], BaseWidth: 8, Input: ResNetInput.Network, ImageWidth: 224), 2);
        Assert.Equal((7, 7), square.Config.FeatureGrid);
        Assert.Equal(new[] { 2, 64, 7, 7 }, square.ForwardFeatureMap(TestModels.Random(4, 2, 3, 224, 224)).Shape);
        Assert.Equal(new[] { 2, 64 }, square.Forward(new MotionInput(TestModels.Random(4, 2, 3, 224, 224))).Shape);
    }

    [Fact]
    public void Input_mapping_is_the_patch_colours_as_bgr_minus_the_imagenet_means()
    {
        // one pixel per channel (x, y, z) of one patch: x = 0 (the mean pose), y = +3σ, z = -5σ (clamped to -3σ)
        var z = Tensor.FromArray([0f, 3f, -5f], 1, 3, 1, 1);
        var image = ResNetInputMapping.FromZScores(z).ToArray();
        Assert.Equal(0f - 103.0626f, image[0], 4);           // B <- z: clamped to -3σ -> 0
        Assert.Equal(255f - 115.9029f, image[1], 4);         // G <- y: +3σ -> 255
        Assert.Equal(127.5f - 123.1516f, image[2], 4);       // R <- x: the mean -> 127.5
        var e = Assert.Throws<ArgumentException>(() => ResNetInputMapping.FromZScores(Tensor.FromArray([0f, float.NaN, 0f], 1, 3, 1, 1)));
        Assert.Contains("NaN at channel y", e.Message);
    }

    [Fact]
    public void Frozen_batch_norm_trains_weights_but_keeps_the_running_statistics()
    {
        var config = new ResNetConfig([1, 1, 1, 1], BaseWidth: 4, BatchNorm: ResNetBatchNorm.Frozen, Frames: 64, ImageWidth: 32);
        var model = new ResNetEncoder(config, 3);
        var before = model.NamedBuffers().Select(b => b.Tensor.ToArray()).ToList();
        var input = new MotionInput(TestModels.Random(5, 2, 3, 64, 32));
        model.Eval();
        var evalOut = model.Forward(input).ToArray();
        model.Train();
        var trainOut = model.Forward(input);
        Assert.Equal(evalOut, trainOut.ToArray());
        Ops.SumAll(trainOut).Backward();
        Assert.True(model.Bn1.Weight.HasGrad && model.Bn1.Weight.Grad.ToArray().Any(v => v != 0));
        Assert.Equal(before, model.NamedBuffers().Select(b => b.Tensor.ToArray()).ToList());
        var trained = new ResNetEncoder(config with { BatchNorm = ResNetBatchNorm.Train }, 3);
        trained.Forward(input);
        Assert.NotEqual(before, trained.NamedBuffers().Select(b => b.Tensor.ToArray()).ToList());
    }

    [Fact]
    public void Tiny_resnet_gradients_match_finite_differences()
    {
        var model = new ResNetEncoder(new ResNetConfig([1, 1, 1, 1], BaseWidth: 2, BatchNorm: ResNetBatchNorm.Frozen, Input: ResNetInput.Network, Frames: 32, ImageWidth: 32), 4);
        var rng = new Random(6);
        foreach (var (_, t) in model.NamedState())
        {
            var d = t.Data;
            for (int i = 0; i < d.Length; i++) d[i] += (float)(rng.NextDouble() - 0.5) * 0.2f;
        }
        var x = TestModels.Random(7, 2, 3, 32, 32);
        var inputs = model.NamedParameters().Where(p => p.Name is "conv1.weight" or "bn1.bias" or "layer2.0.conv1.weight" or "layer3.0.downsample.0.weight" or "layer4.0.bn2.weight").ToList();
        inputs.Add(("input", x));
        Support.GradCheck.Run(() => model.Forward(new MotionInput(x)), inputs);
    }

    [Fact]
    public void Bad_inputs_are_one_clear_error()
    {
        var model = new ResNetEncoder(new ResNetConfig([1, 1, 1, 1], BaseWidth: 4, Frames: 64, ImageWidth: 32), 1);
        var e = Assert.Throws<ArgumentException>(() => model.Forward(new MotionInput(Tensor.Zeros(2, 1, 64, 32))));
        Assert.Contains("(2, 1, 64, 32)", e.Message);
        Assert.Contains("(B, 3, 64, 32)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.ForwardFeatureMap(Tensor.Zeros(2, 4, 64, 32)));
        Assert.Contains("3 channels", e.Message);
        Assert.Throws<ArgumentException>(() => new ResNetConfig([2, 2, 2]).Validate());
        Assert.Throws<ArgumentException>(() => new ResNetConfig([2, 2, 2, 2], Frames: 16).Validate());
    }

    [Fact]
    public void Checkpoint_of_the_other_stage_layout_another_architecture_or_bad_running_variance_is_refused_naming_the_file()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mw-resnet-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var small = new ResNetConfig([2, 2, 2, 3], BaseWidth: 4, Frames: 64, ImageWidth: 32);
            var deep = new ResNetEncoder(small, 1);
            var path = Path.Combine(dir, "deep.safetensors");
            Safetensors.Save(deep, path);
            var target = new ResNetEncoder(small with { Stages = [2, 2, 2, 2] }, 2);
            var e = Assert.Throws<InvalidDataException>(() => ResNetCheckpoint.Load(target, path));
            Assert.Contains(path, e.Message);
            Assert.Contains("[2, 2, 2, 3]", e.Message);
            Assert.Contains("[2, 2, 2, 2]", e.Message);

            var report = ResNetCheckpoint.Load(new ResNetEncoder(small, 3), path);
            Assert.Equal(deep.NamedState().Count(), report.Loaded.Count);

            e = Assert.Throws<InvalidDataException>(() => ResNetCheckpoint.Load(target, Fixture.PathOf("vit_tiny_timm.safetensors")));
            Assert.Contains("vit_tiny_timm.safetensors", e.Message);
            Assert.Contains("not a ResNet", e.Message);

            var state = deep.NamedState().ToDictionary(p => p.Name, p => p.Tensor.Detach());
            state["layer3.1.bn2.running_var"].Data[2] = -0.5f;
            var bad = Path.Combine(dir, "bad.safetensors");
            Safetensors.Write(bad, state.Select(kv => (kv.Key, kv.Value)));
            var fresh = new ResNetEncoder(small, 4);
            var weightsBefore = fresh.Conv1.Weight.ToArray();
            e = Assert.Throws<InvalidDataException>(() => ResNetCheckpoint.Load(fresh, bad));
            Assert.Contains(bad, e.Message);
            Assert.Contains("layer3.1.bn2.running_var[2]", e.Message);
            Assert.Equal(weightsBefore, fresh.Conv1.Weight.ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Config_round_trips_through_json_with_its_stages()
    {
        var config = new MotionTextModelConfig(ResNetConfig.ResNet18Cntk with { BatchNorm = ResNetBatchNorm.Frozen, BaseWidth = 8 }, TestModels.TinyText());
        var back = MotionTextModelConfig.FromJson(config.ToJson());
        Assert.Equal(config.Motion, back.Motion);
        Assert.Contains("\"kind\": \"resnet\"", config.ToJson());
        Assert.Equal(64, back.Motion.FeatureDim);
        Assert.IsType<ResNetEncoder>(MotionEncoder.Create(back.Motion, 1));
    }
}

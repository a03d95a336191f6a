using MotionWorkbench.Models;
using MotionWorkbench.Training;
using TorchSharp;
using Xunit.Abstractions;
using WTensor = MotionWorkbench.Tensors.Tensor;

namespace MotionWorkbench.Torch.Tests;

/// <summary>
/// Architecture "caption" on the torch engine: the torch twin's training loss and gradients match the own
/// <see cref="CaptionModel"/>'s (dropout 0; plain, frozen encoder, contrastive term, lexical prefix), the trainer's
/// losses on train.engine = torch are the own engine's, a torch resume continues identically, and the own engine
/// captions from the torch run's checkpoint.
/// </summary>
[Collection("torch-synth")]
public sealed class TorchCaptionTests(TorchSynthFixture fx, ITestOutputHelper output)
{
    private static ModelSpec Spec(bool freeze = false, float contrastive = 0f, int prefixWords = 0) => Support.Spec("caption") with
    {
        CaptionDepth = 2, CaptionDropout = 0f, CaptionFreezeEncoder = freeze, CaptionContrastiveWeight = contrastive,
        CaptionLexWords = prefixWords, CaptionLexRun = prefixWords > 0 ? "unused" : "",
    };

    private static float[] Grad(WTensor t) => t.HasGrad ? t.Grad.ToArray() : new float[t.Size];

    private static float[] Grad(TorchModel model, string name) =>
        model.Get(name).grad is { } g ? g.ToWorkbench().ToArray() : new float[model.Get(name).numel()];

    /// <summary>The gradient of <paramref name="name"/> in both engines within 1e-4 of the own one's largest entry (and not all zero).</summary>
    private static void AssertGradient(CaptionModel own, TorchModel model, string name)
    {
        var o = Grad(own.Network.NamedParameters().Single(p => p.Name == name).Tensor);
        var t = Grad(model, name);
        double scale = Support.MaxAbs(o), diff = Support.MaxAbsDiff(o, t);
        Assert.True(scale > 0, $"{name}: the own engine's gradient is zero");
        Assert.True(diff <= 1e-4 * scale, $"{name}: the gradients differ by {diff / scale:E3} of the largest entry");
    }

    /// <summary>Back-propagates both losses and asserts they agree within 1e-5 relative.</summary>
    private void AssertSameLoss(WTensor ownLoss, torch.Tensor loss, string label)
    {
        float ownValue = ownLoss.Item();
        ownLoss.Backward();
        loss.backward();
        float value = loss.ToWorkbench().Item();
        output.WriteLine($"{label}: loss own {ownValue:G8} torch {value:G8}");
        Assert.True(Math.Abs(value - ownValue) <= 1e-5 * Math.Abs(ownValue), $"{label}: loss own {ownValue:R}, torch {value:R}");
    }

    [TorchTheory]
    [InlineData(false, 0f)]
    [InlineData(true, 0f)]
    [InlineData(false, 0.5f)]
    [InlineData(true, 0.5f)]
    public void Training_loss_and_gradients_match_the_own_caption_model(bool freeze, float contrastive)
    {
        var spec = Spec(freeze, contrastive);
        var own = Assert.IsType<CaptionModel>(Support.Own(spec, 5));
        using var scope = torch.NewDisposeScope();
        using var model = Assert.IsType<TorchCaptionModel>(TorchModels.Create(spec, own, torch.CPU));
        Assert.Equal("caption", model.Architecture);
        Assert.Equal(own.LossName, model.LossName);
        Assert.False(model.TrainsContrastively);
        Assert.Equal(own.Module.NamedParameters().Select(p => p.Name), model.NamedParameters().Select(p => p.Name));
        Assert.Equal(own.ParameterGroups().Select(g => g.Group), model.ParameterGroups().Select(g => g.Group));
        Assert.Equal(!freeze, model.ParameterGroups().Any(g => g.Group == "motion"));

        var batch = new ContrastiveBatch(Support.Motion(spec, 61, 4), Support.Text(62, 4, 10), ["a", "b", "c", "d"], []);
        foreach (var p in own.Module.Parameters()) p.ZeroGrad();
        AssertSameLoss(own.TrainingLoss(batch, 1), model.TrainingLoss(batch, 1), $"freeze {freeze}, contrastive {contrastive}");

        AssertGradient(own, model, "caption_decoder.blocks.0.cross_attn.q_lin.weight");
        AssertGradient(own, model, "caption_decoder.blocks.1.cross_attn.v_lin.weight");
        AssertGradient(own, model, "caption_decoder.blocks.0.self_attn.k_lin.weight");
        AssertGradient(own, model, "caption_decoder.token_embed.weight");
        AssertGradient(own, model, "caption_decoder.memory_proj.weight");
        AssertGradient(own, model, "caption_decoder.out_bias");
        if (contrastive > 0) AssertGradient(own, model, "text_encoder.transformer.layer.0.attention.q_lin.weight");
        // every parameter: within 1e-4 of its largest own entry, none where the own engine has none
        double worst = Support.AssertGradientsMatch(own.Module, model, $"caption freeze {freeze} contrastive {contrastive}");
        output.WriteLine($"worst gradient difference {worst:E2} of the largest entry");
        var vitBlocks = model.NamedParameters().Where(p => p.Name.StartsWith("motion_encoder.", StringComparison.Ordinal)
            && !p.Name.StartsWith("motion_encoder.fc_norm.", StringComparison.Ordinal) && !p.Name.StartsWith("motion_encoder.norm.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(vitBlocks);
        if (freeze)
        {
            // no gradient through the ViT (its pooling norm, after the tokens, learns from the contrastive term as in the own engine)
            Assert.All(vitBlocks, p => Assert.True(p.Parameter.grad is null || p.Parameter.grad.abs().max().item<float>() == 0f, $"{p.Name} has a gradient"));
            Assert.All(own.Network.MotionEncoder.NamedParameters().Where(p => vitBlocks.Any(v => v.Name == "motion_encoder." + p.Name)), p => Assert.False(p.Tensor.HasGrad && Support.MaxAbs(p.Tensor.Grad) > 0, p.Name));
        }
        else
        {
            AssertGradient(own, model, "motion_encoder.blocks.0.attn.qkv.weight");
            AssertGradient(own, model, "motion_encoder.patch_embed.proj.weight");
        }
    }

    [TorchTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_resnet_caption_model_reads_the_last_feature_map_and_matches_the_own_loss_and_gradients(bool freeze)
    {
        var spec = Spec(freeze, contrastive: 0.5f) with { MotionEncoder = "resnet", ResnetStages = "1,1,1,1", ResnetWidth = 4 };
        var own = Assert.IsType<CaptionModel>(Support.Own(spec, 5));
        Assert.IsType<ResNetEncoder>(own.Network.MotionEncoder);
        Assert.Equal(32, own.Network.Decoder.Config.MemoryWidth);
        using var scope = torch.NewDisposeScope();
        using var model = Assert.IsType<TorchCaptionModel>(TorchModels.Create(spec, own, torch.CPU));
        var batch = new ContrastiveBatch(Support.Motion(spec, 61, 4), Support.Text(62, 4, 10), ["a", "b", "c", "d"], []);
        foreach (var p in own.Module.Parameters()) p.ZeroGrad();
        AssertSameLoss(own.TrainingLoss(batch, 1), model.TrainingLoss(batch, 1), $"resnet caption, freeze {freeze}");
        AssertGradient(own, model, "caption_decoder.memory_proj.weight");
        if (!freeze) AssertGradient(own, model, "motion_encoder.layer1.0.conv1.weight");
        Support.AssertGradientsMatch(own.Module, model, $"resnet caption freeze {freeze}");
        // frozen: the encoder keeps its running statistics in both engines (no update in training mode)
        var ownVar = own.Network.MotionEncoder.NamedBuffers().First(b => b.Name == "bn1.running_var").Tensor.ToArray();
        var torchVar = model.GetBuffer("motion_encoder.bn1.running_var").ToWorkbench().ToArray();
        Assert.Equal(freeze, ownVar.All(v => v == 1f));
        Assert.True(Support.MaxAbsDiff(ownVar, torchVar) <= 1e-5, "the running variances differ between the engines");
        Assert.Equal([4, 6, 32], own.MotionTokens(batch.Motion.RequirePatches("test")).Shape);   // the memory: the 2 x 3 map's cells
    }

    [TorchFact]
    public void The_lexical_prefix_memory_loss_and_gradients_match_the_own_decoder()
    {
        var spec = Spec(prefixWords: 3);
        var own = Assert.IsType<CaptionModel>(Support.Own(spec, 9));
        using var scope = torch.NewDisposeScope();
        using var model = Assert.IsType<TorchCaptionModel>(TorchModels.Create(spec, own, torch.CPU));
        Assert.NotNull(model.TryGet("caption_decoder.prefix_type"));
        int B = 4;
        var motion = Support.Motion(spec, 71, B);
        var text = Support.Text(72, B, 12);
        int[] ids = [7, 12, 40, 9, -1, -1, 55, 33, -1, -1, -1, -1]; // full, partial, partial, absent
        foreach (var p in own.Module.Parameters()) p.ZeroGrad();
        var tokens = own.MotionTokens(motion.RequirePatches("test"));
        var (memory, padding) = own.Network.Decoder.Memory(tokens, ids);
        var (tm, tp) = model.Decoder.Memory(model.MotionTokens(TorchInterop.ToTorch(motion, torch.CPU)), ids);
        Assert.Equal(new long[] { B, 3 + tokens.Shape[1], own.Network.Decoder.Config.Width }, tm.shape);
        Assert.Equal(padding, tp!.data<bool>().ToArray());
        AssertSameLoss(own.Network.Decoder.Loss(memory, padding, text), model.Decoder.Loss(tm, tp, text), "prefix");
        AssertGradient(own, model, "caption_decoder.prefix_type");
        AssertGradient(own, model, "caption_decoder.token_embed.weight");
        AssertGradient(own, model, "caption_decoder.blocks.0.cross_attn.k_lin.weight");
        AssertGradient(own, model, "motion_encoder.blocks.0.attn.qkv.weight");
        Support.AssertGradientsMatch(own.Module, model, "caption prefix");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The trainer on train.engine = torch

    private static readonly Dictionary<string, string> VitRuns = [];

    /// <summary>A tiny vit run (1 epoch, own engine) the caption runs start from (train.initFrom), once per fixture.</summary>
    private string VitRun()
    {
        lock (VitRuns)
        {
            if (VitRuns.TryGetValue(fx.Root, out var dir)) return dir;
            dir = fx.NewRunDir("caption-vit-source");
            Assert.True(new Trainer(fx.Config("mw", epochs: 1), dir) { LogSteps = false }.Run().Completed);
            VitRuns[fx.Root] = dir;
            return dir;
        }
    }

    private static readonly Dictionary<string, string> LexRuns = [];

    /// <summary>A tiny Lex run (ViT, 1 epoch, own engine) whose top words prefix the decoder, once per fixture.</summary>
    private string LexRun()
    {
        lock (LexRuns)
        {
            if (LexRuns.TryGetValue(fx.Root, out var dir)) return dir;
            dir = fx.NewRunDir("caption-lex-source");
            Assert.True(new Trainer(fx.Config("mw", epochs: 1, architecture: "lex"), dir) { LogSteps = false }.Run().Completed);
            LexRuns[fx.Root] = dir;
            return dir;
        }
    }

    /// <summary>A tiny caption run (decoder depth 1, contrastive weight 0.5) from the vit run; with 4 lexical prefix words when asked.</summary>
    private RunConfig CaptionConfig(string engine, int epochs = 2, float dropout = 0f, bool lexPrefix = false)
    {
        var c = fx.Config(engine, epochs, dropout, architecture: "caption");
        c = c with
        {
            Name = "caption-" + engine,
            Model = c.Model with { CaptionDepth = 1, CaptionDropout = dropout, CaptionContrastiveWeight = 0.5f },
            Train = c.Train with { InitFrom = VitRun() },
        };
        return lexPrefix ? c with { Model = c.Model with { CaptionLexRun = LexRun(), CaptionLexWords = 4 } } : c;
    }

    private static List<(int Step, double Loss)> Losses(string runDir) => TorchSynthFixture.Losses(runDir);

    [TorchTheory]
    [InlineData(false)]
    [InlineData(true)] // with the lexical prefix: the torch model takes the own model's per-batch prefix ids
    public void Ten_caption_steps_on_torch_give_the_own_engines_losses_and_the_checkpoint_captions_on_the_own_engine(bool lexPrefix)
    {
        string own = fx.NewRunDir("caption-own"), tor = fx.NewRunDir("caption-torch");
        Assert.True(new Trainer(CaptionConfig("mw", lexPrefix: lexPrefix), own).Run().Completed);
        Assert.True(new Trainer(CaptionConfig("torch", lexPrefix: lexPrefix), tor).Run().Completed);
        var (la, lb) = TorchSynthFixture.AssertSameLosses(own, tor, $"caption, prefix {lexPrefix}");
        output.WriteLine($"prefix {lexPrefix}: {la.Count} steps, step 1 own {la[0].Loss:R} torch {lb[0].Loss:R}, step 10 own {la[9].Loss:R} torch {lb[9].Loss:R}");
        var log = File.ReadAllText(Path.Combine(tor, Trainer.LogFileName));
        Assert.Contains("engine torch on cpu", log);
        Assert.Contains("training loss: caption", log);
        var checkpoint = Checkpoint.Read(Path.Combine(tor, Checkpoint.LastFileName));
        Assert.Equal("torch", checkpoint.State.Engine);
        Assert.Contains(checkpoint.Model.Keys, k => k.StartsWith(CaptionNetwork.DecoderPrefix, StringComparison.Ordinal));
        Assert.Equal(lexPrefix, checkpoint.Model.ContainsKey(CaptionNetwork.DecoderPrefix + "prefix_type"));

        // the own engine captions from the torch run's last checkpoint
        var run = CaptionRun.Open(tor, "last");
        var captions = run.CaptionSplit("val", new CaptionSearchOptions(Beam: 2, MaxLength: 12), batchSize: 8, limit: 5);
        int expected = Math.Min(5, run.Data.EvalSamples("val").Count);
        Assert.True(expected > 0, "the val split is empty");
        Assert.Equal(expected, captions.Count);
        Assert.All(captions, c => Assert.True(double.IsFinite(c.LogProb) && c.LogProb <= 0, $"{c.Id}: log-probability {c.LogProb}"));
        Assert.Contains(captions, c => !string.IsNullOrWhiteSpace(c.Caption));
        if (lexPrefix) Assert.All(captions, c => Assert.NotNull(c.LexWords));
        output.WriteLine(string.Join("\n", captions.Select(c => $"{c.Id}: {c.Caption}" + (c.LexWords is null ? "" : $" (lex: {string.Join(" ", c.LexWords)})"))));
    }

    [TorchFact]
    public void A_resumed_torch_caption_run_continues_identically_with_dropout()
    {
        string straight = fx.NewRunDir("caption-straight"), resumed = fx.NewRunDir("caption-resumed");
        var config = CaptionConfig("torch", epochs: 2, dropout: 0.1f);
        Assert.True(new Trainer(config, straight).Run().Completed);
        int calls = 0;
        var first = new Trainer(config, resumed) { StepCallback = _ => ++calls < 7 }.Run(); // stops mid-epoch 2
        Assert.False(first.Completed);
        Assert.True(new Trainer(RunConfig.Load(resumed), resumed).Run(resume: true).Completed);
        Assert.True(Losses(straight).Count >= 10);
        Assert.Equal(Losses(straight), Losses(resumed));
        var x = Checkpoint.Read(Path.Combine(straight, Checkpoint.LastFileName));
        var y = Checkpoint.Read(Path.Combine(resumed, Checkpoint.LastFileName));
        foreach (var (name, t) in x.Model) Assert.True(t.Data.SequenceEqual(y.Model[name].Data), $"parameter {name} differs after the resume");
        Assert.True(x.M!.AsSpan().SequenceEqual(y.M!), "Adam first moments differ");
    }
}

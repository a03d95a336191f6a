using MotionWorkbench.Models;
using MotionWorkbench.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace MotionWorkbench.Torch.Tests;

/// <summary>
/// Same weights, same inputs: the TorchSharp models give the own engine's embeddings (max abs difference ≤ 1e-4), loss
/// and gradients of the contrastive loss (≤ 1e-4 of each parameter's largest gradient), at the Smoke preset's sizes
/// with dropout 0, in training mode.
/// </summary>
public sealed class ParityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Variants => new()
    {
        "vit", "vit-cls-distilbert-mean-learnable", "raw", "interaction", "lex", "lex-raw", "lex-captions",
        "resnet", "resnet-frozen", "interaction-resnet", "lex-resnet",
    };

    /// <summary>A small ResNet (stages 1,1,1,2 so that a stage has an identity block, width 4) over the Smoke patch image (64 x 80).</summary>
    private static ModelSpec Resnet(ModelSpec spec) => spec with { ResnetStages = "1,1,1,2", ResnetWidth = 4 };

    internal static (ModelSpec Spec, IReadOnlyList<int>? Words) Variant(string name) => name switch
    {
        "vit" => (Support.Spec(), null),
        "vit-cls-distilbert-mean-learnable" => (Support.Spec() with { VitPooling = "cls", TextKind = "distilbert", TextPooling = "mean", LearnableTemperature = true }, null),
        "raw" => (Support.Spec("raw"), null),
        "interaction" => (Support.Spec("interaction"), null),
        "lex" => (Support.Spec("lex") with { TextKind = "distilbert" }, null),
        "lex-raw" => (Support.Spec("lex") with { LexMotionEncoder = "raw" }, null),
        "lex-captions" => (Support.Spec("lex") with { LexVocabulary = "captions" }, Enumerable.Range(5, 40).Select(i => i * 2 % Support.Vocab).ToList()),
        "resnet" => (Resnet(Support.Spec("resnet")), null),
        "resnet-frozen" => (Resnet(Support.Spec("resnet")) with { ResnetBatchNorm = "frozen" }, null),
        "interaction-resnet" => (Resnet(Support.Spec("interaction")) with { MotionEncoder = "resnet" }, null),
        "lex-resnet" => (Resnet(Support.Spec("lex")) with { LexMotionEncoder = "resnet" }, null),
        _ => throw new ArgumentException(name),
    };

    [TorchTheory]
    [MemberData(nameof(Variants))]
    public void Embeddings_loss_and_gradients_match_the_own_engine(string variant)
    {
        var (spec, words) = Variant(variant);
        var own = Support.Own(spec, 7, words);
        using var scope = torch.NewDisposeScope();
        using var model = TorchModels.Create(spec, own, torch.CPU);
        Assert.Equal(spec.Architecture, model.Architecture);
        Assert.Equal(own.Module.NamedParameters().Select(p => p.Name), model.NamedParameters().Select(p => p.Name));

        var motionBatch = Support.Motion(spec, 11, 4);
        var textBatch = Support.Text(12, 4, 8);
        foreach (var p in own.Module.Parameters()) p.ZeroGrad();
        var ownMotion = own.EncodeMotion(motionBatch);
        var ownText = own.EncodeText(textBatch);
        var ownLoss = own.ContrastiveLoss(ownText, ownMotion);
        float ownLossValue = ownLoss.Item();
        var ownMotionCopy = ownMotion.Detach();  // Backward releases the graph's pooled buffers
        var ownTextCopy = ownText.Detach();
        ownLoss.Backward();

        var motion = model.EncodeMotion(motionBatch);
        var text = model.EncodeText(textBatch);
        var loss = model.ContrastiveLoss(text, motion);
        loss.backward();

        double dm = Support.MaxAbsDiff(ownMotionCopy, motion), dt = Support.MaxAbsDiff(ownTextCopy, text);
        float lossValue = loss.ToWorkbench().Item();
        output.WriteLine($"{variant}: motion embeddings max |Δ| {dm:E2}, text {dt:E2}, loss own {ownLossValue:G7} torch {lossValue:G7}");
        Assert.True(dm <= 1e-4, $"{variant}: motion embeddings differ by {dm:E3}");
        Assert.True(dt <= 1e-4, $"{variant}: text embeddings differ by {dt:E3}");
        Assert.True(Math.Abs(lossValue - ownLossValue) <= 1e-4 * Math.Abs(ownLossValue), $"{variant}: loss own {ownLossValue} torch {lossValue}");

        var ownParams = own.Module.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        double globalScale = own.Module.Parameters().Where(t => t.HasGrad).Max(t => Support.MaxAbs(t.Grad));
        double worstRelative = 0;
        string worstName = "";
        int compared = 0;
        foreach (var (name, p) in model.NamedParameters())
        {
            var o = ownParams[name];
            var ownGrad = o.HasGrad ? o.Grad.ToArray() : new float[o.Size];
            var grad = p.grad;
            var torchGrad = grad is null ? new float[o.Size] : grad.ToWorkbench().ToArray();
            double scale = Support.MaxAbs(ownGrad);
            double diff = Support.MaxAbsDiff(ownGrad, torchGrad);
            if (name.EndsWith("k_lin.bias", StringComparison.Ordinal))
            {
                // exactly 0 in exact arithmetic (a key bias shifts each softmax row by a constant): both engines give rounding noise
                Assert.True(scale <= 1e-5 * globalScale && Support.MaxAbs(torchGrad) <= 1e-5 * globalScale, $"{variant}: {name} should have a ~0 gradient, own {scale:E3}, torch {Support.MaxAbs(torchGrad):E3}");
                continue;
            }
            if (scale == 0) { Assert.True(diff == 0, $"{variant}: {name} has no own-engine gradient, torch's is up to {diff:E3}"); continue; }
            double relative = diff / scale;
            if (relative > worstRelative) { worstRelative = relative; worstName = name; }
            compared++;
        }
        output.WriteLine($"{variant}: {compared} parameter gradients, worst max |Δ| / max |g| {worstRelative:E2} ({worstName})");
        Assert.True(compared >= 10, $"{variant}: only {compared} parameters have gradients");
        Assert.True(worstRelative <= 1e-4, $"{variant}: the gradient of {worstName} differs by {worstRelative:E3} of its largest entry");
    }

    [TorchTheory]
    [MemberData(nameof(Variants))]
    public void Parameter_groups_are_the_own_models_by_name(string variant)
    {
        var (spec, words) = Variant(variant);
        var own = Support.Own(spec, 7, words);
        using var model = TorchModels.Create(spec, own, torch.CPU);
        var names = new Dictionary<MotionWorkbench.Tensors.Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, t) in own.Module.NamedParameters()) names[t] = n;
        var torchNames = new Dictionary<TorchSharp.Modules.Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, p) in model.NamedParameters()) torchNames[p] = n;
        var ownGroups = own.ParameterGroups();
        var groups = model.ParameterGroups();
        Assert.Equal(ownGroups.Select(g => g.Group), groups.Select(g => g.Group));
        for (int i = 0; i < groups.Count; i++)
            Assert.Equal(ownGroups[i].Parameters.Select(t => names[t]), groups[i].Parameters.Select(p => torchNames[p]));
        Assert.Contains(groups, g => g.Group == "heads");
        if (spec.LearnableTemperature) Assert.Equal(["logit_scale"], groups.Single(g => g.Group == "temperature").Parameters.Select(p => torchNames[p]));
    }

    [TorchFact]
    public void Bag_is_refused_with_a_message_naming_it()
    {
        var spec = Support.Spec("bag");
        var own = Support.Own(spec);
        var e = Assert.Throws<NotSupportedException>(() => TorchModels.Create(spec, own, torch.CPU));
        Assert.Contains("bag", e.Message, StringComparison.Ordinal);
        Assert.Contains("train.engine = mw", e.Message, StringComparison.Ordinal);
    }

    [TorchTheory]
    [InlineData(MotionWorkbench.Models.TextEncoderKind.Bert)]
    [InlineData(MotionWorkbench.Models.TextEncoderKind.DistilBert)]
    public void Masked_language_model_loss_and_gradients_match_the_own_engine(MotionWorkbench.Models.TextEncoderKind kind)
    {
        var config = new MotionWorkbench.Models.TextEncoderConfig(kind, 64, 2, 2, 128, Support.Vocab, 16, Dropout: 0f);
        var own = new MotionWorkbench.Models.MaskedLanguageModel(config, 9);
        var text = Support.Text(40, 4, 10);
        var labels = new int[text.InputIds.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = text.AttentionMask[i] == 1 && i % 3 == 1 ? text.InputIds[i] : MotionWorkbench.Text.MaskedLanguageModelMasker.IgnoreLabel;
        var batch = new MotionWorkbench.Text.MaskedLanguageModelBatch(text.InputIds, text.AttentionMask, labels, 4, 10);
        foreach (var p in own.Parameters()) p.ZeroGrad();
        var ownLoss = own.Loss(batch);
        float ownValue = ownLoss.Item();
        ownLoss.Backward();

        using var scope = torch.NewDisposeScope();
        using var model = new TorchMaskedLanguageModel(own, torch.CPU);
        var (ids, mask) = TorchInterop.ToTorch(text, torch.CPU);
        var loss = model.Loss(ids, mask, torch.tensor(Array.ConvertAll(labels, v => (long)v), [4, 10]));
        loss.backward();
        float value = loss.ToWorkbench().Item();
        Assert.True(Math.Abs(value - ownValue) <= 1e-4 * ownValue, $"MLM loss own {ownValue} torch {value}");
        double worst = 0;
        foreach (var (name, t) in own.NamedParameters())
        {
            if (name.EndsWith("k_lin.bias", StringComparison.Ordinal)) continue; // exactly 0 up to rounding (see above)
            var g = t.Grad.ToArray();
            worst = Math.Max(worst, Support.MaxAbsDiff(g, model.Get(name).grad!.ToWorkbench().ToArray()) / Support.MaxAbs(g));
        }
        output.WriteLine($"{kind} MLM: loss {ownValue:G7} / {value:G7}, worst relative gradient difference {worst:E2}");
        Assert.True(worst <= 1e-4, $"{kind} MLM gradients differ by {worst:E3} of the largest entry");
    }

    [TorchFact]
    public void With_dropout_eval_mode_matches_the_own_engine_and_training_mode_drops()
    {
        var spec = RunConfig.Smoke.Model with { VitDropout = 0.1f, TextDropout = 0.1f, HeadDropout = 0.5f, TextMaxPositions = 16 };
        var own = Support.Own(spec, 3);
        own.Module.Eval();
        var motionBatch = Support.Motion(spec, 61, 3);
        var textBatch = Support.Text(62, 3, 8);
        MotionWorkbench.Tensors.Tensor ownMotion, ownText;
        using (MotionWorkbench.Tensors.Autograd.NoGrad()) { ownMotion = own.EncodeMotion(motionBatch).Detach(); ownText = own.EncodeText(textBatch).Detach(); }
        using var scope = torch.NewDisposeScope();
        using var model = TorchModels.Create(spec, own, torch.CPU);
        Assert.False(model.Training); // the own model's mode is copied
        using var _ = torch.no_grad();
        Assert.True(Support.MaxAbsDiff(ownMotion, model.EncodeMotion(motionBatch)) <= 1e-4);
        Assert.True(Support.MaxAbsDiff(ownText, model.EncodeText(textBatch)) <= 1e-4);
        model.Train();
        var a = model.EncodeMotion(motionBatch);
        var b = model.EncodeMotion(motionBatch);
        Assert.True(Support.MaxAbsDiff(a.ToWorkbench(), b) > 1e-3, "two training-mode forwards should draw different dropout masks");
        Assert.True(Support.MaxAbsDiff(ownMotion, a) > 1e-3, "a training-mode forward should differ from evaluation");
    }
}

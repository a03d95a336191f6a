using MotionWorkbench.Models;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace MotionWorkbench.Torch.Tests;

/// <summary>One <c>.safetensors</c> file loads in either engine: a model saved by one gives the same embeddings in the other (max |Δ| ≤ 1e-4).</summary>
public sealed class CheckpointTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mw-torch-ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (MotionWorkbench.Tensors.Tensor Motion, MotionWorkbench.Tensors.Tensor Text) OwnEmbeddings(IRetrievalModel own, ModelSpec spec)
    {
        own.Module.Eval();
        using var _ = MotionWorkbench.Tensors.Autograd.NoGrad();
        return (own.EncodeMotion(Support.Motion(spec, 21, 3)).Detach(), own.EncodeText(Support.Text(22, 3, 8)).Detach());
    }

    private static (torch.Tensor Motion, torch.Tensor Text) TorchEmbeddings(TorchRetrievalModel model, ModelSpec spec)
    {
        model.Eval();
        using var _ = torch.no_grad();
        return (model.EncodeMotion(Support.Motion(spec, 21, 3)), model.EncodeText(Support.Text(22, 3, 8)));
    }

    [TorchTheory]
    [InlineData("vit")]
    [InlineData("raw")]
    [InlineData("interaction")]
    [InlineData("lex")]
    public void A_checkpoint_of_the_own_engine_loads_into_the_torch_model(string architecture)
    {
        var (spec, words) = ParityTests.Variant(architecture);
        var trained = Support.Own(spec, 41, words);
        var path = Path.Combine(dir, "last.safetensors");
        Checkpoint.Save(path, RunConfig.Smoke with { Model = spec }, trained.Module, new TrainerState { Engine = "mw" });
        var expected = OwnEmbeddings(trained, spec);

        var weights = Checkpoint.Read(path).Model;
        using var scope = torch.NewDisposeScope();
        using var model = TorchModels.Create(spec, Support.Own(spec, 99, words), torch.CPU); // other initial weights
        var before = TorchEmbeddings(model, spec);
        Assert.True(Support.MaxAbsDiff(expected.Motion, before.Motion) > 1e-3, "the fresh torch model should differ before the load");
        model.LoadStateDict(weights, strict: true, source: path);
        var after = TorchEmbeddings(model, spec);
        double dm = Support.MaxAbsDiff(expected.Motion, after.Motion), dt = Support.MaxAbsDiff(expected.Text, after.Text);
        output.WriteLine($"{architecture}: own checkpoint -> torch: motion max |Δ| {dm:E2}, text {dt:E2}");
        Assert.True(dm <= 1e-4 && dt <= 1e-4, $"{architecture}: motion {dm:E3}, text {dt:E3}");
    }

    [TorchTheory]
    [InlineData("vit")]
    [InlineData("raw")]
    [InlineData("interaction")]
    [InlineData("lex")]
    public void Weights_changed_by_torch_and_saved_load_into_the_own_engine(string architecture)
    {
        var (spec, words) = ParityTests.Variant(architecture);
        using var scope = torch.NewDisposeScope();
        using var model = TorchModels.Create(spec, Support.Own(spec, 5, words), torch.CPU);
        // one plain gradient step on the torch side, so the saved weights are the torch engine's own
        var loss = model.ContrastiveLoss(model.EncodeText(Support.Text(30, 4, 8)), model.EncodeMotion(Support.Motion(spec, 31, 4)));
        loss.backward();
        using (torch.no_grad())
            foreach (var p in model.Parameters())
                if (p.grad is { } g) p.sub_(g * 0.05f);
        var expected = TorchEmbeddings(model, spec);

        // (a) the state dict as a plain model file, read by the own engine's loader
        var modelFile = Path.Combine(dir, "model.safetensors");
        Safetensors.Write(modelFile, model.StateDict().Select(kv => (kv.Key, kv.Value)));
        var own = Support.Own(spec, 77, words);
        Safetensors.Load(own.Module, modelFile);
        var a = OwnEmbeddings(own, spec);

        // (b) a run checkpoint (model.* names, trainer state) written from the torch weights and read back
        var ckpt = Path.Combine(dir, "best.safetensors");
        var shell = Support.Own(spec, 78, words);
        model.CopyTo(shell.Module);
        Checkpoint.Save(ckpt, RunConfig.Smoke with { Model = spec }, shell.Module, new TrainerState { Engine = "torch" });
        var own2 = Support.Own(spec, 79, words);
        own2.Module.LoadStateDict(Checkpoint.Read(ckpt).Model, strict: true, source: ckpt);
        var b = OwnEmbeddings(own2, spec);

        double da = Math.Max(Support.MaxAbsDiff(a.Motion, expected.Motion), Support.MaxAbsDiff(a.Text, expected.Text));
        double db = Math.Max(Support.MaxAbsDiff(b.Motion, expected.Motion), Support.MaxAbsDiff(b.Text, expected.Text));
        output.WriteLine($"{architecture}: torch weights -> own engine: model file max |Δ| {da:E2}, checkpoint {db:E2}");
        Assert.True(da <= 1e-4, $"{architecture}: model file {da:E3}");
        Assert.True(db <= 1e-4, $"{architecture}: checkpoint {db:E3}");
    }

    [TorchFact]
    public void A_state_dict_of_another_shape_is_refused_naming_the_tensor()
    {
        var spec = Support.Spec();
        using var model = TorchModels.Create(spec, Support.Own(spec), torch.CPU);
        var state = model.StateDict();
        state["motion_head.fc.weight"] = MotionWorkbench.Tensors.Tensor.Zeros(3, 3);
        state.Remove("text_head.fc.bias");
        var e = Assert.Throws<InvalidDataException>(() => model.LoadStateDict(state, source: "bad.safetensors"));
        Assert.Contains("motion_head.fc.weight: bad.safetensors has (3, 3)", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing keys: text_head.fc.bias", e.Message, StringComparison.Ordinal);
    }

    [TorchFact]
    public void A_model_file_saved_by_the_own_engine_opens_as_a_torch_model()
    {
        var spec = Support.Spec();
        var own = (TransformerModel)Support.Own(spec, 17);
        var path = Path.Combine(dir, "model.safetensors");
        own.Model.Save(path);
        var loaded = MotionWorkbench.Models.MotionTextModel.Load(path);
        using var scope = torch.NewDisposeScope();
        using var model = TorchModels.Create(loaded, torch.CPU);
        Assert.Equal("vit", model.Architecture);
        var expected = OwnEmbeddings(own, spec);
        var actual = TorchEmbeddings(model, spec);
        Assert.True(Support.MaxAbsDiff(expected.Motion, actual.Motion) <= 1e-4);
        Assert.True(Support.MaxAbsDiff(expected.Text, actual.Text) <= 1e-4);
        Assert.Throws<NotSupportedException>(() => TorchModels.Create(new MotionWorkbench.Models.ProjectionHead(4, 4, 0f, 1), torch.CPU));
    }
}

using MotionWorkbench.Models;
using MotionWorkbench.Training;
using TorchSharp;
using WTensor = MotionWorkbench.Tensors.Tensor;

namespace MotionWorkbench.Torch.Tests;

public sealed class InteropTests
{
    [TorchFact]
    public void Workbench_tensors_round_trip_through_torch_with_shape_and_values()
    {
        var values = Support.Random(1, 2 * 3 * 4);
        var w = WTensor.FromArray(values, 2, 3, 4);
        using var t = w.ToTorch(torch.CPU);
        Assert.Equal(new long[] { 2, 3, 4 }, t.shape);
        Assert.Equal(torch.ScalarType.Float32, t.dtype);
        Assert.Equal(values[1 * 12 + 2 * 4 + 3], t[1, 2, 3].item<float>());
        var back = t.ToWorkbench();
        Assert.Equal(new[] { 2, 3, 4 }, back.Shape);
        Assert.Equal(values, back.ToArray());
        using var g = w.ToTorch(requiresGrad: true);
        Assert.True(g.requires_grad);
    }

    [TorchFact]
    public void Other_dtypes_and_scalars_convert_to_float32()
    {
        using var d = torch.tensor(new double[] { 1.5, -2.25 }, [2]);
        Assert.Equal(new[] { 1.5f, -2.25f }, d.ToWorkbench().ToArray());
        using var s = torch.tensor(3.5f);
        var w = s.ToWorkbench();
        Assert.Equal(new[] { 1 }, w.Shape);
        Assert.Equal(3.5f, w.Item());
    }

    [TorchFact]
    public void Embeddings_go_to_an_n_by_d_tensor_and_back()
    {
        var rows = new[] { new float[] { 1, 2, 3 }, new float[] { 4, 5, 6 } };
        using var t = TorchInterop.EmbeddingsToTorch(rows);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(6f, t[1, 2].item<float>());
        var back = TorchInterop.ToEmbeddings(t);
        Assert.Equal(rows, back);
        var e = Assert.Throws<ArgumentException>(() => TorchInterop.EmbeddingsToTorch([new float[3], new float[2]]));
        Assert.Contains("row 1 has 2 values, row 0 has 3", e.Message, StringComparison.Ordinal);
        using var v = torch.zeros(4);
        Assert.Throws<ArgumentException>(() => TorchInterop.ToEmbeddings(v));
    }

    [TorchFact]
    public void Trainer_batches_become_torch_inputs()
    {
        var spec = Support.Spec("raw");
        var raw = Support.Motion(spec, 3, 3);
        var input = TorchInterop.ToTorch(raw, torch.CPU);
        Assert.Equal(new long[] { 3, spec.MaxFrames, 3 * Support.Joints }, input.Values.shape);
        var pad = input.PaddingMask!;
        Assert.Equal(torch.ScalarType.Bool, pad.dtype);
        Assert.Equal(new long[] { 3, spec.MaxFrames }, pad.shape);
        Assert.Equal(raw.Raw!.Lengths[2], spec.MaxFrames - pad[2].sum().item<long>()); // padded frames = T - length
        Assert.False(pad[0, 0].item<bool>());

        var pair = TorchInterop.ToTorch(Support.Motion(Support.Spec("interaction"), 4, 2), torch.CPU);
        Assert.NotNull(pair.Partner);
        Assert.Equal(new long[] { 2, 3, 64, 80 }, pair.Values.shape);
        Assert.NotEqual(pair.Values[0, 0, 0, 0].item<float>(), pair.Partner![0, 0, 0, 0].item<float>());

        var text = Support.Text(5, 3, 6);
        var (ids, mask) = TorchInterop.ToTorch(text, torch.CPU);
        Assert.Equal(torch.ScalarType.Int64, ids.dtype);
        Assert.Equal(new long[] { 3, 6 }, ids.shape);
        Assert.Equal(text.InputIds[7], ids[1, 1].item<long>());
        Assert.Equal(text.RowLength(2), mask[2].sum().item<long>());
    }

    [TorchFact]
    public void A_reused_patch_buffer_longer_than_the_batch_is_cut_to_it()
    {
        var spec = Support.Spec();
        var p = Support.Patches(1, 4, spec);
        var shorter = p with { BatchSize = 2 };
        var input = TorchInterop.ToTorch(MotionBatch.Of(shorter), torch.CPU);
        Assert.Equal(new long[] { 2, 3, 64, 80 }, input.Values.shape);
        Assert.Equal(p.Data[2 * p.SampleLength - 1], input.Values[1, 2, 63, 79].item<float>());
    }

    [TorchFact]
    public void A_token_id_outside_the_vocabulary_is_named_before_it_reaches_the_device()
    {
        var spec = Support.Spec();
        using var model = TorchModels.Create(spec, Support.Own(spec), torch.CPU);
        var text = Support.Text(1, 2, 4);
        text.InputIds[3] = Support.Vocab + 7;
        var e = Assert.Throws<ArgumentException>(() => model.EncodeText(text));
        Assert.Contains($"token id {Support.Vocab + 7} is outside the vocabulary of {Support.Vocab}", e.Message, StringComparison.Ordinal);
    }
}

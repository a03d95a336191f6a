using MotionWorkbench.Models;
using MotionWorkbench.Text;
using TorchSharp;
using WTensor = MotionWorkbench.Tensors.Tensor;

namespace MotionWorkbench.Torch;

/// <summary>
/// A batch of motions as torch tensors, on the model's device. ViT: <see cref="Values"/> (B, 3, T, 5N) patches.
/// Raw sequences: <see cref="Values"/> (B, T, 3J) with <see cref="PaddingMask"/> (B, T) bool, true = padded frame.
/// Interaction: <see cref="Values"/> person 1's and <see cref="Partner"/> person 2's (B, 3, T, 5N) patches.
/// </summary>
public sealed record TorchMotionInput(torch.Tensor Values, torch.Tensor? PaddingMask = null, torch.Tensor? Partner = null);

/// <summary>
/// Conversions between the workbench's tensors and batches and TorchSharp's <c>torch.Tensor</c>: float32, shapes kept,
/// row-major; every result is a copy (a workbench tensor's buffer may be pooled, a torch tensor may live on a GPU).
/// </summary>
public static class TorchInterop
{
    /// <summary>A workbench tensor as a float32 torch tensor of the same shape on <paramref name="device"/> (CPU when null).</summary>
    public static torch.Tensor ToTorch(this WTensor tensor, torch.Device? device = null, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        TorchRuntime.EnsureAvailable();
        return FromFloats(tensor.ToArray(), tensor.Shape, device, requiresGrad);
    }

    /// <summary>A torch tensor (any real dtype, any device) as a workbench float32 tensor of the same shape (a 0-dim tensor becomes shape (1)).</summary>
    public static WTensor ToWorkbench(this torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.is_complex()) throw new ArgumentException($"cannot convert a complex torch tensor ({tensor.dtype}) to a workbench float32 tensor");
        var shape = tensor.shape.Length == 0 ? [1] : tensor.shape.Select(d => checked((int)d)).ToArray();
        using var cpu = tensor.detach().to(torch.ScalarType.Float32, torch.CPU).contiguous();
        return WTensor.FromArray(cpu.data<float>().ToArray(), shape);
    }

    /// <summary>Embedding rows (N of length E) as an (N, E) float32 tensor on <paramref name="device"/>.</summary>
    public static torch.Tensor EmbeddingsToTorch(IReadOnlyList<float[]> rows, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        TorchRuntime.EnsureAvailable();
        int n = rows.Count, d = n == 0 ? 0 : rows[0].Length;
        var flat = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            if (rows[i] is null || rows[i].Length != d) throw new ArgumentException($"embeddings: row {i} has {rows[i]?.Length ?? 0} values, row 0 has {d}");
            rows[i].CopyTo(flat, i * d);
        }
        return FromFloats(flat, [n, d], device, false);
    }

    /// <summary>An (N, E) tensor (any device) as N embedding rows of length E.</summary>
    public static float[][] ToEmbeddings(torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 2) throw new ArgumentException($"embeddings must be an (N, E) tensor, got shape ({string.Join(", ", tensor.shape)})");
        var w = tensor.ToWorkbench();
        int n = w.Shape[0], d = w.Shape[1];
        var data = w.ToArray();
        var rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = data.AsSpan(i * d, d).ToArray();
        return rows;
    }

    /// <summary>
    /// A trainer/evaluator motion batch as torch input on <paramref name="device"/>: patches (B, 3, T, 5N); raw frames
    /// (B, T, 3J) with the padding mask (B, T) (true where the batch's mask is 0); or both people's patches.
    /// </summary>
    public static TorchMotionInput ToTorch(MotionBatch batch, torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TorchRuntime.EnsureAvailable();
        switch (batch.Representation)
        {
            case MotionRepresentation.RawSequence:
            {
                var raw = batch.RequireRaw("the torch model");
                int size = raw.BatchSize * raw.Frames * raw.Features;
                var values = FromFloats(raw.Data.AsSpan(0, size).ToArray(), raw.Shape, device, false);
                var padded = new bool[raw.BatchSize * raw.Frames];
                for (int i = 0; i < padded.Length; i++) padded[i] = raw.Mask[i] == 0f;
                var mask = torch.tensor(padded, [raw.BatchSize, raw.Frames], device: device);
                return new TorchMotionInput(values, mask);
            }
            case MotionRepresentation.PatchPair:
            {
                var (p1, p2) = batch.RequirePair("the torch interaction model");
                return new TorchMotionInput(Patches(p1, device), Partner: Patches(p2, device));
            }
            default:
                return new TorchMotionInput(Patches(batch.RequirePatches("the torch model"), device));
        }
    }

    /// <summary>Token ids and attention mask (1 = real token) as (B, L) int64 tensors on <paramref name="device"/>.</summary>
    public static (torch.Tensor InputIds, torch.Tensor AttentionMask) ToTorch(EncodedBatch batch, torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TorchRuntime.EnsureAvailable();
        int n = batch.BatchSize * batch.Length;
        if (batch.InputIds.Length != n || batch.AttentionMask.Length != n)
            throw new ArgumentException($"encoded batch: {batch.InputIds.Length} ids and {batch.AttentionMask.Length} mask entries for a ({batch.BatchSize}, {batch.Length}) batch");
        var ids = torch.tensor(Array.ConvertAll(batch.InputIds, v => (long)v), [batch.BatchSize, batch.Length], device: device);
        var mask = torch.tensor(Array.ConvertAll(batch.AttentionMask, v => (long)v), [batch.BatchSize, batch.Length], device: device);
        return (ids, mask);
    }

    private static torch.Tensor Patches(MotionWorkbench.Patches.PatchBatch p, torch.Device device) =>
        FromFloats(p.Data.AsSpan(0, p.BatchSize * p.SampleLength).ToArray(), p.Shape, device, false);

    internal static torch.Tensor FromFloats(float[] values, int[] shape, torch.Device? device, bool requiresGrad)
    {
        var dims = Array.ConvertAll(shape, d => (long)d);
        var t = torch.tensor(values, dims, torch.ScalarType.Float32, torch.CPU);
        if (device is null || device.type == DeviceType.CPU)
        {
            if (requiresGrad) t.requires_grad_(true);
            return t;
        }
        var moved = t.to(device, disposeAfter: true);
        if (requiresGrad) moved.requires_grad_(true);
        return moved;
    }
}

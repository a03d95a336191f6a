using System.Globalization;
using System.Text.RegularExpressions;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Models;

/// <summary>
/// Loads a ResNet state dict with torchvision's names (<c>conv1.weight</c>, <c>bn1.running_mean</c>,
/// <c>layer4.1.downsample.0.weight</c>, ...) from a <c>.safetensors</c> file into a <see cref="ResNetEncoder"/>: every
/// parameter and running statistic, strictly (missing, unexpected and mis-shaped tensors are listed). PyTorch's
/// <c>num_batches_tracked</c> counters are dropped (momentum 0.1 does not use them). Before anything is copied it says
/// plainly when the file is not a torchvision-named ResNet, when its stage depths differ from the model's (e.g. the
/// ImageNet export's [2, 2, 2, 3] into a [2, 2, 2, 2] model), and when a running variance is negative or not finite.
/// </summary>
public static partial class ResNetCheckpoint
{
    [GeneratedRegex(@"^layer([1-4])\.(\d+)\.")]
    private static partial Regex BlockKey();

    /// <summary>The stage depths a set of torchvision names describes (the largest block index + 1 per layer; 0 where a layer is absent).</summary>
    public static int[] StagesOf(IEnumerable<string> keys)
    {
        var stages = new int[4];
        foreach (var key in keys)
        {
            var m = BlockKey().Match(key);
            if (!m.Success) continue;
            int layer = m.Groups[1].Value[0] - '1', block = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            stages[layer] = Math.Max(stages[layer], block + 1);
        }
        return stages;
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="encoder"/>; throws <see cref="InvalidDataException"/> naming the file and what is wrong.</summary>
    public static ImportReport Load(ResNetEncoder encoder, string path)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var (tensors, _) = Safetensors.Read(path);
        return Load(encoder, tensors, path);
    }

    /// <summary>Loads a state dict read from <paramref name="source"/> (a file name, for messages).</summary>
    public static ImportReport Load(ResNetEncoder encoder, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!tensors.ContainsKey("conv1.weight") || !tensors.Keys.Any(k => k.StartsWith("layer1.0.", StringComparison.Ordinal)))
            throw new InvalidDataException($"{source}: not a ResNet state dict with torchvision names (no conv1.weight and layer1.0.*); its keys begin {Tensors.Nn.Module.FirstFew(tensors.Keys.Order(StringComparer.Ordinal).ToList(), ", ")}");
        var fileStages = StagesOf(tensors.Keys);
        var ours = encoder.Config.Stages;
        if (!fileStages.AsSpan().SequenceEqual(ours))
            throw new InvalidDataException($"{source}: the weights have stage depths [{string.Join(", ", fileStages)}], the model is configured for [{string.Join(", ", ours)}] " +
                $"(set the ResNet stages to {string.Join(",", fileStages)}: model.resnetStages={string.Join(",", fileStages)} in a run, ResNetConfig.Stages in code; the ImageNet ResNet-18 of ResNet18.onnx has 2,2,2,3, torchvision's resnet18 2,2,2,2)");
        var dropped = tensors.Keys.Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var state = tensors.Where(kv => !kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        encoder.LoadStateDict(state, strict: true, source);
        return new ImportReport(encoder.NamedState().Select(p => p.Name).ToList(), dropped.Select(k => k + " (BatchNorm step counter, unused)").ToList(), []);
    }
}

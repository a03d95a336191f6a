using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Pretrained;

/// <summary>The layout of a converted ResNet: BasicBlocks per stage, stage widths, batch-norm epsilon.</summary>
public sealed record ResNetLayout(int[] Stages, int[] Widths, float BatchNormEps);

/// <summary>
/// Names a BasicBlock ResNet's ONNX weights with torchvision's parameter names by walking the graph: the stem is the
/// Conv that reads the graph input and its BatchNormalization (<c>conv1</c>, <c>bn1</c>); every residual Add is one block,
/// whose main path is BN ← Conv ← Relu ← BN ← Conv ← x (<c>conv1, bn1, conv2, bn2</c>) and whose shortcut is x itself or
/// BN ← Conv ← x (<c>downsample.0</c>, <c>downsample.1</c>); blocks are numbered in graph order and a new stage starts where
/// the width changes (<c>layer1.0</c> … <c>layer4.2</c>). A batch norm gives <c>weight</c> (scale), <c>bias</c>,
/// <c>running_mean</c> and <c>running_var</c>. Anything else (a conv with a bias, grouped or dilated convs, a conv or
/// batch norm outside this pattern, different epsilons) is an error naming the node.
/// </summary>
public static class ResNetOnnxNames
{
    /// <summary>The tensors in torchvision's state-dict order (conv1, bn1, conv2, bn2, downsample per block) and the layout.</summary>
    public static (List<(string Name, Tensor Tensor)> Tensors, ResNetLayout Layout) StateDict(OnnxGraph graph, string source)
    {
        var tensors = new List<(string, Tensor)>();
        var used = new HashSet<OnnxNode>(ReferenceEqualityComparer.Instance);
        var eps = new List<float>();
        InvalidDataException Error(string what) => new($"{source}: the graph's names cannot be mapped to a torchvision ResNet: {what}");

        var stemConv = graph.Nodes.FirstOrDefault(n => n.OpType == "Conv" && n.Inputs.Count > 0 && graph.Inputs.Contains(n.Inputs[0]) && graph.Initializer(n.Inputs[0]) is null)
            ?? throw Error("no Conv reads the graph input");
        var stemBn = SingleConsumer(graph, stemConv, "BatchNormalization") ?? throw Error($"{stemConv.Describe()} (the stem) is not followed by one BatchNormalization");
        AddConv("conv1", stemConv);
        AddBatchNorm("bn1", stemBn);

        var stages = new List<int>();
        var widths = new List<int>();
        foreach (var add in graph.Nodes.Where(n => n.OpType == "Add"))
        {
            if (add.Inputs.Count != 2) throw Error($"{add.Describe()} has {add.Inputs.Count} inputs");
            var block = MainPath(graph, add.Inputs[0], add.Inputs[1]) ?? MainPath(graph, add.Inputs[1], add.Inputs[0])
                ?? throw Error($"{add.Describe()} is not a residual add of a BasicBlock (BN <- Conv <- Relu <- BN <- Conv <- x, plus x or BN <- Conv <- x)");
            int width = (int)Weight(block.Conv2).Dims[0];
            if (widths.Count == 0 || widths[^1] != width) { widths.Add(width); stages.Add(0); }
            else if (block.Downsample is not null) throw Error($"{add.Describe()}: a downsampling block inside a stage of width {width}");
            string p = $"layer{stages.Count}.{stages[^1]}.";
            stages[^1]++;
            AddConv(p + "conv1", block.Conv1);
            AddBatchNorm(p + "bn1", block.Bn1);
            AddConv(p + "conv2", block.Conv2);
            AddBatchNorm(p + "bn2", block.Bn2);
            if (block.Downsample is { } d)
            {
                AddConv(p + "downsample.0", d.Conv);
                AddBatchNorm(p + "downsample.1", d.Bn);
            }
        }
        if (stages.Count == 0) throw Error("the graph has no residual Add");
        var stray = graph.Nodes.Where(n => n.OpType is "Conv" or "BatchNormalization" && !used.Contains(n)).ToList();
        if (stray.Count > 0) throw Error($"{stray.Count} Conv/BatchNormalization nodes are outside the stem and the blocks (first: {stray[0].Describe()})");
        if (eps.Distinct().Count() > 1) throw Error($"the batch norms use different epsilons ({string.Join(", ", eps.Distinct())})");
        return (tensors, new ResNetLayout(stages.ToArray(), widths.ToArray(), eps[0]));

        void AddConv(string name, OnnxNode conv)
        {
            if (!used.Add(conv)) throw Error($"{conv.Describe()} would be both '{name}' and another convolution");
            if (conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0) throw Error($"{conv.Describe()} ('{name}') has a bias; torchvision's ResNet convolutions have none");
            if (conv.Attribute("group") is { Int: not 1 } g) throw Error($"{conv.Describe()} ('{name}') is grouped (group {g.Int})");
            if (conv.Attribute("dilations") is { } dl && dl.Ints.Any(v => v != 1)) throw Error($"{conv.Describe()} ('{name}') is dilated");
            var w = Weight(conv);
            if (w.Dims.Length != 4) throw Error($"{conv.Describe()} ('{name}') has a weight {w.FormatDims()}, not (out, in, kh, kw)");
            tensors.Add((name + ".weight", Tensor.Wrap(w.Floats!, w.Shape)));
        }

        void AddBatchNorm(string name, OnnxNode bn)
        {
            if (!used.Add(bn)) throw Error($"{bn.Describe()} would be both '{name}' and another batch norm");
            if (bn.Inputs.Count != 5) throw Error($"{bn.Describe()} ('{name}') has {bn.Inputs.Count} inputs, expected X, scale, B, mean, var");
            if (bn.Attribute("spatial") is { Int: not 1 }) throw Error($"{bn.Describe()} ('{name}') is not spatial (per-activation batch norm)");
            eps.Add(bn.Attribute("epsilon")?.Float ?? 1e-5f);
            string[] suffixes = ["weight", "bias", "running_mean", "running_var"];
            int C = -1;
            for (int i = 0; i < 4; i++)
            {
                var t = graph.Initializer(bn.Inputs[i + 1]);
                if (t is not { DataType: OnnxDataType.Float, Dims.Length: 1 }) throw Error($"{bn.Describe()} ('{name}'): input '{bn.Inputs[i + 1]}' ({suffixes[i]}) is not a 1-d FP32 initializer");
                if (C >= 0 && t!.Dims[0] != C) throw Error($"{bn.Describe()} ('{name}'): {suffixes[i]} has {t.Dims[0]} channels, {suffixes[0]} {C}");
                C = (int)t!.Dims[0];
                tensors.Add(($"{name}.{suffixes[i]}", Tensor.Wrap(t.Floats!, C)));
            }
        }

        OnnxTensor Weight(OnnxNode conv) =>
            conv.Inputs.Count >= 2 && graph.Initializer(conv.Inputs[1]) is { DataType: OnnxDataType.Float } w ? w : throw new InvalidDataException($"{source}: the graph's names cannot be mapped to a torchvision ResNet: {conv.Describe()} has no FP32 weight initializer");
    }

    private sealed record Block(OnnxNode Conv1, OnnxNode Bn1, OnnxNode Conv2, OnnxNode Bn2, (OnnxNode Conv, OnnxNode Bn)? Downsample);

    /// <summary>The block when <paramref name="main"/> is its main path and <paramref name="shortcut"/> its shortcut.</summary>
    private static Block? MainPath(OnnxGraph graph, string main, string shortcut)
    {
        if (ConvBn(graph, main) is not var (conv2, bn2)) return null;
        if (graph.Producer(conv2.Inputs[0]) is not { OpType: "Relu" } relu || ConvBn(graph, relu.Inputs[0]) is not var (conv1, bn1)) return null;
        string x = conv1.Inputs[0];
        if (shortcut == x) return new Block(conv1, bn1, conv2, bn2, null);
        if (ConvBn(graph, shortcut) is var (dc, db) && dc.Inputs[0] == x) return new Block(conv1, bn1, conv2, bn2, (dc, db));
        return null;
    }

    /// <summary>(Conv, BN) when <paramref name="value"/> is BN(Conv(·)).</summary>
    private static (OnnxNode Conv, OnnxNode Bn)? ConvBn(OnnxGraph graph, string value) =>
        graph.Producer(value) is { OpType: "BatchNormalization" } bn && bn.Inputs.Count > 0 && graph.Producer(bn.Inputs[0]) is { OpType: "Conv" } conv && conv.Inputs.Count > 0
            ? (conv, bn) : null;

    private static OnnxNode? SingleConsumer(OnnxGraph graph, OnnxNode node, string opType) =>
        node.Outputs.Count == 1 && graph.Consumers(node.Outputs[0]) is [var only] && only.OpType == opType ? only : null;
}

using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Pretrained;

/// <summary>
/// Recovers a BERT export's Hugging Face state dict from its ONNX graph. Embeddings, LayerNorms, every bias and the
/// pooler keep their Hugging Face names as initializers; the 36 Linear weights are anonymous initializers (e.g.
/// <c>onnx::MatMul_788</c>) stored transposed as [in, out]. Each one is named from the graph: the MatMul that reads it
/// feeds an Add whose other input is a named bias, so <c>encoder.layer.3.attention.self.query.bias</c> names that MatMul's
/// weight <c>encoder.layer.3.attention.self.query.weight</c>, transposed back to [out, in]. INT64 initializers (shape
/// constants) are not weights and are left out.
/// </summary>
public static class BertOnnxNames
{
    /// <summary>Hugging Face name → FP32 tensor, and every MatMul weight renamed (initializer name → HF name).</summary>
    public static (Dictionary<string, Tensor> StateDict, IReadOnlyList<(string Anonymous, string Named)> Renamed) StateDict(OnnxGraph graph, string source)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var renamed = new List<(string, string)>();
        var matMulWeights = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (node.OpType != "MatMul" || node.Inputs.Count != 2) continue;
            var weight = graph.Initializer(node.Inputs[1]);
            if (weight is null || weight.DataType != OnnxDataType.Float) continue;
            if (weight.Dims.Length != 2)
                throw new InvalidDataException($"{source}: the graph's names cannot be mapped: initializer '{weight.Name}' {weight.FormatDims()} read by {node.Describe()} is not a matrix");
            string bias = BiasOf(graph, node, weight)
                ?? throw new InvalidDataException($"{source}: the graph's names cannot be mapped: initializer '{weight.Name}' {weight.FormatDims()} is read by {node.Describe()}, "
                    + $"whose output feeds {Describe(graph.Consumers(node.Outputs[0]))}, not one Add with a named '*.bias' initializer of {weight.Dims[1]} values");
            string name = bias[..^"bias".Length] + "weight";
            if (renamed.Contains((weight.Name, name))) continue; // the same weight and bias read twice
            if (state.ContainsKey(name))
                throw new InvalidDataException($"{source}: the graph's names cannot be mapped: two MatMul weights would both be '{name}' (the second is '{weight.Name}' read by {node.Describe()})");
            state[name] = Transpose(weight);
            matMulWeights.Add(weight.Name);
            renamed.Add((weight.Name, name));
        }
        foreach (var t in graph.Initializers)
        {
            if (t.DataType != OnnxDataType.Float || matMulWeights.Contains(t.Name)) continue;
            if (!state.TryAdd(t.Name, Tensor.Wrap(t.Floats!, t.Shape)))
                throw new InvalidDataException($"{source}: the graph's names cannot be mapped: initializer '{t.Name}' is also the name recovered for a MatMul weight");
        }
        return (state, renamed);
    }

    /// <summary>The name of the bias added to the MatMul's output, or null when its output feeds anything else.</summary>
    private static string? BiasOf(OnnxGraph graph, OnnxNode matMul, OnnxTensor weight)
    {
        if (matMul.Outputs.Count != 1) return null;
        var consumers = graph.Consumers(matMul.Outputs[0]);
        if (consumers.Count != 1 || consumers[0] is not { OpType: "Add", Inputs.Count: 2 } add) return null;
        string other = add.Inputs[0] == matMul.Outputs[0] ? add.Inputs[1] : add.Inputs[0];
        var bias = graph.Initializer(other);
        return bias is { DataType: OnnxDataType.Float, Dims.Length: 1 } && bias.Dims[0] == weight.Dims[1] && other.EndsWith(".bias", StringComparison.Ordinal) ? other : null;
    }

    private static string Describe(IReadOnlyList<OnnxNode> nodes) =>
        nodes.Count == 0 ? "nothing" : string.Join(", ", nodes.Select(n => $"{n.Describe()} (inputs {string.Join(", ", n.Inputs.Select(i => $"'{i}'"))})"));

    /// <summary>[in, out] → [out, in].</summary>
    private static Tensor Transpose(OnnxTensor w)
    {
        int rows = (int)w.Dims[0], cols = (int)w.Dims[1];
        var src = w.Floats!;
        var dst = new float[src.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
        return Tensor.Wrap(dst, cols, rows);
    }
}

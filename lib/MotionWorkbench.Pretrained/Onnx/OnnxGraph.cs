namespace MotionWorkbench.Pretrained.Onnx;

/// <summary>
/// A <c>GraphProto</c>: nodes in file order (ONNX requires a topological order), initializers (the weights), and the
/// names of the graph's inputs and outputs.
/// </summary>
public sealed record OnnxGraph(string Name, IReadOnlyList<OnnxNode> Nodes, IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
    private Dictionary<string, OnnxTensor>? byName;
    private Dictionary<string, List<OnnxNode>>? consumers;
    private Dictionary<string, OnnxNode>? producers;

    /// <summary>The initializer named <paramref name="name"/>, or null.</summary>
    public OnnxTensor? Initializer(string name) =>
        (byName ??= Initializers.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Last())).GetValueOrDefault(name);

    /// <summary>The nodes that read <paramref name="value"/> (in file order).</summary>
    public IReadOnlyList<OnnxNode> Consumers(string value)
    {
        if (consumers is null)
        {
            consumers = [];
            foreach (var node in Nodes)
                foreach (var input in node.Inputs.Distinct())
                {
                    if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                    list.Add(node);
                }
        }
        return consumers.TryGetValue(value, out var found) ? found : [];
    }

    /// <summary>The node that writes <paramref name="value"/>, or null for graph inputs and initializers.</summary>
    public OnnxNode? Producer(string value)
    {
        if (producers is null)
        {
            producers = [];
            foreach (var node in Nodes) foreach (var output in node.Outputs) producers[output] = node;
        }
        return producers.GetValueOrDefault(value);
    }
}

namespace MotionWorkbench.Pretrained.Onnx;

/// <summary>
/// What the workbench reads of an ONNX <c>ModelProto</c>: its versions, producer and graph. Fields the workbench does
/// not use (doc strings, value infos, metadata, functions, training info) are skipped by the reader.
/// </summary>
public sealed record OnnxModel(long IrVersion, string ProducerName, string ProducerVersion, IReadOnlyList<OnnxOpset> Opsets, OnnxGraph Graph)
{
    /// <summary>The default-domain opset (0 when the file names none).</summary>
    public long Opset => Opsets.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
}

/// <summary>An <c>OperatorSetIdProto</c>.</summary>
public sealed record OnnxOpset(string Domain, long Version);

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

/// <summary>A <c>NodeProto</c>: one operator with its input and output value names and attributes.</summary>
public sealed record OnnxNode(string Name, string OpType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttribute> Attributes)
{
    /// <summary>The attribute named <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    /// <summary>How errors name the node: its name (or first output when unnamed) and operator.</summary>
    public string Describe() => $"{OpType} node '{(Name.Length > 0 ? Name : Outputs.FirstOrDefault() ?? "?")}'";
}

/// <summary>The <c>AttributeProto.AttributeType</c> values.</summary>
public enum OnnxAttributeType
{
    Undefined = 0,
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Graph = 5,
    Floats = 6,
    Ints = 7,
    Strings = 8,
    Tensors = 9,
    Graphs = 10,
    SparseTensor = 11,
    SparseTensors = 12,
    TypeProto = 13,
    TypeProtos = 14,
}

/// <summary>
/// An <c>AttributeProto</c>: the scalar (<see cref="Float"/>, <see cref="Int"/>, <see cref="String"/>), the lists
/// (<see cref="Floats"/>, <see cref="Ints"/>) and a tensor (<see cref="Tensor"/>, e.g. a Constant's value). Graph and
/// sparse-tensor attributes are kept only as their type (the workbench reads no control flow).
/// </summary>
public sealed record OnnxAttribute(string Name, OnnxAttributeType Type, float Float, long Int, string String,
    IReadOnlyList<float> Floats, IReadOnlyList<long> Ints, OnnxTensor? Tensor);

namespace MotionWorkbench.Pretrained.Onnx;

/// <summary>A <c>NodeProto</c>: one operator with its input and output value names and attributes.</summary>
public sealed record OnnxNode(string Name, string OpType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttribute> Attributes)
{
    /// <summary>The attribute named <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    /// <summary>How errors name the node: its name (or first output when unnamed) and operator.</summary>
    public string Describe() => $"{OpType} node '{(Name.Length > 0 ? Name : Outputs.FirstOrDefault() ?? "?")}'";
}

namespace MotionWorkbench.Pretrained.Onnx;

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

namespace MotionWorkbench.Pretrained.Onnx;

/// <summary>The <c>TensorProto.DataType</c> values (ONNX's element types).</summary>
public enum OnnxDataType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
}

/// <summary>
/// A <c>TensorProto</c> the reader decoded: FP32 (<see cref="Floats"/>, from <c>float_data</c> or <c>raw_data</c>)
/// or INT64 (<see cref="Int64s"/>, from <c>int64_data</c> or <c>raw_data</c>). Any other element type, external data
/// or segmented tensor is an error of the reader.
/// </summary>
public sealed record OnnxTensor(string Name, long[] Dims, OnnxDataType DataType, float[]? Floats, long[]? Int64s)
{
    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>The dims as ints (throws when one does not fit).</summary>
    public int[] Shape => Array.ConvertAll(Dims, d => d is >= 0 and <= int.MaxValue ? (int)d : throw new InvalidDataException($"tensor '{Name}': dimension {d} does not fit an int"));

    /// <summary>"[384, 1536]".</summary>
    public string FormatDims() => "[" + string.Join(", ", Dims) + "]";
}

using System.Runtime.InteropServices;

namespace MotionWorkbench.Pretrained.Onnx;

/// <summary>
/// The workbench's own ONNX reader: a protobuf walk over <c>ModelProto</c> → <c>GraphProto</c> → <c>NodeProto</c> /
/// <c>TensorProto</c> / <c>AttributeProto</c> with the field numbers of onnx.proto3 (ONNX 1.x). It decodes FP32
/// tensors (<c>float_data</c> or <c>raw_data</c>) and INT64 tensors (<c>int64_data</c> or <c>raw_data</c>); fields it
/// does not use are skipped. Errors name the source and what is wrong: truncated or corrupt protobuf, a tensor of another
/// element type, external or segmented data, sparse initializers, a model without a graph or opset.
/// </summary>
public static class OnnxReader
{
    /// <summary>Reads an .onnx file.</summary>
    public static OnnxModel Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidDataException($"{path}: cannot read the ONNX file: {e.Message}", e); }
        return Read(bytes, path);
    }

    /// <summary>Reads ONNX bytes; <paramref name="source"/> names them in errors (a path, or a resource in a package).</summary>
    public static OnnxModel Read(byte[] bytes, string source)
    {
        try { return ReadModel(new ProtobufReader(bytes)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{source}: not a readable ONNX model: {e.Message}", e); }
    }

    private static OnnxModel ReadModel(ProtobufReader r)
    {
        if (r.AtEnd) throw new InvalidDataException("the file is empty");
        long ir = 0;
        string producer = "", producerVersion = "";
        OnnxGraph? graph = null;
        var opsets = new List<OnnxOpset>();
        while (r.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.Varint, "ModelProto.ir_version"); ir = r.ReadInt64(); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "ModelProto.producer_name"); producer = r.ReadString(); break;
                case 3: r.Expect(wire, WireType.LengthDelimited, "ModelProto.producer_version"); producerVersion = r.ReadString(); break;
                case 7:
                    r.Expect(wire, WireType.LengthDelimited, "ModelProto.graph");
                    if (graph is not null) throw new InvalidDataException($"byte {r.Position}: the model has a second graph");
                    graph = ReadGraph(r.ReadMessage());
                    break;
                case 8: r.Expect(wire, WireType.LengthDelimited, "ModelProto.opset_import"); opsets.Add(ReadOpset(r.ReadMessage())); break;
                default: r.Skip(wire); break;
            }
        }
        if (graph is null) throw new InvalidDataException("the model has no graph (truncated, or not an ONNX file)");
        if (opsets.Count == 0) throw new InvalidDataException("the model names no opset (truncated, or not an ONNX file)");
        return new OnnxModel(ir, producer, producerVersion, opsets, graph);
    }

    private static OnnxOpset ReadOpset(ProtobufReader r)
    {
        string domain = "";
        long version = 0;
        while (r.TryReadTag(out int field, out var wire))
        {
            if (field == 1) { r.Expect(wire, WireType.LengthDelimited, "OperatorSetIdProto.domain"); domain = r.ReadString(); }
            else if (field == 2) { r.Expect(wire, WireType.Varint, "OperatorSetIdProto.version"); version = r.ReadInt64(); }
            else r.Skip(wire);
        }
        return new OnnxOpset(domain, version);
    }

    private static OnnxGraph ReadGraph(ProtobufReader r)
    {
        string name = "";
        var nodes = new List<OnnxNode>();
        var initializers = new List<OnnxTensor>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        while (r.TryReadTag(out int field, out var wire))
        {
            int at = r.Position;
            switch (field)
            {
                case 1:
                    r.Expect(wire, WireType.LengthDelimited, "GraphProto.node");
                    try { nodes.Add(ReadNode(r.ReadMessage())); }
                    catch (InvalidDataException e) { throw new InvalidDataException($"node #{nodes.Count} (at byte {at}): {e.Message}", e); }
                    break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "GraphProto.name"); name = r.ReadString(); break;
                case 5:
                    r.Expect(wire, WireType.LengthDelimited, "GraphProto.initializer");
                    try { initializers.Add(ReadTensor(r.ReadMessage())); }
                    catch (InvalidDataException e) { throw new InvalidDataException($"initializer #{initializers.Count} (at byte {at}): {e.Message}", e); }
                    break;
                case 11: r.Expect(wire, WireType.LengthDelimited, "GraphProto.input"); inputs.Add(ReadValueInfoName(r.ReadMessage())); break;
                case 12: r.Expect(wire, WireType.LengthDelimited, "GraphProto.output"); outputs.Add(ReadValueInfoName(r.ReadMessage())); break;
                case 15: throw new InvalidDataException($"byte {at}: the graph has sparse initializers, which the reader does not support (dense FP32/INT64 only)");
                default: r.Skip(wire); break;
            }
        }
        return new OnnxGraph(name, nodes, initializers, inputs, outputs);
    }

    private static string ReadValueInfoName(ProtobufReader r)
    {
        string name = "";
        while (r.TryReadTag(out int field, out var wire))
        {
            if (field == 1) { r.Expect(wire, WireType.LengthDelimited, "ValueInfoProto.name"); name = r.ReadString(); }
            else r.Skip(wire);
        }
        return name;
    }

    private static OnnxNode ReadNode(ProtobufReader r)
    {
        string name = "", op = "", domain = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new List<OnnxAttribute>();
        while (r.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "NodeProto.input"); inputs.Add(r.ReadString()); break;
                case 2: r.Expect(wire, WireType.LengthDelimited, "NodeProto.output"); outputs.Add(r.ReadString()); break;
                case 3: r.Expect(wire, WireType.LengthDelimited, "NodeProto.name"); name = r.ReadString(); break;
                case 4: r.Expect(wire, WireType.LengthDelimited, "NodeProto.op_type"); op = r.ReadString(); break;
                case 5: r.Expect(wire, WireType.LengthDelimited, "NodeProto.attribute"); attributes.Add(ReadAttribute(r.ReadMessage())); break;
                case 7: r.Expect(wire, WireType.LengthDelimited, "NodeProto.domain"); domain = r.ReadString(); break;
                default: r.Skip(wire); break;
            }
        }
        if (op.Length == 0) throw new InvalidDataException($"node '{name}' has no op_type");
        return new OnnxNode(name, op, domain, inputs, outputs, attributes);
    }

    private static OnnxAttribute ReadAttribute(ProtobufReader r)
    {
        string name = "", s = "";
        var type = OnnxAttributeType.Undefined;
        float f = 0;
        long i = 0;
        var floats = new List<float>();
        var ints = new List<long>();
        OnnxTensor? t = null;
        while (r.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.Expect(wire, WireType.LengthDelimited, "AttributeProto.name"); name = r.ReadString(); break;
                case 20: r.Expect(wire, WireType.Varint, "AttributeProto.type"); type = (OnnxAttributeType)r.ReadInt32(); break;
                case 2: r.Expect(wire, WireType.Fixed32, "AttributeProto.f"); f = r.ReadFloat(); break;
                case 3: r.Expect(wire, WireType.Varint, "AttributeProto.i"); i = r.ReadInt64(); break;
                case 4: r.Expect(wire, WireType.LengthDelimited, "AttributeProto.s"); s = r.ReadString(); break;
                case 5:
                    r.Expect(wire, WireType.LengthDelimited, "AttributeProto.t");
                    try { t = ReadTensor(r.ReadMessage()); }
                    catch (InvalidDataException e) { throw new InvalidDataException($"attribute '{name}': {e.Message}", e); }
                    break;
                case 7: r.ReadRepeatedFloat(wire, floats); break;
                case 8: r.ReadRepeatedInt64(wire, ints); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxAttribute(name, type, f, i, s, floats, ints, t);
    }

    /// <summary>Decodes one TensorProto (see the type's summary for what is supported).</summary>
    internal static OnnxTensor ReadTensor(ProtobufReader r)
    {
        string name = "";
        int dataType = 0;
        var dims = new List<long>();
        var floatData = new List<float>();
        var int64Data = new List<long>();
        (int Start, int End)? raw = null;
        bool external = false, segmented = false, otherTypedData = false;
        string? location = null;
        while (r.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.ReadRepeatedInt64(wire, dims); break;
                case 2: r.Expect(wire, WireType.Varint, "TensorProto.data_type"); dataType = r.ReadInt32(); break;
                case 3: segmented = true; r.Skip(wire); break;
                case 4: r.ReadRepeatedFloat(wire, floatData); break;
                case 7: r.ReadRepeatedInt64(wire, int64Data); break;
                case 8: r.Expect(wire, WireType.LengthDelimited, "TensorProto.name"); name = r.ReadString(); break;
                case 9: r.Expect(wire, WireType.LengthDelimited, "TensorProto.raw_data"); raw = r.ReadLengthDelimited(); break;
                case 13:
                    r.Expect(wire, WireType.LengthDelimited, "TensorProto.external_data");
                    external = true;
                    location ??= ReadExternalLocation(r.ReadMessage());
                    break;
                case 14: r.Expect(wire, WireType.Varint, "TensorProto.data_location"); external |= r.ReadInt32() == 1; break;
                case 5 or 6 or 10 or 11: otherTypedData = true; r.Skip(wire); break;
                default: r.Skip(wire); break;
            }
        }
        var type = (OnnxDataType)dataType;
        string what = $"tensor '{name}'";
        if (external) throw new InvalidDataException($"{what} keeps its data in an external file{(location is null ? "" : $" ('{location}')")}; external data is not supported (save the model with its weights inside the .onnx file)");
        if (segmented) throw new InvalidDataException($"{what} is segmented; segmented tensors are not supported");
        if (type is not (OnnxDataType.Float or OnnxDataType.Int64))
            throw new InvalidDataException($"{what} has element type {(Enum.IsDefined(type) ? type.ToString().ToUpperInvariant() : "unknown")} ({dataType}); the reader supports FLOAT (1) and INT64 (7)");
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new InvalidDataException($"{what} has a negative dimension {d}");
            count = d == 0 ? 0 : count > int.MaxValue / d ? throw new InvalidDataException($"{what} has dims [{string.Join(", ", dims)}]: more than {int.MaxValue} elements") : count * d;
        }
        int elementSize = type == OnnxDataType.Float ? 4 : 8;
        int typed = type == OnnxDataType.Float ? floatData.Count : int64Data.Count;
        if (otherTypedData || (type == OnnxDataType.Float ? int64Data.Count : floatData.Count) > 0)
            throw new InvalidDataException($"{what} of element type {type.ToString().ToUpperInvariant()} holds data in a field of another type");
        if (raw is { } rr && typed > 0) throw new InvalidDataException($"{what} has both raw_data and typed data");
        var shape = dims.ToArray();
        if (raw is { } span)
        {
            long bytes = (long)span.End - span.Start;
            if (bytes != count * elementSize)
                throw new InvalidDataException($"{what} has dims [{string.Join(", ", dims)}] ({count} x {elementSize} bytes) but {bytes} bytes of raw_data");
            var data = r.Slice(span.Start, span.End);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the ONNX reader needs a little-endian machine");
            return type == OnnxDataType.Float
                ? new OnnxTensor(name, shape, type, MemoryMarshal.Cast<byte, float>(data).ToArray(), null)
                : new OnnxTensor(name, shape, type, null, MemoryMarshal.Cast<byte, long>(data).ToArray());
        }
        if (typed != count)
            throw new InvalidDataException($"{what} has dims [{string.Join(", ", dims)}] ({count} elements) but {typed} values{(typed == 0 ? " (no data)" : "")}");
        return type == OnnxDataType.Float
            ? new OnnxTensor(name, shape, type, floatData.ToArray(), null)
            : new OnnxTensor(name, shape, type, null, int64Data.ToArray());
    }

    private static string? ReadExternalLocation(ProtobufReader r)
    {
        string key = "", value = "";
        while (r.TryReadTag(out int field, out var wire))
        {
            if (field == 1) { r.Expect(wire, WireType.LengthDelimited, "StringStringEntryProto.key"); key = r.ReadString(); }
            else if (field == 2) { r.Expect(wire, WireType.LengthDelimited, "StringStringEntryProto.value"); value = r.ReadString(); }
            else r.Skip(wire);
        }
        return key == "location" ? value : null;
    }
}

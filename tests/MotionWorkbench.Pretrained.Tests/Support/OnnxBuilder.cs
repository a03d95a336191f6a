namespace MotionWorkbench.Pretrained.Tests.Support;

/// <summary>
/// Builds hand-made ONNX messages with onnx.proto3's field numbers (ModelProto: 1 ir_version, 2 producer_name, 7 graph,
/// 8 opset_import; GraphProto: 1 node, 2 name, 5 initializer, 11 input, 12 output; NodeProto: 1 input, 2 output, 3 name,
/// 4 op_type, 5 attribute; TensorProto: 1 dims, 2 data_type, 4 float_data, 7 int64_data, 8 name, 9 raw_data,
/// 13 external_data, 14 data_location; AttributeProto: 1 name, 2 f, 3 i, 4 s, 5 t, 7 floats, 8 ints, 20 type).
/// </summary>
public static class OnnxBuilder
{
    public const int TypeFloat = 1, TypeInt64 = 7, TypeFloat16 = 10, TypeDouble = 11;

    /// <summary>A FLOAT tensor with packed <c>float_data</c> (or <c>raw_data</c> when <paramref name="raw"/>).</summary>
    public static ProtoWriter FloatTensor(string name, long[] dims, float[] values, bool raw = false)
    {
        var t = new ProtoWriter().PackedVarints(1, dims).VarintField(2, TypeFloat).StringField(8, name);
        return raw ? t.BytesField(9, ProtoWriter.FloatBytes(values)) : t.PackedFloats(4, values);
    }

    /// <summary>An INT64 tensor with packed <c>int64_data</c> (or <c>raw_data</c>).</summary>
    public static ProtoWriter Int64Tensor(string name, long[] dims, long[] values, bool raw = false)
    {
        var t = new ProtoWriter().PackedVarints(1, dims).VarintField(2, TypeInt64).StringField(8, name);
        return raw ? t.BytesField(9, ProtoWriter.Int64Bytes(values)) : t.PackedVarints(7, values);
    }

    public static ProtoWriter Node(string op, string[] inputs, string[] outputs, string name = "", params ProtoWriter[] attributes)
    {
        var n = new ProtoWriter();
        foreach (var i in inputs) n.StringField(1, i);
        foreach (var o in outputs) n.StringField(2, o);
        if (name.Length > 0) n.StringField(3, name);
        n.StringField(4, op);
        foreach (var a in attributes) n.MessageField(5, a);
        return n;
    }

    public static ProtoWriter IntAttribute(string name, long value) => new ProtoWriter().StringField(1, name).VarintField(3, value).VarintField(20, 2);

    public static ProtoWriter FloatAttribute(string name, float value) => new ProtoWriter().StringField(1, name).Fixed32Field(2, value).VarintField(20, 1);

    public static ProtoWriter IntsAttribute(string name, params long[] values) => new ProtoWriter().StringField(1, name).PackedVarints(8, values).VarintField(20, 7);

    public static ProtoWriter ValueInfo(string name) => new ProtoWriter().StringField(1, name);

    /// <summary>A graph of <paramref name="nodes"/> and <paramref name="initializers"/> with the given inputs and outputs.</summary>
    public static ProtoWriter Graph(IEnumerable<ProtoWriter> nodes, IEnumerable<ProtoWriter> initializers, string[] inputs, string[] outputs, string name = "g")
    {
        var g = new ProtoWriter();
        foreach (var n in nodes) g.MessageField(1, n);
        g.StringField(2, name);
        foreach (var t in initializers) g.MessageField(5, t);
        foreach (var i in inputs) g.MessageField(11, ValueInfo(i));
        foreach (var o in outputs) g.MessageField(12, ValueInfo(o));
        return g;
    }

    /// <summary>A model (IR 7, producer "test") holding <paramref name="graph"/>, opset 13 written last.</summary>
    public static byte[] Model(ProtoWriter graph, long opset = 13) =>
        new ProtoWriter().VarintField(1, 7).StringField(2, "test").StringField(3, "1").MessageField(7, graph)
            .MessageField(8, new ProtoWriter().StringField(1, "").VarintField(2, opset)).ToArray();

    /// <summary>A graph with one initializer (the tensor under test) and an Identity node reading it.</summary>
    public static byte[] ModelWithInitializer(ProtoWriter tensor, string name = "w") =>
        Model(Graph([Node("Identity", [name], ["y"])], [tensor], [], ["y"]));
}

using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Pretrained.Tests.Support;
using static MotionWorkbench.Pretrained.Tests.Support.OnnxBuilder;

namespace MotionWorkbench.Pretrained.Tests;

public class OnnxReaderTests
{
    private static readonly float[] Values = [1f, -2.5f, 3.25f, 0f, 1e-7f, -8f];

    /// <summary>A small model using every field kind the reader decodes: MatMul + Add with packed/raw initializers and a Constant.</summary>
    internal static byte[] SmallModel()
    {
        var constant = new ProtoWriter().StringField(1, "value").MessageField(5, Int64Tensor("", [2], [4, -1], raw: true)).VarintField(20, 4);
        var nodes = new[]
        {
            Node("MatMul", ["x", "w"], ["xw"], "mm"),
            Node("Add", ["b", "xw"], ["y"], "add"),
            Node("Constant", [], ["shape"], "c", constant),
            Node("Transpose", ["y"], ["z"], "t", IntsAttribute("perm", 1, 0), FloatAttribute("alpha", 0.5f), IntAttribute("axis", -1)),
        };
        var inits = new[] { FloatTensor("w", [2, 3], Values), FloatTensor("b", [3], [0.5f, 0.25f, 0.125f], raw: true), Int64Tensor("k", [3], [1, -1, 1L << 40]) };
        return Model(Graph(nodes, inits, ["x"], ["z"]));
    }

    [Fact]
    public void Read_HandMadeModel_GivesVersionsProducerOpsetAndGraph()
    {
        var m = OnnxReader.Read(SmallModel(), "small.onnx");
        Assert.Equal((7L, "test", "1", 13L), (m.IrVersion, m.ProducerName, m.ProducerVersion, m.Opset));
        Assert.Equal("g", m.Graph.Name);
        Assert.Equal(["MatMul", "Add", "Constant", "Transpose"], m.Graph.Nodes.Select(n => n.OpType));
        Assert.Equal(["x"], m.Graph.Inputs);
        Assert.Equal(["z"], m.Graph.Outputs);
        Assert.Equal(["b", "xw"], m.Graph.Nodes[1].Inputs);
        Assert.Equal("add", m.Graph.Producer("y")!.Name);
        Assert.Equal(["add"], m.Graph.Consumers("xw").Select(n => n.Name));
    }

    [Fact]
    public void Read_Initializers_FloatDataRawDataAndInt64()
    {
        var g = OnnxReader.Read(SmallModel(), "small.onnx").Graph;
        var w = g.Initializer("w")!;
        Assert.Equal(OnnxDataType.Float, w.DataType);
        Assert.Equal([2L, 3L], w.Dims);
        Assert.Equal(Values, w.Floats!);
        Assert.Equal([0.5f, 0.25f, 0.125f], g.Initializer("b")!.Floats!);
        var k = g.Initializer("k")!;
        Assert.Equal(OnnxDataType.Int64, k.DataType);
        Assert.Null(k.Floats);
        Assert.Equal([1L, -1L, 1L << 40], k.Int64s!);
    }

    [Fact]
    public void Read_Attributes_FloatIntIntsAndTensor()
    {
        var g = OnnxReader.Read(SmallModel(), "small.onnx").Graph;
        var t = g.Nodes[3];
        Assert.Equal([1L, 0L], t.Attribute("perm")!.Ints);
        Assert.Equal(OnnxAttributeType.Ints, t.Attribute("perm")!.Type);
        Assert.Equal(0.5f, t.Attribute("alpha")!.Float);
        Assert.Equal(-1L, t.Attribute("axis")!.Int);
        var value = g.Nodes[2].Attribute("value")!;
        Assert.Equal(OnnxAttributeType.Tensor, value.Type);
        Assert.Equal([4L, -1L], value.Tensor!.Int64s!);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Read_FloatTensor_PackedUnpackedAndRaw_GiveTheSameValues(bool unpacked, bool raw)
    {
        var t = new ProtoWriter().VarintField(1, 3).VarintField(1, 2).VarintField(2, TypeFloat).StringField(8, "w"); // dims unpacked
        if (raw) t.BytesField(9, ProtoWriter.FloatBytes(Values));
        else if (unpacked) foreach (var v in Values) t.Fixed32Field(4, v);
        else t.PackedFloats(4, Values);
        var w = OnnxReader.Read(ModelWithInitializer(t), "m.onnx").Graph.Initializer("w")!;
        Assert.Equal([3L, 2L], w.Dims);
        Assert.Equal(Values, w.Floats!);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Read_Int64Tensor_PackedUnpackedAndRaw_GiveTheSameValues(bool unpacked, bool raw)
    {
        long[] values = [0, -5, long.MaxValue, long.MinValue];
        var t = new ProtoWriter().PackedVarints(1, [4]).VarintField(2, TypeInt64).StringField(8, "w");
        if (raw) t.BytesField(9, ProtoWriter.Int64Bytes(values));
        else if (unpacked) foreach (var v in values) t.VarintField(7, v);
        else t.PackedVarints(7, values);
        Assert.Equal(values, OnnxReader.Read(ModelWithInitializer(t), "m.onnx").Graph.Initializer("w")!.Int64s!);
    }

    [Fact]
    public void Read_ScalarTensor_HasOneElement()
    {
        var t = new ProtoWriter().VarintField(2, TypeFloat).StringField(8, "w").PackedFloats(4, [2f]);
        var w = OnnxReader.Read(ModelWithInitializer(t), "m.onnx").Graph.Initializer("w")!;
        Assert.Empty(w.Dims);
        Assert.Equal(1L, w.ElementCount);
        Assert.Equal([2f], w.Floats!);
    }

    [Fact]
    public void Read_UnknownFieldsAtEveryLevel_AreSkipped()
    {
        var tensor = FloatTensor("w", [2], [1f, 2f]).Fixed64Field(99, 1).StringField(12, "doc");
        var node = Node("Identity", ["w"], ["y"]).Fixed32Field(99, 1f).StringField(6, "doc");
        var graph = Graph([node], [tensor], [], ["y"]).BytesField(99, [1, 2, 3]).MessageField(13, ValueInfo("vi"));
        var bytes = new ProtoWriter().VarintField(99, 12345).VarintField(1, 7).StringField(6, "doc").MessageField(7, graph)
            .MessageField(14, new ProtoWriter().StringField(1, "k").StringField(2, "v"))
            .MessageField(8, new ProtoWriter().VarintField(2, 13)).ToArray();
        var m = OnnxReader.Read(bytes, "m.onnx");
        Assert.Equal([1f, 2f], m.Graph.Initializer("w")!.Floats!);
        Assert.Equal("Identity", m.Graph.Nodes.Single().OpType);
    }

    [Theory]
    [InlineData(TypeFloat16, "FLOAT16 (10)")]
    [InlineData(TypeDouble, "DOUBLE (11)")]
    [InlineData(9, "BOOL (9)")]
    [InlineData(77, "unknown (77)")]
    public void Read_UnsupportedElementType_ThrowsNamingTheTensorAndType(int type, string expected)
    {
        var t = new ProtoWriter().PackedVarints(1, [2]).VarintField(2, type).StringField(8, "half").BytesField(9, [0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxReader.Read(ModelWithInitializer(t, "half"), "m.onnx"));
        Assert.StartsWith("m.onnx: ", e.Message);
        Assert.Contains("tensor 'half' has element type " + expected, e.Message);
        Assert.Contains("FLOAT (1) and INT64 (7)", e.Message);
    }

    [Fact]
    public void Read_ExternalData_ThrowsNamingTheLocation()
    {
        var t = new ProtoWriter().PackedVarints(1, [2]).VarintField(2, TypeFloat).StringField(8, "w")
            .MessageField(13, new ProtoWriter().StringField(1, "location").StringField(2, "weights.bin")).VarintField(14, 1);
        var e = Assert.Throws<InvalidDataException>(() => OnnxReader.Read(ModelWithInitializer(t), "m.onnx"));
        Assert.Contains("tensor 'w' keeps its data in an external file ('weights.bin')", e.Message);
        var onlyLocation = new ProtoWriter().PackedVarints(1, [2]).VarintField(2, TypeFloat).StringField(8, "w").VarintField(14, 1);
        Assert.Contains("external data is not supported", Assert.Throws<InvalidDataException>(() => OnnxReader.Read(ModelWithInitializer(onlyLocation), "m.onnx")).Message);
    }

    [Fact]
    public void Read_SegmentedTensor_Throws()
    {
        var t = FloatTensor("w", [1], [1f]).MessageField(3, new ProtoWriter().VarintField(1, 0).VarintField(2, 1));
        Assert.Contains("tensor 'w' is segmented", Assert.Throws<InvalidDataException>(() => OnnxReader.Read(ModelWithInitializer(t), "m.onnx")).Message);
    }

    [Theory]
    [InlineData("raw", "([2, 3] (6 x 4 bytes) but 20 bytes of raw_data")]
    [InlineData("typed", "(6 elements) but 5 values")]
    [InlineData("none", "(6 elements) but 0 values (no data)")]
    [InlineData("both", "has both raw_data and typed data")]
    [InlineData("negative", "negative dimension -2")]
    [InlineData("int64-in-float", "holds data in a field of another type")]
    public void Read_TensorDataNotMatchingItsDims_Throws(string kind, string expected)
    {
        var t = new ProtoWriter().PackedVarints(1, kind == "negative" ? [-2, 3] : [2, 3]).VarintField(2, TypeFloat).StringField(8, "w");
        _ = kind switch
        {
            "raw" => t.BytesField(9, ProtoWriter.FloatBytes(Values.Take(5))),
            "typed" => t.PackedFloats(4, Values.Take(5)),
            "both" => t.PackedFloats(4, Values).BytesField(9, ProtoWriter.FloatBytes(Values)),
            "int64-in-float" => t.PackedFloats(4, Values).PackedVarints(7, [1]),
            "negative" => t.PackedFloats(4, Values),
            _ => t,
        };
        var e = Assert.Throws<InvalidDataException>(() => OnnxReader.Read(ModelWithInitializer(t), "m.onnx"));
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains(expected.TrimStart('('), e.Message);
    }

    [Fact]
    public void Read_SparseInitializer_Throws()
    {
        var graph = Graph([], [], [], []).MessageField(15, new ProtoWriter().VarintField(3, 4));
        Assert.Contains("sparse initializers", Assert.Throws<InvalidDataException>(() => OnnxReader.Read(Model(graph), "m.onnx")).Message);
    }

    [Fact]
    public void Read_NoGraph_NoOpset_OrEmpty_Throws()
    {
        Assert.Contains("the file is empty", Assert.Throws<InvalidDataException>(() => OnnxReader.Read([], "m.onnx")).Message);
        var noGraph = new ProtoWriter().VarintField(1, 7).MessageField(8, new ProtoWriter().VarintField(2, 13)).ToArray();
        Assert.Contains("has no graph", Assert.Throws<InvalidDataException>(() => OnnxReader.Read(noGraph, "m.onnx")).Message);
        var noOpset = new ProtoWriter().VarintField(1, 7).MessageField(7, Graph([], [], [], [])).ToArray();
        Assert.Contains("names no opset", Assert.Throws<InvalidDataException>(() => OnnxReader.Read(noOpset, "m.onnx")).Message);
    }

    [Fact]
    public void Read_GraphWithTheWrongWireType_Throws()
    {
        var bytes = new ProtoWriter().VarintField(7, 3).ToArray();
        Assert.Contains("ModelProto.graph has wire type 0", Assert.Throws<InvalidDataException>(() => OnnxReader.Read(bytes, "m.onnx")).Message);
    }

    [Fact]
    public void Read_EveryTruncation_ThrowsInvalidDataNamingTheSource()
    {
        // every proper prefix cuts a tag, a varint, a fixed32, a length-delimited field (graph, node, tensor, string,
        // packed data) or ends between fields before the opset, which is written last
        var bytes = SmallModel();
        for (int n = 0; n < bytes.Length; n++)
        {
            var e = Assert.Throws<InvalidDataException>(() => OnnxReader.Read(bytes[..n], "cut.onnx"));
            Assert.StartsWith("cut.onnx: not a readable ONNX model: ", e.Message);
        }
    }

    [Fact]
    public void Read_ProducesOnlyInvalidDataErrors_WhenAnyByteIsCorrupted()
    {
        var bytes = SmallModel();
        int failures = 0;
        foreach (byte value in new byte[] { 0xFF, 0x07, 0x00, 0x7F })
            for (int i = 0; i < bytes.Length; i++)
            {
                var corrupt = (byte[])bytes.Clone();
                corrupt[i] = value;
                try { OnnxReader.Read(corrupt, "bad.onnx"); }
                catch (InvalidDataException e) { Assert.StartsWith("bad.onnx: ", e.Message); failures++; }
            }
        Assert.True(failures > bytes.Length, $"only {failures} of {4 * bytes.Length} corruptions were detected");
    }
}

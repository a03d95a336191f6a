using System.Buffers.Binary;
using System.Text;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Tensors.Tests.IO;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mw-safetensors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string WriteRaw(string name, string header, byte[] data)
    {
        var path = Path.Combine(dir, name);
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void WriteThenRead_RoundTripsModuleAndMetadata()
    {
        var a = new PreNormBlock(8, 2, 16, 0f, 1);
        Init.Timm(a, new Random(3));
        var path = Path.Combine(dir, "ckpt.safetensors");
        Safetensors.Save(a, path, new Dictionary<string, string> { ["step"] = "12" });
        var b = new PreNormBlock(8, 2, 16, 0f, 1);
        Safetensors.Load(b, path);
        foreach (var (name, t) in a.NamedParameters()) Assert.Equal(t.ToArray(), b.StateDict()[name].ToArray());
        Assert.Equal("12", Safetensors.Read(path).Metadata["step"]);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Read_ConvertsF16Bf16F64()
    {
        var data = new byte[2 + 2 + 8];
        BinaryPrimitives.WriteHalfLittleEndian(data, (Half)1.5f);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), (ushort)(BitConverter.SingleToInt32Bits(-2.5f) >> 16));
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(4), 0.125);
        var path = WriteRaw("mixed.safetensors", """{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"d":{"dtype":"F64","shape":[1],"data_offsets":[4,12]}}""", data);
        var t = Safetensors.Read(path).Tensors;
        Assert.Equal(1.5f, t["h"].Item());
        Assert.Equal(-2.5f, t["b"].Item());
        Assert.Equal(0.125f, t["d"].Item());
    }

    [Fact]
    public void Read_BadFiles_NameFileTensorAndProblem()
    {
        var trunc = WriteRaw("trunc.safetensors", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(trunc));
        Assert.Contains("trunc.safetensors", e.Message);
        Assert.Contains("'w'", e.Message);
        Assert.Contains("truncated", e.Message);

        var dtype = WriteRaw("i64.safetensors", """{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", new byte[8]);
        e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(dtype));
        Assert.Contains("'ids'", e.Message);
        Assert.Contains("I64 is not supported", e.Message);

        var badJson = WriteRaw("json.safetensors", "{not json", []);
        e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(badJson));
        Assert.Contains("json.safetensors", e.Message);

        var shape = WriteRaw("shape.safetensors", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]);
        e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(shape));
        Assert.Contains("needs 12 bytes", e.Message);

        var tiny = Path.Combine(dir, "tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Safetensors.Read(tiny)).Message);
    }

    [Fact]
    public void Load_ShapeMismatch_NamesFileAndTensor()
    {
        var path = Path.Combine(dir, "small.safetensors");
        Safetensors.Save(new Linear(3, 2), path);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(new Linear(4, 2), path));
        Assert.Contains("small.safetensors", e.Message);
        Assert.Contains("weight", e.Message);
    }
}

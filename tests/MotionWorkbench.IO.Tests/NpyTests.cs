using System.Buffers.Binary;
using System.Text;
using MotionWorkbench.IO;
using MotionWorkbench.Testing;

namespace MotionWorkbench.IO.Tests;

public class NpyTests
{
    private static byte[] Build(string header, byte[] data, int major = 1)
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var hb = Encoding.Latin1.GetBytes(header + "\n");
        if (major == 1) { var l = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(l, (ushort)hb.Length); ms.Write(l); }
        else { var l = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(l, (uint)hb.Length); ms.Write(l); }
        ms.Write(hb);
        ms.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void Write_then_read_round_trips_float32_and_header_is_aligned()
    {
        using var tmp = new TempDir();
        var data = Enumerable.Range(0, 24).Select(i => i * 0.5f - 3f).ToArray();
        string p = tmp.File("a.npy");
        Npy.Write(p, data, 2, 4, 3);
        var bytes = File.ReadAllBytes(p);
        int headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLen) % 64);
        Assert.Contains("'descr': '<f4'", Encoding.Latin1.GetString(bytes, 10, headerLen));
        var arr = Npy.Read(p);
        Assert.Equal([2, 4, 3], arr.Shape);
        Assert.Equal(data, arr.Data);
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void Reads_float64_float16_and_version_2_and_3_headers()
    {
        var d8 = new byte[3 * 8];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteDoubleLittleEndian(d8.AsSpan(i * 8), 1.25 * (i + 1));
        var a = Npy.Read(new MemoryStream(Build("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", d8)), "f8");
        Assert.Equal([1.25f, 2.5f, 3.75f], a.Data);

        var d2 = new byte[2 * 2];
        BinaryPrimitives.WriteHalfLittleEndian(d2, (Half)0.5f);
        BinaryPrimitives.WriteHalfLittleEndian(d2.AsSpan(2), (Half)(-2f));
        var b = Npy.Read(new MemoryStream(Build("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2), }", d2, major: 2)), "f2");
        Assert.Equal([1, 2], b.Shape);
        Assert.Equal([0.5f, -2f], b.Data);

        var d4 = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(d4, 7f);
        var c = Npy.Read(new MemoryStream(Build("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (), }", d4, major: 3)), "v3");
        Assert.Empty(c.Shape);
        Assert.Equal([7f], c.Data);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", "Fortran")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", "big-endian")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", "'<i4' is not supported")]
    [InlineData("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", "malformed header")]
    [InlineData("{'descr': '<f4', 'fortran_order': False }", "malformed header")]
    [InlineData("'descr': '<f4'", "malformed header")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", "truncated data")]
    public void Bad_files_get_a_clear_error_naming_the_file(string header, string expected)
    {
        var bytes = Build(header, new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(bytes), "bad/file.npy"));
        Assert.Contains("bad/file.npy", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_magic_and_unknown_version_are_reported()
    {
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(Encoding.ASCII.GetBytes("hello world, not npy")), "x.npy"));
        Assert.Contains("x.npy: not a .npy file", e.Message);
        var v9 = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", [], major: 9);
        Assert.Contains("version 9.0", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(v9), "v.npy")).Message);
    }

    [Fact]
    public void Write_rejects_a_shape_that_does_not_match()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => Npy.Write(tmp.File("b.npy"), new float[5], 2, 3));
        Assert.Contains("shape (2, 3) holds 6 values but 5", e.Message);
        Assert.False(File.Exists(tmp.File("b.npy")));
    }

    [Fact]
    public void Float64_writer_round_trips()
    {
        using var tmp = new TempDir();
        Npy.WriteFloat64(tmp.File("d.npy"), new[] { 1e-12, 2.0, -3.5 }, 3);
        var (d, shape) = Npy.ReadFloat64(tmp.File("d.npy"));
        Assert.Equal([3], shape);
        Assert.Equal(1e-12, d[0]);
        Assert.Equal(-3.5f, Npy.Read(tmp.File("d.npy")).Data[2]);
    }

    [SharedDataFact]
    public void Reads_the_genuine_HumanML3D_samples()
    {
        var a = Npy.Read(SharedData.PathOf("humanml3d-samples", "new_joints", "012314.npy"));
        Assert.Equal([170, 22, 3], a.Shape);
        Assert.All(a.Data, v => Assert.True(float.IsFinite(v)));
        var mean = Npy.Read(SharedData.PathOf("humanml3d-samples", "Mean.npy"));
        Assert.Equal([263], mean.Shape);
    }
}

using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Pretrained.Tests.Support;

namespace MotionWorkbench.Pretrained.Tests;

public class ProtobufReaderTests
{
    private static ProtobufReader Reader(params byte[] bytes) => new(bytes);

    [Fact]
    public void Varint_OneTwoAndTenBytes_DecodeLittleEndianGroupsOf7Bits()
    {
        Assert.Equal(1UL, Reader(0x01).ReadVarint());
        Assert.Equal(300UL, Reader(0xAC, 0x02).ReadVarint());
        var minusOne = Reader(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
        Assert.Equal(-1L, minusOne.ReadInt64());
        Assert.True(minusOne.AtEnd);
        var written = new ProtoWriter().Varint(1UL << 35 | 5).ToArray();
        Assert.Equal(1UL << 35 | 5, new ProtobufReader(written).ReadVarint());
    }

    [Fact]
    public void Varint_LongerThan10BytesOrOverflowing_Throws()
    {
        var eleven = Enumerable.Repeat((byte)0x80, 10).Append((byte)0x01).ToArray();
        Assert.Contains("overflows 64 bits", Assert.Throws<InvalidDataException>(() => new ProtobufReader(eleven).ReadVarint()).Message);
        var overflow = Enumerable.Repeat((byte)0xFF, 9).Append((byte)0x02).ToArray();
        Assert.Contains("overflows 64 bits", Assert.Throws<InvalidDataException>(() => new ProtobufReader(overflow).ReadVarint()).Message);
    }

    [Fact]
    public void Varint_TruncatedAtTheEnd_ThrowsNamingTheOffset()
    {
        var e = Assert.Throws<InvalidDataException>(() => Reader(0x05, 0xAC).Also(r => r.ReadVarint()).ReadVarint());
        Assert.Contains("byte 1", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Tag_SplitsFieldNumberAndWireType()
    {
        var r = new ProtobufReader(new ProtoWriter().Tag(1, 0).Tag(20, 5).Tag(536870911, 2).ToArray());
        Assert.True(r.TryReadTag(out int f, out var w));
        Assert.Equal((1, WireType.Varint), (f, w));
        Assert.True(r.TryReadTag(out f, out w));
        Assert.Equal((20, WireType.Fixed32), (f, w));
        Assert.True(r.TryReadTag(out f, out w));
        Assert.Equal((536870911, WireType.LengthDelimited), (f, w));
        Assert.False(r.TryReadTag(out _, out _));
    }

    [Theory]
    [InlineData(3, "group")]
    [InlineData(4, "group")]
    [InlineData(6, "invalid wire type 6")]
    [InlineData(7, "invalid wire type 7")]
    public void Tag_UnsupportedOrInvalidWireType_Throws(int wire, string expected)
    {
        var r = new ProtobufReader(new ProtoWriter().Tag(2, wire).ToArray());
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => r.TryReadTag(out _, out _)).Message);
    }

    [Fact]
    public void Tag_FieldNumberZero_Throws() =>
        Assert.Contains("field number 0", Assert.Throws<InvalidDataException>(() => Reader(0x00).TryReadTag(out _, out _)).Message);

    [Fact]
    public void Fixed32AndFixed64_ReadLittleEndian()
    {
        var r = new ProtobufReader(new ProtoWriter().Fixed32Field(2, -1.5f).Fixed64Field(3, 0x0102030405060708UL).ToArray());
        r.TryReadTag(out _, out _);
        Assert.Equal(-1.5f, r.ReadFloat());
        r.TryReadTag(out _, out _);
        Assert.Equal(0x0102030405060708UL, r.ReadFixed64());
    }

    [Fact]
    public void Fixed32AndFixed64_Truncated_Throw()
    {
        Assert.Contains("32-bit value runs past the end", Assert.Throws<InvalidDataException>(() => Reader(1, 2, 3).ReadFloat()).Message);
        Assert.Contains("64-bit value runs past the end", Assert.Throws<InvalidDataException>(() => Reader(1, 2, 3, 4, 5, 6, 7).ReadFixed64()).Message);
    }

    [Fact]
    public void NestedMessage_IsReadInsideItsBounds_ThenTheOuterContinues()
    {
        var inner = new ProtoWriter().VarintField(1, 42).StringField(2, "né");
        var bytes = new ProtoWriter().MessageField(3, inner).VarintField(4, 7).ToArray();
        var r = new ProtobufReader(bytes);
        r.TryReadTag(out int f, out _);
        Assert.Equal(3, f);
        var m = r.ReadMessage();
        m.TryReadTag(out f, out _);
        Assert.Equal(42L, m.ReadInt64());
        m.TryReadTag(out f, out _);
        Assert.Equal("né", m.ReadString());
        Assert.False(m.TryReadTag(out _, out _));
        r.TryReadTag(out f, out _);
        Assert.Equal((4, 7L), (f, r.ReadInt64()));
    }

    [Fact]
    public void LengthDelimited_BeyondItsMessage_Throws_EvenWhenTheBufferHasMoreBytes()
    {
        // outer message: field 1 of 3 bytes holding an inner field 2 that claims 5 bytes; the buffer has 10 more bytes after
        var bytes = new ProtoWriter().BytesField(1, [0x12, 0x05, 0x00]).Raw(new byte[10]).ToArray();
        var r = new ProtobufReader(bytes);
        r.TryReadTag(out _, out _);
        var inner = r.ReadMessage();
        inner.TryReadTag(out _, out _);
        var e = Assert.Throws<InvalidDataException>(() => inner.ReadLengthDelimited());
        Assert.Contains("5 bytes runs past the end of its message", e.Message);
    }

    [Fact]
    public void RepeatedInt64_PackedAndUnpacked_GiveTheSameValues()
    {
        var bytes = new ProtoWriter().PackedVarints(1, [3, 300, -2]).VarintField(1, 3).VarintField(1, 300).VarintField(1, -2).ToArray();
        var r = new ProtobufReader(bytes);
        var packed = new List<long>();
        var unpacked = new List<long>();
        r.TryReadTag(out _, out var w);
        r.ReadRepeatedInt64(w, packed);
        while (r.TryReadTag(out _, out w)) r.ReadRepeatedInt64(w, unpacked);
        Assert.Equal([3L, 300L, -2L], packed);
        Assert.Equal(packed, unpacked);
    }

    [Fact]
    public void RepeatedFloat_PackedAndUnpacked_GiveTheSameValues()
    {
        var bytes = new ProtoWriter().PackedFloats(4, [1f, -0.25f, 3e8f]).Fixed32Field(4, 1f).Fixed32Field(4, -0.25f).Fixed32Field(4, 3e8f).ToArray();
        var r = new ProtobufReader(bytes);
        var packed = new List<float>();
        var unpacked = new List<float>();
        r.TryReadTag(out _, out var w);
        r.ReadRepeatedFloat(w, packed);
        while (r.TryReadTag(out _, out w)) r.ReadRepeatedFloat(w, unpacked);
        Assert.Equal([1f, -0.25f, 3e8f], packed);
        Assert.Equal(packed, unpacked);
    }

    [Fact]
    public void RepeatedFloat_PackedLengthNotAMultipleOf4_Throws()
    {
        var r = new ProtobufReader(new ProtoWriter().BytesField(4, [0, 0, 128, 63, 0]).ToArray());
        r.TryReadTag(out _, out var w);
        Assert.Contains("not a multiple of 4", Assert.Throws<InvalidDataException>(() => r.ReadRepeatedFloat(w, [])).Message);
    }

    [Fact]
    public void Skip_EveryWireType_LeavesTheReaderAtTheNextField()
    {
        var bytes = new ProtoWriter().VarintField(90, 1L << 40).Fixed64Field(91, 9).BytesField(92, [1, 2, 3]).Fixed32Field(93, 2f).VarintField(1, 5).ToArray();
        var r = new ProtobufReader(bytes);
        while (r.TryReadTag(out int f, out var w))
        {
            if (f == 1) { Assert.Equal(5L, r.ReadInt64()); Assert.True(r.AtEnd); return; }
            r.Skip(w);
        }
        Assert.Fail("field 1 was not reached");
    }

    [Fact]
    public void Expect_WrongWireType_ThrowsNamingTheField()
    {
        var r = new ProtobufReader(new ProtoWriter().VarintField(7, 1).ToArray());
        r.TryReadTag(out _, out var w);
        var e = Assert.Throws<InvalidDataException>(() => r.Expect(w, WireType.LengthDelimited, "ModelProto.graph"));
        Assert.Contains("ModelProto.graph has wire type 0", e.Message);
    }

    [Fact]
    public void ReadString_InvalidUtf8_Throws() =>
        Assert.Contains("not valid UTF-8", Assert.Throws<InvalidDataException>(() => Reader(0x02, 0xC3, 0x28).ReadString()).Message);

    [Fact]
    public void ReadInt32_ValueBeyond32Bits_Throws() =>
        Assert.Contains("does not fit a 32-bit field", Assert.Throws<InvalidDataException>(() => new ProtobufReader(new ProtoWriter().Varint(1UL << 33).ToArray()).ReadInt32()).Message);
}

internal static class ReaderExtensions
{
    public static ProtobufReader Also(this ProtobufReader r, Action<ProtobufReader> action) { action(r); return r; }
}

using System.Buffers.Binary;
using System.Text;

namespace MotionWorkbench.Pretrained.Tests.Support;

/// <summary>
/// A minimal protobuf writer for hand-made test files, written from the wire format (independent of the reader under
/// test): tags, varints, fixed32/64, length-delimited fields, packed and unpacked repeated scalars.
/// </summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream bytes = new();

    public byte[] ToArray() => bytes.ToArray();

    public int Length => (int)bytes.Length;

    public ProtoWriter Tag(int field, int wire) => Varint((ulong)field << 3 | (uint)wire);

    public ProtoWriter Varint(ulong value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.WriteByte(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
        return this;
    }

    public ProtoWriter Raw(params byte[] data) { bytes.Write(data); return this; }

    public ProtoWriter VarintField(int field, long value) => Tag(field, 0).Varint((ulong)value);

    public ProtoWriter Fixed32Field(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        bytes.Write(b);
        return this;
    }

    public ProtoWriter Fixed64Field(int field, ulong value)
    {
        Tag(field, 1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        bytes.Write(b);
        return this;
    }

    public ProtoWriter BytesField(int field, byte[] data) { Tag(field, 2).Varint((ulong)data.Length); bytes.Write(data); return this; }

    public ProtoWriter StringField(int field, string text) => BytesField(field, Encoding.UTF8.GetBytes(text));

    public ProtoWriter MessageField(int field, ProtoWriter message) => BytesField(field, message.ToArray());

    public ProtoWriter PackedVarints(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.Varint((ulong)v);
        return BytesField(field, inner.ToArray());
    }

    public ProtoWriter PackedFloats(int field, IEnumerable<float> values)
    {
        var data = values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }).ToArray();
        return BytesField(field, data);
    }

    public static byte[] FloatBytes(IEnumerable<float> values) =>
        values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }).ToArray();

    public static byte[] Int64Bytes(IEnumerable<long> values) =>
        values.SelectMany(v => { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }).ToArray();
}

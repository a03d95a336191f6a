using System.Buffers.Binary;
using System.Text;

namespace MotionWorkbench.Pretrained.Onnx;

/// <summary>The protobuf wire types (the low three bits of a field's tag).</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only reader of one protobuf message: the bytes <c>[start, end)</c> of a buffer. Each field is a varint tag
/// (field number &lt;&lt; 3 | wire type) then its value: a varint, 8 or 4 little-endian bytes, or a varint length and
/// that many bytes (strings, bytes, nested messages, packed repeated scalars). Every malformation (a varint longer than
/// 64 bits or running past the end, a length beyond the message, wire types 3/4/6/7, field number 0) throws
/// <see cref="InvalidDataException"/> naming the absolute byte offset, so a caller can prefix the file name.
/// </summary>
public sealed class ProtobufReader
{
    private readonly byte[] buffer;
    private readonly int end;
    private int position;

    /// <summary>A reader over <c>buffer[start..end)</c>.</summary>
    public ProtobufReader(byte[] buffer, int start, int end)
    {
        if (start < 0 || end > buffer.Length || start > end) throw new ArgumentOutOfRangeException(nameof(start), $"message [{start}, {end}) is outside the {buffer.Length}-byte buffer");
        this.buffer = buffer;
        position = start;
        this.end = end;
    }

    /// <summary>A reader over the whole buffer.</summary>
    public ProtobufReader(byte[] buffer) : this(buffer, 0, buffer.Length) { }

    /// <summary>The absolute offset of the next byte.</summary>
    public int Position => position;

    /// <summary>True when the message has no more fields.</summary>
    public bool AtEnd => position >= end;

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    public bool TryReadTag(out int field, out WireType wire)
    {
        field = 0;
        wire = WireType.Varint;
        if (AtEnd) return false;
        int at = position;
        ulong tag = ReadVarint();
        int type = (int)(tag & 7);
        if (type is 3 or 4) throw new InvalidDataException($"byte {at}: wire type {type} (a deprecated group) is not supported");
        if (type > 5) throw new InvalidDataException($"byte {at}: invalid wire type {type} (corrupt data)");
        if (tag >> 3 == 0 || tag >> 3 > int.MaxValue) throw new InvalidDataException($"byte {at}: invalid field number {tag >> 3} (corrupt data)");
        field = (int)(tag >> 3);
        wire = (WireType)type;
        return true;
    }

    /// <summary>A varint (up to 10 bytes, little-endian groups of 7 bits).</summary>
    public ulong ReadVarint()
    {
        int at = position;
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= end) throw new InvalidDataException($"byte {at}: a varint runs past the end of its message at byte {end} (truncated data)");
            byte b = buffer[position++];
            if (shift == 63 && b > 1) throw new InvalidDataException($"byte {at}: a varint overflows 64 bits (a 10th byte above 1, or more than 10 bytes; corrupt data)");
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidOperationException("unreachable: the 10th byte either ends the varint or overflows");
    }

    /// <summary>A varint read as a signed 64-bit integer (int64 / int32 fields, two's complement).</summary>
    public long ReadInt64() => (long)ReadVarint();

    /// <summary>A varint that must fit a 32-bit int (int32 and enum fields; negative values are 10-byte varints).</summary>
    public int ReadInt32()
    {
        int at = position;
        long v = ReadInt64();
        if (v is < int.MinValue or > int.MaxValue) throw new InvalidDataException($"byte {at}: value {v} does not fit a 32-bit field");
        return (int)v;
    }

    /// <summary>4 little-endian bytes as a float.</summary>
    public float ReadFloat() => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(Take(4, "a 32-bit value")));

    /// <summary>8 little-endian bytes.</summary>
    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "a 64-bit value"));

    /// <summary>A length-delimited field: its absolute <c>[start, end)</c>.</summary>
    public (int Start, int End) ReadLengthDelimited()
    {
        int at = position;
        ulong length = ReadVarint();
        if (length > (ulong)(end - position))
            throw new InvalidDataException($"byte {at}: a field of {length} bytes runs past the end of its message ({end - position} bytes left; truncated or corrupt data)");
        int start = position;
        position += (int)length;
        return (start, position);
    }

    /// <summary>A length-delimited field as a reader of the nested message.</summary>
    public ProtobufReader ReadMessage()
    {
        var (s, e) = ReadLengthDelimited();
        return new ProtobufReader(buffer, s, e);
    }

    /// <summary>A length-delimited field as UTF-8 text.</summary>
    public string ReadString()
    {
        var (s, e) = ReadLengthDelimited();
        try { return Strict.GetString(buffer, s, e - s); }
        catch (DecoderFallbackException) { throw new InvalidDataException($"byte {s}: a string field is not valid UTF-8 (corrupt data)"); }
    }

    /// <summary>A length-delimited field's bytes (no copy).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var (s, e) = ReadLengthDelimited();
        return buffer.AsSpan(s, e - s);
    }

    /// <summary>Bytes <c>[start, end)</c> of the buffer (a range this reader returned).</summary>
    public ReadOnlySpan<byte> Slice(int start, int end) => buffer.AsSpan(start, end - start);

    /// <summary>Appends a repeated int64/int32 field: one varint (unpacked) or a packed run of varints.</summary>
    public void ReadRepeatedInt64(WireType wire, List<long> into)
    {
        if (wire == WireType.Varint) { into.Add(ReadInt64()); return; }
        Expect(wire, WireType.LengthDelimited, "a repeated integer");
        var packed = ReadMessage();
        while (!packed.AtEnd) into.Add(packed.ReadInt64());
    }

    /// <summary>Appends a repeated float field: one fixed32 (unpacked) or a packed run of fixed32s.</summary>
    public void ReadRepeatedFloat(WireType wire, List<float> into)
    {
        if (wire == WireType.Fixed32) { into.Add(ReadFloat()); return; }
        Expect(wire, WireType.LengthDelimited, "a repeated float");
        var (s, e) = ReadLengthDelimited();
        if ((e - s) % 4 != 0) throw new InvalidDataException($"byte {s}: a packed float field of {e - s} bytes is not a multiple of 4 (corrupt data)");
        var span = buffer.AsSpan(s, e - s);
        into.EnsureCapacity(into.Count + span.Length / 4);
        for (int i = 0; i < span.Length; i += 4) into.Add(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(span[i..])));
    }

    /// <summary>Skips a field's value (unknown fields).</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8, "a 64-bit value"); break;
            case WireType.Fixed32: Take(4, "a 32-bit value"); break;
            case WireType.LengthDelimited: ReadLengthDelimited(); break;
            default: throw new InvalidDataException($"byte {position}: wire type {(int)wire} cannot be skipped");
        }
    }

    /// <summary>Throws unless a field has the wire type its schema gives it.</summary>
    public void Expect(WireType actual, WireType expected, string what)
    {
        if (actual != expected) throw new InvalidDataException($"byte {position}: {what} has wire type {(int)actual} ({actual}), expected {(int)expected} ({expected}) (corrupt data or not this message type)");
    }

    private ReadOnlySpan<byte> Take(int n, string what)
    {
        if (end - position < n) throw new InvalidDataException($"byte {position}: {what} runs past the end of its message at byte {end} (truncated data)");
        var span = buffer.AsSpan(position, n);
        position += n;
        return span;
    }

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);
}

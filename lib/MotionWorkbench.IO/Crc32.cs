namespace MotionWorkbench.IO;

/// <summary>
/// CRC-32 (IEEE 802.3 / ISO-HDLC: reflected, polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF), the
/// checksum of PNG chunks, zlib/gzip and the sparse index file; one byte-wise table. <see cref="Update"/> continues a
/// checksum the way zlib's <c>crc32(crc, buf, len)</c> does: start from 0, and the checksum of a concatenation is
/// <c>Update(Update(0, a), b)</c>.
/// </summary>
public static class Crc32
{
    private static readonly uint[] Table = MakeTable();

    /// <summary>The CRC-32 of <paramref name="data"/> (<c>"123456789"</c> gives 0xCBF43926).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>The CRC-32 of the bytes whose checksum is <paramref name="crc"/> followed by <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }
}

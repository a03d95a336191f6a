using System.Buffers.Binary;
using System.IO.Compression;
using MotionWorkbench.IO;

namespace MotionWorkbench.Render.Images;

/// <summary>
/// A small PNG encoder (8-bit RGB or RGBA, no interlace, filter "None" per row) and a matching decoder for the same
/// subset, used by tests and by anything that reads back our own images. Chunks: IHDR, IDAT (one zlib stream from
/// <see cref="ZLibStream"/>), IEND, each with its CRC-32.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes row-major pixels (height x width x channels, channels 3 = RGB or 4 = RGBA).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels = 3)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"PNG size must be positive, got {width} x {height}");
        if (channels is not (3 or 4)) throw new ArgumentException($"PNG channels must be 3 (RGB) or 4 (RGBA), got {channels}");
        long expected = (long)width * height * channels;
        if (pixels.Length != expected)
            throw new ArgumentException($"PNG pixel buffer has {pixels.Length} bytes, expected {width} x {height} x {channels} = {expected}");

        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;                              // bit depth
        ihdr[9] = (byte)(channels == 3 ? 2 : 6);  // colour type: truecolour / truecolour + alpha
        ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // deflate, adaptive filtering, no interlace
        WriteChunk(output, "IHDR", ihdr);

        using (var idat = new MemoryStream())
        {
            using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
            {
                int rowBytes = width * channels;
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0); // filter: None
                    z.Write(pixels.Slice(y * rowBytes, rowBytes));
                }
            }
            WriteChunk(output, "IDAT", idat.ToArray());
        }
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Decoded image: row-major pixels with <see cref="Channels"/> bytes per pixel.</summary>
    public sealed record Image(int Width, int Height, int Channels, byte[] Pixels);

    /// <summary>
    /// Decodes an 8-bit RGB/RGBA, non-interlaced PNG (all five row filters), checking the signature, every chunk's CRC
    /// and the zlib stream. Anything else raises <see cref="InvalidDataException"/> saying what is wrong.
    /// </summary>
    public static Image Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(Signature)) throw new InvalidDataException("not a PNG file: bad signature");
        int pos = 8, width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        bool sawEnd = false;
        while (pos < png.Length)
        {
            if (pos + 12 > png.Length) throw new InvalidDataException($"PNG truncated at byte {pos}");
            int length = BinaryPrimitives.ReadInt32BigEndian(png[pos..]);
            if (length < 0 || pos + 12 + length > png.Length) throw new InvalidDataException($"PNG chunk at byte {pos} runs past the end");
            var type = png.Slice(pos + 4, 4);
            var data = png.Slice(pos + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + length)..]);
            if (Crc32.Compute(png.Slice(pos + 4, 4 + length)) != crc)
                throw new InvalidDataException($"PNG chunk '{System.Text.Encoding.ASCII.GetString(type)}' at byte {pos} has a bad CRC");
            string name = System.Text.Encoding.ASCII.GetString(type);
            switch (name)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (data[8] != 8 || data[12] != 0) throw new InvalidDataException("only 8-bit non-interlaced PNG is supported");
                    channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"PNG colour type {data[9]} not supported") };
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            pos += 12 + length;
            if (sawEnd) break;
        }
        if (width == 0) throw new InvalidDataException("PNG has no IHDR chunk");
        if (!sawEnd) throw new InvalidDataException("PNG has no IEND chunk");

        int rowBytes = width * channels;
        var raw = new byte[(rowBytes + 1) * height];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            int read = 0;
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) throw new InvalidDataException($"PNG image data is short: {read} of {raw.Length} bytes");
                read += n;
            }
        }
        var pixels = new byte[rowBytes * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (rowBytes + 1)];
            var src = raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            var dst = pixels.AsSpan(y * rowBytes, rowBytes);
            var up = y > 0 ? pixels.AsSpan((y - 1) * rowBytes, rowBytes) : default;
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= channels ? dst[i - channels] : 0;
                int b = y > 0 ? up[i] : 0;
                int c = i >= channels && y > 0 ? up[i - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG row {y} has unknown filter {filter}"),
                };
                dst[i] = (byte)(src[i] + predictor);
            }
        }
        return new Image(width, height, channels, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        for (int i = 0; i < 4; i++) header[4 + i] = (byte)type[i];
        output.Write(header);
        output.Write(data);
        uint crc = Crc32.Update(Crc32.Compute(header[4..]), data);
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
    }
}

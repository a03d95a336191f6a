using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MotionWorkbench.IO;

/// <summary>
/// NumPy .npy reader and writer. Reads little-endian (or byte-order-free) float16/32/64 in C order, header versions
/// 1.0, 2.0 and 3.0, and converts to float32. Anything else (Fortran order, big-endian, other dtypes, truncated data)
/// gets an <see cref="InvalidDataException"/> naming the file. Writes '&lt;f4' (or '&lt;f8') version 1.0, atomically.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(fs, path);
    }

    public static NpyArray Read(Stream s, string nameForErrors)
    {
        var (dtype, fortran, shape) = ReadHeader(s, nameForErrors);
        if (fortran) throw Bad(nameForErrors, "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
        char order = dtype[0];
        string kind = dtype[1..];
        if (order == '>') throw Bad(nameForErrors, $"big-endian dtype '{dtype}' is not supported (use '<f4')");
        if (order is not ('<' or '|' or '='))
            throw Bad(nameForErrors, $"unrecognised dtype '{dtype}'");
        int itemSize = kind switch
        {
            "f2" => 2,
            "f4" => 4,
            "f8" => 8,
            _ => throw Bad(nameForErrors, $"dtype '{dtype}' is not supported; only float16/float32/float64 ('<f2', '<f4', '<f8')"),
        };
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count > Array.MaxLength) throw Bad(nameForErrors, $"array of shape ({string.Join(", ", shape)}) is too large");
        var bytes = new byte[count * itemSize];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = s.Read(bytes, read, bytes.Length - read);
            if (n == 0) break;
            read += n;
        }
        if (read < bytes.Length)
            throw Bad(nameForErrors, $"truncated data: shape ({string.Join(", ", shape)}) of {dtype} needs {bytes.Length} bytes, file has {read}");
        var data = new float[count];
        var span = bytes.AsSpan();
        switch (itemSize)
        {
            case 4:
                if (BitConverter.IsLittleEndian) span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
                else for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]);
                break;
            case 8:
                for (int i = 0; i < data.Length; i++) data[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(span[(i * 8)..]);
                break;
            default:
                for (int i = 0; i < data.Length; i++) data[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(span[(i * 2)..]);
                break;
        }
        return new NpyArray(data, shape);
    }

    /// <summary>Reads only the header: dtype string, Fortran flag and shape.</summary>
    public static (string Dtype, bool FortranOrder, int[] Shape) ReadHeader(Stream s, string nameForErrors)
    {
        Span<byte> pre = stackalloc byte[8];
        if (ReadFully(s, pre) < 8 || !pre[..6].SequenceEqual(Magic))
            throw Bad(nameForErrors, "not a .npy file (missing the \\x93NUMPY magic)");
        int major = pre[6];
        int headerLen;
        if (major == 1)
        {
            Span<byte> l = stackalloc byte[2];
            if (ReadFully(s, l) < 2) throw Bad(nameForErrors, "truncated header");
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(l);
        }
        else if (major is 2 or 3)
        {
            Span<byte> l = stackalloc byte[4];
            if (ReadFully(s, l) < 4) throw Bad(nameForErrors, "truncated header");
            uint hl = BinaryPrimitives.ReadUInt32LittleEndian(l);
            if (hl > 1 << 24) throw Bad(nameForErrors, $"header length {hl} is implausible");
            headerLen = (int)hl;
        }
        else throw Bad(nameForErrors, $"unsupported .npy format version {major}.{pre[7]} (1.0, 2.0 and 3.0 are read)");
        var hb = new byte[headerLen];
        if (ReadFully(s, hb) < headerLen) throw Bad(nameForErrors, $"truncated header (expected {headerLen} bytes)");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(hb).Trim();
        return ParseHeader(header, nameForErrors);
    }

    private static (string, bool, int[]) ParseHeader(string h, string file)
    {
        if (!h.StartsWith('{') || !h.EndsWith('}'))
            throw Bad(file, $"malformed header (not a Python dict literal): {Clip(h)}");
        string? descr = null, fortran = null, shape = null;
        int i = 1;
        while (i < h.Length - 1)
        {
            SkipWs(h, ref i);
            if (i >= h.Length - 1) break;
            if (h[i] == ',') { i++; continue; }
            string key = ReadQuoted(h, ref i, file);
            SkipWs(h, ref i);
            if (i >= h.Length || h[i] != ':') throw Bad(file, $"malformed header near key '{key}': {Clip(h)}");
            i++;
            SkipWs(h, ref i);
            string value;
            if (h[i] is '\'' or '"') value = ReadQuoted(h, ref i, file);
            else if (h[i] == '(')
            {
                int close = h.IndexOf(')', i);
                if (close < 0) throw Bad(file, $"malformed header: unclosed shape tuple: {Clip(h)}");
                value = h[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                int start = i;
                while (i < h.Length - 1 && h[i] != ',' && h[i] != '}') i++;
                value = h[start..i].Trim();
            }
            switch (key)
            {
                case "descr": descr = value; break;
                case "fortran_order": fortran = value; break;
                case "shape": shape = value; break;
            }
        }
        if (descr is null || fortran is null || shape is null)
            throw Bad(file, $"malformed header: needs 'descr', 'fortran_order' and 'shape': {Clip(h)}");
        if (descr.Length < 2) throw Bad(file, $"malformed header: dtype '{descr}'");
        bool f = fortran switch
        {
            "True" => true,
            "False" => false,
            _ => throw Bad(file, $"malformed header: fortran_order '{fortran}'"),
        };
        var dims = new List<int>();
        foreach (var part in shape.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string p = part.TrimEnd('L');
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                throw Bad(file, $"malformed header: shape entry '{part}' in ({shape})");
            dims.Add(d);
        }
        return (descr, f, dims.ToArray());
    }

    private static string ReadQuoted(string h, ref int i, string file)
    {
        char q = h[i];
        if (q is not ('\'' or '"')) throw Bad(file, $"malformed header at position {i}: {Clip(h)}");
        int close = h.IndexOf(q, i + 1);
        if (close < 0) throw Bad(file, $"malformed header: unclosed string: {Clip(h)}");
        string v = h[(i + 1)..close];
        i = close + 1;
        return v;
    }

    private static void SkipWs(string h, ref int i)
    {
        while (i < h.Length && char.IsWhiteSpace(h[i])) i++;
    }

    private static string Clip(string h) => h.Length > 120 ? h[..120] + "..." : h;

    private static int ReadFully(Stream s, Span<byte> buf)
    {
        int total = 0;
        while (total < buf.Length)
        {
            int n = s.Read(buf[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static InvalidDataException Bad(string file, string what) => new($"{file}: {what}");

    /// <summary>Writes '&lt;f4' version 1.0 atomically (temp file in the same folder, then move).</summary>
    public static void Write(string path, ReadOnlySpan<float> data, params int[] shape)
    {
        CheckShape(path, data.Length, shape);
        var bytes = new byte[data.Length * 4];
        if (BitConverter.IsLittleEndian) System.Runtime.InteropServices.MemoryMarshal.AsBytes(data).CopyTo(bytes);
        else for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        WriteRaw(path, "<f4", shape, bytes);
    }

    /// <summary>Writes '&lt;f8' version 1.0 atomically.</summary>
    public static void WriteFloat64(string path, ReadOnlySpan<double> data, params int[] shape)
    {
        CheckShape(path, data.Length, shape);
        var bytes = new byte[data.Length * 8];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), data[i]);
        WriteRaw(path, "<f8", shape, bytes);
    }

    /// <summary>Reads a float64 file without narrowing (for statistics that need the precision).</summary>
    public static (double[] Data, int[] Shape) ReadFloat64(string path)
    {
        using var fs = File.OpenRead(path);
        var (dtype, fortran, shape) = ReadHeader(fs, path);
        if (fortran || dtype != "<f8") throw Bad(path, $"expected a C-order '<f8' array, found '{dtype}'{(fortran ? " in Fortran order" : "")}");
        long count = 1;
        foreach (var d in shape) count *= d;
        var bytes = new byte[count * 8];
        if (ReadFully(fs, bytes) < bytes.Length) throw Bad(path, $"truncated data: needs {bytes.Length} bytes");
        var data = new double[count];
        for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8));
        return (data, shape);
    }

    private static void CheckShape(string path, int length, int[] shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"{path}: negative dimension in shape ({string.Join(", ", shape)})");
            count *= d;
        }
        if (count != length)
            throw new ArgumentException($"{path}: shape ({string.Join(", ", shape)}) holds {count} values but {length} were given");
    }

    private static void WriteRaw(string path, string dtype, int[] shape, byte[] data)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        AtomicFile.Write(path, fs =>
        {
            fs.Write(Magic);
            fs.WriteByte(1);
            fs.WriteByte(0);
            Span<byte> l = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(l, (ushort)header.Length);
            fs.Write(l);
            fs.Write(Encoding.Latin1.GetBytes(header));
            fs.Write(data);
        });
    }
}

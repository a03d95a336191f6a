using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.IO;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Tensors.IO;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor name to
/// {dtype, shape, data_offsets: [begin, end)} relative to the data section (plus optional "__metadata__" strings),
/// then the raw little-endian data. Reads F32, F16, BF16 and F64 into float32; writes F32. Every error names the
/// file and, where it applies, the tensor.
/// </summary>
public static class Safetensors
{
    /// <summary>Reads every tensor (as float32) and the metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidDataException($"{path}: cannot read safetensors file: {e.Message}", e); }
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: truncated safetensors file ({bytes.Length} bytes; the 8-byte header length is missing)");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLen > (ulong)bytes.Length - 8) throw new InvalidDataException($"{path}: header length {headerLen} exceeds the file size {bytes.Length} (truncated or not a safetensors file)");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLen))?.AsObject() ?? throw new JsonException("header is null"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException) { throw new InvalidDataException($"{path}: header is not a JSON object: {e.Message}", e); }
        long dataStart = 8 + (long)headerLen, dataLen = bytes.Length - dataStart;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta) foreach (var (k, v) in meta) metadata[k] = v?.ToString() ?? "";
                continue;
            }
            try
            {
                var info = node?.AsObject() ?? throw new InvalidDataException("entry is not an object");
                string dtype = info["dtype"]?.GetValue<string>() ?? throw new InvalidDataException("dtype is missing");
                var shape = (info["shape"]?.AsArray() ?? throw new InvalidDataException("shape is missing")).Select(d => d!.GetValue<int>()).ToArray();
                var offs = (info["data_offsets"]?.AsArray() ?? throw new InvalidDataException("data_offsets is missing")).Select(d => d!.GetValue<long>()).ToArray();
                if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0]) throw new InvalidDataException($"bad data_offsets [{string.Join(", ", offs)}]");
                if (offs[1] > dataLen) throw new InvalidDataException($"data_offsets end {offs[1]} is beyond the {dataLen} data bytes (truncated file)");
                int elemSize = dtype switch { "F32" => 4, "F16" or "BF16" => 2, "F64" => 8, _ => throw new InvalidDataException($"dtype {dtype} is not supported (F32, F16, BF16, F64 are)") };
                int n = Tensor.ShapeSize(shape);
                if (offs[1] - offs[0] != (long)n * elemSize) throw new InvalidDataException($"shape {Tensor.Format(shape)} of {dtype} needs {(long)n * elemSize} bytes but data_offsets span {offs[1] - offs[0]}");
                var src = bytes.AsSpan((int)(dataStart + offs[0]), (int)(offs[1] - offs[0]));
                var t = Tensor.Zeros(shape);
                var d = t.Data;
                for (int i = 0; i < n; i++)
                    d[i] = dtype switch
                    {
                        "F32" => BinaryPrimitives.ReadSingleLittleEndian(src.Slice(i * 4)),
                        "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(src.Slice(i * 8)),
                        "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(i * 2)),
                        _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(i * 2)) << 16),
                    };
                t.Name = name;
                tensors[name] = t;
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: tensor '{name}': {e.Message}", e);
            }
        }
        return (tensors, metadata);
    }

    /// <summary>Writes the tensors as F32 (in the given order), atomically: temp file in the same folder, then rename.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        var names = new HashSet<string>();
        foreach (var (name, t) in list)
        {
            if (!names.Add(name)) throw new ArgumentException($"{path}: tensor name '{name}' appears twice");
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + 4L * t.Size),
            };
            offset += 4L * t.Size;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - headerBytes.Length % 8) % 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(headerBytes.Length + pad));
            stream.Write(len);
            stream.Write(headerBytes);
            for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
            var buffer = new byte[1 << 16];
            foreach (var (_, t) in list)
            {
                var data = t.Data;
                for (int i = 0; i < data.Length; i += buffer.Length / 4)
                {
                    int n = Math.Min(buffer.Length / 4, data.Length - i);
                    for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(j * 4), data[i + j]);
                    stream.Write(buffer, 0, n * 4);
                }
            }
        });
    }

    /// <summary>Saves a module's state dict (parameters and buffers).</summary>
    public static void Save(Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) => Write(path, module.NamedState(), metadata);

    /// <summary>Loads a file into a module (strict: missing/unexpected keys and shape mismatches throw, naming the file).</summary>
    public static LoadReport Load(Module module, string path, bool strict = true) => module.LoadStateDict(Read(path).Tensors, strict, path);
}

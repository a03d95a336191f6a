using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace MotionWorkbench.Pretrained;

/// <summary>
/// A safetensors file's header, read without its data: the metadata and each tensor's name and shape in file order,
/// after checking that the file is exactly as long as the header says (so a truncated cache file is noticed without
/// reading 90 MB).
/// </summary>
public sealed record SafetensorsHeader(IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<(string Name, int[] Shape)> Tensors)
{
    /// <summary>The number of weights over all tensors.</summary>
    public long ParameterCount => Tensors.Sum(t => t.Shape.Aggregate(1L, (a, d) => a * d));

    /// <summary>Reads the header of <paramref name="path"/>; a file that does not check out throws <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static SafetensorsHeader Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> len = stackalloc byte[8];
        if (stream.ReadAtLeast(len, 8, throwOnEndOfStream: false) < 8) throw new InvalidDataException("truncated (no header)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength > 100_000_000 || (long)headerLength > stream.Length - 8) throw new InvalidDataException($"header length {headerLength} does not fit the {stream.Length}-byte file (truncated or corrupt)");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        JsonObject json;
        try { json = JsonNode.Parse(Encoding.UTF8.GetString(header))?.AsObject() ?? throw new InvalidDataException("the header is null"); }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { throw new InvalidDataException($"the header is not JSON: {e.Message}", e); }
        long dataEnd = 0;
        var metadata = new Dictionary<string, string>();
        var tensors = new List<(string, int[])>();
        foreach (var (name, node) in json)
        {
            if (name == "__metadata__") { if (node is JsonObject meta) foreach (var (k, v) in meta) metadata[k] = v?.ToString() ?? ""; continue; }
            try
            {
                dataEnd = Math.Max(dataEnd, node!["data_offsets"]![1]!.GetValue<long>());
                tensors.Add((name, node["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray()));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"tensor '{name}' has no readable shape and data_offsets", e);
            }
        }
        if (8 + (long)headerLength + dataEnd != stream.Length) throw new InvalidDataException($"the file has {stream.Length} bytes, its header describes {8 + (long)headerLength + dataEnd} (truncated or corrupt)");
        return new SafetensorsHeader(metadata, tensors);
    }
}

using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace MotionWorkbench.Render.Plots;

/// <summary>
/// JSON for plotly.js data arrays. Short arrays are plain JSON lists (readable, diffable); long ones use plotly's typed-array
/// form <c>{"dtype":"f4","bdata":base64 little-endian,"shape":"rows,cols"}</c>. The shape must be a string: plotly.js
/// silently ignores an array shape and draws nothing.
/// </summary>
public static class TypedArray
{
    /// <summary>Arrays with at least this many numbers are written as base64 typed arrays.</summary>
    public const int BinaryThreshold = 256;

    public static JsonNode Vector(ReadOnlySpan<double> values)
    {
        if (values.Length >= BinaryThreshold) return Binary("f8", MemoryMarshal.AsBytes(values), values.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var array = new JsonArray();
        foreach (var v in values) array.Add(Number(v));
        return array;
    }

    public static JsonNode Vector(ReadOnlySpan<float> values)
    {
        if (values.Length >= BinaryThreshold) return Binary("f4", MemoryMarshal.AsBytes(values), values.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var array = new JsonArray();
        foreach (var v in values) array.Add(Number(v));
        return array;
    }

    /// <summary>A row-major matrix (rows x cols) as nested lists or as a typed array with shape "rows,cols".</summary>
    public static JsonNode Matrix(ReadOnlySpan<float> values, int rows, int cols)
    {
        if (rows <= 0 || cols <= 0) throw new ArgumentException($"matrix size must be positive, got {rows} x {cols}");
        if (values.Length != rows * cols) throw new ArgumentException($"matrix data has {values.Length} values, expected {rows} x {cols} = {rows * cols}");
        if (values.Length >= BinaryThreshold) return Binary("f4", MemoryMarshal.AsBytes(values), $"{rows},{cols}");
        var outer = new JsonArray();
        for (int r = 0; r < rows; r++)
        {
            var row = new JsonArray();
            foreach (var v in values.Slice(r * cols, cols)) row.Add(Number(v));
            outer.Add(row);
        }
        return outer;
    }

    /// <summary>Decodes a typed-array node or a (nested) JSON list back to row-major doubles; used by tests and the report.</summary>
    public static double[] Decode(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            string dtype = (string?)obj["dtype"] ?? throw new FormatException("typed array has no dtype");
            var bytes = Convert.FromBase64String((string?)obj["bdata"] ?? throw new FormatException("typed array has no bdata"));
            return dtype switch
            {
                "f4" or "float32" => [.. MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(f => (double)f)],
                "f8" or "float64" => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
                _ => throw new FormatException($"typed array dtype '{dtype}' is not supported here"),
            };
        }
        var result = new List<double>();
        Flatten(node, result);
        return [.. result];
    }

    private static void Flatten(JsonNode? node, List<double> into)
    {
        if (node is JsonArray array) foreach (var item in array) Flatten(item, into);
        else into.Add(node is null ? double.NaN : node.GetValue<double>());
    }

    private static JsonObject Binary(string dtype, ReadOnlySpan<byte> bytes, string shape)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("plotly typed arrays are little-endian");
        return new JsonObject { ["dtype"] = dtype, ["bdata"] = Convert.ToBase64String(bytes), ["shape"] = shape };
    }

    /// <summary>A JSON number, or null for NaN/infinity (JSON has no NaN; plotly treats null as a gap).</summary>
    public static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}

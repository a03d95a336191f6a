using System.Text.Json.Nodes;
using MotionWorkbench.Render.Images;

namespace MotionWorkbench.Render.Plots;

/// <summary>
/// One plotly.js trace. Build with the factories (<see cref="Line"/>, <see cref="Scatter"/>, <see cref="Bar"/>,
/// <see cref="Heatmap(float[,],IReadOnlyList{string}?,IReadOnlyList{string}?,string,double?,double?,bool)"/>,
/// <see cref="Image(byte[])"/>) and place it in a <see cref="Figure"/> cell.
/// </summary>
public sealed class Trace
{
    private readonly JsonObject attributes;

    private Trace(string type, JsonObject attributes)
    {
        Type = type;
        this.attributes = attributes;
        attributes["type"] = type;
    }

    /// <summary>The plotly trace type: scatter, bar, heatmap or image.</summary>
    public string Type { get; }

    /// <summary>Legend name, if any.</summary>
    public string? Name => (string?)attributes["name"];

    /// <summary>A line (scatter with mode "lines").</summary>
    public static Trace Line(IEnumerable<double> x, IEnumerable<double> y, string? name = null, string? color = null, string dash = "solid")
    {
        var line = new JsonObject { ["dash"] = dash, ["width"] = 2 };
        if (color is not null) line["color"] = color;
        return XY("lines", x, y, name, color).With("line", line);
    }

    /// <summary>A line over x = 0, 1, 2, ...</summary>
    public static Trace Line(IEnumerable<double> y, string? name = null, string? color = null)
    {
        var ys = y.ToArray();
        return Line(Enumerable.Range(0, ys.Length).Select(i => (double)i), ys, name, color);
    }

    /// <summary>Markers; optional per-point colour values drawn with a colour scale.</summary>
    public static Trace Scatter(IEnumerable<double> x, IEnumerable<double> y, string? name = null, double markerSize = 7,
        IEnumerable<double>? colorValues = null, string colorScale = "Viridis", IEnumerable<string>? hoverText = null)
    {
        var t = XY("markers", x, y, name, null);
        var marker = new JsonObject { ["size"] = markerSize };
        if (colorValues is not null)
        {
            marker["color"] = TypedArray.Vector(colorValues.ToArray());
            marker["colorscale"] = colorScale;
            marker["showscale"] = true;
        }
        t.attributes["marker"] = marker;
        if (hoverText is not null) t.attributes["text"] = new JsonArray([.. hoverText.Select(s => (JsonNode?)s)]);
        return t;
    }

    /// <summary>Bars for categories.</summary>
    public static Trace Bar(IEnumerable<string> categories, IEnumerable<double> values, string? name = null, string? color = null)
    {
        var cats = categories.ToArray();
        var vals = values.ToArray();
        if (cats.Length != vals.Length) throw new ArgumentException($"bar trace '{name}': {cats.Length} categories but {vals.Length} values");
        var t = new Trace("bar", new JsonObject
        {
            ["x"] = new JsonArray([.. cats.Select(c => (JsonNode?)c)]),
            ["y"] = TypedArray.Vector(vals),
        });
        if (name is not null) t.attributes["name"] = name;
        if (color is not null) t.attributes["marker"] = new JsonObject { ["color"] = color };
        return t;
    }

    /// <summary>A heatmap of z (rows = y, cols = x); labels are optional.</summary>
    public static Trace Heatmap(float[,] z, IReadOnlyList<string>? xLabels = null, IReadOnlyList<string>? yLabels = null,
        string colorScale = "Viridis", double? zMin = null, double? zMax = null, bool showScale = true)
    {
        ArgumentNullException.ThrowIfNull(z);
        int rows = z.GetLength(0), cols = z.GetLength(1);
        var flat = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) flat[r * cols + c] = z[r, c];
        return Heatmap(flat, rows, cols, xLabels, yLabels, colorScale, zMin, zMax, showScale);
    }

    /// <summary>A heatmap from row-major data (rows x cols).</summary>
    public static Trace Heatmap(float[] z, int rows, int cols, IReadOnlyList<string>? xLabels = null, IReadOnlyList<string>? yLabels = null,
        string colorScale = "Viridis", double? zMin = null, double? zMax = null, bool showScale = true)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (xLabels is not null && xLabels.Count != cols) throw new ArgumentException($"heatmap has {cols} columns but {xLabels.Count} x labels");
        if (yLabels is not null && yLabels.Count != rows) throw new ArgumentException($"heatmap has {rows} rows but {yLabels.Count} y labels");
        var t = new Trace("heatmap", new JsonObject
        {
            ["z"] = TypedArray.Matrix(z, rows, cols),
            ["colorscale"] = colorScale,
            ["showscale"] = showScale,
        });
        if (xLabels is not null) t.attributes["x"] = new JsonArray([.. xLabels.Select(s => (JsonNode?)s)]);
        if (yLabels is not null) t.attributes["y"] = new JsonArray([.. yLabels.Select(s => (JsonNode?)s)]);
        if (zMin is not null) t.attributes["zmin"] = zMin.Value;
        if (zMax is not null) t.attributes["zmax"] = zMax.Value;
        return t;
    }

    /// <summary>An RGB(A) image from PNG bytes, drawn in pixel coordinates (the y axis points down, as plotly does for images).</summary>
    public static Trace Image(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        return new Trace("image", new JsonObject
        {
            ["source"] = "data:image/png;base64," + Convert.ToBase64String(png),
            ["hoverinfo"] = "x+y",
        });
    }

    /// <summary>An image from row-major RGB bytes (height x width x 3), encoded as PNG.</summary>
    public static Trace Image(byte[] rgb, int width, int height) => Image(Png.Encode(rgb, width, height, 3));

    /// <summary>Sets (or replaces) any plotly attribute, for what the factories do not cover (e.g. "opacity", "hovertemplate").</summary>
    public Trace With(string attribute, JsonNode? value)
    {
        attributes[attribute] = value;
        return this;
    }

    /// <summary>The trace as plotly JSON, bound to the given axes ("x", "y" or "x2", "y2", ...).</summary>
    internal JsonObject ToJson(string xAxis, string yAxis)
    {
        var copy = (JsonObject)attributes.DeepClone();
        if (xAxis != "x") copy["xaxis"] = xAxis;
        if (yAxis != "y") copy["yaxis"] = yAxis;
        return copy;
    }

    private static Trace XY(string mode, IEnumerable<double> x, IEnumerable<double> y, string? name, string? color)
    {
        var xs = x.ToArray();
        var ys = y.ToArray();
        if (xs.Length != ys.Length) throw new ArgumentException($"trace '{name}': x has {xs.Length} values but y has {ys.Length}");
        var t = new Trace("scatter", new JsonObject
        {
            ["mode"] = mode,
            ["x"] = TypedArray.Vector(xs),
            ["y"] = TypedArray.Vector(ys),
        });
        if (name is not null) t.attributes["name"] = name;
        if (color is not null) t.attributes["marker"] = new JsonObject { ["color"] = color };
        return t;
    }
}

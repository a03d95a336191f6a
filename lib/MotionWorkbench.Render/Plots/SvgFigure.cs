using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Render.Html;

namespace MotionWorkbench.Render.Plots;

/// <summary>
/// A static SVG rendering of plotly figure JSON (what <see cref="Figure"/> writes): the subplot grid, linear/log/category axes
/// with ticks and titles (reversed and equal-aspect axes included), line and marker traces (gaps at nulls, per-point colour
/// scales), grouped bars, heatmaps (cells with their text, or one PNG when large; zmin/zmax, reversed scales, opacity, colour
/// bar), image traces, the title, subplot titles and the legend. Shown where plotly.js is not installed, so a figure is never
/// just a note; no hover, zoom or animation. Everything is drawn from the JSON, so the picture is the same data as the
/// interactive one.
/// </summary>
public static partial class SvgFigure
{
    public const int DefaultWidth = 900;
    private const int MaxCellRects = 4096;
    private static int counter;

    public static string Render(string figureJson)
        => Render(JsonNode.Parse(figureJson) as JsonObject ?? throw new ArgumentException("figure JSON must be an object with data and layout"));

    public static string Render(JsonObject figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var layout = figure["layout"] as JsonObject ?? [];
        var traces = (figure["data"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        int width = Int(layout["width"]) ?? DefaultWidth, height = Int(layout["height"]) ?? 400;
        var margin = layout["margin"] as JsonObject;
        string? title = Text(layout["title"]);
        double ml = Num(margin?["l"]) ?? 60, mr = Num(margin?["r"]) ?? 30, mt = Num(margin?["t"]) ?? (title is null ? 40 : 70), mb = Num(margin?["b"]) ?? 50;
        int rows = Int(layout["grid"]?["rows"]) ?? 1, cols = Int(layout["grid"]?["columns"]) ?? 1;
        string uid = "mwsvg" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture);

        var legend = (layout["showlegend"] is JsonValue sl && sl.TryGetValue<bool>(out var show) ? show : traces.Count > 1)
            ? traces.Select((t, i) => (Trace: t, Index: i)).Where(p => Type(p.Trace) is "scatter" or "bar").ToList() : [];
        double legendWidth = legend.Count == 0 ? 0 : Math.Min(240, 36 + 6.5 * legend.Max(p => Name(p.Trace, p.Index).Length));

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mw-static-figure\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px;height:auto;font-family:'Open Sans',Verdana,Arial,sans-serif\" role=\"img\"");
        sb.Append(" aria-label=\"").Append(HtmlText.Escape(title ?? "figure")).Append("\">");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>");
        if (title is not null) sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2.0:0.#}\" y=\"{Math.Min(30, mt / 2 + 6):0.#}\" text-anchor=\"middle\" font-size=\"16\" fill=\"#2a3f5f\">{HtmlText.Escape(title)}</text>");

        double x0 = ml, x1 = width - mr - legendWidth, y0 = mt, y1 = height - mb;
        double cw = (x1 - x0) / cols, ch = (y1 - y0) / rows;
        for (int r = 1; r <= rows; r++)
            for (int c = 1; c <= cols; c++)
            {
                int k = (r - 1) * cols + c;
                var mine = traces.Select((t, i) => (Trace: t, Index: i)).Where(p => AxisIndex(p.Trace["xaxis"], "x") == k).ToList();
                string? subplotTitle = (layout["annotations"] as JsonArray)?.OfType<JsonObject>()
                    .FirstOrDefault(a => (string?)a["xref"] == (k == 1 ? "x" : $"x{k}") + " domain") is { } note ? Text(note["text"]) : null;
                double left = x0 + (c - 1) * cw + (c > 1 ? 45 : 0), right = x0 + c * cw - (c < cols ? 15 : 0);
                double top = y0 + (r - 1) * ch + (subplotTitle is null ? 0 : 20), bottom = y0 + r * ch - (r < rows ? 45 : 0);
                if (subplotTitle is not null)
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(left + right) / 2:0.#}\" y=\"{top - 6:0.#}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#2a3f5f\">{HtmlText.Escape(subplotTitle)}</text>");
                Subplot(sb, layout, mine, k, left, right, top, bottom, $"{uid}-{k}");
            }

        for (int i = 0; i < legend.Count; i++)
        {
            double lx = width - mr - legendWidth + 12, ly = mt + 14 + 20 * i;
            var (trace, index) = legend[i];
            string color = TraceColor(trace, index);
            sb.Append(Type(trace) == "bar"
                ? $"<rect x=\"{lx:0.#}\" y=\"{ly - 6:0.#}\" width=\"20\" height=\"10\" fill=\"{color}\"/>"
                : $"<line x1=\"{lx:0.#}\" y1=\"{ly:0.#}\" x2=\"{lx + 20:0.#}\" y2=\"{ly:0.#}\" stroke=\"{color}\" stroke-width=\"2\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 26:0.#}\" y=\"{ly + 4:0.#}\" font-size=\"12\" fill=\"#2a3f5f\">{HtmlText.Escape(Name(trace, index))}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void Subplot(StringBuilder sb, JsonObject layout, List<(JsonObject Trace, int Index)> traces, int k, double left, double right, double top, double bottom, string id)
    {
        var xa = layout[k == 1 ? "xaxis" : $"xaxis{k}"] as JsonObject;
        var ya = layout[k == 1 ? "yaxis" : $"yaxis{k}"] as JsonObject;
        bool colorBar = traces.Any(p => Type(p.Trace) == "heatmap" && Bool(p.Trace["showscale"]) != false);
        if (colorBar) right -= 50;
        var x = NewAxis(xa);
        var y = NewAxis(ya);
        bool image = traces.Any(p => Type(p.Trace) == "image");
        y.Reversed = image || (string?)ya?["autorange"] == "reversed";
        foreach (var (t, _) in traces) Extent(t, x, y);
        double pad = traces.Any(p => Type(p.Trace) == "scatter") ? 0.04 : 0;
        x.Finish(pad);
        y.Finish(traces.Any(p => Type(p.Trace) == "scatter") ? 0.06 : 0);
        if (traces.Any(p => Type(p.Trace) == "bar") && !y.Log) { y.Lo = Math.Min(y.Lo, 0); }
        x.P0 = left; x.P1 = right; y.P0 = bottom; y.P1 = top;
        if (ya?["scaleanchor"] is not null || image) EqualAspect(x, y);        // plotly keeps image pixels square by default

        sb.Append(CultureInfo.InvariantCulture, $"<defs><clipPath id=\"{id}\"><rect x=\"{left:0.#}\" y=\"{top:0.#}\" width=\"{right - left:0.#}\" height=\"{bottom - top:0.#}\"/></clipPath></defs>");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left:0.#}\" y=\"{top:0.#}\" width=\"{right - left:0.#}\" height=\"{bottom - top:0.#}\" fill=\"#e5ecf6\"/>");
        foreach (var (units, label) in x.Ticks())
        {
            double px = x.MapUnits(units);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.#}\" y1=\"{top:0.#}\" x2=\"{px:0.#}\" y2=\"{bottom:0.#}\" stroke=\"#fff\"/>");
            if (!x.ShowTickLabels) continue;
            bool slanted = x.Category && x.Categories.Count * Math.Min(label.Length, 20) * 6.5 > right - left;
            sb.Append(slanted
                ? $"<text x=\"{px:0.#}\" y=\"{bottom + 12:0.#}\" font-size=\"11\" fill=\"#2a3f5f\" text-anchor=\"end\" transform=\"rotate(-35 {px:0.#} {bottom + 12:0.#})\">{HtmlText.Escape(Short(label))}</text>"
                : $"<text x=\"{px:0.#}\" y=\"{bottom + 15:0.#}\" font-size=\"11\" fill=\"#2a3f5f\" text-anchor=\"middle\">{HtmlText.Escape(Short(label))}</text>");
        }
        foreach (var (units, label) in y.Ticks())
        {
            double py = y.MapUnits(units);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left:0.#}\" y1=\"{py:0.#}\" x2=\"{right:0.#}\" y2=\"{py:0.#}\" stroke=\"#fff\"/>");
            if (y.ShowTickLabels) sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 5:0.#}\" y=\"{py + 4:0.#}\" font-size=\"11\" fill=\"#2a3f5f\" text-anchor=\"end\">{HtmlText.Escape(Short(label))}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<g clip-path=\"url(#{id})\">");
        int bars = traces.Count(p => Type(p.Trace) == "bar"), bar = 0;
        foreach (var (t, index) in traces)
        {
            switch (Type(t))
            {
                case "heatmap": Heatmap(sb, t, x, y); break;
                case "image": Image(sb, t, x, y); break;
                case "bar": Bar(sb, t, x, y, TraceColor(t, index), bar++, bars); break;
                default: Scatter(sb, t, x, y, TraceColor(t, index)); break;
            }
        }
        sb.Append("</g>");
        if (x.Title is { } xt) sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(left + right) / 2:0.#}\" y=\"{bottom + 38:0.#}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#2a3f5f\">{HtmlText.Escape(xt)}</text>");
        if (y.Title is { } yt)
        {
            double tx = left - 42, ty = (top + bottom) / 2;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{tx:0.#}\" y=\"{ty:0.#}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#2a3f5f\" transform=\"rotate(-90 {tx:0.#} {ty:0.#})\">{HtmlText.Escape(yt)}</text>");
        }
        if (colorBar) ColorBar(sb, traces.First(p => Type(p.Trace) == "heatmap").Trace, right + 12, top, bottom, id);
    }

    private static SvgAxis NewAxis(JsonObject? axis) => new()
    {
        Log = (string?)axis?["type"] == "log",
        Category = (string?)axis?["type"] == "category",
        ShowTickLabels = Bool(axis?["showticklabels"]) != false,
        Title = Text(axis?["title"]),
    };

    /// <summary>Widens the axes to the trace's data (categories for string coordinates).</summary>
    private static void Extent(JsonObject t, SvgAxis x, SvgAxis y)
    {
        switch (Type(t))
        {
            case "heatmap":
                var (rows, cols, _) = Matrix(t["z"]);
                Cells(t["x"], cols, x);
                Cells(t["y"], rows, y);
                break;
            case "image":
                var (w, h) = PngSize((string?)t["source"]);
                x.IncludeUnits(-0.5); x.IncludeUnits(w - 0.5);
                y.IncludeUnits(-0.5); y.IncludeUnits(h - 0.5);
                break;
            case "bar":
                foreach (var c in Strings(t["x"])) x.IndexOf(c);
                x.Category = true;
                foreach (var v in Numbers(t["y"])) y.Include(v);
                y.Include(y.Log ? 1 : 0);
                break;
            default:
                Coordinates(t["x"], x);
                Coordinates(t["y"], y);
                break;
        }
    }

    private static void Coordinates(JsonNode? node, SvgAxis axis)
    {
        if (node is JsonArray a && a.Any(v => v is JsonValue s && s.TryGetValue<string>(out _)))
        {
            axis.Category = true;
            foreach (var c in Strings(node)) axis.IndexOf(c);
        }
        else foreach (var v in Numbers(node)) axis.Include(v);
    }

    /// <summary>Heatmap cell coordinates: labels (categories), numeric centres, or 0..n-1; the range covers the cells' edges.</summary>
    private static void Cells(JsonNode? coords, int n, SvgAxis axis)
    {
        if (n == 0) return;
        if (coords is JsonArray a && a.Any(v => v is JsonValue s && s.TryGetValue<string>(out _))) { axis.Category = true; foreach (var c in Strings(coords)) axis.IndexOf(c); return; }
        var centres = CellCentres(coords, n);
        double half = n > 1 ? Math.Abs(centres[1] - centres[0]) / 2 : 0.5;
        axis.IncludeUnits(centres.Min() - half);
        axis.IncludeUnits(centres.Max() + half);
    }

    private static double[] CellCentres(JsonNode? coords, int n)
    {
        var numbers = coords is null ? [] : Numbers(coords);
        return numbers.Length == n ? numbers : [.. Enumerable.Range(0, n).Select(i => (double)i)];
    }

    /// <summary>Equal units on both axes (plotly's scaleanchor): the axis with more pixels per unit gets a wider range.</summary>
    private static void EqualAspect(SvgAxis x, SvgAxis y)
    {
        if (x.Log || y.Log || x.Scale <= 0 || y.Scale <= 0) return;
        if (x.Scale > y.Scale) Widen(x, x.Scale / y.Scale);
        else Widen(y, y.Scale / x.Scale);
        static void Widen(SvgAxis a, double factor)
        {
            double mid = (a.Lo + a.Hi) / 2, half = (a.Hi - a.Lo) / 2 * factor;
            a.Lo = mid - half;
            a.Hi = mid + half;
        }
    }

    /// <summary>Pixel positions of a coordinate array on an axis (categories by name).</summary>
    private static double[] Positions(JsonNode? node, SvgAxis axis)
        => axis.Category ? [.. Strings(node).Select(s => axis.MapUnits(axis.IndexOf(s)))] : [.. Numbers(node).Select(axis.Map)];

    private static (int Rows, int Cols, double[] Values) Matrix(JsonNode? z)
    {
        if (z is JsonObject typed && (string?)typed["shape"] is { } shape)
        {
            var parts = shape.Split(',');
            int rows = int.Parse(parts[0], CultureInfo.InvariantCulture), cols = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1;
            return (rows, cols, TypedArray.Decode(typed));
        }
        if (z is JsonArray outer && outer.Count > 0)
        {
            int cols = outer.Max(r => r is JsonArray a ? a.Count : 1);
            var values = new double[outer.Count * cols];
            Array.Fill(values, double.NaN);
            for (int r = 0; r < outer.Count; r++)
                if (outer[r] is JsonArray row)
                    for (int c = 0; c < row.Count; c++) values[r * cols + c] = row[c] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;
            return (outer.Count, cols, values);
        }
        return (0, 0, []);
    }

    private static double[] Numbers(JsonNode? node) => node switch
    {
        JsonObject typed => TypedArray.Decode(typed),
        JsonArray a => [.. a.Select(v => v is JsonValue jv && jv.TryGetValue<double>(out var d) ? d : double.NaN)],
        _ => [],
    };

    private static string[] Strings(JsonNode? node) => node is JsonArray a ? [.. a.Select(v => v?.ToString() ?? "")] : [];

    /// <summary>Width and height from a PNG data URI's IHDR chunk (0, 0 when it is not one).</summary>
    private static (int W, int H) PngSize(string? source)
    {
        const string prefix = "data:image/png;base64,";
        if (source is null || !source.StartsWith(prefix, StringComparison.Ordinal) || source.Length < prefix.Length + 32) return (0, 0);
        var head = Convert.FromBase64String(source.Substring(prefix.Length, 32));
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(20)));
    }

    private static int AxisIndex(JsonNode? reference, string letter)
        => (string?)reference is { Length: > 1 } s && s.StartsWith(letter, StringComparison.Ordinal) && int.TryParse(s.AsSpan(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) ? k : 1;

    private static string Type(JsonObject t) => (string?)t["type"] ?? "scatter";

    private static string Name(JsonObject t, int index) => (string?)t["name"] ?? $"trace {index}";

    private static string TraceColor(JsonObject t, int index)
        => (t["line"] as JsonObject)?["color"] is JsonValue lc && lc.TryGetValue<string>(out var l) ? l
            : (t["marker"] as JsonObject)?["color"] is JsonValue mc && mc.TryGetValue<string>(out var m) ? m
            : ColorScales.Colorway[index % ColorScales.Colorway.Length];

    private static string? Text(JsonNode? node) => node switch
    {
        JsonObject o => (string?)o["text"],
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => null,
    };

    private static string Short(string label) => label.Length > 24 ? label[..23] + "…" : label;

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static int? Int(JsonNode? node) => Num(node) is { } d ? (int)d : null;

    private static bool? Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
}

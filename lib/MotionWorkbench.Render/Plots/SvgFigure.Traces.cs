using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Render.Html;
using MotionWorkbench.Render.Images;

namespace MotionWorkbench.Render.Plots;

/// <summary>The trace drawing of <see cref="SvgFigure"/>: lines and markers, grouped bars, heatmaps, images and the colour bar.</summary>
public static partial class SvgFigure
{
    private static void Scatter(StringBuilder sb, JsonObject t, SvgAxis x, SvgAxis y, string color)
    {
        var xs = Positions(t["x"], x);
        var ys = Positions(t["y"], y);
        int n = Math.Min(xs.Length, ys.Length);
        string mode = (string?)t["mode"] ?? "lines";
        var line = t["line"] as JsonObject;
        if (mode.Contains("lines", StringComparison.Ordinal))
        {
            string stroke = (string?)line?["color"] ?? color;
            double w = Num(line?["width"]) ?? 2;
            string dash = (string?)line?["dash"] switch { "dash" => " stroke-dasharray=\"6,4\"", "dot" => " stroke-dasharray=\"2,3\"", "dashdot" => " stroke-dasharray=\"6,3,2,3\"", _ => "" };
            var points = new StringBuilder();
            for (int i = 0; i <= n; i++)
            {
                bool ok = i < n && double.IsFinite(xs[i]) && double.IsFinite(ys[i]);
                if (ok) { points.Append(CultureInfo.InvariantCulture, $"{xs[i]:0.##},{ys[i]:0.##} "); continue; }
                if (points.Length > 0) sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{w:0.#}\"{dash} points=\"{points.ToString().TrimEnd()}\"/>");
                points.Clear();
            }
        }
        if (!mode.Contains("markers", StringComparison.Ordinal)) return;
        var marker = t["marker"] as JsonObject;
        double size = Num(marker?["size"]) ?? 6;
        var values = marker?["color"] is JsonValue ? null : marker?["color"] is { } cv ? Numbers(cv) : null;
        double lo = values?.Where(double.IsFinite).DefaultIfEmpty(0).Min() ?? 0, hi = values?.Where(double.IsFinite).DefaultIfEmpty(1).Max() ?? 1;
        string fixedColor = marker?["color"] is JsonValue mc && mc.TryGetValue<string>(out var s) ? s : color;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(xs[i]) || !double.IsFinite(ys[i])) continue;
            string fill = values is not null && i < values.Length ? ColorScales.At((string?)marker?["colorscale"], hi > lo ? (values[i] - lo) / (hi - lo) : 0.5) : fixedColor;
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xs[i]:0.##}\" cy=\"{ys[i]:0.##}\" r=\"{size / 2:0.##}\" fill=\"{fill}\"/>");
        }
    }

    private static void Bar(StringBuilder sb, JsonObject t, SvgAxis x, SvgAxis y, string color, int slot, int slots)
    {
        var cats = Strings(t["x"]);
        var values = Numbers(t["y"]);
        string fill = (t["marker"] as JsonObject)?["color"] is JsonValue mc && mc.TryGetValue<string>(out var s) ? s : color;
        double group = 0.8, width = group / Math.Max(1, slots);
        double baseline = y.Map(y.Log ? Math.Pow(10, y.Lo) : 0);
        for (int i = 0; i < Math.Min(cats.Length, values.Length); i++)
        {
            if (!double.IsFinite(values[i])) continue;
            double cx = x.IndexOf(cats[i]) - group / 2 + width * slot;
            double a = x.MapUnits(cx), b = x.MapUnits(cx + width), top = y.Map(values[i]);
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Math.Min(a, b):0.##}\" y=\"{Math.Min(top, baseline):0.##}\" width=\"{Math.Abs(b - a):0.##}\" height=\"{Math.Abs(baseline - top):0.##}\" fill=\"{fill}\"/>");
        }
    }

    private static void Heatmap(StringBuilder sb, JsonObject t, SvgAxis x, SvgAxis y)
    {
        var (rows, cols, z) = Matrix(t["z"]);
        if (rows == 0 || cols == 0) return;
        var finite = z.Where(double.IsFinite).DefaultIfEmpty(0);
        double lo = Num(t["zmin"]) ?? finite.Min(), hi = Num(t["zmax"]) ?? finite.Max();
        string? scale = (string?)t["colorscale"];
        bool reverse = Bool(t["reversescale"]) == true;
        double opacity = Num(t["opacity"]) ?? 1;
        double T(double v) => hi > lo ? (v - lo) / (hi - lo) : 0.5;
        var xc = x.Category ? [.. Enumerable.Range(0, cols).Select(i => (double)(t["x"] is JsonArray ? x.IndexOf(Strings(t["x"])[i]) : i))] : CellCentres(t["x"], cols);
        var yc = y.Category ? [.. Enumerable.Range(0, rows).Select(i => (double)(t["y"] is JsonArray ? y.IndexOf(Strings(t["y"])[i]) : i))] : CellCentres(t["y"], rows);
        double hx = cols > 1 ? Math.Abs(xc[1] - xc[0]) / 2 : 0.5, hy = rows > 1 ? Math.Abs(yc[1] - yc[0]) / 2 : 0.5;
        string op = opacity < 1 ? $" opacity=\"{opacity.ToString("0.##", CultureInfo.InvariantCulture)}\"" : "";
        if (rows * cols > MaxCellRects)
        {
            var rgb = new byte[rows * cols * 3];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    var (cr, cg, cb) = ColorScales.Rgb(scale, T(z[r * cols + c]), reverse);
                    int o = (r * cols + c) * 3;
                    (rgb[o], rgb[o + 1], rgb[o + 2]) = (cr, cg, cb);
                }
            double ax = x.MapUnits(xc[0] - hx), bx = x.MapUnits(xc[^1] + hx), ay = y.MapUnits(yc[0] - hy), by = y.MapUnits(yc[^1] + hy);
            // row 0 of the PNG is drawn at the top: flip it when row 0 of the matrix is at the bottom
            string flip = ay > by ? $" transform=\"translate(0 {ay + by:0.##}) scale(1 -1)\"" : "";
            sb.Append(CultureInfo.InvariantCulture, $"<image{op}{flip} x=\"{Math.Min(ax, bx):0.##}\" y=\"{Math.Min(ay, by):0.##}\" width=\"{Math.Abs(bx - ax):0.##}\" height=\"{Math.Abs(by - ay):0.##}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{Convert.ToBase64String(Png.Encode(rgb, cols, rows, 3))}\"/>");
            return;
        }
        var text = t["text"] as JsonArray;
        bool labels = text is not null && t["texttemplate"] is not null && rows * cols <= 900;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double v = z[r * cols + c];
                if (!double.IsFinite(v)) continue;
                double ax = x.MapUnits(xc[c] - hx), bx = x.MapUnits(xc[c] + hx), ay = y.MapUnits(yc[r] - hy), by = y.MapUnits(yc[r] + hy);
                sb.Append(CultureInfo.InvariantCulture, $"<rect{op} x=\"{Math.Min(ax, bx):0.##}\" y=\"{Math.Min(ay, by):0.##}\" width=\"{Math.Abs(bx - ax) + 0.3:0.##}\" height=\"{Math.Abs(by - ay) + 0.3:0.##}\" fill=\"{ColorScales.At(scale, T(v), reverse)}\"/>");
                if (labels && (text![r] as JsonArray)?[c]?.ToString() is { } label)
                {
                    double shade = reverse ? 1 - T(v) : T(v);               // every scale here is dark at 0
                    string ink = shade < 0.5 ? "#fff" : "#000";
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(ax + bx) / 2:0.#}\" y=\"{(ay + by) / 2 + 4:0.#}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{ink}\">{HtmlText.Escape(label)}</text>");
                }
            }
    }

    private static void Image(StringBuilder sb, JsonObject t, SvgAxis x, SvgAxis y)
    {
        string? source = (string?)t["source"];
        var (w, h) = PngSize(source);
        if (source is null || w == 0) return;
        double ax = x.MapUnits(-0.5), bx = x.MapUnits(w - 0.5), ay = y.MapUnits(-0.5), by = y.MapUnits(h - 0.5);
        sb.Append(CultureInfo.InvariantCulture, $"<image x=\"{Math.Min(ax, bx):0.##}\" y=\"{Math.Min(ay, by):0.##}\" width=\"{Math.Abs(bx - ax):0.##}\" height=\"{Math.Abs(by - ay):0.##}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"{HtmlText.Escape(source)}\"/>");
    }

    private static void ColorBar(StringBuilder sb, JsonObject t, double x, double top, double bottom, string id)
    {
        var (_, _, z) = Matrix(t["z"]);
        var finite = z.Where(double.IsFinite).DefaultIfEmpty(0);
        double lo = Num(t["zmin"]) ?? finite.Min(), hi = Num(t["zmax"]) ?? finite.Max();
        sb.Append(CultureInfo.InvariantCulture, $"<defs><linearGradient id=\"{id}-bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        foreach (var (at, color) in ColorScales.Stops((string?)t["colorscale"], Bool(t["reversescale"]) == true))
            sb.Append(CultureInfo.InvariantCulture, $"<stop offset=\"{at:0.###}\" stop-color=\"{color}\"/>");
        sb.Append("</linearGradient></defs>");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{top:0.#}\" width=\"12\" height=\"{bottom - top:0.#}\" fill=\"url(#{id}-bar)\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 16:0.#}\" y=\"{top + 9:0.#}\" font-size=\"10\" fill=\"#2a3f5f\">{HtmlText.Number(hi, "0.###")}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 16:0.#}\" y=\"{bottom:0.#}\" font-size=\"10\" fill=\"#2a3f5f\">{HtmlText.Number(lo, "0.###")}</text>");
    }
}

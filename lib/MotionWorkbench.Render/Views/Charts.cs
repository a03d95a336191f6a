using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Render.Plots;

namespace MotionWorkbench.Render.Views;

/// <summary>One curve of a training run: a name, x values (steps or epochs), y values, and the panel it is drawn in.</summary>
public sealed record CurveSeries(string Name, double[] Steps, double[] Values, string Panel = "loss");

/// <summary>One line of an inline SVG chart (<see cref="Charts.SvgLines"/>): its legend label, colour, (x, y) points, dashed or solid.</summary>
public sealed record LineSeries(string Label, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>Ready-made figures over plain arrays (Render reads no tensor and no model: arrays and records in).</summary>
public static class Charts
{
    /// <summary>Training curves: one subplot per distinct <see cref="CurveSeries.Panel"/>, side by side, in first-seen order.</summary>
    public static Figure TrainingCurves(IReadOnlyList<CurveSeries> series, string xTitle = "step", string? title = "Training curves")
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("training curves need at least one series", nameof(series));
        var panels = series.Select(s => s.Panel).Distinct().ToList();
        var fig = Figure.Grid(1, panels.Count, title);
        fig.Height = 380;
        foreach (var s in series)
        {
            if (s.Steps.Length != s.Values.Length)
                throw new ArgumentException($"series '{s.Name}' has {s.Steps.Length} steps but {s.Values.Length} values");
            fig.Add(Trace.Line(s.Steps, s.Values, s.Name), 1, panels.IndexOf(s.Panel) + 1);
        }
        for (int i = 0; i < panels.Count; i++)
        {
            fig.XAxis(xTitle, 1, i + 1).YAxis(panels[i], 1, i + 1);
            if (panels.Count > 1) fig.SubplotTitle(panels[i], 1, i + 1);
        }
        return fig;
    }

    /// <summary>
    /// A similarity matrix (rows = queries, e.g. texts; cols = candidates, e.g. motions) drawn in matrix orientation, with
    /// the diagonal (the ground-truth pairs) as the reference.
    /// </summary>
    public static Figure SimilarityMatrix(float[,] similarity, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? colLabels = null,
        string title = "Similarity", string rowTitle = "text", string colTitle = "motion", string colorScale = "Viridis")
    {
        ArgumentNullException.ThrowIfNull(similarity);
        var fig = new Figure(title) { Height = Math.Clamp(120 + 18 * similarity.GetLength(0), 320, 900), ShowLegend = false };
        fig.Add(Trace.Heatmap(similarity, colLabels, rowLabels, colorScale));
        fig.XAxis(colTitle).YAxis(rowTitle).MatrixOrientation();
        return fig;
    }

    /// <summary>
    /// A confusion matrix (rows = true class, cols = predicted class) with the counts written in the cells; with
    /// <paramref name="normalizeRows"/> the colour shows each row's fraction (recall per class).
    /// </summary>
    public static Figure ConfusionMatrix(int[,] counts, IReadOnlyList<string> labels, string title = "Confusion matrix", bool normalizeRows = true)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(labels);
        int n = counts.GetLength(0);
        if (counts.GetLength(1) != n || labels.Count != n)
            throw new ArgumentException($"confusion matrix must be square with one label per class, got {counts.GetLength(0)} x {counts.GetLength(1)} and {labels.Count} labels");
        var z = new float[n, n];
        var text = new JsonArray();
        for (int r = 0; r < n; r++)
        {
            long rowSum = 0;
            for (int c = 0; c < n; c++)
            {
                if (counts[r, c] < 0) throw new ArgumentException($"confusion matrix has a negative count at ({r}, {c})");
                rowSum += counts[r, c];
            }
            var rowText = new JsonArray();
            for (int c = 0; c < n; c++)
            {
                z[r, c] = normalizeRows ? (rowSum == 0 ? 0f : (float)counts[r, c] / rowSum) : counts[r, c];
                rowText.Add(counts[r, c].ToString(CultureInfo.InvariantCulture));
            }
            text.Add(rowText);
        }
        var trace = Trace.Heatmap(z, labels, labels, "Blues", zMin: 0, zMax: normalizeRows ? 1 : null)
            .With("reversescale", true).With("text", text).With("texttemplate", "%{text}").With("hovertemplate", "true %{y}<br>predicted %{x}<br>count %{text}<extra></extra>");
        var fig = new Figure(title) { Height = Math.Clamp(160 + 28 * n, 340, 900), ShowLegend = false };
        fig.Add(trace).XAxis("predicted").YAxis("true").MatrixOrientation();
        return fig;
    }

    /// <summary>An RGB image (row-major bytes, height x width x 3) as a figure with hover coordinates.</summary>
    public static Figure Image(byte[] rgb, int width, int height, string? title = null)
    {
        var fig = new Figure(title) { ShowLegend = false, Height = Math.Clamp(height * 2 + 90, 240, 900) };
        fig.Add(Trace.Image(rgb, width, height)).XAxis("x (pixel)").YAxis("y (pixel)");
        return fig;
    }

    /// <summary>Bars comparing named values, e.g. R@1 of several runs.</summary>
    public static Figure Bars(IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> groups, string? title = null, string? yTitle = null)
    {
        var fig = new Figure(title);
        foreach (var (name, values) in groups) fig.Add(Trace.Bar(categories, values, name));
        if (yTitle is not null) fig.YAxis(yTitle);
        return fig;
    }

    /// <summary>
    /// An inline SVG line chart (no script, no external file: for self-contained reports such as a run's
    /// <c>summary.html</c>) of one or more series over a shared x axis, 5 y ticks formatted with
    /// <paramref name="yFormat"/>, the x range named by <paramref name="xLabel"/>, an optional dashed horizontal
    /// <paramref name="reference"/> line (<c>class="chance"</c>, e.g. a loss at chance level) and a legend.
    /// </summary>
    public static string SvgLines(IReadOnlyList<LineSeries> series, string xLabel, string yFormat, double? reference = null, string? referenceLabel = null,
        int width = 760, int height = 220)
    {
        ArgumentNullException.ThrowIfNull(series);
        var pts = series.SelectMany(s => s.Points).ToList();
        if (pts.Count == 0) return "<p>(nothing logged)</p>";
        double minX = pts.Min(p => p.X), maxX = pts.Max(p => p.X);
        double minY = Math.Min(0, pts.Min(p => p.Y)), maxY = pts.Max(p => p.Y);
        if (reference is double r) { minY = Math.Min(minY, r); maxY = Math.Max(maxY, r * 1.05); }
        if (maxX <= minX) maxX = minX + 1;
        if (maxY <= minY) maxY = minY + (maxY == 0 ? 1 : Math.Abs(maxY));
        const int left = 60, bottom = 30, top = 10, right = 10;
        string X(double x) => (left + (x - minX) / (maxX - minX) * (width - left - right)).ToString("0.0", CultureInfo.InvariantCulture);
        string Y(double y) => (top + (1 - (y - minY) / (maxY - minY)) * (height - top - bottom)).ToString("0.0", CultureInfo.InvariantCulture);
        static string H(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" style=\"background:#fff;border:1px solid #ddd\">");
        for (int t = 0; t <= 4; t++)
        {
            double y = minY + (maxY - minY) * t / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(y)}\" y2=\"{Y(y)}\" stroke=\"#eee\"/><text x=\"{left - 5}\" y=\"{Y(y)}\" font-size=\"11\" text-anchor=\"end\" dominant-baseline=\"middle\">{y.ToString(yFormat, CultureInfo.InvariantCulture)}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 8}\" font-size=\"11\">{H(xLabel)} {minX:0}</text><text x=\"{width - right}\" y=\"{height - 8}\" font-size=\"11\" text-anchor=\"end\">{H(xLabel)} {maxX:0}</text>");
        if (reference is double rv)
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"chance\" x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(rv)}\" y2=\"{Y(rv)}\" stroke=\"#b00020\" stroke-dasharray=\"6 4\"/><text x=\"{left + 5}\" y=\"{Y(rv)}\" dy=\"-4\" font-size=\"11\" fill=\"#b00020\">{H(referenceLabel ?? "reference")} = {rv:0.000}</text>");
        int legendY = 20;
        foreach (var s in series)
        {
            if (s.Points.Count == 0) continue;
            var line = string.Join(" ", s.Points.OrderBy(p => p.X).Select(p => $"{X(p.X)},{Y(p.Y)}"));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"4 3\"" : "")} points=\"{line}\"/>");
            if (s.Points.Count == 1) sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(s.Points[0].X)}\" cy=\"{Y(s.Points[0].Y)}\" r=\"3\" fill=\"{s.Color}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right - 5}\" y=\"{legendY}\" font-size=\"11\" text-anchor=\"end\" fill=\"{s.Color}\">{H(s.Label)}</text>");
            legendY += 14;
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}

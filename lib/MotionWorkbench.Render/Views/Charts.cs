using System.Globalization;
using System.Text.Json.Nodes;
using MotionWorkbench.Render.Plots;

namespace MotionWorkbench.Render.Views;

/// <summary>One curve of a training run: a name, x values (steps or epochs), y values, and the panel it is drawn in.</summary>
public sealed record CurveSeries(string Name, double[] Steps, double[] Values, string Panel = "loss");

/// <summary>Ready-made figures over plain arrays (Render depends on no other project).</summary>
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
}

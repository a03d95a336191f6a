using System.Globalization;
using System.Text;
using MotionWorkbench.Render.Html;

namespace MotionWorkbench.Render.Views;

/// <summary>
/// A metric table with our numbers and the published ones side by side (e.g. R@1, R@5, R@10, MedR for each method).
/// Shows as HTML; <see cref="ToCsv"/> gives the machine-readable form.
/// </summary>
[Interactive.TypeFormatterSource(typeof(Interactive.ViewFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed class MetricTable : IHtmlView
{
    private readonly List<Row> rows = [];

    /// <param name="title">Caption, e.g. "Table 2: text-to-motion retrieval on HumanML3D".</param>
    /// <param name="metrics">Column names, e.g. R@1, R@5, MedR.</param>
    /// <param name="lowerIsBetter">Metrics where smaller wins (e.g. MedR); used to mark the better of ours/published.</param>
    public MetricTable(string title, IReadOnlyList<string> metrics, IEnumerable<string>? lowerIsBetter = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0) throw new ArgumentException("a metric table needs at least one metric column", nameof(metrics));
        Title = title;
        Metrics = metrics;
        LowerIsBetter = new HashSet<string>(lowerIsBetter ?? [], StringComparer.Ordinal);
    }

    public string Title { get; }
    public IReadOnlyList<string> Metrics { get; }
    public IReadOnlySet<string> LowerIsBetter { get; }
    /// <summary>Number format for the cells.</summary>
    public string Format { get; init; } = "0.00";
    /// <summary>A note under the table (data set, preset, what differs from the paper).</summary>
    public string? Note { get; set; }

    public sealed record Row(string Label, double?[] Ours, double?[] Published);

    public IReadOnlyList<Row> Rows => rows;

    /// <summary>Adds a row; either side may be null (not run / not published) and single cells may be null.</summary>
    public MetricTable Add(string label, IReadOnlyList<double?>? ours, IReadOnlyList<double?>? published = null)
    {
        rows.Add(new Row(label, Cells(label, "ours", ours), Cells(label, "published", published)));
        return this;
    }

    /// <summary>Adds a row from non-null numbers.</summary>
    public MetricTable Add(string label, IReadOnlyList<double> ours, IReadOnlyList<double>? published = null)
        => Add(label, ours.Select(v => (double?)v).ToArray(), published?.Select(v => (double?)v).ToArray());

    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"mw-metrics\" style=\"border-collapse:collapse;font:13px/1.4 sans-serif\">");
        sb.Append("<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">").Append(HtmlText.Escape(Title)).Append("</caption>");
        sb.Append("<thead><tr><th rowspan=\"2\" style=\"").Append(Th).Append("\"></th>");
        foreach (var m in Metrics)
            sb.Append("<th colspan=\"2\" style=\"").Append(Th).Append("\">").Append(HtmlText.Escape(m)).Append(LowerIsBetter.Contains(m) ? " ↓" : " ↑").Append("</th>");
        sb.Append("</tr><tr>");
        foreach (var _ in Metrics) sb.Append("<th style=\"").Append(Th).Append("\">ours</th><th style=\"").Append(Th).Append(";color:#777\">paper</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr><th style=\"").Append(Td).Append(";text-align:left\">").Append(HtmlText.Escape(row.Label)).Append("</th>");
            for (int i = 0; i < Metrics.Count; i++)
            {
                double? ours = row.Ours[i], paper = row.Published[i];
                bool better = ours is not null && paper is not null && (LowerIsBetter.Contains(Metrics[i]) ? ours < paper : ours > paper);
                sb.Append("<td style=\"").Append(Td).Append(better ? ";font-weight:bold" : "").Append("\">").Append(Cell(ours)).Append("</td>");
                sb.Append("<td style=\"").Append(Td).Append(";color:#777\">").Append(Cell(paper)).Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (Note is not null) sb.Append("<p style=\"font:12px sans-serif;color:#555\">").Append(HtmlText.Escape(Note)).Append("</p>");
        return sb.ToString();
    }

    /// <summary>CSV with columns label, then "metric (ours)" and "metric (paper)" per metric; empty cells for missing numbers.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append("label");
        foreach (var m in Metrics) sb.Append(',').Append(Csv(m + " (ours)")).Append(',').Append(Csv(m + " (paper)"));
        sb.Append('\n');
        foreach (var row in rows)
        {
            sb.Append(Csv(row.Label));
            for (int i = 0; i < Metrics.Count; i++)
                sb.Append(',').Append(row.Ours[i]?.ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(row.Published[i]?.ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public override string ToString() => $"MetricTable '{Title}': {rows.Count} row(s) x {Metrics.Count} metric(s)";

    private const string Th = "border-bottom:1px solid #999;padding:3px 8px;text-align:center";
    private const string Td = "border-bottom:1px solid #eee;padding:3px 8px;text-align:right";

    private string Cell(double? v) => v is null ? "—" : v.Value.ToString(Format, CultureInfo.InvariantCulture);

    private double?[] Cells(string label, string side, IReadOnlyList<double?>? values)
    {
        if (values is null) return new double?[Metrics.Count];
        if (values.Count != Metrics.Count)
            throw new ArgumentException($"row '{label}' has {values.Count} {side} values but the table has {Metrics.Count} metrics ({string.Join(", ", Metrics)})");
        return [.. values];
    }

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') || s.Contains('\n') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}

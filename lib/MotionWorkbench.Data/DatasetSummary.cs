using System.Globalization;
using System.Net;
using System.Text;

namespace MotionWorkbench.Data;

/// <summary>One row of a dataset summary table.</summary>
public sealed record SummaryRow(string Section, string Metric, string Value);

/// <summary>
/// Counts, lengths and caption statistics of a dataset, as rows (Section, Metric, Value) with plain-text and
/// HTML-table renderings.
/// </summary>
public sealed class DatasetSummary
{
    private DatasetSummary(string title, IReadOnlyList<SummaryRow> rows)
    {
        Title = title;
        Rows = rows;
    }

    public string Title { get; }
    public IReadOnlyList<SummaryRow> Rows { get; }

    public int ClipCount { get; private init; }
    public long TotalFrames { get; private init; }
    public double TotalSeconds { get; private init; }
    public int CaptionCount { get; private init; }

    public static DatasetSummary Compute(MotionDataset ds)
    {
        var rows = new List<SummaryRow>();
        string F(double v, string fmt = "0.00") => v.ToString(fmt, CultureInfo.InvariantCulture);
        void Add(string s, string m, string v) => rows.Add(new SummaryRow(s, m, v));

        var clips = ds.Clips;
        int mirrors = clips.Count(c => c.Id.StartsWith('M') && ds.Contains(c.Id[1..]));
        Add("dataset", "name", ds.Name);
        Add("dataset", "skeleton", $"{ds.Skeleton.Name} ({ds.Skeleton.JointCount} joints)");
        Add("dataset", "fps", F(ds.Fps, "0.##"));
        Add("dataset", "clips", clips.Count.ToString(CultureInfo.InvariantCulture));
        Add("dataset", "mirrored (M) clips", mirrors.ToString(CultureInfo.InvariantCulture));
        foreach (var s in ds.SplitNames) Add("splits", s, ds.Split(s).Count.ToString(CultureInfo.InvariantCulture));

        long frames = clips.Sum(c => (long)c.Frames);
        double secs = clips.Sum(c => (double)c.DurationSeconds);
        Add("length", "total frames", frames.ToString(CultureInfo.InvariantCulture));
        Add("length", "total duration", $"{F(secs / 3600, "0.000")} h ({F(secs, "0.0")} s)");
        if (clips.Count > 0)
        {
            var f = clips.Select(c => c.Frames).Order().ToArray();
            var d = clips.Select(c => (double)c.DurationSeconds).Order().ToArray();
            Add("length", "frames min / median / max", $"{f[0]} / {f[f.Length / 2]} / {f[^1]}");
            Add("length", "seconds min / mean / median / max", $"{F(d[0])} / {F(d.Average())} / {F(d[d.Length / 2])} / {F(d[^1])}");
        }

        var caps = clips.SelectMany(c => c.Captions).ToArray();
        Add("captions", "captions", caps.Length.ToString(CultureInfo.InvariantCulture));
        Add("captions", "clips without captions", clips.Count(c => c.Captions.Count == 0).ToString(CultureInfo.InvariantCulture));
        if (clips.Count > 0) Add("captions", "captions per clip (mean)", F(caps.Length / (double)clips.Count));
        Add("captions", "segment captions (start/end)", caps.Count(c => !c.IsWholeMotion).ToString(CultureInfo.InvariantCulture));
        Add("captions", "distinct captions", caps.Select(c => c.Text).Distinct(StringComparer.Ordinal).Count().ToString(CultureInfo.InvariantCulture));
        if (caps.Length > 0)
        {
            var words = caps.Select(c => c.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length).ToArray();
            Add("captions", "words per caption (mean / max)", $"{F(words.Average(), "0.0")} / {words.Max()}");
            var vocab = caps.SelectMany(c => c.Text.ToLowerInvariant().Split([' ', ',', '.', ';', '!', '?'], StringSplitOptions.RemoveEmptyEntries))
                .Distinct().Count();
            Add("captions", "vocabulary (distinct words)", vocab.ToString(CultureInfo.InvariantCulture));
        }
        var labels = clips.SelectMany(c => c.Labels).ToArray();
        if (labels.Length > 0)
        {
            Add("labels", "labelled clips", clips.Count(c => c.Labels.Count > 0).ToString(CultureInfo.InvariantCulture));
            Add("labels", "distinct labels", labels.Distinct().Count().ToString(CultureInfo.InvariantCulture));
        }
        if (ds.Report.SkippedCount > 0 || ds.Report.FilesIn > 0)
            Add("load", "files", ds.Report.Summary());
        return new DatasetSummary(ds.Name, rows)
        {
            ClipCount = clips.Count,
            TotalFrames = frames,
            TotalSeconds = secs,
            CaptionCount = caps.Length,
        };
    }

    /// <summary>A fixed-width text table.</summary>
    public string ToText()
    {
        int w0 = Math.Max(7, Rows.Max(r => r.Section.Length));
        int w1 = Math.Max(6, Rows.Max(r => r.Metric.Length));
        int w2 = Math.Max(5, Rows.Max(r => r.Value.Length));
        var sb = new StringBuilder();
        string line = "+" + new string('-', w0 + 2) + "+" + new string('-', w1 + 2) + "+" + new string('-', w2 + 2) + "+";
        sb.AppendLine(line);
        sb.AppendLine($"| {"section".PadRight(w0)} | {"metric".PadRight(w1)} | {"value".PadRight(w2)} |");
        sb.AppendLine(line);
        foreach (var r in Rows) sb.AppendLine($"| {r.Section.PadRight(w0)} | {r.Metric.PadRight(w1)} | {r.Value.PadRight(w2)} |");
        sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>An HTML &lt;table&gt; (no styles, no scripts), escaped.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"mw-dataset-summary\">\n<caption>").Append(WebUtility.HtmlEncode(Title)).Append("</caption>\n");
        sb.Append("<thead><tr><th>section</th><th>metric</th><th>value</th></tr></thead>\n<tbody>\n");
        foreach (var r in Rows)
            sb.Append("<tr><td>").Append(WebUtility.HtmlEncode(r.Section)).Append("</td><td>").Append(WebUtility.HtmlEncode(r.Metric))
              .Append("</td><td>").Append(WebUtility.HtmlEncode(r.Value)).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table>\n");
        return sb.ToString();
    }

    public override string ToString() => ToText();
}

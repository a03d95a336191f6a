using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Data.Probes;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Render.Html;
using MotionWorkbench.Render.Plots;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Several models probed with one probe set (notebook 16): the attribute x model table (both directions' accuracy with
/// their 95 % Wilson intervals, chance 50 %), its CSV, a grouped bar chart, and the findings as measured (which
/// distinctions each model makes, and whether the "All" ranking of the models agrees with the probes).
/// </summary>
public sealed record ProbeComparison(string Title, IReadOnlyList<(string Model, ProbeEvaluation Result)> Rows)
{
    /// <summary>The attributes of the probe set, in table order.</summary>
    public IReadOnlyList<string> Attributes => ProbeAttributes.Ordered(Rows.SelectMany(r => r.Result.Attributes.Select(a => a.Attribute)));

    private ProbeAttributeResult? Of(ProbeEvaluation e, string attribute) => e.Attributes.FirstOrDefault(a => a.Attribute == attribute);

    /// <summary>Both directions pooled: the share of the attribute's four trials per pair scored right (ties half), with its Wilson interval (percent).</summary>
    public static (double Accuracy, double Low, double High) Pooled(ProbeAttributeResult a)
    {
        double right = a.TextToMotion.Right + 0.5 * a.TextToMotion.Ties + a.MotionToText.Right + 0.5 * a.MotionToText.Ties;
        int trials = a.TextToMotion.Trials + a.MotionToText.Trials;
        var (low, high) = WilsonInterval.Of(right, trials);
        return (100 * right / trials, 100 * low, 100 * high);
    }

    /// <summary>The table: one row per attribute, per model two cells (text → motion, motion → text: accuracy [interval]), and the chance row.</summary>
    public HtmlView Table()
    {
        const string th = "border-bottom:1px solid #999;padding:3px 8px;text-align:center", td = "padding:3px 8px;text-align:right;white-space:nowrap";
        var sb = new StringBuilder("<table class=\"mw-probes\" style=\"border-collapse:collapse;font:13px/1.4 sans-serif\">");
        sb.Append("<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">").Append(HtmlText.Escape(Title)).Append("</caption><thead><tr><th rowspan=\"2\" style=\"").Append(th).Append("\">attribute</th><th rowspan=\"2\" style=\"").Append(th).Append("\">pairs</th>");
        foreach (var (model, _) in Rows) sb.Append("<th colspan=\"2\" style=\"").Append(th).Append("\">").Append(HtmlText.Escape(model)).Append("</th>");
        sb.Append("</tr><tr>");
        foreach (var _ in Rows) sb.Append("<th style=\"").Append(th).Append("\">text → motion</th><th style=\"").Append(th).Append("\">motion → text</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var attribute in Attributes)
        {
            int pairs = Rows.Select(r => Of(r.Result, attribute)?.Pairs ?? 0).Max();
            sb.Append("<tr><th style=\"").Append(td).Append(";text-align:left\" title=\"").Append(HtmlText.Escape(ProbeAttributes.Describe(attribute))).Append("\">")
              .Append(HtmlText.Escape(attribute)).Append("</th><td style=\"").Append(td).Append("\">").Append(pairs).Append("</td>");
            foreach (var (_, result) in Rows)
            {
                var a = Of(result, attribute);
                foreach (var d in new[] { a?.TextToMotion, a?.MotionToText })
                    sb.Append("<td style=\"").Append(td).Append(d is not null && d.Low > ProbeScoring.Chance ? ";font-weight:bold" : "").Append("\">").Append(d is null ? "–" : Cell(d)).Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("<tr style=\"color:#888;font-style:italic\"><th style=\"").Append(td).Append(";text-align:left\">chance</th><td style=\"").Append(td).Append("\"></td>");
        foreach (var _ in Rows) sb.Append(CultureInfo.InvariantCulture, $"<td style=\"{td}\">{ProbeScoring.Chance:0.0}</td><td style=\"{td}\">{ProbeScoring.Chance:0.0}</td>");
        sb.Append("</tr></tbody></table><p style=\"font:12px sans-serif;color:#555\">Accuracy in % of pair trials (per pair and direction two trials: each caption must prefer its own motion, each motion its own caption; ties count half), [95 % Wilson interval]; bold: the interval lies above chance (50 %).</p>");
        return new HtmlView(sb.ToString());
    }

    private static string Cell(ProbeAccuracy a) => string.Create(CultureInfo.InvariantCulture, $"{a.Accuracy:0.0} [{a.Low:0.0}, {a.High:0.0}]");

    /// <summary>CSV: attribute, pairs, then per model t2m, t2m low, t2m high, m2t, m2t low, m2t high, margin.</summary>
    public string ToCsv()
    {
        static string Q(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        var sb = new StringBuilder("attribute,pairs");
        foreach (var (model, _) in Rows)
            foreach (var column in new[] { "t2m", "t2m low", "t2m high", "m2t", "m2t low", "m2t high", "margin" }) sb.Append(',').Append(Q($"{model} {column}"));
        sb.Append('\n');
        foreach (var attribute in Attributes)
        {
            sb.Append(Q(attribute)).Append(',').Append(Rows.Select(r => Of(r.Result, attribute)?.Pairs ?? 0).Max());
            foreach (var (_, result) in Rows)
            {
                var a = Of(result, attribute);
                if (a is null) { sb.Append(",,,,,,,"); continue; }
                foreach (var v in new[] { a.TextToMotion.Accuracy, a.TextToMotion.Low, a.TextToMotion.High, a.MotionToText.Accuracy, a.MotionToText.Low, a.MotionToText.High })
                    sb.Append(',').Append(v.ToString("0.00", CultureInfo.InvariantCulture));
                sb.Append(',').Append(a.MeanMargin.ToString("0.000000", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A grouped bar chart: per attribute one bar per model, both directions pooled (chance 50 %).</summary>
    public Figure Chart()
    {
        var attributes = Attributes;
        var groups = Rows.Select(r => (r.Model, attributes.Select(a => Of(r.Result, a) is { } x ? Pooled(x).Accuracy : double.NaN).ToArray())).ToList();
        var fig = Charts.Bars(attributes, groups, $"{Title}: pair accuracy, both directions (chance 50 %)", "accuracy (%)");
        fig.YAxisAttribute("range", new JsonArray(0, 100));
        return fig;
    }

    /// <summary>The results as JSON (the model label and its <c>mw probe --json</c> object per row).</summary>
    public JsonObject ToJson() => new()
    {
        ["title"] = Title,
        ["rows"] = new JsonArray(Rows.Select(r => (JsonNode?)new JsonObject { ["model"] = r.Model, ["result"] = r.Result.ToJson() }).ToArray()),
    };

    /// <summary>
    /// Per model, which attributes it tells apart (both directions pooled: the interval lies above chance), which it does
    /// not (the interval holds 50 %) and which it gets wrong (below chance).
    /// </summary>
    public IReadOnlyList<string> Captures()
    {
        var lines = new List<string>();
        foreach (var (model, result) in Rows)
        {
            var above = new List<string>(); var chance = new List<string>(); var below = new List<string>();
            foreach (var a in result.Attributes)
            {
                var (acc, low, high) = Pooled(a);
                string s = string.Create(CultureInfo.InvariantCulture, $"{a.Attribute} {acc:0.0}");
                (low > ProbeScoring.Chance ? above : high < ProbeScoring.Chance ? below : chance).Add(s);
            }
            lines.Add($"{model}: tells apart {List(above)}; not distinguishable from chance: {List(chance)}" + (below.Count > 0 ? $"; below chance: {List(below)}" : "") + ".");
        }
        return lines;
    }

    private static string List(List<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);

    /// <summary>
    /// Whether the models' "All" ranking (text → motion R@1 of <paramref name="all"/>, same labels as the rows) agrees with
    /// their ranking by mean probe accuracy over the attributes other than the action control: both orders and the share
    /// of model pairs the two rankings put in the same order.
    /// </summary>
    public string RankingAgreement(IReadOnlyDictionary<string, double> all)
    {
        var models = Rows.Where(r => all.ContainsKey(r.Model)).ToList();
        if (models.Count < 2) return "Fewer than two models have both an \"All\" result and probes; nothing to rank.";
        double Probe(ProbeEvaluation e)
        {
            var xs = e.Attributes.Where(a => a.Attribute != ProbeAttributes.Action).Select(a => Pooled(a).Accuracy).ToList();
            return xs.Count == 0 ? double.NaN : xs.Average();
        }
        var probe = models.ToDictionary(r => r.Model, r => Probe(r.Result));
        var byAll = models.Select(r => r.Model).OrderByDescending(m => all[m]).ToList();
        var byProbe = models.Select(r => r.Model).OrderByDescending(m => probe[m]).ToList();
        int same = 0, pairs = 0;
        for (int i = 0; i < models.Count; i++)
            for (int j = i + 1; j < models.Count; j++)
            {
                string a = models[i].Model, b = models[j].Model;
                pairs++;
                if (Math.Sign(all[a] - all[b]) == Math.Sign(probe[a] - probe[b])) same++;
            }
        var ci = CultureInfo.InvariantCulture;
        string order(IEnumerable<string> ms, Func<string, double> v) => string.Join(" > ", ms.Select(m => string.Create(ci, $"{m} ({v(m):0.0})")));
        string verdict = same == pairs ? "The two rankings agree." : same == 0 ? "The two rankings are reversed." : string.Create(ci, $"The two rankings agree on {same} of {pairs} model pairs.");
        return $"\"All\" t2m R@1 ranks {order(byAll, m => all[m])}; the mean probe accuracy without the action control ranks {order(byProbe, m => probe[m])}. {verdict}";
    }
}

using System.Globalization;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Plain sentences comparing a run's ranking of settings with the paper's (for the "where we differ" notes). Nothing is
/// adjusted: the statement only reports which setting won here and which won in the paper.
/// </summary>
public static class Findings
{
    /// <summary>
    /// "Here X is best on METRIC (v); in the paper Y is best (w). This differs from / agrees with the paper's finding."
    /// Rows without a published value are ranked for ours only.
    /// </summary>
    public static string Best(string metric, IReadOnlyList<(string Label, double Ours, double? Paper)> rows, bool lowerIsBetter = false)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows to compare", nameof(rows));
        var ci = CultureInfo.InvariantCulture;
        Func<double, double> key = lowerIsBetter ? v => -v : v => v;
        var ours = rows.MaxBy(r => key(r.Ours));
        var tiedOurs = rows.Where(r => r.Ours == ours.Ours).Select(r => r.Label).ToList();
        string here = tiedOurs.Count > 1 ? $"{string.Join(" and ", tiedOurs)} tie" : $"{ours.Label} is best";
        var published = rows.Where(r => r.Paper is not null).ToList();
        if (published.Count < 2) return string.Create(ci, $"In this run {here} on {metric} ({ours.Ours:0.##}); the paper gives too few of these rows to compare.");
        var paper = published.MaxBy(r => key(r.Paper!.Value));
        string verdict = !tiedOurs.Contains(paper.Label) ? "This differs from the paper's finding."
            : tiedOurs.Count > 1 ? "Because of the tie this run neither confirms nor contradicts the paper's finding."
            : "This agrees with the paper's finding.";
        return string.Create(ci, $"In this run {here} on {metric} ({ours.Ours:0.##}); in the paper {paper.Label} is best ({paper.Paper:0.##}). ") + verdict;
    }
}

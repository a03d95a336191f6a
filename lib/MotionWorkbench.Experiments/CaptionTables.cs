using MotionWorkbench.Evaluation.Captioning;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Captioning scores as <see cref="MetricTable"/> rows in Lex Table 3's columns (<see cref="Columns.Captioning"/>:
/// BLEU@1, BLEU@4, ROUGE, CIDEr, BERTScore), for notebooks. BERTScore is never computed (no pretrained RoBERTa here):
/// its "ours" cells are empty and the table's note says so.
/// </summary>
public static class CaptionTables
{
    /// <summary>An empty Table 3 with the captioning columns and a note (the BERTScore line is always appended).</summary>
    public static MetricTable Create(string title, string? note = null) =>
        new(title, Columns.Captioning) { Note = (note is null ? "" : note + "; ") + CaptionScores.BertScoreNote };

    /// <summary>Adds a row: our scores (or none) beside a published row (or none), in <see cref="Columns.Captioning"/> order.</summary>
    public static MetricTable AddCaptioning(this MetricTable table, string label, CaptionScores? ours, IReadOnlyList<double?>? published = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!table.Metrics.SequenceEqual(Columns.Captioning))
            throw new ArgumentException($"table '{table.Title}' has the columns {string.Join(", ", table.Metrics)}, not the captioning columns {string.Join(", ", Columns.Captioning)}; create it with CaptionTables.Create", nameof(table));
        return table.Add(label, ours?.Table3Row(), published);
    }

    /// <summary>
    /// Lex Table 3 for one dataset ("HumanML3D" or "KIT-ML"): our rows first (paper cells empty), then every published
    /// method of that dataset (our cells empty), the note naming both sources.
    /// </summary>
    public static MetricTable LexTable3(string dataset, IEnumerable<(string Label, CaptionScores Scores)> ours, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(ours);
        var prefix = dataset + "|";
        var published = Published.LexTable3.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (published.Count == 0)
            throw new KeyNotFoundException($"no published Lex Table 3 rows for '{dataset}' (datasets: {string.Join(", ", Published.LexTable3.Keys.Select(k => k.Split('|')[0]).Distinct())})");
        var table = Create($"Lex Table 3: motion-to-text captioning, {dataset}", (note is null ? "" : note + "; ") + Published.LexCaptioningSource);
        foreach (var (label, scores) in ours) table.AddCaptioning(label, scores);
        foreach (var (key, row) in published) table.AddCaptioning(key[prefix.Length..] + " (paper)", null, row);
        return table;
    }
}

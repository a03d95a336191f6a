using Microsoft.Data.Analysis;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Results as Microsoft.Data.Analysis DataFrames (the card's table library) for filtering, sorting and plotting in a
/// notebook; the paper-style <see cref="MetricTable"/> view stays the way tables are shown beside the published numbers.
/// </summary>
public static class DataFrames
{
    /// <summary>
    /// One row per table row: a "label" column, then per metric "M" (ours) and "M (paper)" (published; null where the
    /// paper has no number). Missing values are nulls.
    /// </summary>
    public static DataFrame ToDataFrame(this MetricTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new List<DataFrameColumn> { new StringDataFrameColumn("label", table.Rows.Select(r => r.Label)) };
        for (int m = 0; m < table.Metrics.Count; m++)
        {
            int k = m;
            columns.Add(new DoubleDataFrameColumn(table.Metrics[k], table.Rows.Select(r => k < r.Ours.Length ? r.Ours[k] : null)));
            columns.Add(new DoubleDataFrameColumn(table.Metrics[k] + " (paper)", table.Rows.Select(r => k < r.Published.Length ? r.Published[k] : null)));
        }
        return new DataFrame(columns);
    }

    /// <summary>
    /// One row per (experiment, protocol): label, protocol, test size, t2m and m2t R@1/2/3/5/10 and MedR, training seconds,
    /// whether the run was reused, and its folder.
    /// </summary>
    public static DataFrame ToDataFrame(this IEnumerable<ExperimentResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.SelectMany(e => e.Results.Select(r => (e, r))).ToList();
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("label", rows.Select(x => x.e.Label)),
            new StringDataFrameColumn("protocol", rows.Select(x => x.r.Protocol)),
            new Int32DataFrameColumn("n", rows.Select(x => (int?)x.r.N)),
        };
        foreach (var (side, pick) in new (string, Func<MotionWorkbench.Evaluation.RetrievalResult, MotionWorkbench.Evaluation.RecallMetrics>)[] { ("t2m", r => r.TextToMotion), ("m2t", r => r.MotionToText) })
        {
            columns.Add(new DoubleDataFrameColumn($"{side} R@1", rows.Select(x => (double?)pick(x.r).R1)));
            columns.Add(new DoubleDataFrameColumn($"{side} R@2", rows.Select(x => (double?)pick(x.r).R2)));
            columns.Add(new DoubleDataFrameColumn($"{side} R@3", rows.Select(x => (double?)pick(x.r).R3)));
            columns.Add(new DoubleDataFrameColumn($"{side} R@5", rows.Select(x => (double?)pick(x.r).R5)));
            columns.Add(new DoubleDataFrameColumn($"{side} R@10", rows.Select(x => (double?)pick(x.r).R10)));
            columns.Add(new DoubleDataFrameColumn($"{side} MedR", rows.Select(x => (double?)pick(x.r).MedR)));
        }
        columns.Add(new DoubleDataFrameColumn("train seconds", rows.Select(x => (double?)x.e.TrainSeconds)));
        columns.Add(new BooleanDataFrameColumn("reused", rows.Select(x => (bool?)x.e.Reused)));
        columns.Add(new StringDataFrameColumn("run", rows.Select(x => x.e.RunDir)));
        return new DataFrame(columns);
    }
}

using MotionWorkbench.Evaluation;
using MotionWorkbench.Experiments;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Training;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>Results as Microsoft.Data.Analysis DataFrames (ToDataFrame).</summary>
public sealed class DataFrameTests
{
    [Fact]
    public void Metric_table_becomes_a_frame_with_ours_and_paper_columns_and_nulls_for_missing_numbers()
    {
        var table = new MetricTable("t", ["R@1", "MedR"], ["MedR"]);
        table.Add("ours only", new double?[] { 12.5, 3 });
        table.Add("with paper", new double?[] { 20, null }, new double?[] { 22.1, 2 });
        var df = table.ToDataFrame();
        Assert.Equal(["label", "R@1", "R@1 (paper)", "MedR", "MedR (paper)"], df.Columns.Select(c => c.Name).ToArray());
        Assert.Equal(2, df.Rows.Count);
        Assert.Equal("with paper", df["label"][1]);
        Assert.Equal(12.5, df["R@1"][0]);
        Assert.Null(df["R@1 (paper)"][0]);
        Assert.Equal(22.1, df["R@1 (paper)"][1]);
        Assert.Null(df["MedR"][1]);
    }

    [Fact]
    public void Experiment_results_become_one_row_per_protocol()
    {
        var all = new RetrievalResult("all", 40, new RecallMetrics(10, 20, 30, 40, 50, 6), new RecallMetrics(11, 21, 31, 41, 51, 5));
        var small = new RetrievalResult("small-batches", 40, new RecallMetrics(60, 70, 80, 90, 100, 1), new RecallMetrics(61, 71, 81, 91, 100, 1));
        var a = new ExperimentResult("A", "/runs/a", RunConfig.Smoke, "/data", "test", [all, small], 12.5, Reused: false);
        var b = new ExperimentResult("B", "/runs/b", RunConfig.Smoke, "/data", "test", [all], 3, Reused: true);
        var df = new[] { a, b }.ToDataFrame();
        Assert.Equal(3, df.Rows.Count);
        Assert.Equal("small-batches", df["protocol"][1]);
        Assert.Equal(61.0, df["m2t R@1"][1]);
        Assert.Equal(6.0, df["t2m MedR"][0]);
        Assert.Equal(40, df["n"][2]);
        Assert.Equal(true, df["reused"][2]);
        Assert.Equal("/runs/b", df["run"][2]);
    }
}

using System.Text.Json.Nodes;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Experiments;
using MotionWorkbench.Training;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>Notebook 16's comparison of probed models, on hand-made probe results.</summary>
public sealed class ProbeComparisonTests
{
    private static ProbeAccuracy Acc(int right, int ties, int trials)
    {
        double correct = right + 0.5 * ties;
        var (low, high) = WilsonInterval.Of(correct, trials);
        return new ProbeAccuracy(right, ties, trials, 100 * correct / trials, 100 * low, 100 * high);
    }

    /// <summary>20 pairs per attribute; per attribute the right trials (of 40) in each direction, no ties unless given.</summary>
    private static ProbeEvaluation Probed(params (string Attribute, int T2M, int M2T, int Ties)[] rows) =>
        new("run", "best.safetensors", "probes", "synthetic", "smpl22", "bag", "run", "statistics: the run's own", 280, 0, 112,
            rows.Select(r => new ProbeAttributeResult(r.Attribute, 20, Acc(r.T2M, r.Ties, 40), Acc(r.M2T, r.Ties, 40), 0.01)).ToList(), [], FromCache: false);

    [Fact]
    public void Pooled_BothDirectionsTrials_CountTogetherWithTiesHalf()
    {
        var a = new ProbeAttributeResult("order", 20, Acc(0, 40, 40), Acc(30, 0, 40), 0);
        var (acc, low, high) = ProbeComparison.Pooled(a);
        Assert.Equal(100 * 50.0 / 80, acc, 12); // 20 (ties) + 30 of 80
        var (l, h) = WilsonInterval.Of(50, 80);
        Assert.Equal((100 * l, 100 * h), (low, high));
    }

    [Fact]
    public void Captures_SortsAttributesByTheirIntervalAgainstChance()
    {
        var c = new ProbeComparison("t", [("bag", Probed(("side", 40, 40, 0), ("order", 0, 0, 40), ("count", 2, 3, 0)))]);
        var line = Assert.Single(c.Captures());
        Assert.Equal("bag: tells apart side 100.0; not distinguishable from chance: order 50.0; below chance: count 6.3.", line);
    }

    [Fact]
    public void RankingAgreement_NamesBothOrdersAndTheShareOfPairsInTheSameOrder()
    {
        var strong = Probed(("side", 36, 36, 0), ("action", 40, 40, 0));
        var weak = Probed(("side", 20, 20, 0), ("action", 40, 40, 0));
        var middle = Probed(("side", 28, 28, 0), ("action", 0, 0, 0)); // the action control is left out of the ranking
        var c = new ProbeComparison("t", [("A", strong), ("B", weak), ("C", middle)]);
        Assert.EndsWith("The two rankings agree.", c.RankingAgreement(new Dictionary<string, double> { ["A"] = 30, ["B"] = 10, ["C"] = 20 }));
        string reversed = c.RankingAgreement(new Dictionary<string, double> { ["A"] = 10, ["B"] = 30, ["C"] = 20 });
        Assert.Contains("\"All\" t2m R@1 ranks B (30.0) > C (20.0) > A (10.0)", reversed);
        Assert.Contains("ranks A (90.0) > C (70.0) > B (50.0)", reversed);
        Assert.EndsWith("The two rankings are reversed.", reversed);
        Assert.EndsWith("The two rankings agree on 2 of 3 model pairs.", c.RankingAgreement(new Dictionary<string, double> { ["A"] = 30, ["B"] = 20, ["C"] = 10 }));
        Assert.StartsWith("Fewer than two models", c.RankingAgreement(new Dictionary<string, double> { ["A"] = 1 }));
    }

    [Fact]
    public void TableCsvChartAndJson_HoldEveryModelAndAttribute()
    {
        var c = new ProbeComparison("Probes", [("m, one", Probed(("side", 40, 40, 0), ("order", 0, 0, 40))), ("m2", Probed(("side", 20, 20, 0)))]);
        var csv = c.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("attribute,pairs,\"m, one t2m\",\"m, one t2m low\"", csv[0]);
        Assert.Equal(2 + 2 * 7 + 7, csv[0].Count(ch => ch == ',') + 1); // 16 columns; the 7 quoted "m, one ..." labels hold a comma each
        Assert.StartsWith("side,20,100.00,", csv[1]);
        Assert.Equal("order,20,50.00,", csv[2][..15]);
        Assert.EndsWith(",,,,,,,", csv[2]); // m2 has no order pairs
        string html = c.Table().ToHtml();
        Assert.Contains(">chance</th>", html);
        Assert.Contains(";font-weight:bold\">100.0 [", html);   // above chance: bold
        Assert.Contains("\">50.0 [", html);
        Assert.Contains("–", html);                              // the missing cell
        var fig = c.Chart().ToJsonObject();
        Assert.Equal(2, fig["data"]!.AsArray().Count);
        var json = JsonNode.Parse(c.ToJson().ToJsonString())!;
        Assert.Equal("m2", (string)json["rows"]![1]!["model"]!);
        Assert.Equal(ProbeEvaluation.FromJson(json["rows"]![0]!["result"]!, "t").ToJson().ToJsonString(), c.Rows[0].Result.ToJson().ToJsonString());
    }
}

namespace MotionWorkbench.Evaluation.Tests;

public class ProbeScoringTests
{
    // Rows 0-5: three pairs of attribute "side" (0, 1), (2, 3) and "order" (4, 5).
    private static readonly ProbeItem[] Pairs = [new("side", 0, 1), new("side", 2, 3), new("order", 4, 5)];

    [Fact]
    public void Score_TruthSeeingScorer_IsRightOnEveryTrial()
    {
        var results = ProbeScoring.Score(Pairs, (t, m) => t == m ? 1 : 0, 6);
        Assert.Equal(["side", "order"], results.Select(r => r.Attribute));
        Assert.Equal([2, 1], results.Select(r => r.Pairs));
        foreach (var r in results)
            foreach (var acc in new[] { r.TextToMotion, r.MotionToText })
            {
                Assert.Equal((100.0, 0, 2 * r.Pairs, 1.0), (acc.Accuracy, acc.Ties, acc.Trials, r.MeanMargin));
                Assert.Equal(100.0, acc.High, 9);
                Assert.InRange(acc.Low, 1, 99.9);
            }
    }

    [Fact]
    public void Score_ScorerBlindToTheCaption_IsAtChance()
    {
        // s depends on the motion only: for text->motion one trial of each pair is right; motion->text trials are all ties.
        double[] f = [0.3, 0.7, 0.9, 0.1, 0.5, 0.2];
        var r = ProbeScoring.Score(Pairs, (t, m) => f[m], 6);
        Assert.All(r, x =>
        {
            Assert.Equal(50.0, x.TextToMotion.Accuracy, 12);
            Assert.Equal(0, x.TextToMotion.Ties);
            Assert.Equal(0.0, x.MeanMargin, 12);
            Assert.Equal((50.0, x.Pairs * 2), (x.MotionToText.Accuracy, x.MotionToText.Ties));
        });
    }

    [Fact]
    public void Score_HandComputedPair_CountsEachTrialAndTheMargins()
    {
        // s(caption, motion): s(a,a)=0.9, s(a,b)=0.5, s(b,a)=0.6, s(b,b)=0.4
        double[,] s = { { 0.9, 0.5 }, { 0.6, 0.4 } };
        var r = ProbeScoring.Score([new ProbeItem("count", 0, 1)], (t, m) => s[t, m], 2).Single();
        // t2m: caption a 0.9 > 0.5 right (+0.4); caption b 0.4 < 0.6 wrong (-0.2)
        Assert.Equal((1, 0, 2, 50.0), (r.TextToMotion.Right, r.TextToMotion.Ties, r.TextToMotion.Trials, r.TextToMotion.Accuracy));
        // m2t: motion a 0.9 > 0.6 right (+0.3); motion b 0.4 < 0.5 wrong (-0.1)
        Assert.Equal((1, 50.0), (r.MotionToText.Right, r.MotionToText.Accuracy));
        // margin: (0.9 + 0.4 - 0.5 - 0.6) / 2 = 0.1, the mean of either direction's trial margins
        Assert.Equal(0.1, r.MeanMargin, 12);
    }

    [Fact]
    public void Score_EqualScoresWithinTheTolerance_AreTiesCountedHalf()
    {
        double[,] s = { { 0.5, 0.5 + 5e-7 }, { 0.2, 0.8 } };
        var r = ProbeScoring.Score([new ProbeItem("pace", 0, 1)], (t, m) => s[t, m], 2).Single();
        Assert.Equal((1, 1, 75.0), (r.TextToMotion.Right, r.TextToMotion.Ties, r.TextToMotion.Accuracy));
        var strict = ProbeScoring.Score([new ProbeItem("pace", 0, 1)], (t, m) => s[t, m], 2, tieTolerance: 0).Single();
        Assert.Equal((1, 0, 50.0), (strict.TextToMotion.Right, strict.TextToMotion.Ties, strict.TextToMotion.Accuracy));
    }

    [Fact]
    public void Score_Embeddings_UsesDotProducts()
    {
        float[][] texts = [[1, 0], [0, 1]];
        float[][] motions = [[0.8f, 0.6f], [0.6f, 0.8f]];
        var r = ProbeScoring.Score([new ProbeItem("side", 0, 1)], texts, motions).Single();
        Assert.Equal((100.0, 100.0), (r.TextToMotion.Accuracy, r.MotionToText.Accuracy));
        Assert.Equal(0.2, r.MeanMargin, 6);
    }

    [Fact]
    public void Score_BadInput_IsOneErrorNamingThePair()
    {
        Assert.Contains("pair 0 (side): rows 0 and 7", Assert.Throws<ArgumentException>(() => ProbeScoring.Score([new ProbeItem("side", 0, 7)], (t, m) => 0, 6)).Message);
        Assert.Contains("same row 2", Assert.Throws<ArgumentException>(() => ProbeScoring.Score([new ProbeItem("side", 2, 2)], (t, m) => 0, 6)).Message);
        Assert.Contains("must be finite", Assert.Throws<ArgumentException>(() => ProbeScoring.Score(Pairs, (t, m) => double.NaN, 6)).Message);
        Assert.Contains("2 text embeddings but 1", Assert.Throws<ArgumentException>(() => ProbeScoring.Score(Pairs, [[1f], [1f]], [[1f]])).Message);
    }

    [Theory]
    [InlineData(5, 10, 0.23659, 0.76341)]
    [InlineData(0, 10, 0.0, 0.27753)]
    [InlineData(10, 10, 0.72247, 1.0)]
    [InlineData(81, 100, 0.72221, 0.87485)]
    public void Wilson_MatchesTheClosedForm(double k, int n, double low, double high)
    {
        var (l, h) = WilsonInterval.Of(k, n);
        Assert.Equal(low, l, 1e-5);
        Assert.Equal(high, h, 1e-5);
    }

    [Fact]
    public void AttributeResult_Json_RoundTrips()
    {
        var r = ProbeScoring.Score(Pairs, (t, m) => t == m ? 0.9 : 0.1 * m, 6)[0];
        var back = ProbeAttributeResult.FromJson(r.ToJson(), "test");
        Assert.Equal(r.ToJson().ToJsonString(), back.ToJson().ToJsonString());
        Assert.Equal(50.0, r.ToJson()["chance"]!.GetValue<double>());
    }
}

namespace MotionWorkbench.Evaluation.Tests;

/// <summary>
/// The protocols against numbers from environment/reference/retrieval_reference.py (numpy 1.24, mirroring the
/// Motion Patches and TMR evaluation code). Exact equality: the C# side reproduces numpy's argsort tie order,
/// numpy's legacy MT19937 shuffle, numpy's pairwise mean and Python's round().
/// </summary>
public class ReferenceProtocolTests
{
    public static TheoryData<string> Names => new() { "grid-ties", "ulp-ties", "collapsed", "batches" };

    [Theory]
    [MemberData(nameof(Names))]
    public void All_MatchesMotionPatchesReference(string name)
    {
        var c = ReferenceFixture.Case(name);
        var result = RetrievalProtocols.EvaluateAll(ReferenceFixture.Sims(c), ReferenceFixture.Strings(c, "captions"));
        AssertSame(c.GetProperty("all"), result);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TmrNormal_MatchesTmrReference(string name)
    {
        var c = ReferenceFixture.Case(name);
        AssertSame(c.GetProperty("tmr_normal"), RetrievalProtocols.EvaluateTmrNormal(ReferenceFixture.Sims(c)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SmallBatches_MatchesReferenceWithSeededOrder(string name)
    {
        var c = ReferenceFixture.Case(name);
        var seed = c.GetProperty("small_batch_seed").GetInt32();
        var result = RetrievalProtocols.EvaluateSmallBatches(ReferenceFixture.Sims(c), ReferenceFixture.Strings(c, "captions"), seed);
        AssertSame(c.GetProperty("small_batches"), result);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TmrGuo_MatchesTmrReference(string name)
    {
        var c = ReferenceFixture.Case(name);
        var result = RetrievalProtocols.EvaluateTmrGuo(ReferenceFixture.Sims(c), ReferenceFixture.Strings(c, "keyids"));
        AssertSame(c.GetProperty("tmr_guo"), result);
    }

    [Fact]
    public void Evaluate_AllProtocols_SameAsSeparateCalls()
    {
        var c = ReferenceFixture.Case("batches");
        var results = RetrievalProtocols.Evaluate(ReferenceFixture.Sims(c), ReferenceFixture.Strings(c, "captions"),
            ReferenceFixture.Strings(c, "keyids"), smallBatchSeed: 7);
        Assert.Equal(RetrievalProtocols.Names, results.Select(r => r.Protocol));
        AssertSame(c.GetProperty("all"), results[0]);
        AssertSame(c.GetProperty("small_batches"), results[1]);
        AssertSame(c.GetProperty("tmr_normal"), results[2]);
        AssertSame(c.GetProperty("tmr_guo"), results[3]);
        Assert.All(results, r => Assert.Equal(70, r.N));
    }

    private static void AssertSame(System.Text.Json.JsonElement expected, RetrievalResult actual)
    {
        Assert.Equal(ReferenceFixture.Doubles(expected.GetProperty("t2m")), actual.TextToMotion.ToArray());
        Assert.Equal(ReferenceFixture.Doubles(expected.GetProperty("m2t")), actual.MotionToText.ToArray());
    }
}

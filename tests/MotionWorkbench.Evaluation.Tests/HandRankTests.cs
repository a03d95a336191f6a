namespace MotionWorkbench.Evaluation.Tests;

/// <summary>Small similarity matrices with ties and duplicate captions, ranks worked out by hand.</summary>
public class HandRankTests
{
    private static SimilarityMatrix M(params float[][] rows) => SimilarityMatrix.FromRows(rows);

    [Fact]
    public void IdenticalCaptions_DuplicateCaptionCountsAsCorrect()
    {
        // Items 0 and 1 share a caption. Text 0 prefers motion 1 (a positive) -> rank 0.
        // Text 1: motion 2 (0.9) is above both positives (0.5, 0.4) -> rank 1. Text 2: its motion is third -> rank 2.
        var s = M([0.2f, 0.8f, 0.1f], [0.5f, 0.4f, 0.9f], [0.7f, 0.6f, 0.3f]);
        var ranks = Ranking.IdenticalCaptionRanks(s, Ranking.GroupsOf(["walk", "walk", "run"]));
        Assert.Equal([0.0, 1.0, 2.0], ranks);
        var all = RetrievalProtocols.EvaluateAll(s, ["walk", "walk", "run"]);
        Assert.Equal(100.0 / 3, all.TextToMotion.R1);
        Assert.Equal(200.0 / 3, all.TextToMotion.R2);
        Assert.Equal(2.0, all.TextToMotion.MedR);
        // Motion -> text uses the columns: motion 0 sees texts (0.2, 0.5, 0.7): best positive 0.5 at position 1.
        // Motion 1: (0.8, 0.4, 0.6): text 0 is a positive, first -> 0. Motion 2: (0.1, 0.9, 0.3): text 2 at 1.
        Assert.Equal([1.0, 0.0, 1.0], Ranking.IdenticalCaptionRanks(s.Transpose(), Ranking.GroupsOf(["walk", "walk", "run"])));
    }

    [Fact]
    public void IdenticalCaptions_CaseAndPunctuationMatter()
    {
        Assert.Equal([0, 1, 2, 0], Ranking.GroupsOf(["A man walks.", "a man walks.", "A man walks", "A man walks."]));
    }

    [Fact]
    public void IdenticalCaptions_TieWithBestPositive_UsesNumpyOrder()
    {
        // Row 0 = [0.5, 0.5, 0.5, 0.1]: np.argsort -> [3, 0, 1, 2]; reversed -> [2, 1, 0, 3]; item 0 is at 2.
        var s = M([0.5f, 0.5f, 0.5f, 0.1f], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]);
        var ranks = Ranking.IdenticalCaptionRanks(s, Ranking.GroupsOf(["a", "b", "c", "d"]));
        Assert.Equal([2.0, 0.0, 0.0, 0.0], ranks);
    }

    [Fact]
    public void Diagonal_TiesAreAveraged()
    {
        // Row 0: diag 0.5 ties with two others, nothing above -> columns 0,1,2 -> 1.0.
        // Row 1: 0.9 above, diag 0.3 ties with one other -> columns 1,2 -> 1.5. Row 2: diag best and unique -> 0.
        var s = M([0.5f, 0.5f, 0.5f], [0.9f, 0.3f, 0.3f], [0.1f, 0.2f, 0.8f]);
        Assert.Equal([1.0, 1.5, 0.0], Ranking.DiagonalAveragedRanks(s));
        var r = RetrievalProtocols.EvaluateTmrNormal(s);
        Assert.Equal(33.33, r.TextToMotion.R1);   // only 0.0 < 1, rounded to 2 decimals
        Assert.Equal(100.0, r.TextToMotion.R2);   // 1.0 and 1.5 are both < 2
        Assert.Equal(2.0, r.TextToMotion.MedR);   // median(1.0, 1.5, 0.0) + 1
    }

    [Fact]
    public void Diagonal_FractionalRanks_CountAgainstK()
    {
        // Ranks 1.0, 1.5, 0.0: R@1 counts 0.0 only; R@2 counts all three (1.5 < 2); MedR = median + 1 = 2.0.
        var m = RecallMetrics.FromRanks([1.0, 1.5, 0.0]);
        Assert.Equal(100.0 / 3, m.R1);
        Assert.Equal(100.0, m.R2);
        Assert.Equal(2.0, m.MedR);
        Assert.Equal(2.5, RecallMetrics.FromRanks([0.0, 1.0, 2.0, 3.0]).MedR);
    }

    [Fact]
    public void Evaluate_FromEmbeddings_NormalisesFirst()
    {
        // Text 1 is motion 1 scaled by 5: after normalisation both pairs are perfect matches.
        var results = RetrievalProtocols.Evaluate([[1f, 0f], [0f, 5f]], [[2f, 0f], [0f, 1f]], ["a", "b"], protocols: ["all", "tmr-normal"]);
        Assert.All(results, r => Assert.Equal(100.0, r.TextToMotion.R1));
        Assert.All(results, r => Assert.Equal(1.0, r.MotionToText.MedR));
    }

    [Fact]
    public void Protocols_RejectBadInput()
    {
        var s = M([1f, 0f], [0f, 1f]);
        Assert.Contains("3 captions", Assert.Throws<ArgumentException>(() => RetrievalProtocols.EvaluateAll(s, ["a", "b", "c"])).Message);
        Assert.Contains("at least 32 items", Assert.Throws<ArgumentException>(() => RetrievalProtocols.EvaluateSmallBatches(s, ["a", "b"])).Message);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => RetrievalProtocols.EvaluateTmrNormal(M([1f, 0f, 2f], [0f, 1f, 2f]))).Message);
        Assert.Contains("similarity[1, 0]", Assert.Throws<ArgumentException>(() => M([1f, 0f], [float.NaN, 1f])).Message);
        Assert.Contains("unknown protocol", Assert.Throws<ArgumentException>(() => RetrievalProtocols.Evaluate(s, ["a", "b"], protocols: ["nsim"])).Message);
    }

    [Fact]
    public void Result_SerialisesToTheDocumentedShape()
    {
        var r = new RetrievalResult("all", 4384, new RecallMetrics(1, 2, 3, 5, 10, 50), new RecallMetrics(1.5, 2, 3, 5, 10, 49.5));
        Assert.Equal("{\"protocol\":\"all\",\"n\":4384,\"t2m\":{\"R@1\":1,\"R@2\":2,\"R@3\":3,\"R@5\":5,\"R@10\":10,\"MedR\":50}," +
                     "\"m2t\":{\"R@1\":1.5,\"R@2\":2,\"R@3\":3,\"R@5\":5,\"R@10\":10,\"MedR\":49.5}}", r.ToJson());
        Assert.Equal(r, RetrievalResult.FromJson(r.ToJson()));
        Assert.Contains("\"m2t\"", Assert.Throws<InvalidDataException>(() => RetrievalResult.FromJson("{\"protocol\":\"all\",\"n\":1,\"t2m\":{\"R@1\":1,\"R@2\":2,\"R@3\":3,\"R@5\":5,\"R@10\":10,\"MedR\":50}}")).Message);
    }
}

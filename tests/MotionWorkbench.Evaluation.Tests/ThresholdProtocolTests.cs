using System.Text.Json;

namespace MotionWorkbench.Evaluation.Tests;

/// <summary>
/// TMR's "threshold" protocol: by hand on a 3 x 3 case, and against numbers from environment/reference/threshold_reference.py
/// (numpy, mirroring TMR's metrics.py with text_selfsim and threshold 0.95), exactly.
/// </summary>
public class ThresholdProtocolTests
{
    private static readonly Lazy<JsonDocument> Doc = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(MotionWorkbench.Testing.SharedData.RepoRoot, "tests", "MotionWorkbench.Evaluation.Tests", "Fixtures", "threshold_reference.json"))));

    public static TheoryData<string> Cases => new() { "families", "grid-duplicates", "distinct" };

    [Fact]
    public void Threshold_SimilarCaptionCountsAsCorrect_ByHand()
    {
        // Captions 0 and 1 are paraphrases (cosine 0.96 > 0.9), caption 2 is not (cosine 0.6 with 0).
        float[][] sentences = [[1f, 0f], [0.96f, MathF.Sqrt(1 - 0.96f * 0.96f)], [0.6f, 0.8f]];
        // Text 0 ranks motion 1 first (a paraphrase: correct, rank 0); normal would give rank 1.
        // Text 1 ranks motion 2 (0.9) above motions 1 (0.5) and 0 (0.4): best similar is at position 1.
        // Text 2: its motion is last of three (rank 2): no other caption is similar to it.
        var s = SimilarityMatrix.FromRows([[0.2f, 0.8f, 0.1f], [0.4f, 0.5f, 0.9f], [0.7f, 0.6f, 0.3f]]);
        var similar = RetrievalProtocols.SimilarCaptions(sentences);
        Assert.Equal([[0, 1], [0, 1], [2]], similar);
        Assert.Equal([0.0, 1.0, 2.0], Ranking.SimilarSetAveragedRanks(s, similar));
        var r = RetrievalProtocols.EvaluateTmrThreshold(s, sentences, "test encoder");
        Assert.Equal((33.33, 66.67, 2.0), (r.TextToMotion.R1, r.TextToMotion.R2, r.TextToMotion.MedR));
        Assert.Equal("tmr-threshold", r.Protocol);
        Assert.Contains("\"sentenceEncoder\":\"test encoder\"", r.ToJson());
        Assert.Equal("test encoder", RetrievalResult.FromJson(r.ToJson()).SentenceEncoder);
        // Motion -> text: motion 0 sees texts (0.2, 0.4, 0.7); its similar texts 0 and 1, best 0.4 at position 1.
        Assert.Equal([1.0, 0.0, 1.0], Ranking.SimilarSetAveragedRanks(s.Transpose(), similar));
    }

    [Fact]
    public void Threshold_TiesWithTheBestSimilarItem_AreAveraged()
    {
        // Row 0: its similar items 0 and 1 score 0.5, tied with item 2: positions 0, 1, 2 -> 1.0.
        float[][] sentences = [[1f, 0f], [1f, 0f], [0f, 1f]];
        var s = SimilarityMatrix.FromRows([[0.5f, 0.5f, 0.5f], [0.1f, 0.2f, 0.3f], [0.3f, 0.3f, 0.9f]]);
        Assert.Equal([1.0, 1.0, 0.0], Ranking.SimilarSetAveragedRanks(s, RetrievalProtocols.SimilarCaptions(sentences)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Threshold_MatchesTmrReference(string name)
    {
        var c = Doc.Value.RootElement.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        int n = c.GetProperty("n").GetInt32(), d = c.GetProperty("dim").GetInt32();
        var sims = new SimilarityMatrix(c.GetProperty("sims").EnumerateArray().Select(v => v.GetSingle()).ToArray(), n, n);
        var flat = c.GetProperty("embeddings").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var sentences = Enumerable.Range(0, n).Select(i => flat.AsSpan(i * d, d).ToArray()).ToList();
        Assert.Equal(c.GetProperty("similar_counts").EnumerateArray().Select(v => v.GetInt32()), RetrievalProtocols.SimilarCaptions(sentences).Select(x => x.Length));
        var r = RetrievalProtocols.EvaluateTmrThreshold(sims, sentences, "reference");
        Assert.Equal(c.GetProperty("t2m").EnumerateArray().Select(v => v.GetDouble()), r.TextToMotion.ToArray());
        Assert.Equal(c.GetProperty("m2t").EnumerateArray().Select(v => v.GetDouble()), r.MotionToText.ToArray());
        if (name == "distinct") Assert.Equal(RetrievalProtocols.EvaluateTmrNormal(sims).TextToMotion, r.TextToMotion); // nothing similar: TMR normal
    }

    [Fact]
    public void Threshold_ThrowsForMismatchedSentenceCount()
    {
        var s = SimilarityMatrix.FromRows([[1f, 0f], [0f, 1f]]);
        var e = Assert.Throws<ArgumentException>(() => RetrievalProtocols.EvaluateTmrThreshold(s, [[1f, 0f]], "x"));
        Assert.Equal("the tmr-threshold protocol got 1 sentence embeddings for a 2 x 2 similarity matrix", e.Message);
    }
}

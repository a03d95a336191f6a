using System.Text.Json;
using MotionWorkbench.Evaluation.Captioning;

namespace MotionWorkbench.Evaluation.Tests;

/// <summary>BLEU, ROUGE-L and CIDEr-D on cases worked out by hand, edge cases, errors, and the Python reference fixture.</summary>
public class CaptionMetricsTests
{
    private static IReadOnlyList<IReadOnlyList<string>> Refs(params string[][] sets) => sets;

    [Fact]
    public void Bleu_ClipsRepeatedWords()
    {
        // Papineni's example: "the" x7 against "the cat is on the mat": "the" occurs at most twice in the reference,
        // p1 = 2/7; c = 7 > r = 6, so BP = 1: BLEU-1 = 100 * 2/7 = 28.5714. No candidate bigram "the the" matches:
        // p2 = 1e-15 / (6 + 1e-9), so BLEU-2 = 100 * sqrt(2/7 * 1.67e-16) ~ 7e-7.
        var b = CaptionMetrics.Bleu(["the the the the the the the"], Refs(["the cat is on the mat"]));
        Assert.Equal(100.0 * 2 / 7, b[1], 6);
        Assert.InRange(b[2], 0, 1e-5);
        Assert.Equal(1.0, b.BrevityPenalty);
        Assert.Equal(7, b.CandidateLength);
        Assert.Equal(6, b.ReferenceLength);
    }

    [Fact]
    public void Bleu_BrevityPenaltyOverTheCorpus()
    {
        // "a person walks" (3 words) vs "a person walks forward slowly" (5): p1 = p2 = p3 = 1, BP = exp(1 - 5/3) = 0.513417;
        // no candidate 4-gram: p4 = 1e-15 / 1e-9 = 1e-6, so BLEU-4 = 100 * 0.513417 * (1e-6)^(1/4) = 1.62357.
        var one = CaptionMetrics.Bleu(["a person walks"], Refs(["a person walks forward slowly"]));
        Assert.Equal(100 * Math.Exp(1 - 5.0 / 3), one[1], 6);
        Assert.Equal(100 * Math.Exp(1 - 5.0 / 3), one[3], 6);
        Assert.Equal(1.62357, one[4], 4);
        // With "a man runs" = its reference added: c = 6, r = 8, every n-gram matches (6/6, 4/4, 2/2):
        // BP = exp(1 - 8/6) = 0.716531 for the corpus, not the mean of the sentences' penalties (0.757).
        var two = CaptionMetrics.Bleu(["a person walks", "a man runs"], Refs(["a person walks forward slowly"], ["a man runs"]));
        Assert.Equal(100 * Math.Exp(1 - 8.0 / 6), two[1], 6);
        Assert.Equal(71.6531, two[3], 4);
    }

    [Fact]
    public void Bleu_ClosestReferenceLengthPrefersTheShorterOnATie()
    {
        // c = 3; references of 4 and 2 words are both 1 away: r = 2 (the shorter), so c > r and BP = 1: BLEU-1 = 100.
        var b = CaptionMetrics.Bleu(["a person walks"], Refs(["a person walks forward", "someone walks"]));
        Assert.Equal(2, b.ReferenceLength);
        Assert.Equal(100, b[1], 6);
        // References of 5 and 4 words for c = 3: the closest is 4: BP = exp(1 - 4/3).
        var c = CaptionMetrics.Bleu(["a person walks"], Refs(["a person walks forward slowly", "a person walks forward"]));
        Assert.Equal(4, c.ReferenceLength);
        Assert.Equal(100 * Math.Exp(1 - 4.0 / 3), c[1], 6);
    }

    [Fact]
    public void RougeL_LcsFMeasureWithBeta12()
    {
        // LCS("a person walks forward slowly", "the person walks slowly") = "person walks slowly" = 3:
        // P = 3/5, R = 3/4, F = (1 + 1.44) * 0.6 * 0.75 / (0.75 + 1.44 * 0.6) = 1.098 / 1.614 = 0.680297.
        Assert.Equal(100 * 1.098 / 1.614, CaptionMetrics.RougeL(["a person walks forward slowly"], Refs(["the person walks slowly"])), 9);
        // Best precision and best recall are taken over the references separately: "a b c d" vs "a b" (P 2/4, R 1) and
        // "a b c d e f g h" (P 1, R 4/8): P = R = 1, F = 1, though no single reference gives 1.
        Assert.Equal(100, CaptionMetrics.RougeL(["a b c d"], Refs(["a b", "a b c d e f g h"])), 9);
        // Averaged over candidates: (0.680297 + 0) / 2.
        Assert.Equal(100 * 1.098 / 1.614 / 2, CaptionMetrics.RougeL(["a person walks forward slowly", "jumps"],
            Refs(["the person walks slowly"], ["a person sits"])), 9);
    }

    [Fact]
    public void CiderD_TfIdfFromTheReferenceSets()
    {
        // Sets: {"a b"}, {"a c"}. df(a) = 2, df(b) = df(c) = df(a b) = df(a c) = 1, |I| = 2: idf(a) = ln(2/2) = 0, the others ln 2.
        // Candidate "a b" vs "a b": order 1 cosine 1, order 2 cosine 1, orders 3-4 have no n-gram (0): mean 0.5, x10 = 5.
        // Candidate "c a" vs "a c": order 1 cosine 1 (c: ln 2, a: 0), the bigram "c a" is not "a c" (0): mean 0.25, x10 = 2.5.
        // Corpus: (5 + 2.5) / 2 = 3.75, printed x100 = 375.
        var each = CaptionMetrics.CiderDPerCandidate(["a b", "c a"], Refs(["a b"], ["a c"]));
        Assert.Equal(500, each[0], 9);
        Assert.Equal(250, each[1], 9);
        Assert.Equal(375, CaptionMetrics.CiderD(["a b", "c a"], Refs(["a b"], ["a c"])), 9);
    }

    [Fact]
    public void CiderD_ClipsTheCandidateWeights()
    {
        // "b b" vs "a b" (sets {"a b"}, {"a c"}): w_c(b) = 2 ln 2, w_r(b) = ln 2, w(a) = 0. Clipped: min(2 ln2, ln2) * ln2 = ln²2,
        // over |w_c| |w_r| = 2 ln2 * ln2: cosine 1/2 (unclipped it would be 1); no bigram match: mean 0.5/4, x10 = 1.25.
        // "a c" = its reference: 5. Corpus (1.25 + 5) / 2 = 3.125 -> 312.5.
        Assert.Equal(125, CaptionMetrics.CiderDPerCandidate(["b b", "a c"], Refs(["a b"], ["a c"]))[0], 9);
        Assert.Equal(312.5, CaptionMetrics.CiderD(["b b", "a c"], Refs(["a b"], ["a c"])), 9);
    }

    [Fact]
    public void CiderD_GaussianLengthPenalty()
    {
        // Sets {"a b"}, {"c d"}: every n-gram has df 1 and idf ln 2. "a b a b a b a b" (8 words) vs "a b" (2):
        // order 1: w_c = (4 ln2, 4 ln2), w_r = (ln2, ln2): clipped dot 2 ln²2 over 4√2 ln2 * √2 ln2 = 8 ln²2: 1/4;
        // order 2: "a b" x4 and "b a" x3 vs "a b": min(4, 1) * 1 / (√(16 + 9) * 1) = 1/5; orders 3-4: the reference has
        // none (0). Mean (0.25 + 0.2) / 4 = 0.1125; penalty exp(-(8 - 2)² / 72) = exp(-0.5); x10: 1.125 exp(-0.5) = 0.682340.
        var each = CaptionMetrics.CiderDPerCandidate(["a b a b a b a b", "c d"], Refs(["a b"], ["c d"]));
        Assert.Equal(100 * 1.125 * Math.Exp(-0.5), each[0], 9);
        Assert.Equal(500, each[1], 9);
    }

    [Fact]
    public void IdenticalCandidates_ScoreBleuAndRouge100()
    {
        var refs = Refs(["a person walks forward and turns left"], ["someone jumps twice in place"], ["the man sits down slowly"]);
        var s = CaptionMetrics.Score(["a person walks forward and turns left", "someone jumps twice in place", "the man sits down slowly"], refs);
        Assert.Equal(100, s.Bleu1, 6);
        Assert.Equal(100, s.Bleu4, 6);
        Assert.Equal(100, s.RougeL, 9);
        // Every n-gram of these three sets is in one set only (idf ln 3), identical captions: cosine 1 for n = 1..4, x10.
        Assert.Equal(1000, s.CiderD, 6);
        Assert.Equal(3, s.Count);
        Assert.Null(s.BertScore);
        Assert.Equal([s.Bleu1, s.Bleu4, s.RougeL, s.CiderD, null], s.Table3Row());
    }

    [Fact]
    public void EmptyCandidate_ScoresZero()
    {
        var s = CaptionMetrics.Score([""], Refs(["a person walks forward"]));
        Assert.Equal(0, s.Bleu1, 9);
        Assert.Equal(0, s.Bleu4, 9);
        Assert.Equal(0, s.RougeL);
        Assert.Equal(0, s.CiderD);
        // A punctuation-only candidate is empty after tokenisation.
        Assert.Equal(0, CaptionMetrics.RougeL(["..."], Refs(["a person walks"])));
    }

    [Fact]
    public void Score_TokenizesLikeTheCocoEvaluation()
    {
        // Case and punctuation do not count: these are identical after the PTB step.
        var s = CaptionMetrics.Score(["A person walks forward."], Refs(["a person walks forward"]));
        Assert.Equal(100, s.Bleu4, 6);
        // Without tokenisation "A" and "forward." are other words than "a" and "forward".
        Assert.Equal(50, CaptionMetrics.Bleu(["A person walks forward."], Refs(["a person walks forward"]), tokenize: false)[1], 6);
    }

    [Fact]
    public void BadInput_GetsAClearError()
    {
        var count = Assert.Throws<ArgumentException>(() => CaptionMetrics.Score(["a", "b", "c"], Refs(["a"], ["b"])));
        Assert.Contains("3 candidate captions but 2 reference sets", count.Message);
        var empty = Assert.Throws<ArgumentException>(() => CaptionMetrics.Score(["a", "b"], Refs(["a"], [])));
        Assert.Contains("reference set 1 is empty", empty.Message);
        var nullCand = Assert.Throws<ArgumentException>(() => CaptionMetrics.Score(["a", null!], Refs(["a"], ["b"])));
        Assert.Contains("candidate caption 1 is null", nullCand.Message);
        var nullRef = Assert.Throws<ArgumentException>(() => CaptionMetrics.CiderD(["a"], Refs(["a", null!])));
        Assert.Contains("reference caption 1 of set 0 is null", nullRef.Message);
        Assert.Contains("no candidate captions", Assert.Throws<ArgumentException>(() => CaptionMetrics.Score([], Refs())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CaptionMetrics.Bleu(["a"], Refs(["a"]), maxOrder: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CaptionMetrics.Bleu(["a"], Refs(["a"]))[5]);
    }

    [Fact]
    public void MatchesThePythonReference()
    {
        var path = Path.Combine(MotionWorkbench.Testing.SharedData.RepoRoot, "tests", "MotionWorkbench.Evaluation.Tests", "Fixtures", "caption_metrics_reference.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.True(cases.Count >= 30, $"{path}: {cases.Count} cases");
        foreach (var c in cases)
        {
            string name = c.GetProperty("name").GetString()!;
            var cands = c.GetProperty("candidates").EnumerateArray().Select(x => x.GetString()!).ToList();
            var refs = c.GetProperty("references").EnumerateArray()
                .Select(set => (IReadOnlyList<string>)set.EnumerateArray().Select(x => x.GetString()!).ToList()).ToList();
            var bleu = CaptionMetrics.Bleu(cands, refs, tokenize: false);
            var expectedBleu = c.GetProperty("bleu").EnumerateArray().Select(x => 100 * x.GetDouble()).ToArray();
            for (int n = 0; n < 4; n++) Near(expectedBleu[n], bleu.Scores[n], $"{name}: BLEU-{n + 1}");
            Near(100 * c.GetProperty("rouge_l").GetDouble(), CaptionMetrics.RougeL(cands, refs, tokenize: false), $"{name}: ROUGE-L");
            Near(100 * c.GetProperty("cider_d").GetDouble(), CaptionMetrics.CiderD(cands, refs, tokenize: false), $"{name}: CIDEr-D");
            var rouge = CaptionMetrics.RougeLPerCandidate(cands, refs, tokenize: false);
            var cider = CaptionMetrics.CiderDPerCandidate(cands, refs, tokenize: false);
            var rougeEach = c.GetProperty("rouge_l_each").EnumerateArray().Select(x => 100 * x.GetDouble()).ToArray();
            var ciderEach = c.GetProperty("cider_d_each").EnumerateArray().Select(x => 100 * x.GetDouble()).ToArray();
            for (int i = 0; i < cands.Count; i++)
            {
                Near(rougeEach[i], rouge[i], $"{name}: ROUGE-L of candidate {i}");
                Near(ciderEach[i], cider[i], $"{name}: CIDEr-D of candidate {i}");
            }
            var all = CaptionMetrics.Score(cands, refs, tokenize: false);
            Assert.Equal(cands.Count, all.Count);
            Near(expectedBleu[3], all.Bleu4, $"{name}: Score().Bleu4");
        }
    }

    private static void Near(double expected, double actual, string what)
    {
        if (Math.Abs(expected - actual) > 1e-6) Assert.Fail($"{what}: expected {expected:R}, got {actual:R}");
    }
}

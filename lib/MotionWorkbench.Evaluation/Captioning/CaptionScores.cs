namespace MotionWorkbench.Evaluation.Captioning;

/// <summary>
/// Corpus captioning scores of <paramref name="Count"/> candidates, on the 0-100 scale the papers print (Lex Table 3,
/// TM2T, MotionGPT): <see cref="Bleu1"/>..<see cref="Bleu4"/> = 100 x the COCO caption evaluation's corpus BLEU-n,
/// <see cref="RougeL"/> = 100 x its ROUGE-L F (beta 1.2) averaged over candidates, <see cref="CiderD"/> = 100 x its
/// CIDEr-D (which already carries the metric's own x10), so pycocoevalcap's 0.531 prints as 53.1 and a candidate equal to
/// all its references can score above 100 (CIDEr-D's range is 0-1000 on this scale).
/// </summary>
public sealed record CaptionScores(double Bleu1, double Bleu2, double Bleu3, double Bleu4, double RougeL, double CiderD, int Count)
{
    /// <summary>
    /// BERTScore (Lex Table 3's last column) needs a pretrained RoBERTa-large (MotionGPT: bert_score, rescaled with its
    /// baseline, idf-weighted); no such weights can be obtained here, so it is never computed: always null, shown as
    /// "not computed", never substituted.
    /// </summary>
    public double? BertScore => null;

    /// <summary>Why <see cref="BertScore"/> is null (for tables and notes).</summary>
    public const string BertScoreNote = "BERTScore not computed: it needs a pretrained RoBERTa-large, which is not obtainable here";

    /// <summary>The columns of Lex Table 3 in its order: BLEU@1, BLEU@4, ROUGE, CIDEr, BERTScore (null).</summary>
    public double?[] Table3Row() => [Bleu1, Bleu4, RougeL, CiderD, BertScore];

    /// <summary>Names of <see cref="Table3Row"/>'s values.</summary>
    public static IReadOnlyList<string> Table3Columns { get; } = ["BLEU@1", "BLEU@4", "ROUGE-L", "CIDEr-D", "BERTScore"];
}

/// <summary>
/// Corpus BLEU-1..N of the COCO caption evaluation (0-100 scale): <see cref="Scores"/>[n-1] = 100 x BP x
/// (Π_{k≤n} p_k)^(1/n) with p_k = (clipped matches_k + 1e-15) / (candidate k-grams + 1e-9) summed over the corpus, and
/// BP = exp(1 - r/c) when c &lt; r (c: total candidate length; r: the sum over candidates of the reference length
/// closest to the candidate's, the shorter on a tie), else 1.
/// </summary>
public sealed record BleuResult(IReadOnlyList<double> Scores, IReadOnlyList<double> Precisions, double BrevityPenalty, long CandidateLength, long ReferenceLength)
{
    /// <summary>BLEU-n (1-based), 0-100.</summary>
    public double this[int n] => n >= 1 && n <= Scores.Count ? Scores[n - 1]
        : throw new ArgumentOutOfRangeException(nameof(n), n, $"BLEU order must be 1..{Scores.Count}");
}

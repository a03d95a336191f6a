namespace MotionWorkbench.Evaluation.Captioning;

/// <summary>
/// The standard captioning metrics as the COCO caption evaluation (pycocoevalcap) defines them, reimplemented:
/// corpus BLEU-1..4 (Papineni et al. 2002, with the COCO code's "closest" reference length, corpus brevity penalty and
/// smoothing), ROUGE-L (Lin 2004: LCS F-measure, beta 1.2) and CIDEr-D (Vedantam et al. 2015: n = 1..4, TF-IDF with the
/// IDF from the reference sets, clipped candidate weights, Gaussian length penalty sigma 6, x10). All results are on the
/// 0-100 scale papers print (see <see cref="CaptionScores"/>).
/// <para>Candidate i is scored against reference set i (all captions of motion i). With <c>tokenize</c> (the default)
/// every caption first goes through <see cref="CaptionTokenizer"/> (the COCO PTB step); with <c>tokenize: false</c> the
/// captions are taken as already tokenised and split on whitespace, as pycocoevalcap's scorers split their input.</para>
/// </summary>
public static class CaptionMetrics
{
    /// <summary>The n-gram order of BLEU-4 and CIDEr-D.</summary>
    public const int MaxOrder = 4;

    /// <summary>CIDEr-D's Gaussian length penalty width.</summary>
    public const double CiderSigma = 6.0;

    /// <summary>ROUGE-L's recall weight.</summary>
    public const double RougeBeta = 1.2;

    // The COCO BLEU's smoothing: p_k = (correct + Tiny) / (guess + Small) ("tiny" in the numerator, "small" in the denominator).
    private const double Tiny = 1e-15;
    private const double Small = 1e-9;

    /// <summary>BLEU-1..4, ROUGE-L and CIDEr-D of the candidates against their reference sets.</summary>
    public static CaptionScores Score(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references, bool tokenize = true)
    {
        var corpus = Prepare(candidates, references, tokenize);
        var bleu = Bleu(corpus, MaxOrder);
        return new CaptionScores(bleu.Scores[0], bleu.Scores[1], bleu.Scores[2], bleu.Scores[3], 100 * RougeLPerCaption(corpus).Average(),
            100 * CiderDPerCaption(corpus).Average(), corpus.Candidates.Length);
    }

    /// <summary>Corpus BLEU-1..<paramref name="maxOrder"/> (0-100) as the COCO caption evaluation computes it.</summary>
    public static BleuResult Bleu(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references, int maxOrder = MaxOrder, bool tokenize = true)
    {
        if (maxOrder < 1) throw new ArgumentOutOfRangeException(nameof(maxOrder), maxOrder, "the BLEU order must be at least 1");
        return Bleu(Prepare(candidates, references, tokenize), maxOrder);
    }

    /// <summary>ROUGE-L F (beta 1.2) averaged over candidates (0-100).</summary>
    public static double RougeL(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references, bool tokenize = true) =>
        100 * RougeLPerCaption(Prepare(candidates, references, tokenize)).Average();

    /// <summary>CIDEr-D averaged over candidates (0-100 scale: 100 x pycocoevalcap's value, which includes the x10).</summary>
    public static double CiderD(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references, bool tokenize = true) =>
        100 * CiderDPerCaption(Prepare(candidates, references, tokenize)).Average();

    /// <summary>ROUGE-L F of each candidate (0-100), for qualitative tables.</summary>
    public static double[] RougeLPerCandidate(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references, bool tokenize = true) =>
        RougeLPerCaption(Prepare(candidates, references, tokenize)).Select(x => 100 * x).ToArray();

    /// <summary>CIDEr-D of each candidate (0-100 scale); its IDF still comes from all the reference sets given.</summary>
    public static double[] CiderDPerCandidate(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references, bool tokenize = true) =>
        CiderDPerCaption(Prepare(candidates, references, tokenize)).Select(x => 100 * x).ToArray();

    private sealed record Corpus(string[][] Candidates, string[][][] References);

    private static Corpus Prepare(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references, bool tokenize)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(references);
        if (candidates.Count != references.Count)
            throw new ArgumentException($"{candidates.Count} candidate captions but {references.Count} reference sets: candidate i is scored against reference set i, so the counts must be equal");
        if (candidates.Count == 0) throw new ArgumentException("no candidate captions to score");
        IReadOnlyList<string> Tokens(string s) => tokenize ? CaptionTokenizer.Tokenize(s) : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var cands = new string[candidates.Count][];
        var refs = new string[candidates.Count][][];
        for (int i = 0; i < candidates.Count; i++)
        {
            cands[i] = [.. Tokens(candidates[i] ?? throw new ArgumentException($"candidate caption {i} is null", nameof(candidates)))];
            var set = references[i] ?? throw new ArgumentException($"reference set {i} is null", nameof(references));
            if (set.Count == 0) throw new ArgumentException($"reference set {i} is empty: every candidate needs at least one reference caption", nameof(references));
            refs[i] = new string[set.Count][];
            for (int j = 0; j < set.Count; j++)
                refs[i][j] = [.. Tokens(set[j] ?? throw new ArgumentException($"reference caption {j} of set {i} is null", nameof(references)))];
        }
        return new Corpus(cands, refs);
    }

    /// <summary>The n-grams (1..maxOrder) of a token list with their counts; an n-gram's key is its tokens joined by a space.</summary>
    private static Dictionary<string, int>[] Ngrams(string[] tokens, int maxOrder)
    {
        var counts = new Dictionary<string, int>[maxOrder];
        for (int n = 1; n <= maxOrder; n++)
        {
            var d = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                var key = n == 1 ? tokens[i] : string.Join(' ', tokens, i, n);
                d[key] = d.GetValueOrDefault(key) + 1;
            }
            counts[n - 1] = d;
        }
        return counts;
    }

    private static BleuResult Bleu(Corpus corpus, int maxOrder)
    {
        var correct = new long[maxOrder];
        var guess = new long[maxOrder];
        long candLen = 0, refLen = 0;
        for (int i = 0; i < corpus.Candidates.Length; i++)
        {
            var cand = corpus.Candidates[i];
            int c = cand.Length;
            candLen += c;
            // The reference length closest to the candidate's; on a tie the shorter (min over (|l - c|, l)).
            int best = -1;
            foreach (var r in corpus.References[i])
            {
                int l = r.Length;
                if (best < 0 || Math.Abs(l - c) < Math.Abs(best - c) || (Math.Abs(l - c) == Math.Abs(best - c) && l < best)) best = l;
            }
            refLen += best;
            // Clipped counts: a candidate n-gram matches at most its largest count in any one reference.
            var maxRef = new Dictionary<string, int>[maxOrder];
            for (int n = 0; n < maxOrder; n++) maxRef[n] = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var r in corpus.References[i])
            {
                var grams = Ngrams(r, maxOrder);
                for (int n = 0; n < maxOrder; n++)
                    foreach (var (g, k) in grams[n]) if (k > maxRef[n].GetValueOrDefault(g)) maxRef[n][g] = k;
            }
            var candGrams = Ngrams(cand, maxOrder);
            for (int n = 0; n < maxOrder; n++)
            {
                guess[n] += Math.Max(0, c - n);
                foreach (var (g, k) in candGrams[n]) correct[n] += Math.Min(k, maxRef[n].GetValueOrDefault(g));
            }
        }
        var precisions = new double[maxOrder];
        for (int n = 0; n < maxOrder; n++) precisions[n] = (correct[n] + Tiny) / (guess[n] + Small);
        double ratio = (candLen + Tiny) / (refLen + Small);
        double bp = ratio < 1 ? Math.Exp(1 - 1 / ratio) : 1.0;
        var scores = new double[maxOrder];
        double product = 1;
        for (int n = 0; n < maxOrder; n++)
        {
            product *= precisions[n];
            scores[n] = 100 * Math.Pow(product, 1.0 / (n + 1)) * bp;
        }
        return new BleuResult(scores, precisions, bp, candLen, refLen);
    }

    /// <summary>ROUGE-L F per candidate (0-1): max LCS precision and max LCS recall over the references, then F with beta 1.2.</summary>
    private static double[] RougeLPerCaption(Corpus corpus)
    {
        var scores = new double[corpus.Candidates.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            var cand = corpus.Candidates[i];
            double precMax = 0, recMax = 0;
            foreach (var r in corpus.References[i])
            {
                // The COCO code splits an empty caption into one empty token: an empty candidate matches an empty reference.
                double lcs, candLen = Math.Max(1, cand.Length), refLen = Math.Max(1, r.Length);
                if (cand.Length == 0 || r.Length == 0) lcs = cand.Length == 0 && r.Length == 0 ? 1 : 0;
                else lcs = Lcs(cand, r);
                precMax = Math.Max(precMax, lcs / candLen);
                recMax = Math.Max(recMax, lcs / refLen);
            }
            double b2 = RougeBeta * RougeBeta;
            scores[i] = precMax != 0 && recMax != 0 ? (1 + b2) * precMax * recMax / (recMax + b2 * precMax) : 0.0;
        }
        return scores;
    }

    private static int Lcs(string[] a, string[] b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
                cur[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal) ? prev[j - 1] + 1 : Math.Max(prev[j], cur[j - 1]);
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>
    /// CIDEr-D per candidate (the COCO code's scale: 0-10). Document frequency df(g) = the number of reference SETS in
    /// which n-gram g occurs; weight of g in a caption = count x (ln(#sets) - ln(max(1, df(g)))); per order n, the
    /// clipped cosine Σ_g min(w_c, w_r) w_r / (|w_c| |w_r|) (0 when a norm is 0) times exp(-(len_c - len_r)² / (2 σ²));
    /// the mean over n = 1..4, summed over the references, divided by their number, x10.
    /// </summary>
    private static double[] CiderDPerCaption(Corpus corpus)
    {
        int sets = corpus.References.Length;
        var refGrams = corpus.References.Select(set => set.Select(r => Ngrams(r, MaxOrder)).ToArray()).ToArray();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var set in refGrams)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var grams in set)
                foreach (var order in grams)
                    foreach (var g in order.Keys) seen.Add(g);
            foreach (var g in seen) df[g] = df.GetValueOrDefault(g) + 1;
        }
        double logSets = Math.Log(sets);
        (Dictionary<string, double>[] W, double[] Norm) Vector(Dictionary<string, int>[] grams)
        {
            var w = new Dictionary<string, double>[MaxOrder];
            var norm = new double[MaxOrder];
            for (int n = 0; n < MaxOrder; n++)
            {
                w[n] = new Dictionary<string, double>(grams[n].Count, StringComparer.Ordinal);
                foreach (var (g, tf) in grams[n])
                {
                    double v = tf * (logSets - Math.Log(Math.Max(1.0, df.GetValueOrDefault(g))));
                    w[n][g] = v;
                    norm[n] += v * v;
                }
                norm[n] = Math.Sqrt(norm[n]);
            }
            return (w, norm);
        }
        var scores = new double[corpus.Candidates.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            var (wc, nc) = Vector(Ngrams(corpus.Candidates[i], MaxOrder));
            int lenC = corpus.Candidates[i].Length;
            var sum = new double[MaxOrder];
            for (int j = 0; j < refGrams[i].Length; j++)
            {
                var (wr, nr) = Vector(refGrams[i][j]);
                // The COCO code's lengths are bigram counts (words - 1); their difference is the word-count difference
                // whenever both captions have a word, and a caption without words has a zero vector (score 0) anyway.
                double delta = lenC - corpus.References[i][j].Length;
                double penalty = Math.Exp(-(delta * delta) / (2 * CiderSigma * CiderSigma));
                for (int n = 0; n < MaxOrder; n++)
                {
                    double dot = 0;
                    foreach (var (g, v) in wc[n])
                        if (wr[n].TryGetValue(g, out var r)) dot += Math.Min(v, r) * r;
                    if (nc[n] != 0 && nr[n] != 0) dot /= nc[n] * nr[n];
                    sum[n] += dot * penalty;
                }
            }
            scores[i] = sum.Average() / refGrams[i].Length * 10.0;
        }
        return scores;
    }
}

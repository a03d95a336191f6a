using MotionWorkbench.Tensors;

namespace MotionWorkbench.Models;

/// <summary>
/// What <see cref="CaptionSearch"/> needs from a caption model: log-probabilities of the next token for a batch of
/// prefixes, each of them belonging to one motion (its row in the batch of motions being captioned).
/// </summary>
public interface ICaptionScorer
{
    int VocabularySize { get; }
    /// <summary>The token every prefix starts with ([CLS]).</summary>
    int BosId { get; }
    /// <summary>The token that ends a caption ([SEP]).</summary>
    int EosId { get; }
    /// <summary>The longest prefix + 1 the model reads (its positions).</summary>
    int MaxPositions { get; }

    /// <summary>log p(next | prefix, motion) for every row: (R, V) flattened; all prefixes of one call have the same length.</summary>
    float[] NextLogProbs(int[] motionRows, int[][] prefixes);
}

/// <summary>Decoding settings. <paramref name="Beam"/> 1 is greedy search. <paramref name="LengthPenalty"/> is GNMT's α
/// (a finished hypothesis ranks by log P / ((5 + |Y|) / 6)^α, |Y| its tokens with [SEP]; 0 ranks by log P itself).
/// <paramref name="MaxLength"/> bounds the generated tokens ([SEP] included; [CLS] not); a hypothesis that reaches it
/// without [SEP] ends there. <paramref name="Banned"/>: ids never generated (e.g. [PAD], [CLS], [MASK], [UNK]).</summary>
public sealed record CaptionSearchOptions(int Beam = 4, float LengthPenalty = 0.6f, int MaxLength = 30, IReadOnlyList<int>? Banned = null)
{
    public void Validate()
    {
        if (Beam < 1) throw new ArgumentException($"caption search: the beam width must be at least 1, got {Beam}");
        if (MaxLength < 1) throw new ArgumentException($"caption search: the maximum length must be at least 1, got {MaxLength}");
        if (!(LengthPenalty >= 0) || float.IsInfinity(LengthPenalty)) throw new ArgumentException($"caption search: the length penalty must be a finite number >= 0, got {LengthPenalty}");
    }
}

/// <summary>A generated caption: its tokens (no [CLS]; [SEP] left out), the sum of their log-probabilities ([SEP]
/// included when generated), the length-normalised score it was ranked by, and whether it ended with [SEP].</summary>
public sealed record CaptionHypothesis(int[] Tokens, double LogProb, double Score, bool Finished);

/// <summary>
/// Greedy and beam search over an <see cref="ICaptionScorer"/>, batched over motions (every live prefix of every motion
/// is scored in one call per step) and deterministic (ties go to the lower hypothesis index, then the lower token id).
/// Beam search keeps <c>Beam</c> live hypotheses per motion; each step ranks all their one-token extensions by log P,
/// and walks the best 2·Beam: an extension by [SEP] among the best Beam joins the motion's finished list, any other
/// extension (not [SEP]) the new live list until it holds Beam (as Hugging Face's beam search with early stopping). A motion is done when Beam hypotheses have finished (or at the maximum length, where its live
/// ones end unfinished); its result is the finished hypothesis with the best length-normalised score. With Beam = 1
/// this is greedy search exactly.
/// </summary>
public static class CaptionSearch
{
    /// <summary>The GNMT length normaliser ((5 + n) / 6)^α.</summary>
    public static double LengthNorm(int length, float alpha) => alpha == 0 ? 1 : Math.Pow((5.0 + length) / 6.0, alpha);

    /// <summary>Greedy search: the most likely token at every step until [SEP] or the maximum length.</summary>
    public static CaptionHypothesis[] Greedy(ICaptionScorer scorer, int motions, int maxLength, IReadOnlyList<int>? banned = null, float lengthPenalty = 0f)
    {
        var options = new CaptionSearchOptions(1, lengthPenalty, maxLength, banned);
        options.Validate();
        int maxLen = MaxTokens(scorer, maxLength), V = scorer.VocabularySize;
        var isBanned = BannedMask(banned, V);
        var tokens = Enumerable.Range(0, motions).Select(_ => new List<int>()).ToArray();
        var logp = new double[motions];
        var done = new bool[motions];
        var finished = new bool[motions];
        for (int step = 0; step < maxLen; step++)
        {
            var rows = Enumerable.Range(0, motions).Where(m => !done[m]).ToArray();
            if (rows.Length == 0) break;
            var prefixes = rows.Select(m => (int[])[scorer.BosId, .. tokens[m]]).ToArray();
            var lp = scorer.NextLogProbs(rows, prefixes);
            for (int r = 0; r < rows.Length; r++)
            {
                int m = rows[r], best = -1;
                float bestV = float.NegativeInfinity;
                for (int v = 0; v < V; v++)
                {
                    if (isBanned[v]) continue;
                    float x = lp[r * V + v];
                    if (best < 0 || x > bestV) { best = v; bestV = x; }
                }
                logp[m] += bestV;
                if (best == scorer.EosId) { done[m] = true; finished[m] = true; }
                else tokens[m].Add(best);
            }
        }
        return Enumerable.Range(0, motions).Select(m =>
        {
            int n = tokens[m].Count + (finished[m] ? 1 : 0);
            return new CaptionHypothesis([.. tokens[m]], logp[m], logp[m] / LengthNorm(n, lengthPenalty), finished[m]);
        }).ToArray();
    }

    /// <summary>Beam search (see the class summary); Beam = 1 gives <see cref="Greedy"/>'s captions.</summary>
    public static CaptionHypothesis[] Beam(ICaptionScorer scorer, int motions, CaptionSearchOptions options)
    {
        options.Validate();
        int K = options.Beam, maxLen = MaxTokens(scorer, options.MaxLength), V = scorer.VocabularySize;
        var isBanned = BannedMask(options.Banned, V);
        var live = Enumerable.Range(0, motions).Select(_ => new List<(int[] Tokens, double LogProb)> { ([], 0.0) }).ToArray();
        var done = Enumerable.Range(0, motions).Select(_ => new List<CaptionHypothesis>()).ToArray();
        CaptionHypothesis Finish(int[] t, double lp, bool eos) => new(t, lp, lp / LengthNorm(t.Length + (eos ? 1 : 0), options.LengthPenalty), eos);

        for (int step = 0; step < maxLen; step++)
        {
            var rowMotion = new List<int>();
            var rowHyp = new List<int>();
            for (int m = 0; m < motions; m++)
                if (done[m].Count < K)
                    for (int h = 0; h < live[m].Count; h++) { rowMotion.Add(m); rowHyp.Add(h); }
            if (rowMotion.Count == 0) break;
            var prefixes = rowMotion.Select((m, r) => (int[])[scorer.BosId, .. live[m][rowHyp[r]].Tokens]).ToArray();
            var lp = scorer.NextLogProbs([.. rowMotion], prefixes);
            bool last = step == maxLen - 1;
            var firstRow = new int[motions];
            for (int m = 0, r = 0; m < motions; m++) if (done[m].Count < K) { firstRow[m] = r; r += live[m].Count; }
            // each motion's selection is its own (its rows, its lists), so motions split over the engine's threads
            Par.For(motions, 1, (m0, m1) =>
            {
                var top = new (double Score, int Token)[2 * K];
                for (int m = m0; m < m1; m++) SelectMotion(m, top);
            });

            void SelectMotion(int m, (double Score, int Token)[] top)
            {
                if (done[m].Count >= K) return;
                int H = live[m].Count, r0 = firstRow[m];
                // the extensions of this motion's hypotheses, best log P first (ties: lower hypothesis, then lower token); only
                // the best 2·beam are walked, and those are among each hypothesis's own best 2·beam
                var cands = new List<(double Score, int Hyp, int Token)>(H * 2 * K);
                for (int h = 0; h < H; h++)
                {
                    int n = TopExtensions(lp.AsSpan((r0 + h) * V, V), live[m][h].LogProb, isBanned, top);
                    for (int i = 0; i < n; i++) cands.Add((top[i].Score, h, top[i].Token));
                }
                cands.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Hyp != b.Hyp ? a.Hyp.CompareTo(b.Hyp) : a.Token.CompareTo(b.Token));
                var next = new List<(int[] Tokens, double LogProb)>(K);
                for (int rank = 0; rank < Math.Min(2 * K, cands.Count) && next.Count < K; rank++)
                {
                    var (score, h, v) = cands[rank];
                    if (v != scorer.EosId) next.Add(([.. live[m][h].Tokens, v], score));
                    else if (rank < K && done[m].Count < K) done[m].Add(Finish(live[m][h].Tokens, score, true)); // [SEP] only from the top Beam
                }
                if (last && done[m].Count < K)
                    foreach (var (t, l) in next) done[m].Add(Finish(t, l, false));
                live[m] = next;
            }
        }
        return done.Select((d, m) => d.Count == 0 ? Finish([], 0, false)
            : d.OrderByDescending(h => h.Score).ThenByDescending(h => h.Finished).First()).ToArray();
    }

    /// <summary>Greedy when the beam width is 1, else beam search.</summary>
    public static CaptionHypothesis[] Decode(ICaptionScorer scorer, int motions, CaptionSearchOptions options) =>
        options.Beam == 1 ? Greedy(scorer, motions, options.MaxLength, options.Banned, options.LengthPenalty) : Beam(scorer, motions, options);

    private static bool[] BannedMask(IReadOnlyList<int>? banned, int V)
    {
        var mask = new bool[V];
        if (banned is not null) foreach (int id in banned) if (id >= 0 && id < V) mask[id] = true;
        return mask;
    }

    /// <summary>
    /// The best <c>top.Length</c> one-token extensions (score = <paramref name="baseLogProb"/> + log P, best first, ties: lower
    /// token) of one hypothesis into <paramref name="top"/>, skipping banned and impossible (-inf) tokens; returns how many.
    /// </summary>
    private static int TopExtensions(ReadOnlySpan<float> logProbs, double baseLogProb, bool[] isBanned, (double Score, int Token)[] top)
    {
        int n = 0, cap = top.Length;
        for (int v = 0; v < logProbs.Length; v++)
        {
            float x = logProbs[v];
            if (isBanned[v] || float.IsNegativeInfinity(x)) continue;
            double score = baseLogProb + x;
            // tokens come in increasing order, so an equal score never displaces an earlier (lower) token
            if (n == cap && !(score > top[n - 1].Score)) continue;
            int i = n == cap ? n - 1 : n++;
            while (i > 0 && score > top[i - 1].Score) { top[i] = top[i - 1]; i--; }
            top[i] = (score, v);
        }
        return n;
    }

    private static int MaxTokens(ICaptionScorer scorer, int maxLength) => Math.Min(maxLength, scorer.MaxPositions - 1);
}

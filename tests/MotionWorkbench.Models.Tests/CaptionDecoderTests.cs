using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Optim;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models.Tests;

/// <summary>The caption decoder (teacher-forced cross-entropy, causality, padding) and greedy / beam search.</summary>
public class CaptionDecoderTests
{
    private const int V = 12, Bos = 1, Eos = 2, Pad = 0;

    private static CaptionDecoder Decoder(ulong seed = 5, int maxPositions = 10) =>
        new(new CaptionDecoderConfig(Width: 16, Depth: 2, Heads: 2, Mlp: 32, VocabularySize: V, MaxPositions: maxPositions, MemoryWidth: 8, Bos, Eos, Pad, Dropout: 0f), seed);

    /// <summary>[CLS] words [SEP] rows padded with [PAD] to <paramref name="L"/>.</summary>
    private static EncodedBatch Captions(int[][] words, int L)
    {
        var ids = new int[words.Length * L];
        var mask = new int[words.Length * L];
        for (int b = 0; b < words.Length; b++)
        {
            int[] row = [Bos, .. words[b], Eos];
            row.CopyTo(ids, b * L);
            mask.AsSpan(b * L, row.Length).Fill(1);
        }
        return new EncodedBatch(ids, mask, words.Length, L);
    }

    private static readonly int[][] Words = [[3, 4, 5], [6, 7], [8, 9, 10, 11]];

    [Fact]
    public void Loss_StartsNearLnV_AndIgnoresPadding()
    {
        var d = Decoder();
        d.Eval();
        var memory = d.Memory(TestModels.Random(1, 3, 4, 8));
        float loss = d.Loss(memory, null, Captions(Words, 6)).Item();
        Assert.InRange(loss, 0.8 * Math.Log(V), 1.2 * Math.Log(V));
        // more [PAD] columns change nothing: padded positions are neither read (causal + padding mask) nor predicted
        Assert.Equal(loss, d.Loss(memory, null, Captions(Words, 9)).Item(), 5);
        // the mean is over real targets: 4 + 3 + 5 = 12 tokens (words + [SEP])
        double weighted = Enumerable.Range(0, 3).Sum(b => (Words[b].Length + 1) * (double)d.Loss(Ops.IndexSelect(memory, [b]), null, Captions([Words[b]], Words[b].Length + 2)).Item());
        Assert.Equal(weighted / 12, loss, 4);
    }

    [Fact]
    public void Hidden_AtPositionT_DoesNotDependOnLaterTokens()
    {
        var d = Decoder();
        d.Eval();
        var memory = d.Memory(TestModels.Random(2, 1, 4, 8));
        var a = d.Hidden(memory, null, [Bos, 3, 4, 5, 6], 1, 5).ToArray();
        var b = d.Hidden(memory, null, [Bos, 3, 4, 9, 10], 1, 5).ToArray();
        for (int i = 0; i < 3 * 16; i++) Assert.Equal(a[i], b[i]);
        Assert.NotEqual(a[3 * 16], b[3 * 16]);
        // ... but on the motion it does
        var c = d.Hidden(d.Memory(TestModels.Random(3, 1, 4, 8)), null, [Bos, 3, 4, 5, 6], 1, 5).ToArray();
        Assert.NotEqual(a[0], c[0]);
    }

    [Fact]
    public void MemoryPadding_HidesPaddedMotionTokens()
    {
        var d = Decoder();
        d.Eval();
        var tokens = TestModels.Random(4, 1, 4, 8);
        var changed = tokens.Detach();
        for (int i = 3 * 8; i < 4 * 8; i++) changed.Data[i] += 5f;                 // the last motion token
        bool[] pad = [false, false, false, true];
        var a = d.Hidden(d.Memory(tokens), pad, [Bos, 3], 1, 2).ToArray();
        var b = d.Hidden(d.Memory(changed), pad, [Bos, 3], 1, 2).ToArray();
        Assert.Equal(a, b);
    }

    private static CaptionDecoder Prefixed(int k, ulong seed = 5) =>
        new(new CaptionDecoderConfig(Width: 16, Depth: 2, Heads: 2, Mlp: 32, VocabularySize: V, MaxPositions: 10, MemoryWidth: 8, Bos, Eos, Pad, Dropout: 0f, PrefixWords: k), seed);

    [Fact]
    public void Prefix_Off_IsTheDecoderOfBefore_AndOn_AddsOnlyPrefixType()
    {
        var plain = Decoder();
        var names = plain.NamedParameters().Select(p => p.Name).ToList();
        Assert.DoesNotContain("prefix_type", names);
        Assert.Null(plain.PrefixType);
        // K = 0 through the prefix overload is the same memory, no padding
        var tokens = TestModels.Random(7, 2, 4, 8);
        var (m0, pad0) = plain.Memory(tokens, null);
        Assert.Null(pad0);
        Assert.Equal(plain.Memory(tokens).ToArray(), m0.ToArray());
        // K > 0: the same parameters, values included (prefix_type is registered and drawn last), plus prefix_type (C)
        var prefixed = Prefixed(3);
        var state = prefixed.StateDict();
        Assert.Equal([.. names, "prefix_type"], prefixed.NamedParameters().Select(p => p.Name).ToList());
        foreach (var (name, t) in plain.StateDict()) Assert.Equal(t.ToArray(), state[name].ToArray());
        Assert.Equal([16], state["prefix_type"].Shape);
        Assert.Throws<InvalidOperationException>(() => prefixed.Memory(tokens));
        Assert.Throws<ArgumentException>(() => prefixed.Memory(tokens, [3, 4]));
    }

    [Fact]
    public void Prefix_WordsAreMemoryBeforeTheMotion_PaddedWhenAbsent_AndReallyUsed()
    {
        var d = Prefixed(3);
        d.Eval();
        var tokens = TestModels.Random(8, 2, 4, 8);
        int[] ids = [3, 4, -1, 5, -1, -1];
        var (memory, padding) = d.Memory(tokens, ids);
        Assert.Equal([2, 3 + 4, 16], memory.Shape);
        Assert.Equal([false, false, true, false, false, false, false, /* row 1 */ false, true, true, false, false, false, false], padding!);
        // word k = token_embed[id] + prefix_type; then the motion's tokens as without a prefix
        var m = memory.ToArray();
        var e = d.TokenEmbedding.Weight.ToArray();
        var type = d.PrefixType!.ToArray();
        for (int c = 0; c < 16; c++) Assert.Equal(e[4 * 16 + c] + type[c], m[1 * 16 + c], 6);
        var motion = Decoder().Memory(tokens).ToArray(); // the same seed: the same memory_norm / memory_proj
        Assert.Equal(motion.AsSpan(0, 4 * 16).ToArray(), m.AsSpan(3 * 16, 4 * 16).ToArray());
        var captions = Captions([[6, 7], [8, 9]], 5);
        float loss = d.Loss(memory, padding, captions).Item();
        // other prefix words change the loss (they are read) ...
        var (other, otherPad) = d.Memory(tokens, [9, 10, -1, 5, -1, -1]);
        Assert.NotEqual(loss, d.Loss(other, otherPad, captions).Item());
        // ... an absent word's slot does not (it is padding)
        var changed = memory.Detach();
        for (int c = 0; c < 16; c++) changed.Data[2 * 16 + c] += 5f;
        Assert.Equal(loss, d.Loss(changed, padding, captions).Item());
        // and the scorer reads them too
        var greedy = CaptionSearch.Greedy(d.Scorer(memory, padding), 2, 6, [Pad, Bos]);
        Assert.Equal(2, greedy.Length);
    }

    [Fact]
    public void Prefix_Type_GetsTheGradient_OfAFiniteDifference()
    {
        var d = Prefixed(2, seed: 9);
        d.Eval();
        var tokens = TestModels.Random(9, 2, 3, 8);
        int[] ids = [3, 4, 5, -1];
        var captions = Captions([[6, 7], [8, 9, 10]], 6);
        float Loss()
        {
            using var _ = Autograd.NoGrad();
            var (m, p) = d.Memory(tokens, ids);
            return d.Loss(m, p, captions).Item();
        }
        foreach (var t in d.Parameters()) t.ZeroGrad();
        var (memory, padding) = d.Memory(tokens, ids);
        d.Loss(memory, padding, captions).Backward();
        var grad = d.PrefixType!.Grad.ToArray();
        Assert.True(grad.Any(g => Math.Abs(g) > 1e-6), "prefix_type got no gradient");
        const float h = 1e-2f;
        foreach (int c in new[] { 0, 5, 11 })
        {
            float x = d.PrefixType.Data[c];
            d.PrefixType.Data[c] = x + h; float up = Loss();
            d.PrefixType.Data[c] = x - h; float down = Loss();
            d.PrefixType.Data[c] = x;
            Assert.Equal((up - down) / (2 * h), grad[c], 3);
        }
    }

    [Fact]
    public void TeacherForcing_OverfitsABatch_WithAdam()
    {
        var d = Decoder();
        var motion = TestModels.Random(5, 3, 4, 8);
        var captions = Captions(Words, 6);
        var store = new ParameterStore(d);
        var adam = new Adam(store, 3e-3f);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            adam.ZeroGrad();
            var loss = d.Loss(d.Memory(motion), null, captions);
            if (step == 0) first = loss.Item();
            last = loss.Item();
            loss.Backward();
            adam.Step();
        }
        Assert.True(last < 0.2f * first, $"loss {first:F3} -> {last:F3}");
        // and greedy decoding then writes the training captions back, motion by motion
        d.Eval();
        var result = CaptionSearch.Greedy(d.Scorer(d.Memory(motion)), 3, 9, [Pad, Bos]);
        for (int b = 0; b < 3; b++)
        {
            Assert.Equal(Words[b], result[b].Tokens);
            Assert.True(result[b].Finished);
        }
    }

    [Fact]
    public void Config_RejectsBadValues()
    {
        var e = Assert.Throws<ArgumentException>(() => new CaptionDecoderConfig(15, 1, 2, 8, V, 8, 4, Bos, Eos, 40).Validate());
        Assert.Contains("width 15", e.Message);
        Assert.Contains("PAD id 40", e.Message);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Search

    /// <summary>A scorer from a table: prefix (as "1 3 4") -> next-token probabilities; unknown prefixes: [SEP] 0.9.</summary>
    private sealed class TableScorer(Dictionary<string, Dictionary<int, double>> table, int maxPositions = 40) : ICaptionScorer
    {
        public int VocabularySize => V;
        public int BosId => Bos;
        public int EosId => Eos;
        public int MaxPositions => maxPositions;
        public List<int> CallRows { get; } = [];

        public float[] NextLogProbs(int[] motionRows, int[][] prefixes)
        {
            CallRows.Add(motionRows.Length);
            var lp = new float[prefixes.Length * V];
            for (int r = 0; r < prefixes.Length; r++)
            {
                var key = motionRows[r] + ":" + string.Join(' ', prefixes[r]);
                var p = table.TryGetValue(key, out var t) ? t : new Dictionary<int, double> { [Eos] = 0.9 };
                double rest = (1 - p.Values.Sum()) / (V - p.Count);
                for (int v = 0; v < V; v++) lp[r * V + v] = (float)Math.Log(p.TryGetValue(v, out var x) ? x : rest);
            }
            return lp;
        }
    }

    // motion 0: greedy takes 3 (0.5) and then has at best 0.3 for [SEP]: 0.15; beam finds 4 [SEP]: 0.4 * 0.9 = 0.36
    private static Dictionary<string, Dictionary<int, double>> Trap() => new()
    {
        ["0:1"] = new() { [3] = 0.5, [4] = 0.4 },
        ["0:1 3"] = new() { [Eos] = 0.3, [5] = 0.25, [6] = 0.25 },
        ["0:1 4"] = new() { [Eos] = 0.9 },
        ["1:1"] = new() { [Eos] = 0.6 },                     // motion 1: the empty caption
        ["2:1"] = new() { [7] = 0.9 },
        ["2:1 7"] = new() { [8] = 0.9 },
        ["2:1 7 8"] = new() { [Eos] = 0.95 },
    };

    [Fact]
    public void Beam_FindsAHigherScoringCaptionThanGreedy()
    {
        var scorer = new TableScorer(Trap());
        var greedy = CaptionSearch.Greedy(scorer, 3, 10);
        var beam = CaptionSearch.Beam(scorer, 3, new CaptionSearchOptions(Beam: 3, LengthPenalty: 0f, MaxLength: 10));
        Assert.Equal([3], greedy[0].Tokens);
        Assert.Equal(Math.Log(0.5 * 0.3), greedy[0].LogProb, 5);
        Assert.Equal([4], beam[0].Tokens);
        Assert.Equal(Math.Log(0.4 * 0.9), beam[0].LogProb, 5);
        Assert.True(beam[0].LogProb > greedy[0].LogProb);
        // EOS handling: [SEP] ends a caption and is not one of its tokens; an immediate [SEP] is the empty caption
        Assert.Empty(beam[1].Tokens);
        Assert.True(beam[1].Finished);
        Assert.Empty(greedy[1].Tokens);
        Assert.Equal([7, 8], beam[2].Tokens);
        Assert.Equal([7, 8], greedy[2].Tokens);
        Assert.Equal(Math.Log(0.9 * 0.9 * 0.95), greedy[2].LogProb, 5);
    }

    [Fact]
    public void Beam_IsBatched_AndEachMotionGetsWhatItGetsAlone()
    {
        var scorer = new TableScorer(Trap());
        var options = new CaptionSearchOptions(Beam: 2, LengthPenalty: 0.6f, MaxLength: 10);
        var batched = CaptionSearch.Beam(scorer, 3, options);
        Assert.True(scorer.CallRows[0] == 3 && scorer.CallRows[1] > 3, string.Join(",", scorer.CallRows)); // one call per step for every motion
        // the same table, motion 2's entries moved to motion 0, decoded alone
        var alone = new Dictionary<string, Dictionary<int, double>> { ["0:1"] = Trap()["2:1"], ["0:1 7"] = Trap()["2:1 7"], ["0:1 7 8"] = Trap()["2:1 7 8"] };
        var single = CaptionSearch.Beam(new TableScorer(alone), 1, options);
        Assert.Equal(single[0].Tokens, batched[2].Tokens);
        Assert.Equal(single[0].Score, batched[2].Score, 9);
        // deterministic
        var again = CaptionSearch.Beam(new TableScorer(Trap()), 3, options);
        Assert.Equal(batched.Select(h => string.Join(' ', h.Tokens)), again.Select(h => string.Join(' ', h.Tokens)));
    }

    [Fact]
    public void LengthPenalty_GnmtNormaliser()
    {
        Assert.Equal(1.0, CaptionSearch.LengthNorm(7, 0f));
        Assert.Equal(Math.Pow(12.0 / 6.0, 0.6), CaptionSearch.LengthNorm(7, 0.6f), 6);
        var scorer = new TableScorer(Trap());
        var beam = CaptionSearch.Beam(scorer, 3, new CaptionSearchOptions(Beam: 3, LengthPenalty: 1f, MaxLength: 10));
        Assert.Equal(beam[2].LogProb / (8.0 / 6.0), beam[2].Score, 9); // two words + [SEP]: ((5 + 3) / 6)^1
    }

    [Fact]
    public void MaxLength_IsRespected_WhenNoEosComes()
    {
        // a model that never wants to stop: every prefix puts 0.9 on word 3
        var never = new Dictionary<string, Dictionary<int, double>>();
        var prefix = "0:1";
        for (int i = 0; i < 20; i++) { never[prefix] = new() { [3] = 0.9, [Eos] = 1e-6 }; prefix += " 3"; }
        var scorer = new TableScorer(never);
        var g = CaptionSearch.Greedy(scorer, 1, 5);
        var b = CaptionSearch.Beam(scorer, 1, new CaptionSearchOptions(Beam: 3, MaxLength: 5));
        Assert.Equal(5, g[0].Tokens.Length);
        Assert.False(g[0].Finished);
        Assert.Equal(5, b[0].Tokens.Length);
        Assert.False(b[0].Finished);
        // and the model's positions bound it too: [CLS] + 4 tokens
        var short4 = CaptionSearch.Beam(new TableScorer(never, maxPositions: 5), 1, new CaptionSearchOptions(Beam: 2, MaxLength: 30));
        Assert.Equal(4, short4[0].Tokens.Length);
    }

    [Fact]
    public void BannedTokens_AreNeverGenerated()
    {
        var t = new Dictionary<string, Dictionary<int, double>> { ["0:1"] = new() { [Pad] = 0.8, [5] = 0.1 } };
        Assert.Equal([5], CaptionSearch.Greedy(new TableScorer(t), 1, 4, [Pad])[0].Tokens);
        Assert.Equal([5], CaptionSearch.Beam(new TableScorer(t), 1, new CaptionSearchOptions(Beam: 2, LengthPenalty: 0f, Banned: [Pad]))[0].Tokens);
    }

    [Fact]
    public void GreedyEqualsBeamOne_OnARandomDecoder()
    {
        var d = Decoder(seed: 9, maxPositions: 12);
        d.Eval();
        var scorer = d.Scorer(d.Memory(TestModels.Random(6, 5, 4, 8)));
        foreach (float alpha in new[] { 0f, 0.6f })
        {
            var g = CaptionSearch.Greedy(scorer, 5, 8, [Pad, Bos], alpha);
            var b = CaptionSearch.Beam(scorer, 5, new CaptionSearchOptions(Beam: 1, LengthPenalty: alpha, MaxLength: 8, Banned: [Pad, Bos]));
            for (int m = 0; m < 5; m++)
            {
                Assert.Equal(g[m].Tokens, b[m].Tokens);
                Assert.Equal(g[m].LogProb, b[m].LogProb, 4);
                Assert.Equal(g[m].Finished, b[m].Finished);
            }
        }
    }

    /// <summary>
    /// Log probabilities from a hash of (motion, prefix), on a coarse grid so that ties are common; <paramref name="peaked"/>:
    /// weights 1, 16, 256 or 4096 with [SEP] always among the heaviest, so one hypothesis's extensions (its [SEP] among them)
    /// fill the whole walked ranking, the case where each hypothesis must contribute its best 2·beam.
    /// </summary>
    private sealed class HashScorer(bool peaked = false) : ICaptionScorer
    {
        public int VocabularySize => V;
        public int BosId => Bos;
        public int EosId => Eos;
        public int MaxPositions => 16;

        /// <summary>Every (motion, prefix) scored: the live hypotheses of every step.</summary>
        public List<string> Requests { get; } = [];

        public float[] NextLogProbs(int[] motionRows, int[][] prefixes)
        {
            var lp = new float[prefixes.Length * V];
            for (int r = 0; r < prefixes.Length; r++)
            {
                Requests.Add(motionRows[r] + ":" + string.Join(' ', prefixes[r]));
                var w = new double[V];
                uint h = 2166136261u ^ (uint)motionRows[r];
                foreach (int t in prefixes[r]) h = (h ^ (uint)t) * 16777619u;
                for (int v = 0; v < V; v++) { h = (h ^ (uint)v) * 16777619u; w[v] = peaked ? Math.Pow(16, (h >> 28) % 4) : 1 + (h >> 28) % 4; }   // weights 1..4
                if (peaked) w[Eos] = 4096;
                double sum = w.Sum();
                for (int v = 0; v < V; v++) lp[r * V + v] = (float)Math.Log(w[v] / sum);
            }
            return lp;
        }
    }

    /// <summary>The beam search with every candidate sorted (the definition the faster selection must reproduce).</summary>
    private static (int[] Tokens, double Score)[] ReferenceBeam(ICaptionScorer scorer, int motions, CaptionSearchOptions o)
    {
        int K = o.Beam, maxLen = Math.Min(o.MaxLength, scorer.MaxPositions - 1);
        var banned = (o.Banned ?? []).ToHashSet();
        var live = Enumerable.Range(0, motions).Select(_ => new List<(int[] T, double L)> { ([], 0.0) }).ToArray();
        var done = Enumerable.Range(0, motions).Select(_ => new List<(int[] T, double L, double S, bool F)>()).ToArray();
        (int[], double, double, bool) Finish(int[] t, double l, bool eos) => (t, l, l / CaptionSearch.LengthNorm(t.Length + (eos ? 1 : 0), o.LengthPenalty), eos);
        for (int step = 0; step < maxLen; step++)
        {
            bool last = step == maxLen - 1;
            for (int m = 0; m < motions; m++)
            {
                if (done[m].Count >= K) continue;
                var lp = scorer.NextLogProbs(live[m].Select(_ => m).ToArray(), live[m].Select(h => (int[])[Bos, .. h.T]).ToArray());
                var c = new List<(double S, int H, int T)>();
                for (int h = 0; h < live[m].Count; h++)
                    for (int v = 0; v < V; v++)
                        if (!banned.Contains(v)) c.Add((live[m][h].L + lp[h * V + v], h, v));
                c.Sort((a, b) => a.S != b.S ? b.S.CompareTo(a.S) : a.H != b.H ? a.H.CompareTo(b.H) : a.T.CompareTo(b.T));
                var next = new List<(int[] T, double L)>();
                for (int rank = 0; rank < Math.Min(2 * K, c.Count) && next.Count < K; rank++)
                {
                    var (sc, h, v) = c[rank];
                    if (v != Eos) next.Add(([.. live[m][h].T, v], sc));
                    else if (rank < K && done[m].Count < K) done[m].Add(Finish(live[m][h].T, sc, true));
                }
                if (last && done[m].Count < K) foreach (var (t, l) in next) done[m].Add(Finish(t, l, false));
                live[m] = next;
            }
        }
        return done.Select(d => d.OrderByDescending(h => h.S).ThenByDescending(h => h.F).Select(h => (h.T, h.S)).First()).ToArray();
    }

    [Theory]
    [InlineData(2, 0f, false)]
    [InlineData(3, 0.6f, false)]
    [InlineData(5, 1f, false)]
    [InlineData(2, 0f, true)]
    [InlineData(3, 0.6f, true)]
    [InlineData(4, 0f, true)]
    public void Beam_EqualsTheFullySortedSearch_WithTies(int beam, float alpha, bool peaked)
    {
        var o = new CaptionSearchOptions(Beam: beam, LengthPenalty: alpha, MaxLength: 7, Banned: [Pad, Bos]);
        HashScorer fastScorer = new(peaked), slowScorer = new(peaked);
        var fast = CaptionSearch.Beam(fastScorer, 6, o);
        var slow = ReferenceBeam(slowScorer, 6, o);
        // the same hypotheses were alive at every step, not only the same winners
        Assert.Equal(slowScorer.Requests.Order(StringComparer.Ordinal), fastScorer.Requests.Order(StringComparer.Ordinal));
        for (int m = 0; m < 6; m++)
        {
            Assert.Equal(slow[m].Tokens, fast[m].Tokens);
            Assert.Equal(slow[m].Score, fast[m].Score, 9);
        }
    }

    [Fact]
    public void SearchOptions_RejectBadValues()
    {
        Assert.Contains("beam width", Assert.Throws<ArgumentException>(() => new CaptionSearchOptions(Beam: 0).Validate()).Message);
        Assert.Contains("beam width must be 1 to 1024, got 2147483647", Assert.Throws<ArgumentException>(() => new CaptionSearchOptions(Beam: int.MaxValue).Validate()).Message);
        Assert.Contains("maximum length", Assert.Throws<ArgumentException>(() => new CaptionSearchOptions(MaxLength: 0).Validate()).Message);
        Assert.Contains("length penalty", Assert.Throws<ArgumentException>(() => new CaptionSearchOptions(LengthPenalty: -1).Validate()).Message);
    }
}

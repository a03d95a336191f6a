namespace MotionWorkbench.Text.Tests;

public class MaskingTests
{
    private static readonly BertTokenizer Tok = new(TestVocabulary.Tiny());

    private static EncodedBatch BigBatch() =>
        Tok.EncodeBatch(Enumerable.Range(0, 200).Select(i => i % 3 == 0 ? "a person" : "a person walks a person walking, un-wanted cafe").ToList());

    [Fact]
    public void Mask_SameSeed_SameBatch_DifferentSeed_Differs()
    {
        var batch = BigBatch();
        var a = new MaskedLanguageModelMasker(Tok.Vocabulary, seed: 7).Mask(batch);
        var b = new MaskedLanguageModelMasker(Tok.Vocabulary, seed: 7).Mask(batch);
        var c = new MaskedLanguageModelMasker(Tok.Vocabulary, seed: 8).Mask(batch);
        Assert.Equal(a.InputIds, b.InputIds);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Labels, c.Labels);
    }

    [Fact]
    public void Mask_LabelsAndReplacements_FollowBertRule()
    {
        var batch = BigBatch();
        var m = new MaskedLanguageModelMasker(Tok.Vocabulary, seed: 3).Mask(batch);
        var vocab = Tok.Vocabulary;
        int candidates = 0, chosen = 0, masked = 0, random = 0, kept = 0;
        for (int i = 0; i < batch.InputIds.Length; i++)
        {
            bool candidate = batch.AttentionMask[i] == 1 && !vocab.IsSpecialId(batch.InputIds[i]);
            if (!candidate)
            {
                Assert.Equal(MaskedLanguageModelMasker.IgnoreLabel, m.Labels[i]);
                Assert.Equal(batch.InputIds[i], m.InputIds[i]);
                continue;
            }
            candidates++;
            if (m.Labels[i] == MaskedLanguageModelMasker.IgnoreLabel) { Assert.Equal(batch.InputIds[i], m.InputIds[i]); continue; }
            chosen++;
            Assert.Equal(batch.InputIds[i], m.Labels[i]);
            if (m.InputIds[i] == vocab.MaskId) masked++;
            else if (m.InputIds[i] == batch.InputIds[i]) kept++;
            else { random++; Assert.False(vocab.IsSpecialId(m.InputIds[i])); }
        }
        Assert.Equal(chosen, m.LabelCount);
        // 1,666 candidates: 15 % +- 4 standard deviations, then 80/10/10 of the chosen within wide bounds.
        double rate = (double)chosen / candidates;
        Assert.InRange(rate, 0.15 - 4 * Math.Sqrt(0.15 * 0.85 / candidates), 0.15 + 4 * Math.Sqrt(0.15 * 0.85 / candidates));
        Assert.InRange((double)masked / chosen, 0.65, 0.92);
        Assert.True(random > 0 && kept > 0, $"random {random}, kept {kept}");
        Assert.Equal(batch.AttentionMask, m.AttentionMask);
    }

    [Fact]
    public void CaptionCorpus_SkipsEmptyCaptions_AndBatches()
    {
        var corpus = new CaptionCorpus(Tok, ["a person walks", "", "a", "   ", "a person", null]);
        Assert.Equal(3, corpus.Captions.Count);
        Assert.Equal(["caption 1: empty or whitespace only", "caption 3: empty or whitespace only", "caption 5: empty or whitespace only"], corpus.Skipped);
        var batches = corpus.Batches(2).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(2, batches[0].BatchSize);
        Assert.Equal(1, batches[1].BatchSize);
        Assert.Equal([2, 5, 6, 3], batches[1].Row(0).ToArray());
        var shuffled = corpus.Batches(3, shuffleSeed: 5).Single();
        var again = corpus.Batches(3, shuffleSeed: 5).Single();
        Assert.Equal(shuffled.InputIds, again.InputIds);
        Assert.Equal(2, corpus.MaskedBatches(2, seed: 1).Count());
    }
}

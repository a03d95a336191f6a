using MotionWorkbench.Tensors;

namespace MotionWorkbench.Models.Tests;

/// <summary>A lexical head over a vocabulary subset (lex.vocabulary = captions) against the whole-vocabulary head.</summary>
public class LexicalHeadTests
{
    private static Tensor Rand(Random rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = rng.NextSingle() * 2 - 1;
        return t;
    }

    private static (LexicalHead Full, LexicalHead Sub) Heads(int[] active)
    {
        var full = new LexicalHead(6, 5, 12, 1e-12f, null, 3);
        var sub = new LexicalHead(6, 5, 12, 1e-12f, null, 3, active);
        sub.LoadStateDict(full.StateDict(), strict: true, "full head");
        return (full, sub);
    }

    [Fact]
    public void Subset_head_equals_the_full_head_on_its_words_and_is_zero_elsewhere()
    {
        int[] active = [9, 2, 5, 11];
        var (full, sub) = Heads(active);
        Assert.Equal([2, 5, 9, 11], sub.ActiveWords!);
        var tokens = Rand(new Random(4), 2, 3, 6);
        var valid = new[] { true, true, true, true, false, false };
        var wFull = full.Forward(tokens, valid).ToArray();
        var wSub = sub.Forward(tokens, valid).ToArray();
        for (int b = 0; b < 2; b++)
            for (int j = 0; j < 12; j++)
                Assert.Equal(sub.ActiveWords!.Contains(j) ? wFull[b * 12 + j] : 0f, wSub[b * 12 + j], 5);
        var z = sub.MaxLogits(tokens, valid).ToArray();
        Assert.Equal(LexicalHead.OutsideLogit, z[0]);
    }

    [Fact]
    public void Subset_masked_token_loss_is_the_cross_entropy_over_the_active_words_and_skips_labels_outside_them()
    {
        int[] active = [1, 4, 6, 7];
        var (full, sub) = Heads(active);
        var hidden = Rand(new Random(5), 4, 5);
        int[] rows = [0, 2, 3], labels = [4, 7, 3];   // label 3 is not an active word: left out
        double expected = 0;
        var h = hidden.ToArray(); var w = full.Projection.ToArray(); var bias = full.Bias.ToArray();
        foreach (var (row, label) in new[] { (0, 4), (2, 7) })
        {
            var logits = active.Select(j => (double)bias[j] + Enumerable.Range(0, 5).Sum(c => (double)h[row * 5 + c] * w[j * 5 + c])).ToArray();
            double max = logits.Max(), lse = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            expected += lse - logits[Array.IndexOf(active, label)];
        }
        Assert.Equal(expected / 2, sub.MaskedTokenLoss(hidden, rows, labels).Item(), 4);
        Assert.Contains("none of the 1 masked", Assert.Throws<ArgumentException>(() => sub.MaskedTokenLoss(hidden, [1], [3])).Message);
        Assert.Throws<ArgumentException>(() => new LexicalHead(6, 5, 12, 1e-12f, null, 3, [12]));
    }
}

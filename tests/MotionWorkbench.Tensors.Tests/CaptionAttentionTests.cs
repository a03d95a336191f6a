using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests;

/// <summary>
/// Causal self-attention and cross-attention (Ops.CrossAttention / CausalAttention, Nn.MultiHeadAttention,
/// Nn.PreNormDecoderBlock): finite-difference gradients, mask semantics, and parity with torch 1.13's
/// nn.MultiheadAttention / nn.TransformerDecoderLayer (fixtures of environment/reference/caption_fixtures.py).
/// </summary>
public class CaptionAttentionTests
{
    private const double Atol = 1e-5, Rtol = 1e-4;

    private static void Close(Fixture f, string name, ReadOnlySpan<float> actual)
        => AssertClose.Equal(f.Data(name), actual, Atol, Rtol, $"{Path.GetFileName(f.File)}: {name}");

    private static bool[] Mask(Fixture f, string name = "mask") => f.Data(name).Select(v => v != 0).ToArray();

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(true, 0f)]
    [InlineData(true, 0.2f)]
    public void CausalAttention_Backward_MatchesFiniteDifferences(bool masked, float dropout)
    {
        var rng = new Random(41);
        int B = 2, L = 4, C = 6, H = 2;
        bool[]? mask = masked ? [false, false, false, true, false, false, true, true] : null;
        Run(x => Ops.CausalAttention(x[0], x[1], x[2], H, mask, dropout, new DropoutRng(5)), [Rand(rng, B, L, C), Rand(rng, B, L, C), Rand(rng, B, L, C)], name: "causal attention");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void CrossAttention_Backward_MatchesFiniteDifferences(bool masked, bool causal)
    {
        var rng = new Random(42);
        int B = 2, Lq = 3, Lk = 5, C = 4, H = 2;
        bool[]? mask = masked ? [false, false, false, false, true, false, false, true, true, true] : null;
        Run(x => Ops.CrossAttention(x[0], x[1], x[2], H, mask, causal), [Rand(rng, B, Lq, C), Rand(rng, B, Lk, C), Rand(rng, B, Lk, C)], name: "cross attention");
    }

    [Fact]
    public void DecoderBlock_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(43);
        var block = new PreNormDecoderBlock(4, 2, 8, 0f, 3);
        foreach (var (name, p) in block.NamedParameters())
            for (int i = 0; i < p.Size; i++) p.Data[i] = name.Contains("norm") && name.EndsWith("weight") ? 1f + 0.3f * (float)(rng.NextDouble() - 0.5) : 0.6f * (float)(rng.NextDouble() - 0.5);
        bool[] pad = [false, false, false, false, false, true], mpad = [false, false, false, false, true, false, false, false];
        Run(x => block.Forward(x[0], pad, x[1], mpad), [Rand(rng, 2, 3, 4), Rand(rng, 2, 4, 4)], name: "decoder block");
    }

    [Fact]
    public void CausalAttention_PositionIDoesNotSeeLaterPositions()
    {
        var rng = new Random(44);
        int B = 1, L = 5, C = 4, H = 2;
        var probs = new float[B * H * L * L];
        var (q, k, v) = (Rand(rng, B, L, C), Rand(rng, B, L, C), Rand(rng, B, L, C));
        var y = Ops.CausalAttention(q, k, v, H, [false, false, true, false, false], probsOut: probs).Data.ToArray();
        for (int h = 0; h < H; h++)
            for (int i = 0; i < L; i++)
            {
                float sum = 0;
                for (int j = 0; j < L; j++)
                {
                    float p = probs[(h * L + i) * L + j];
                    if (j > i || j == 2) Assert.Equal(0f, p);
                    sum += p;
                }
                Assert.Equal(1f, sum, 5);
            }
        // changing the last token's key and value leaves every earlier output unchanged
        k.Data[(L - 1) * C] += 3f; v.Data[(L - 1) * C + 1] -= 2f;
        var y2 = Ops.CausalAttention(q, k, v, H, [false, false, true, false, false]).Data.ToArray();
        for (int i = 0; i < (L - 1) * C; i++) Assert.Equal(y[i], y2[i]);
        Assert.NotEqual(y[(L - 1) * C + 1], y2[(L - 1) * C + 1]);
    }

    [Fact]
    public void CrossAttention_FullyMaskedRow_GivesZerosNotNaN()
    {
        var rng = new Random(45);
        var x = Rand(rng, 1, 2, 4);
        var y = Ops.CrossAttention(x, Rand(rng, 1, 3, 4), Rand(rng, 1, 3, 4), 1, [true, true, true]);
        Assert.All(y.Data.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void CrossAttention_RejectsBadShapes()
    {
        var rng = new Random(46);
        var e = Assert.Throws<ArgumentException>(() => Ops.CrossAttention(Rand(rng, 1, 2, 4), Rand(rng, 1, 3, 6), Rand(rng, 1, 3, 6), 2));
        Assert.Contains("k must be (B, Lk, C)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.CrossAttention(Rand(rng, 1, 4, 4), Rand(rng, 1, 3, 4), Rand(rng, 1, 3, 4), 2, causal: true));
        Assert.Contains("Lq ≤ Lk", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ops.CrossAttention(Rand(rng, 1, 2, 4), Rand(rng, 1, 3, 4), Rand(rng, 1, 3, 4), 2, [false, true]));
        Assert.Contains("B·Lk", e.Message);
    }

    private static Dictionary<string, Tensor> Weights(Fixture f, string prefix, params string[] names) =>
        names.SelectMany(n => new[] { n + ".weight", n + ".bias" }).ToDictionary(n => n, n => f.Tensor(prefix + n));

    [Fact]
    public void CausalSelfAttention_WithPaddingMask_MatchesTorch()
    {
        var f = Fixture.Load("caption_causal_attention.json");
        var x = f.Tensor("x", true);
        var attn = new MultiHeadAttention(x.Dim(-1), f.Int("heads"), 0f, 1) { KeepProbabilities = true };
        attn.LoadStateDict(Weights(f, "", "q_lin", "k_lin", "v_lin", "out_lin"));
        var y = attn.ForwardCausal(x, Mask(f));
        Close(f, "y", y.Data);
        Close(f, "probs", attn.LastProbabilities);
        y.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad);
        foreach (var (name, p) in attn.NamedParameters()) Close(f, "d" + name, p.Grad);
    }

    [Fact]
    public void CrossAttention_WithMemoryPadding_MatchesTorch()
    {
        var f = Fixture.Load("caption_cross_attention.json");
        var (x, memory) = (f.Tensor("x", true), f.Tensor("memory", true));
        var attn = new MultiHeadAttention(x.Dim(-1), f.Int("heads"), 0f, 1) { KeepProbabilities = true };
        attn.LoadStateDict(Weights(f, "", "q_lin", "k_lin", "v_lin", "out_lin"));
        var y = attn.Forward(x, memory, Mask(f));
        Close(f, "y", y.Data);
        Close(f, "probs", attn.LastProbabilities);
        y.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad);
        Close(f, "dmemory", memory.Grad);
        foreach (var (name, p) in attn.NamedParameters()) Close(f, "d" + name, p.Grad);
    }

    [Fact]
    public void PreNormDecoderBlock_MatchesTorchTransformerDecoderLayer()
    {
        var f = Fixture.Load("caption_decoder_layer.json");
        var (x, memory) = (f.Tensor("x", true), f.Tensor("memory", true));
        var block = new PreNormDecoderBlock(x.Dim(-1), f.Int("heads"), f.Int("hidden"), 0f, 1, f.Float("eps"));
        var names = block.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal(26, names.Count);
        block.LoadStateDict(names.ToDictionary(n => n, n => f.Tensor(n)));
        var y = block.Forward(x, Mask(f), memory, Mask(f, "memory_mask"));
        Close(f, "y", y.Data);
        y.Backward(f.Tensor("dout"));
        Close(f, "dx", x.Grad);
        Close(f, "dmemory", memory.Grad);
        foreach (var (name, p) in block.NamedParameters()) Close(f, "d" + name, p.Grad);
    }
}

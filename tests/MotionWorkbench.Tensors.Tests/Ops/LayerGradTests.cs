using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;


public class LayerGradTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul_Backward_MatchesFiniteDifferences(bool transA, bool transB)
    {
        var rng = new Random(20);
        var a = transA ? Rand(rng, 4, 3) : Rand(rng, 3, 4);
        var b = transB ? Rand(rng, 5, 4) : Rand(rng, 4, 5);
        Run(x => Ops.MatMul(x[0], x[1], transA, transB), [a, b], name: $"matmul tA={transA} tB={transB}");
        var ab = transA ? Rand(rng, 2, 4, 3) : Rand(rng, 2, 3, 4);
        var bb = transB ? Rand(rng, 2, 5, 4) : Rand(rng, 2, 4, 5);
        Run(x => Ops.MatMul(x[0], x[1], transA, transB), [ab, bb], name: $"batched matmul tA={transA} tB={transB}");
    }

    [Fact]
    public void MatMul_InputUsedTwice_Accumulates()
    {
        var rng = new Random(21);
        Run(x => Ops.MatMul(x[0], x[0], transB: true), [Rand(rng, 3, 4)], name: "x·xᵀ");
    }

    [Fact]
    public void MatMul_ThrowsForInnerMismatch()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 5)", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Linear_Backward_MatchesFiniteDifferences(bool gelu)
    {
        var rng = new Random(22);
        Func<Tensor, Tensor, Tensor?, Tensor> f = gelu ? (x, w, b) => Ops.LinearGelu(x, w, b) : Ops.Linear;
        Run(x => f(x[0], x[1], x[2]), [Rand(rng, 2, 3, 4), Rand(rng, 5, 4), Rand(rng, 5)], name: "linear");
        Run(x => f(x[0], x[1], null), [Rand(rng, 3, 4), Rand(rng, 5, 4)], name: "linear no bias");
        Run(x => Ops.Add(f(x[0], x[1], x[2]), f(x[0], x[1], x[2])), [Rand(rng, 3, 4), Rand(rng, 5, 4), Rand(rng, 5)], name: "linear twice");
    }

    [Fact]
    public void LinearGelu_Forward_EqualsLinearThenGeluThenDropout()
    {
        var rng = new Random(23);
        var (x, w, b) = (Rand(rng, 7, 6), Rand(rng, 9, 6), Rand(rng, 9));
        AssertClose.Equal(Ops.Gelu(Ops.Linear(x, w, b)).ToArray(), Ops.LinearGelu(x, w, b).ToArray(), 1e-6, 1e-5);
        var unfused = Ops.Dropout(Ops.Gelu(Ops.Linear(x, w, b)), 0.4f, new DropoutRng(8)).ToArray();
        AssertClose.Equal(unfused, Ops.LinearGelu(x, w, b, 0.4f, new DropoutRng(8)).ToArray(), 1e-6, 1e-5);
    }

    [Fact]
    public void LinearGeluDropout_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(31);
        Run(x => Ops.LinearGelu(x[0], x[1], x[2], 0.3f, new DropoutRng(4)), [Rand(rng, 2, 3, 4), Rand(rng, 5, 4), Rand(rng, 5)], name: "linear_gelu dropout");
    }

    [Fact]
    public void LayerNorm_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(24);
        Run(x => Ops.LayerNorm(x[0], x[1], x[2], 1e-5f), [Rand(rng, 2, 3, 6), Rand(rng, 6), Rand(rng, 6)], name: "layer_norm");
        Run(x => Ops.Add(Ops.LayerNorm(x[0], x[1], x[2], 1e-5f), Ops.LayerNorm(x[0], x[1], x[2], 1e-5f)), [Rand(rng, 3, 5), Rand(rng, 5), Rand(rng, 5)], name: "layer_norm twice");
    }

    [Fact]
    public void LayerNorm_ConstantRow_ReturnsBias()
    {
        var y = Ops.LayerNorm(Tensor.Full(3f, 2, 4), Tensor.Full(2f, 4), Tensor.FromArray([1, 2, 3, 4], 4), 1e-5f);
        Assert.Equal([1f, 2, 3, 4, 1, 2, 3, 4], y.ToArray());
    }

    [Fact]
    public void L2Normalize_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(25);
        Run(x => Ops.L2Normalize(x[0]), [Rand(rng, 3, 5)], name: "l2");
        Run(x => Ops.Add(Ops.L2Normalize(x[0]), Ops.L2Normalize(x[0])), [Rand(rng, 2, 4)], name: "l2 twice");
        var y = Ops.L2Normalize(Tensor.FromArray([3, 4], 1, 2)).ToArray();
        Assert.Equal([0.6f, 0.8f], y);
    }

    [Fact]
    public void CrossEntropy_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(26);
        Run(x => Ops.CrossEntropy(x[0], [2, 0, 4]), [Rand(rng, 3, 5)], name: "cross_entropy");
        Run(x => Ops.Add(Ops.CrossEntropy(x[0], [1, 1]), Ops.CrossEntropy(x[0], [0, 2])), [Rand(rng, 2, 3)], name: "cross_entropy twice");
        // uniform logits: loss = ln V
        Assert.Equal(MathF.Log(5), Ops.CrossEntropy(Tensor.Zeros(2, 5), [1, 3]).Item(), 5);
    }

    [Fact]
    public void Dropout_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(27);
        Run(x => Ops.Dropout(x[0], 0.3f, new DropoutRng(5)), [Rand(rng, 4, 9)], name: "dropout");
        Run(x => Ops.AddDropout(x[0], x[1], 0.3f, new DropoutRng(6)), [Rand(rng, 4, 9), Rand(rng, 4, 9)], name: "add_dropout");
        Run(x => Ops.AddDropout(x[0], x[0], 0.3f, new DropoutRng(7)), [Rand(rng, 3, 7)], name: "add_dropout twice");
    }

    [Fact]
    public void Dropout_KeepsAboutOneMinusPAndScales()
    {
        var x = Tensor.Full(1f, 100_000);
        var y = Ops.Dropout(x, 0.25f, new DropoutRng(42)).ToArray();
        int kept = y.Count(v => v != 0);
        Assert.InRange(kept, 74_000, 76_000);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1f / 0.75f, v, 5));
        var again = Ops.Dropout(x, 0.25f, new DropoutRng(42)).ToArray();
        Assert.Equal(y, again);
        var other = Ops.Dropout(x, 0.25f, new DropoutRng(43)).ToArray();
        Assert.NotEqual(y, other);
    }

    [Theory]
    [InlineData(true, false, 0f)]
    [InlineData(false, false, 0f)]
    [InlineData(true, true, 0f)]
    [InlineData(false, true, 0.2f)]
    [InlineData(true, true, 0.2f)]
    public void Attention_Backward_MatchesFiniteDifferences(bool fused, bool masked, float dropout)
    {
        var rng = new Random(28);
        int B = 2, L = 4, C = 6, H = 2;
        bool[]? mask = masked ? [false, false, false, true, false, false, true, true] : null;
        if (fused)
            Run(x => Ops.Attention(x[0], H, mask, dropout, new DropoutRng(3)), [Rand(rng, B, L, 3 * C)], name: "attention fused");
        else
            Run(x => Ops.Attention(x[0], x[1], x[2], H, mask, dropout, new DropoutRng(3)), [Rand(rng, B, L, C), Rand(rng, B, L, C), Rand(rng, B, L, C)], name: "attention separate");
    }

    [Fact]
    public void Attention_InputUsedTwice_Accumulates()
    {
        var rng = new Random(29);
        Run(x => Ops.Attention(x[0], x[0], x[1], 2, null), [Rand(rng, 2, 3, 4), Rand(rng, 2, 3, 4)], name: "attention q=k");
    }

    [Fact]
    public void Attention_KeepsProbabilities_AndMaskedKeysGetZero()
    {
        var rng = new Random(30);
        var probs = new float[1 * 2 * 3 * 3];
        Ops.Attention(Rand(rng, 1, 3, 12), 2, [false, false, true], probsOut: probs);
        for (int row = 0; row < 6; row++)
        {
            Assert.Equal(1f, probs[row * 3] + probs[row * 3 + 1] + probs[row * 3 + 2], 5);
            Assert.Equal(0f, probs[row * 3 + 2]);
        }
    }

    [Fact]
    public void Losses_Backward_MatchFiniteDifferences()
    {
        var rng = new Random(32);
        Run(x => Ops.MseLoss(x[0], x[1]), [Rand(rng, 3, 4), Rand(rng, 3, 4)], name: "mse");
        Run(x => Ops.ClipLoss(x[0], x[1], x[2]), [Rand(rng, 4, 5), Rand(rng, 4, 5), Tensor.FromArray([0.7f], 1)], name: "clip");
        Run(x => Ops.ClipLoss(x[0], x[0], x[1]), [Rand(rng, 3, 5), Tensor.FromArray([0.3f], 1)], name: "clip (same input twice)");
    }

    [Fact]
    public void ClipLoss_OrthogonalPerfectPairs_HasClosedForm()
    {
        // identical orthonormal embeddings: logits = s·I, so each CE = -log(e^s / (e^s + (N-1)))
        int N = 4;
        var e = Tensor.Zeros(N, N);
        for (int i = 0; i < N; i++) e.Data[i * N + i] = 1f;
        float s = 2f;
        var loss = Ops.ClipLoss(e, e, Tensor.FromArray([MathF.Log(s)], 1)).Item();
        Assert.Equal(-Math.Log(Math.Exp(s) / (Math.Exp(s) + N - 1)), loss, 5);
    }
}

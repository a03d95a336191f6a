using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Tensors.Tests.Support;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.Nn;


public class ModuleTests
{
    /// <summary>Checks a module's output gradient w.r.t. its input and every parameter.</summary>
    private static void CheckModule(Module m, Func<Tensor, Tensor> forward, Tensor input, string name)
    {
        // the module's own parameter tensors are checked (perturbed in place) alongside the input
        Run(x => forward(x[0]), [input, .. m.Parameters()], name: name);
    }

    private static T Randomised<T>(T m, int seed) where T : Module
    {
        var rng = new Random(seed);
        foreach (var p in m.Parameters()) { var d = p.Data; for (int i = 0; i < d.Length; i++) d[i] = (float)(rng.NextDouble() - 0.5); }
        return m;
    }

    [Fact]
    public void Linear_LayerNorm_Mlp_Backward_MatchFiniteDifferences()
    {
        var rng = new Random(40);
        var lin = Randomised(new Linear(4, 3), 1);
        CheckModule(lin, lin.Forward, Rand(rng, 2, 4), "Linear");
        var ln = Randomised(new LayerNorm(5), 2);
        CheckModule(ln, ln.Forward, Rand(rng, 3, 5), "LayerNorm");
        var mlp = Randomised(new Mlp(4, 6, 0f, 1), 3);
        CheckModule(mlp, mlp.Forward, Rand(rng, 2, 3, 4), "Mlp");
        var emb = Randomised(new Embedding(5, 3), 4);
        Run(_ => emb.Forward([0, 4, 4, 2], 2, 2), [emb.Weight], name: "Embedding");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Attention_Module_Backward_MatchesFiniteDifferences(bool fused)
    {
        var rng = new Random(41);
        var attn = Randomised(new MultiHeadSelfAttention(8, 2, fused, 0f, 1), 5);
        bool[] mask = [false, false, true, false, false, false];
        CheckModule(attn, x => attn.Forward(x, mask), Rand(rng, 2, 3, 8), "MultiHeadSelfAttention");
    }

    [Fact]
    public void Encoder_OneLayerWidth8TwoHeads_Backward_MatchesFiniteDifferences()
    {
        var rng = new Random(42);
        var pre = Randomised(new PreNormBlock(8, 2, 16, 0f, 1), 6);
        CheckModule(pre, x => pre.Forward(x), Rand(rng, 2, 3, 8), "PreNormBlock");
        var post = Randomised(new PostNormBlock(8, 2, 16, 0f, 1, eps: 1e-5f), 7);
        CheckModule(post, x => post.Forward(x, [false, false, true, false, false, false]), Rand(rng, 2, 3, 8), "PostNormBlock");
    }

    [Fact]
    public void Encoder_WithDropout_Backward_MatchesFiniteDifferences()
    {
        // dropout masks depend on the mask stream position, so the block is rebuilt for every evaluation
        var rng = new Random(43);
        var template = Randomised(new PreNormBlock(8, 2, 16, 0.2f, 9), 8);
        var ps = template.Parameters().Select(p => p.Detach()).ToArray();
        Run(x =>
        {
            var block = new PreNormBlock(8, 2, 16, 0.2f, 9); // fresh mask streams: same masks every evaluation
            return ForwardWith(block, x[0], x.Skip(1).ToArray());
        }, [Rand(rng, 2, 3, 8), .. ps], name: "PreNormBlock dropout");
    }

    private static Tensor ForwardWith(PreNormBlock block, Tensor x, Tensor[] parameters)
    {
        var state = block.NamedParameters().Select(p => p.Name).Zip(parameters).ToDictionary(p => p.First, p => p.Second);
        var swapped = new PreNormBlockView(block, state);
        return swapped.Forward(x);
    }

    /// <summary>The pre-norm block written with explicit parameter tensors (so the grad checker owns them).</summary>
    private sealed class PreNormBlockView(PreNormBlock b, Dictionary<string, Tensor> p)
    {
        public Tensor Forward(Tensor x)
        {
            var h = Ops.LayerNorm(x, p["norm1.weight"], p["norm1.bias"], b.Norm1.Eps);
            h = Ops.Attention(Ops.Linear(h, p["attn.qkv.weight"], p["attn.qkv.bias"]), 2, null, 0.2f, b.Attn.Rng);
            h = Ops.Linear(h, p["attn.proj.weight"], p["attn.proj.bias"]);
            x = Ops.AddDropout(x, h, 0.2f, b.Drop.Rng);
            h = Ops.LayerNorm(x, p["norm2.weight"], p["norm2.bias"], b.Norm2.Eps);
            h = Ops.Dropout(Ops.LinearGelu(h, p["mlp.fc1.weight"], p["mlp.fc1.bias"]), 0.2f, b.Mlp.Drop.Rng);
            h = Ops.Linear(h, p["mlp.fc2.weight"], p["mlp.fc2.bias"]);
            return Ops.AddDropout(x, h, 0.2f, b.Drop.Rng);
        }
    }

    [Fact]
    public void StateDict_UsesOrderedTimmAndDistilBertNames()
    {
        var pre = new PreNormBlock(8, 2, 16, 0f, 1);
        Assert.Equal(["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
                      "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"], pre.StateDict().Keys);
        var post = new PostNormBlock(8, 2, 16, 0f, 1);
        Assert.Equal(["attention.q_lin.weight", "attention.q_lin.bias", "attention.k_lin.weight", "attention.k_lin.bias", "attention.v_lin.weight", "attention.v_lin.bias",
                      "attention.out_lin.weight", "attention.out_lin.bias", "sa_layer_norm.weight", "sa_layer_norm.bias", "ffn.lin1.weight", "ffn.lin1.bias",
                      "ffn.lin2.weight", "ffn.lin2.bias", "output_layer_norm.weight", "output_layer_norm.bias"], post.StateDict().Keys);
        Assert.Equal([24, 8], pre.StateDict()["attn.qkv.weight"].Shape);
    }

    [Fact]
    public void LoadStateDict_ListsMissingUnexpectedAndShapeMismatches()
    {
        var lin = new Linear(4, 3);
        var e = Assert.Throws<InvalidDataException>(() => lin.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(3, 5), ["extra"] = Tensor.Zeros(1) }, source: "ckpt.safetensors"));
        Assert.Contains("weight: ckpt.safetensors has (3, 5), the module expects (3, 4)", e.Message);
        Assert.Contains("missing keys: bias", e.Message);
        Assert.Contains("unexpected keys: extra", e.Message);
        var report = lin.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Full(2f, 3, 4) }, strict: false);
        Assert.Equal(["bias"], report.Missing);
        Assert.All(lin.Weight.ToArray(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void TrainEval_TogglesDropoutAndKeepsProbabilities()
    {
        var block = new PreNormBlock(8, 2, 16, 0.5f, 3);
        Init.Timm(block, new Random(1));
        var x = GradCheck.Rand(new Random(2), 2, 3, 8);
        block.Eval();
        block.Attn.KeepProbabilities = true;
        Tensor a, b;
        using (Autograd.NoGrad()) { a = block.Forward(x); b = block.Forward(x); }
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal([2, 2, 3, 3], block.Attn.LastProbabilitiesShape!);
        Assert.Equal(1f, block.Attn.LastProbabilities!.Take(3).Sum(), 5);
        block.Train();
        Assert.True(block.Mlp.Drop.Training);
        using (Autograd.NoGrad()) { a = block.Forward(x); b = block.Forward(x); }
        Assert.NotEqual(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void Init_Schemes_AreSeededAndHaveTheRightSpread()
    {
        var a = new Linear(200, 300);
        var b = new Linear(200, 300);
        Init.Timm(a, new Random(5));
        Init.Timm(b, new Random(5));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        var w = a.Weight.ToArray();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.019, 0.021);
        Assert.All(a.Bias!.ToArray(), v => Assert.Equal(0f, v));
        var t = Tensor.Zeros(10000);
        Init.TruncatedNormal(t, 1f, new Random(1), a: -0.5f, b: 0.5f);
        Assert.All(t.ToArray(), v => Assert.InRange(v, -0.5f, 0.5f));
        Init.Uniform(t, 2f, 3f, new Random(1));
        Assert.All(t.ToArray(), v => Assert.InRange(v, 2f, 3f));
        var n = Tensor.Zeros(20000);
        Init.Normal(n, 0.5f, new Random(3), mean: 1f);
        Assert.InRange(n.ToArray().Average(), 0.98, 1.02);
    }
}

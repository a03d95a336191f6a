using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Tensors.Optim;
using MotionWorkbench.Tensors.Tests.Support;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Tensors.Tests;

/// <summary>Ops and modules against the PyTorch fixtures written by environment/reference/make_fixtures.py.</summary>
public class TorchParityTests
{
    private const double Atol = 1e-5, Rtol = 1e-4;

    private static void Close(Fixture f, string name, ReadOnlySpan<float> actual, double atol = Atol, double rtol = Rtol)
        => AssertClose.Equal(f.Data(name), actual, atol, rtol, $"{Path.GetFileName(f.File)}: {name}");

    private static void Backward(Tensor y, Fixture f) => y.Backward(f.Tensor("dout"), retainGraph: true);

    [Fact]
    public void Linear_MatchesTorch()
    {
        var f = Fixture.Load("linear.json");
        var (x, w, b) = (f.Tensor("x", true), f.Tensor("weight", true), f.Tensor("bias", true));
        var y = Ops.Linear(x, w, b);
        Close(f, "y", y.Data);
        Backward(y, f);
        Close(f, "dx", x.Grad); Close(f, "dweight", w.Grad); Close(f, "dbias", b.Grad);
    }

    [Fact]
    public void LayerNorm_MatchesTorch()
    {
        var f = Fixture.Load("layer_norm.json");
        var (x, w, b) = (f.Tensor("x", true), f.Tensor("weight", true), f.Tensor("bias", true));
        var y = Ops.LayerNorm(x, w, b, f.Float("eps"));
        Close(f, "y", y.Data);
        Backward(y, f);
        Close(f, "dx", x.Grad); Close(f, "dweight", w.Grad); Close(f, "dbias", b.Grad);
    }

    [Fact]
    public void Gelu_MatchesTorch()
    {
        var f = Fixture.Load("gelu.json");
        var x = f.Tensor("x", true);
        var y = Ops.Gelu(x);
        Close(f, "y", y.Data);
        Backward(y, f);
        Close(f, "dx", x.Grad);
    }

    [Fact]
    public void Softmax_LogSoftmax_MatchTorch()
    {
        var f = Fixture.Load("softmax.json");
        var x = f.Tensor("x", true);
        var y = Ops.Softmax(x);
        Close(f, "softmax", y.Data);
        Backward(y, f);
        Close(f, "dx", x.Grad);
        var x2 = f.Tensor("x", true);
        var y2 = Ops.LogSoftmax(x2);
        Close(f, "log_softmax", y2.Data);
        y2.Backward(f.Tensor("dout_log"));
        Close(f, "dx_log", x2.Grad);
    }

    private static bool[] Mask(Fixture f) => f.Data("mask").Select(v => v != 0).ToArray();

    [Fact]
    public void Attention_WithPaddingMask_MatchesTorch()
    {
        var f = Fixture.Load("attention.json");
        var x = f.Tensor("x", true);
        int C = x.Dim(-1), H = f.Int("heads");
        var attn = new MultiHeadSelfAttention(C, H, fused: true, 0f, 1) { KeepProbabilities = true };
        attn.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["qkv.weight"] = f.Tensor("qkv.weight"), ["qkv.bias"] = f.Tensor("qkv.bias"),
            ["proj.weight"] = f.Tensor("proj.weight"), ["proj.bias"] = f.Tensor("proj.bias"),
        });
        var y = attn.Forward(x, Mask(f));
        Close(f, "y", y.Data);
        Close(f, "probs", attn.LastProbabilities);
        Backward(y, f);
        Close(f, "dx", x.Grad);
        Close(f, "dqkv.weight", attn.Qkv!.Weight.Grad); Close(f, "dqkv.bias", attn.Qkv.Bias!.Grad);
        Close(f, "dproj.weight", attn.Out.Weight.Grad); Close(f, "dproj.bias", attn.Out.Bias!.Grad);
    }

    private sealed class BlockList : Module
    {
        public List<Func<Tensor, bool[], Tensor>> Blocks { get; } = [];

        public BlockList(bool post, int layers, int C, int H, int hidden, float eps)
        {
            for (int i = 0; i < layers; i++)
            {
                if (post)
                {
                    var b = Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new PostNormBlock(C, H, hidden, 0f, (ulong)i, eps));
                    Blocks.Add((x, m) => b.Forward(x, m));
                }
                else
                {
                    var b = Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new PreNormBlock(C, H, hidden, 0f, (ulong)i, eps));
                    Blocks.Add((x, m) => b.Forward(x, m));
                }
            }
        }
    }

    [Theory]
    [InlineData("encoder_pre_norm.json", false)]
    [InlineData("encoder_post_norm.json", true)]
    public void TwoLayerEncoder_MatchesTorch(string file, bool post)
    {
        var f = Fixture.Load(file);
        var x = f.Tensor("x", true);
        var blocks = new BlockList(post, f.Int("layers"), x.Dim(-1), f.Int("heads"), 16, f.Float("eps"));
        var state = blocks.NamedParameters().ToDictionary(p => p.Name, p => f.Tensor("param.blocks." + p.Name));
        blocks.LoadStateDict(state);
        var mask = Mask(f);
        var y = x;
        foreach (var b in blocks.Blocks) y = b(y, mask);
        Close(f, "y", y.Data);
        Backward(y, f);
        Close(f, "dx", x.Grad);
        foreach (var (name, p) in blocks.NamedParameters()) Close(f, "grad.blocks." + name, p.Grad);
    }

    [Fact]
    public void ClipLoss_MatchesTorch()
    {
        var f = Fixture.Load("clip_loss.json");
        var (m, t, s) = (f.Tensor("motion", true), f.Tensor("text", true), f.Tensor("logit_scale", true));
        var loss = Ops.ClipLoss(m, t, s);
        Close(f, "loss", loss.Data);
        loss.Backward();
        Close(f, "dmotion", m.Grad); Close(f, "dtext", t.Grad); Close(f, "dlogit_scale", s.Grad);
    }

    private sealed class SmallMlp : Module
    {
        public Linear Fc1 { get; }
        public Linear Fc2 { get; }
        public SmallMlp() { Fc1 = Child("fc1", new Linear(6, 8)); Fc2 = Child("fc2", new Linear(8, 3)); }
        public Tensor Forward(Tensor x) => Fc2.Forward(Ops.Gelu(Fc1.Forward(x)));
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void TenAdamSteps_LossSequenceMatchesTorch(string optimizer)
    {
        var f = Fixture.Load("adam_steps.json");
        var model = new SmallMlp();
        model.LoadStateDict(model.NamedParameters().ToDictionary(p => p.Name, p => f.Tensor("param." + p.Name)));
        var store = new ParameterStore(model);
        var group = new ParamGroup("all", model.Parameters().ToList(), f.Float(optimizer + "_lr"), f.Float(optimizer + "_weight_decay"));
        Adam opt = optimizer == "adam" ? new Adam(store, [group]) : new AdamW(store, [group]);
        var (x, target) = (f.Tensor("x"), f.Tensor("target"));
        var losses = new float[10];
        for (int step = 0; step < 10; step++)
        {
            opt.ZeroGrad();
            var loss = Ops.MseLoss(model.Forward(x), target);
            losses[step] = loss.Item();
            loss.Backward();
            opt.Step();
        }
        AssertClose.Equal(f.Data(optimizer + ".losses"), losses, 1e-5, 1e-4, optimizer + " losses");
        Assert.True(losses[9] < losses[0]);
    }

    [Fact]
    public void Safetensors_WrittenByNumpy_ReadsAllDtypes()
    {
        var f = Fixture.Load("numpy_written_safetensors.json");
        var path = Path.Combine(SharedData.RepoRoot, "tests", "MotionWorkbench.Tensors.Tests", "Fixtures", "numpy_written.safetensors");
        var (tensors, meta) = Safetensors.Read(path);
        Assert.Equal("environment/reference/make_fixtures.py", meta["generator"]);
        foreach (var name in new[] { "f32", "f16", "bf16", "f64" })
        {
            Assert.Equal(f.Shape(name), tensors[name].Shape);
            Close(f, name, tensors[name].Data, 0, 0);
        }
    }
}

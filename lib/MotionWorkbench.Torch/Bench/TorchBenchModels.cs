using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MotionWorkbench.Torch;

/// <summary>
/// <c>mw bench --engine torch</c>: the peer benchmark's models (environment/reference/bench_torch.py, perf-anchors.md
/// "Models") written the natural TorchSharp way — a Conv2d(3, C, 16, stride 16) patch embedding over the (B, 3, 80, 224)
/// image, pre-norm transformer blocks (LayerNorm, fused QKV Linear + scaled_dot_product_attention, GELU MLP), final
/// LayerNorm, class token, Linear(C, 256); the CLIP case adds the text tower (Embedding(30522, 256) + positions, padding
/// mask) and a learnable logit scale; minilm-clip the MiniLM-L6 text tower (BERT 6 x 384, 12 heads, post-norm, eps 1e-12,
/// attention-mask mean, Linear(384, 256)) instead; lex-tiny materialises the (B, L, V) logits as the peer does. torch.optim.Adam
/// (lr 1e-4). One instance is one benchmark case; <see cref="TrainStep"/> is one full step.
/// </summary>
public sealed class TorchBenchCase : IDisposable
{
    public static IReadOnlyList<string> Models { get; } = ["vit-tiny", "vit-small", "clip-tiny", "lex-tiny", "minilm-clip"];

    private readonly Func<Tensor> loss;
    private readonly Func<Tensor> forward;
    private readonly nn.Module[] modules;
    private readonly optim.Optimizer optimizer;
    private readonly List<IDisposable> owned = [];

    public long ParameterCount { get; }
    public string Device { get; }

    private TorchBenchCase(Func<Tensor> loss, Func<Tensor> forward, nn.Module[] modules, IList<Parameter> parameters, Device device)
    {
        this.loss = loss;
        this.forward = forward;
        this.modules = modules;
        optimizer = optim.Adam(parameters, 1e-4);
        ParameterCount = parameters.Sum(p => p.numel());
        Device = device.ToString();
    }

    /// <param name="device">"cpu", "cuda", "cuda:N" or "auto".</param>
    public static TorchBenchCase Create(string model, int batch, float dropout, int threads, string device = "cpu")
    {
        if (TorchRuntime.UnavailableReason is string why) throw new InvalidOperationException(why);
        var dev = TorchRuntime.Resolve(device);
        torch.set_num_threads(threads);
        torch.random.manual_seed(1234);
        int B = batch;
        var img = torch.randn(B, 3, 80, 224, device: dev);
        var lengths = torch.randint(8, 25, [B], device: dev);
        var pad = torch.arange(24, device: dev).unsqueeze(0).ge(lengths.unsqueeze(1)); // (B, 24), true = padding
        var ids = torch.randint(1, 30522, [B, 24], dtype: int64, device: dev).masked_fill(pad, 0);
        var target = torch.arange(B, device: dev);
        TorchBenchCase bench;
        switch (model)
        {
            case "vit-tiny" or "vit-small":
            {
                var (C, heads, ff) = model == "vit-tiny" ? (192, 3, 768) : (384, 6, 1536);
                var vit = new BenchVitModule(C, 12, heads, ff, dropout).to(dev);
                var y = torch.randn(B, 256, device: dev);
                bench = new TorchBenchCase(() => F.mse_loss(vit.forward(img), y), () => vit.forward(img), [vit], vit.parameters().ToList(), dev);
                break;
            }
            case "clip-tiny":
            case "minilm-clip": // the same CLIP step; only the text tower differs (4-layer BERT-256 or MiniLM-L6)
            {
                var vit = new BenchVitModule(192, 12, 3, 768, dropout).to(dev);
                nn.Module<Tensor, Tensor, Tensor> text = model == "clip-tiny" ? new BenchTextModule(dropout).to(dev) : new BenchMiniLmModule(dropout).to(dev);
                var scale = new Parameter(torch.tensor(MathF.Log(1f / 0.07f), device: dev));
                Tensor Loss()
                {
                    var m = F.normalize(vit.forward(img), dim: -1);
                    var t = F.normalize(text.forward(ids, pad), dim: -1);
                    var logits = scale.exp() * t.matmul(m.t());
                    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2;
                }
                bench = new TorchBenchCase(Loss, () => vit.forward(img) + text.forward(ids, pad),
                    [vit, text], vit.parameters().Concat(text.parameters()).Append(scale).ToList(), dev);
                break;
            }
            case "lex-tiny":
            {
                var vit = new BenchVitModule(192, 12, 3, 768, dropout).to(dev);
                var text = new BenchTextModule(dropout).to(dev);
                var mTr = nn.Linear(192, 256).to(dev); var mLn = nn.LayerNorm(256).to(dev);
                var tTr = nn.Linear(256, 256).to(dev); var tLn = nn.LayerNorm(256).to(dev);
                var mVocab = new Parameter(text.TokenEmbed.weight!.detach().clone());
                var mBias = new Parameter(torch.zeros(30522, device: dev));
                var tBias = new Parameter(torch.zeros(30522, device: dev));
                static Tensor Lexical(Tensor h, Tensor weight, Tensor bias, Tensor? padMask)
                {
                    var logits = h.matmul(weight.t()) + bias; // (B, L, V) materialised, as SPLADE and the peer
                    if (padMask is not null) logits = logits.masked_fill(padMask.unsqueeze(2), float.NegativeInfinity);
                    return F.normalize(torch.log1p(F.relu(logits.max(1).values)), dim: -1);
                }
                static Tensor Flops(Tensor w) => w.abs().mean([0]).square().sum();
                Tensor Vectors(out Tensor t)
                {
                    var m = Lexical(mLn.forward(F.gelu(mTr.forward(vit.Tokens(img)))), mVocab, mBias, null);
                    t = Lexical(tLn.forward(F.gelu(tTr.forward(text.Tokens(ids, pad)))), text.TokenEmbed.weight!, tBias, pad);
                    return m;
                }
                Tensor Loss()
                {
                    var m = Vectors(out var t);
                    var logits = t.matmul(m.t()) / 0.05;
                    var nce = (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2;
                    return nce + 0.002 * (Flops(m) + Flops(t));
                }
                var ps = vit.parameters().Concat(text.parameters()).Concat(mTr.parameters()).Concat(mLn.parameters())
                    .Concat(tTr.parameters()).Concat(tLn.parameters()).Concat([mVocab, mBias, tBias]).ToList();
                bench = new TorchBenchCase(Loss, () => Vectors(out var t) + t.sum(), [vit, text, mTr, mLn, tTr, tLn], ps, dev);
                break;
            }
            default:
                throw new ArgumentException($"mw bench --engine torch: no TorchSharp model '{model}' ({string.Join(", ", Models)})");
        }
        bench.owned.AddRange([img, lengths, pad, ids, target]);
        return bench;
    }

    /// <summary>zero_grad, forward, loss, backward, Adam step; returns the loss.</summary>
    public float TrainStep()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var m in modules) m.train();
        optimizer.zero_grad();
        var l = loss();
        l.backward();
        optimizer.step();
        return l.item<float>();
    }

    /// <summary>An eval-mode forward under no_grad; returns the first output value.</summary>
    public float Infer()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var m in modules) m.eval();
        return forward().flatten()[0].item<float>();
    }

    public void Dispose()
    {
        foreach (var o in owned) o.Dispose();
        optimizer.Dispose();
        foreach (var m in modules) m.Dispose();
    }
}

/// <summary>
/// A transformer block with fused QKV + scaled_dot_product_attention and a GELU MLP: pre-norm (LayerNorm before each
/// part, dropout on the MLP's hidden layer too; the ViT and the scratch text tower) or, with <c>postNorm</c>, a BERT
/// layer (residual then LayerNorm, eps 1e-12; MiniLM).
/// </summary>
internal sealed class BenchBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly Linear qkv, proj, fc1, fc2;
    private readonly Dropout drop;
    private readonly int heads;
    private readonly double p;
    private readonly bool postNorm;

    public BenchBlock(int C, int heads, int ff, double dropout, bool postNorm = false) : base(postNorm ? "post_norm_block" : "block")
    {
        this.heads = heads;
        this.postNorm = postNorm;
        p = dropout;
        double eps = postNorm ? 1e-12 : 1e-5;
        norm1 = nn.LayerNorm(C, eps); norm2 = nn.LayerNorm(C, eps);
        qkv = nn.Linear(C, 3 * C); proj = nn.Linear(C, C);
        fc1 = nn.Linear(C, ff); fc2 = nn.Linear(ff, C);
        drop = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <param name="keyPadding">(B, L) true where a key is padding, or null.</param>
    public override Tensor forward(Tensor x, Tensor? keyPadding)
    {
        long B = x.shape[0], L = x.shape[1], C = x.shape[2];
        var q = qkv.forward(postNorm ? x : norm1.forward(x)).reshape(B, L, 3, heads, C / heads).permute(2, 0, 3, 1, 4); // (3, B, H, L, D)
        Tensor? mask = keyPadding is null ? null : keyPadding.logical_not().reshape(B, 1, 1, L);                     // true = attend
        var a = F.scaled_dot_product_attention(q[0], q[1], q[2], mask, training ? p : 0.0, false);
        var attended = drop.forward(proj.forward(a.transpose(1, 2).reshape(B, L, C)));
        if (postNorm)
        {
            x = norm1.forward(x + attended);
            return norm2.forward(x + drop.forward(fc2.forward(F.gelu(fc1.forward(x)))));
        }
        x = x + attended;
        return x + drop.forward(fc2.forward(drop.forward(F.gelu(fc1.forward(norm2.forward(x))))));
    }
}

internal sealed class BenchVitModule : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d patchEmbed;
    private readonly Parameter clsToken, posEmbed;
    private readonly ModuleList<BenchBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public BenchVitModule(int C, int depth, int heads, int ff, double dropout) : base("vit")
    {
        patchEmbed = nn.Conv2d(3, C, 16, stride: 16);
        clsToken = new Parameter(torch.zeros(1, 1, C));
        posEmbed = new Parameter(torch.randn(1, 71, C) * 0.02);
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new BenchBlock(C, heads, ff, dropout)).ToArray());
        norm = nn.LayerNorm(C);
        head = nn.Linear(C, 256);
        RegisterComponents();
    }

    /// <summary>(B, 3, 80, 224) -> (B, 71, C) after the final norm.</summary>
    public Tensor Tokens(Tensor img)
    {
        var x = patchEmbed.forward(img).flatten(2).transpose(1, 2); // (B, 70, C)
        x = torch.cat([clsToken.expand(x.shape[0], -1, -1), x], 1) + posEmbed;
        foreach (var b in blocks) x = b.forward(x, null);
        return norm.forward(x);
    }

    public override Tensor forward(Tensor img) => head.forward(Tokens(img)[.., 0]);
}

internal sealed class BenchTextModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter posEmbed;
    private readonly LayerNorm embedNorm, norm;
    private readonly ModuleList<BenchBlock> blocks;
    private readonly Linear head;

    private readonly Embedding tokenEmbed;

    /// <summary>The token embedding (registered once, as the field <c>tokenEmbed</c>).</summary>
    public Embedding TokenEmbed => tokenEmbed;

    public BenchTextModule(double dropout) : base("text")
    {
        tokenEmbed = nn.Embedding(30522, 256);
        posEmbed = new Parameter(torch.randn(1, 24, 256) * 0.02);
        embedNorm = nn.LayerNorm(256);
        blocks = nn.ModuleList(Enumerable.Range(0, 4).Select(_ => new BenchBlock(256, 4, 1024, dropout)).ToArray());
        norm = nn.LayerNorm(256);
        head = nn.Linear(256, 256);
        RegisterComponents();
    }

    public Tensor Tokens(Tensor ids, Tensor pad)
    {
        var x = embedNorm.forward(TokenEmbed.forward(ids) + posEmbed);
        foreach (var b in blocks) x = b.forward(x, pad);
        return norm.forward(x);
    }

    public override Tensor forward(Tensor ids, Tensor pad) => head.forward(Tokens(ids, pad)[.., 0]);
}

/// <summary>The MiniLM-L6 text tower of minilm-clip: word + position + token-type embeddings, LayerNorm, 6 post-norm layers, attention-mask mean, Linear(384, 256).</summary>
internal sealed class BenchMiniLmModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding words, positions, types;
    private readonly LayerNorm embedNorm;
    private readonly Dropout drop;
    private readonly ModuleList<BenchBlock> layers;
    private readonly Linear head;

    public BenchMiniLmModule(double dropout) : base("minilm")
    {
        words = nn.Embedding(30522, 384);
        positions = nn.Embedding(512, 384);
        types = nn.Embedding(2, 384);
        embedNorm = nn.LayerNorm(384, 1e-12);
        drop = nn.Dropout(dropout);
        layers = nn.ModuleList(Enumerable.Range(0, 6).Select(_ => new BenchBlock(384, 12, 1536, dropout, postNorm: true)).ToArray());
        head = nn.Linear(384, 256);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids, Tensor pad)
    {
        long L = ids.shape[1];
        var x = words.forward(ids) + positions.forward(torch.arange(L, device: ids.device)) + types.forward(torch.zeros_like(ids));
        x = drop.forward(embedNorm.forward(x));
        foreach (var layer in layers) x = layer.forward(x, pad);
        var keep = pad.logical_not().unsqueeze(2).to_type(x.dtype);                 // (B, L, 1)
        return head.forward((x * keep).sum(1) / keep.sum(1));                      // attention-mask mean -> (B, 256)
    }
}

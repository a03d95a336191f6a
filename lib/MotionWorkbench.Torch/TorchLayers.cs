using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MotionWorkbench.Torch;

// The own engine's layers (lib/MotionWorkbench.Tensors/Nn) as TorchSharp functions over a TorchModel's parameters,
// with the same math: y = x·Wᵀ + b; LayerNorm over the last axis (biased variance, the layer's eps); exact (erf) GELU;
// attention softmax(Q·Kᵀ/√D) with padded keys at −∞ and dropout on the probabilities; dropout only in training mode.

/// <summary>y = x·Wᵀ + b over <c>{prefix}.weight</c> (Out, In) and <c>{prefix}.bias</c> (Out, optional).</summary>
internal sealed class TorchLinear(TorchModel owner, string prefix)
{
    public Parameter Weight { get; } = owner.Get(TorchModel.Key(prefix, "weight"));
    public Parameter? Bias { get; } = owner.TryGet(TorchModel.Key(prefix, "bias"));

    public Tensor Forward(Tensor x) => F.linear(x, Weight, Bias);
}

/// <summary>Layer norm over the last axis with <c>{prefix}.weight</c>, <c>{prefix}.bias</c> and the own layer's eps.</summary>
internal sealed class TorchLayerNorm(TorchModel owner, string prefix, double eps)
{
    private readonly long[] shape = [owner.Get(TorchModel.Key(prefix, "weight")).shape[0]];
    public Parameter Weight { get; } = owner.Get(TorchModel.Key(prefix, "weight"));
    public Parameter Bias { get; } = owner.Get(TorchModel.Key(prefix, "bias"));

    public Tensor Forward(Tensor x) => F.layer_norm(x, shape, Weight, Bias, eps);
}

internal static class TorchOps
{
    /// <summary>Dropout in training mode when p > 0, else x itself.</summary>
    public static Tensor Dropout(TorchModel owner, Tensor x, double p) => owner.Training && p > 0 ? F.dropout(x, p, true) : x;

    /// <summary>The own engine's GELU: exact, x·Φ(x).</summary>
    public static Tensor Gelu(Tensor x) => F.gelu(x);

    /// <summary>x / max(‖x‖₂, 1e-12) over the last axis (the own engine's L2Normalize).</summary>
    public static Tensor L2Normalize(Tensor x) => F.normalize(x, 2, -1, 1e-12);

    /// <summary>Mean of h (B, T, C) over the positions where <paramref name="keep"/> (B, T) is true (all when null) -> (B, C).</summary>
    public static Tensor MaskedMean(Tensor h, Tensor? keep)
    {
        if (keep is null) return h.mean([1]);
        var w = keep.to(h.dtype);                                   // (B, T)
        var n = w.sum(1, keepdim: true);                            // (B, 1)
        return torch.bmm((w / n).unsqueeze(1), h).squeeze(1);       // (B, 1, T)·(B, T, C) -> (B, C)
    }

    /// <summary>
    /// CLIP's symmetric InfoNCE as the own engine's <c>Contrastive.Loss</c>: ½·[CE(s·T·Mᵀ, diag) + CE((s·T·Mᵀ)ᵀ, diag)] with
    /// s = exp(<paramref name="logScale"/>) when given, else <paramref name="scale"/>.
    /// </summary>
    public static Tensor Contrastive(Tensor text, Tensor motion, double scale, Tensor? logScale)
    {
        if (text.dim() != 2) throw new ArgumentException($"contrastive loss: text embeddings must be (N, E), got ({string.Join(", ", text.shape)})");
        if (!text.shape.SequenceEqual(motion.shape)) throw new ArgumentException($"contrastive loss: text ({string.Join(", ", text.shape)}) and motion ({string.Join(", ", motion.shape)}) embeddings differ in shape");
        long n = text.shape[0];
        var sim = text.matmul(motion.t());                          // (N, N): text rows, motion columns
        var logits = logScale is null ? sim * (float)scale : sim * logScale.exp();
        var targets = torch.arange(n, dtype: ScalarType.Int64, device: text.device);
        return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets)) * 0.5f;
    }
}

/// <summary>
/// Multi-head self-attention over the own engine's names: a fused <c>qkv</c> (C → 3C, timm's [q | k | v] layout) and
/// <c>proj</c>, or <c>q_lin</c>, <c>k_lin</c>, <c>v_lin</c> and <c>out_lin</c> (DistilBERT).
/// </summary>
internal sealed class TorchAttention
{
    private readonly TorchModel owner;
    private readonly int heads;
    private readonly double dropout;
    private readonly TorchLinear? qkv, q, k, v;
    private readonly TorchLinear output;

    public TorchAttention(TorchModel owner, string prefix, int heads, bool fused, double dropout)
    {
        this.owner = owner;
        this.heads = heads;
        this.dropout = dropout;
        if (fused)
        {
            qkv = new TorchLinear(owner, TorchModel.Key(prefix, "qkv"));
            output = new TorchLinear(owner, TorchModel.Key(prefix, "proj"));
        }
        else
        {
            q = new TorchLinear(owner, TorchModel.Key(prefix, "q_lin"));
            k = new TorchLinear(owner, TorchModel.Key(prefix, "k_lin"));
            v = new TorchLinear(owner, TorchModel.Key(prefix, "v_lin"));
            output = new TorchLinear(owner, TorchModel.Key(prefix, "out_lin"));
        }
    }

    /// <summary>x (B, L, C), optional key padding (B, L) bool (true = padded key) -> (B, L, C).</summary>
    public Tensor Forward(Tensor x, Tensor? keyPadding)
    {
        long B = x.shape[0], L = x.shape[1], C = x.shape[2], D = C / heads;
        Tensor qh, kh, vh;
        if (qkv is not null)
        {
            var t = qkv.Forward(x).view(B, L, 3, heads, D).permute(2, 0, 3, 1, 4); // (3, B, H, L, D)
            qh = t[0]; kh = t[1]; vh = t[2];
        }
        else
        {
            qh = q!.Forward(x).view(B, L, heads, D).transpose(1, 2);               // (B, H, L, D)
            kh = k!.Forward(x).view(B, L, heads, D).transpose(1, 2);
            vh = v!.Forward(x).view(B, L, heads, D).transpose(1, 2);
        }
        var mask = keyPadding is null ? null : keyPadding.logical_not().view(B, 1, 1, L); // true = attend
        double p = owner.Training ? dropout : 0;
        var a = F.scaled_dot_product_attention(qh, kh, vh, mask, p);                      // (B, H, L, D)
        return output.Forward(a.transpose(1, 2).reshape(B, L, C));                          // (B, L, C)
    }
}

/// <summary>fc2(dropout(gelu(fc1(x)))) with names fc1/fc2 (timm) or lin1/lin2 (DistilBERT).</summary>
internal sealed class TorchMlp(TorchModel owner, string prefix, double dropout, string fc1 = "fc1", string fc2 = "fc2")
{
    private readonly TorchLinear first = new(owner, TorchModel.Key(prefix, $"{fc1}"));
    private readonly TorchLinear second = new(owner, TorchModel.Key(prefix, $"{fc2}"));

    public Tensor Forward(Tensor x) => second.Forward(TorchOps.Dropout(owner, TorchOps.Gelu(first.Forward(x)), dropout));
}

/// <summary>Pre-norm block (ViT, timm names): x = x + drop(attn(norm1(x))); x = x + drop(mlp(norm2(x))).</summary>
internal sealed class TorchPreNormBlock(TorchModel owner, string prefix, int heads, double dropout, double eps)
{
    private readonly TorchLayerNorm norm1 = new(owner, TorchModel.Key(prefix, "norm1"), eps);
    private readonly TorchAttention attn = new(owner, TorchModel.Key(prefix, "attn"), heads, true, dropout);
    private readonly TorchLayerNorm norm2 = new(owner, TorchModel.Key(prefix, "norm2"), eps);
    private readonly TorchMlp mlp = new(owner, TorchModel.Key(prefix, "mlp"), dropout);

    public Tensor Forward(Tensor x, Tensor? keyPadding = null)
    {
        x = x + TorchOps.Dropout(owner, attn.Forward(norm1.Forward(x), keyPadding), dropout);
        return x + TorchOps.Dropout(owner, mlp.Forward(norm2.Forward(x)), dropout);
    }
}

/// <summary>Post-norm block (BERT/DistilBERT names): x = sa_layer_norm(x + drop(attention(x))); x = output_layer_norm(x + drop(ffn(x))).</summary>
internal sealed class TorchPostNormBlock(TorchModel owner, string prefix, int heads, double dropout, double eps)
{
    private readonly TorchAttention attention = new(owner, TorchModel.Key(prefix, "attention"), heads, false, dropout);
    private readonly TorchLayerNorm attentionNorm = new(owner, TorchModel.Key(prefix, "sa_layer_norm"), eps);
    private readonly TorchMlp ffn = new(owner, TorchModel.Key(prefix, "ffn"), dropout, "lin1", "lin2");
    private readonly TorchLayerNorm outputNorm = new(owner, TorchModel.Key(prefix, "output_layer_norm"), eps);

    public Tensor Forward(Tensor x, Tensor? keyPadding = null)
    {
        x = attentionNorm.Forward(x + TorchOps.Dropout(owner, attention.Forward(x, keyPadding), dropout));
        return outputNorm.Forward(x + TorchOps.Dropout(owner, ffn.Forward(x), dropout));
    }
}

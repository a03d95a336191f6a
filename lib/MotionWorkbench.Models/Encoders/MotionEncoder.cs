using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Models;

/// <summary>
/// A batch of motions for a motion encoder. ViT: <see cref="Values"/> (B, 3, T, 5N) motion patches.
/// Raw sequence: <see cref="Values"/> (B, T, J·3) with <see cref="PaddingMask"/> (B·T, true = padded frame).
/// </summary>
public sealed record MotionInput(Tensor Values, bool[]? PaddingMask = null);

/// <summary>One layer's attention probabilities after a forward: (B, H, L, L) row-major.</summary>
public sealed record AttentionMap(int Layer, float[] Probabilities, int[] Shape);

/// <summary>A motion encoder: pooled features (B, FeatureDim) or every token's output.</summary>
public abstract class MotionEncoder : Module
{
    /// <summary>The configuration this encoder was built from.</summary>
    public abstract MotionEncoderConfig EncoderConfig { get; }

    /// <summary>Size of the pooled feature.</summary>
    public int FeatureDim => EncoderConfig.FeatureDim;

    /// <summary>Pooled features (B, FeatureDim), before any projection head.</summary>
    public abstract Tensor Forward(MotionInput input);

    /// <summary>Every token's output (B, L, FeatureDim) (ViT: class token first; after the final norm when it has one).</summary>
    public abstract Tensor ForwardTokens(MotionInput input);

    /// <summary>
    /// Pooled features (B, FeatureDim) from <see cref="ForwardTokens"/>' output, as <see cref="Forward"/> pools them (the
    /// caption model embeds from the tokens it already has). Not every encoder can (the raw sequence needs its mask).
    /// </summary>
    public virtual Tensor PoolTokens(Tensor tokens) =>
        throw new NotSupportedException($"{GetType().Name} does not pool from its tokens alone; call Forward");

    /// <summary>Keep each layer's attention probabilities on the next forwards (costs one copy per layer).</summary>
    public abstract bool KeepAttention { get; set; }

    /// <summary>Each layer's attention probabilities of the last forward made with <see cref="KeepAttention"/> on.</summary>
    public abstract IReadOnlyList<AttentionMap> AttentionMaps();

    /// <summary>Builds the encoder a config describes, initialised from <paramref name="seed"/>.</summary>
    public static MotionEncoder Create(MotionEncoderConfig config, ulong seed) => config switch
    {
        VitConfig v => new VisionTransformer(v, seed),
        RawSequenceConfig r => new RawSequenceEncoder(r, seed),
        ResNetConfig c => new ResNetEncoder(c, seed),
        _ => throw new ArgumentException($"unknown motion encoder config {config.GetType().Name}"),
    };

    internal static IReadOnlyList<AttentionMap> Maps(IEnumerable<MultiHeadSelfAttention> layers)
    {
        var maps = new List<AttentionMap>();
        int i = 0;
        foreach (var a in layers)
        {
            if (a.LastProbabilities is null || a.LastProbabilitiesShape is null) throw new InvalidOperationException("no attention probabilities were kept: set KeepAttention = true before the forward");
            maps.Add(new AttentionMap(i++, a.LastProbabilities, a.LastProbabilitiesShape));
        }
        return maps;
    }
}

/// <summary>timm's PatchEmbed projection stored as its conv: <c>weight</c> (C, 3, P, P), <c>bias</c> (C).</summary>
public sealed class PatchProjection : Module
{
    public Tensor Weight { get; }
    public Tensor Bias { get; }

    public PatchProjection(int width, int channels, int patch)
    {
        Weight = Param("weight", width, channels, patch, patch);
        Bias = Param("bias", width);
    }
}

/// <summary>timm's <c>patch_embed</c> with its <c>proj</c>.</summary>
public sealed class PatchEmbed : Module
{
    public PatchProjection Proj { get; }
    public int PatchSize { get; }

    public PatchEmbed(int width, int patch)
    {
        PatchSize = patch;
        Proj = Child("proj", new PatchProjection(width, 3, patch));
    }

    /// <summary>The pixels of every P x P patch of x (B, 3, H, W) as (B, H/P · W/P, 3·P·P) in the projection's order (channel, row, column); a copy, no gradient.</summary>
    public static Tensor Pixels(Tensor x, int P)
    {
        int B = x.Shape[0], H = x.Shape[2], W = x.Shape[3], gh = H / P, gw = W / P, K = 3 * P * P;
        var buffer = new float[B * gh * gw * K];
        var xs = x.Data;
        int at = 0;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < gh; i++)
                for (int j = 0; j < gw; j++)
                    for (int c = 0; c < 3; c++)
                        for (int u = 0; u < P; u++)
                        {
                            xs.Slice(((b * 3 + c) * H + i * P + u) * W + j * P, P).CopyTo(buffer.AsSpan(at, P));
                            at += P;
                        }
        return Tensor.Wrap(buffer, B, gh * gw, K);
    }

    /// <summary>x (B, 3, H, W) -> tokens (B, H/P · W/P, C), row-major over the patch grid (time-major).</summary>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Shape[1] != 3) throw new ArgumentException($"patch embedding: input must be (B, 3, H, W), got {Tensor.Format(x.Shape)}");
        int B = x.Shape[0], H = x.Shape[2], W = x.Shape[3], P = PatchSize;
        if (H % P != 0 || W % P != 0) throw new ArgumentException($"patch embedding: input {Tensor.Format(x.Shape)} is not divisible into {P} x {P} patches");
        int gh = H / P, gw = W / P, C = Proj.Weight.Shape[0], K = 3 * P * P;
        Tensor patches;
        if (x.RequiresGrad && Autograd.IsEnabled)
        {
            var r = Ops.Reshape(x, B, 3, gh, P, gw, P);                // (B, 3, gh, P, gw, P)
            patches = Ops.Reshape(Ops.Permute(r, 0, 2, 4, 1, 3, 5), B, gh * gw, K); // (B, L, 3·P·P)
        }
        else
        {
            patches = Pixels(x, P);
        }
        var weight = Ops.Reshape(Proj.Weight, C, K);                      // conv weight as a linear map (C, 3·P·P)
        return Ops.Linear(patches, weight, Proj.Bias);                    // (B, L, C)
    }
}

/// <summary>A module holding one tensor parameter under a name (cls_token, pos_embed).</summary>
internal static class Tokens
{
    /// <summary>(1, 1, C) broadcast to (B, 1, C) with its gradient summed back.</summary>
    public static Tensor Expand(Tensor token, int B)
    {
        int C = token.Shape[^1];
        return Ops.Add(Tensor.Zeros(B, 1, C), Ops.Reshape(token, 1, C));
    }
}


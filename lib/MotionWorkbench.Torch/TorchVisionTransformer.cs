using MotionWorkbench.Models;
using TokenMask = MotionWorkbench.Tensors.TokenMask;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="VisionTransformer"/> on TorchSharp: patch embedding (conv P×P stride P, as timm),
/// class token, position embedding, pre-norm blocks (LayerNorm eps 1e-6, exact GELU), then the mean of the patch
/// tokens through <c>fc_norm</c> or the class token through <c>norm</c>. Parameter names: <c>{prefix}.cls_token</c>,
/// <c>pos_embed</c>, <c>patch_embed.proj.*</c>, <c>blocks.{i}.*</c>, <c>fc_norm.*</c>/<c>norm.*</c>.
/// </summary>
public sealed class TorchVisionTransformer : TorchMotionEncoder
{
    private const double Eps = 1e-6f;
    private readonly Parameter classToken, positionEmbedding, patchWeight, patchBias;
    private readonly TorchPreNormBlock[] blocks;
    private readonly TorchLayerNorm finalNorm;

    public TorchVisionTransformer(TorchModel owner, string prefix, VitConfig config)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        classToken = owner.Get(TorchModel.Key(prefix, "cls_token"));
        positionEmbedding = owner.Get(TorchModel.Key(prefix, "pos_embed"));
        patchWeight = owner.Get(TorchModel.Key(prefix, "patch_embed.proj.weight"));
        patchBias = owner.Get(TorchModel.Key(prefix, "patch_embed.proj.bias"));
        blocks = Enumerable.Range(0, config.Depth).Select(i => new TorchPreNormBlock(owner, TorchModel.Key(prefix, $"blocks.{i}"), config.Heads, config.Dropout, Eps)).ToArray();
        finalNorm = new TorchLayerNorm(owner, TorchModel.Key(prefix, config.Pooling == VitPooling.MeanPatchTokens ? "fc_norm" : "norm"), Eps);
    }

    public VitConfig Config { get; }

    public override int FeatureDim => Config.Width;

    private Tensor Blocks(TorchMotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input.Values;
        Check(x);
        long B = x.shape[0], C = Config.Width, P = Config.PatchSize;
        var tokens = F.conv2d(x, patchWeight, patchBias, strides: [P, P]).flatten(2).transpose(1, 2); // (B, L, C), time-major over the grid
        var seq = cat([classToken.expand(B, 1, C), tokens], 1);                                      // (B, 1 + L, C)
        var h = seq + positionEmbedding;                                                              // (B, 1 + L, C)
        foreach (var block in blocks) h = block.Forward(h);
        return h;
    }

    private void Check(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != 3 || x.shape[2] != Config.Frames || x.shape[3] != Config.ImageWidth)
            throw new ArgumentException($"ViT input must be (B, 3, {Config.Frames}, {Config.ImageWidth}) motion patches, got ({string.Join(", ", x.shape)})");
    }

    /// <summary>
    /// MAE-style forward on the kept patch tokens of <paramref name="mask"/> only (as the own engine's
    /// <see cref="VisionTransformer.ForwardMaskedTokens"/>): (B, 1 + Keep, C), after the final norm for class-token pooling.
    /// </summary>
    public Tensor ForwardMaskedTokens(TorchMotionInput input, TokenMask mask)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(mask);
        var x = input.Values;
        Check(x);
        long B = x.shape[0], C = Config.Width, L = Config.PatchCount, P = Config.PatchSize;
        if (mask.B != B || mask.T != L) throw new ArgumentException($"ViT masked forward: the mask is for ({mask.B}, {mask.T}) tokens, the batch has ({B}, {L})");
        var tokens = F.conv2d(x, patchWeight, patchBias, strides: [P, P]).flatten(2).transpose(1, 2) + positionEmbedding.narrow(1, 1, L); // (B, L, C)
        var index = tensor(Array.ConvertAll(mask.Kept, v => (long)v), [B, mask.Keep], device: x.device);
        var kept = tokens.gather(1, index.unsqueeze(2).expand(B, mask.Keep, C));                        // (B, Keep, C)
        var cls = (classToken + positionEmbedding.narrow(1, 0, 1)).expand(B, 1, C);
        var h = cat([cls, kept], 1);
        foreach (var block in blocks) h = block.Forward(h);
        return Config.Pooling == VitPooling.ClassToken ? finalNorm.Forward(h) : h;
    }

    /// <summary>Pooled features (B, C) of a masked forward: the mean of the kept patch tokens then fc_norm, or the class token.</summary>
    public Tensor PoolMasked(Tensor h) => Config.Pooling == VitPooling.ClassToken
        ? h.select(1, 0)
        : finalNorm.Forward(h.narrow(1, 1, h.shape[1] - 1).mean([1]));

    public override Tensor PoolTokens(Tensor tokens) => PoolMasked(tokens);

    /// <summary>The pixels of every patch (B, L, 3·P·P) in the patch embedding's order (channel, row, column), no gradient.</summary>
    public Tensor PatchPixels(Tensor x)
    {
        Check(x);
        long B = x.shape[0], P = Config.PatchSize, gh = Config.GridRows, gw = Config.GridColumns;
        return x.detach().reshape(B, 3, gh, P, gw, P).permute(0, 2, 4, 1, 3, 5).reshape(B, gh * gw, 3 * P * P);
    }

    public override Tensor Forward(TorchMotionInput input)
    {
        var h = Blocks(input);
        if (Config.Pooling == VitPooling.MeanPatchTokens)
            return finalNorm.Forward(h.narrow(1, 1, h.shape[1] - 1).mean([1]));  // (B, C): mean of the patch tokens, then fc_norm
        return finalNorm.Forward(h).select(1, 0);                                 // (B, C): class token after norm
    }

    public override Tensor ForwardTokens(TorchMotionInput input)
    {
        var h = Blocks(input);
        return Config.Pooling == VitPooling.ClassToken ? finalNorm.Forward(h) : h;
    }
}

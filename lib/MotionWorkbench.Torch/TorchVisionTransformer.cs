using MotionWorkbench.Models;
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
        var x = input.Values;
        if (x.dim() != 4 || x.shape[1] != 3 || x.shape[2] != Config.Frames || x.shape[3] != Config.ImageWidth)
            throw new ArgumentException($"ViT input must be (B, 3, {Config.Frames}, {Config.ImageWidth}) motion patches, got ({string.Join(", ", x.shape)})");
        long B = x.shape[0], C = Config.Width;
        long P = Config.PatchSize;
        var tokens = F.conv2d(x, patchWeight, patchBias, strides: [P, P]).flatten(2).transpose(1, 2); // (B, L, C), time-major over the grid
        var seq = cat([classToken.expand(B, 1, C), tokens], 1);                                      // (B, 1 + L, C)
        var h = seq + positionEmbedding;                                                              // (B, 1 + L, C)
        foreach (var block in blocks) h = block.Forward(h);
        return h;
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

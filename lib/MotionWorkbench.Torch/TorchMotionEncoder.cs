using MotionWorkbench.Models;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>A motion encoder over a <see cref="TorchModel"/>'s parameters: pooled features (B, FeatureDim) or every token's output.</summary>
public abstract class TorchMotionEncoder
{
    /// <summary>Size of the pooled feature.</summary>
    public abstract int FeatureDim { get; }

    /// <summary>Pooled features (B, FeatureDim), before any projection head.</summary>
    public abstract Tensor Forward(TorchMotionInput input);

    /// <summary>Every token's output (B, L, FeatureDim) (ViT: class token first, after the final norm when it pools the class token).</summary>
    public abstract Tensor ForwardTokens(TorchMotionInput input);

    /// <summary>Pooled features (B, FeatureDim) from <see cref="ForwardTokens"/>' output, as the own <see cref="MotionWorkbench.Models.MotionEncoder.PoolTokens"/>.</summary>
    public virtual Tensor PoolTokens(Tensor tokens) =>
        throw new NotSupportedException($"{GetType().Name} does not pool from its tokens alone; call Forward");

    /// <summary>The encoder a config describes, reading <paramref name="prefix"/>.* parameters of <paramref name="owner"/>.</summary>
    public static TorchMotionEncoder Create(TorchModel owner, string prefix, MotionEncoderConfig config) => config switch
    {
        VitConfig v => new TorchVisionTransformer(owner, prefix, v),
        RawSequenceConfig r => new TorchRawSequenceEncoder(owner, prefix, r),
        ResNetConfig c => new TorchResNetEncoder(owner, prefix, c),
        _ => throw new NotSupportedException($"the torch engine has no motion encoder for {config.GetType().Name}"),
    };
}

/// <summary>
/// A bare own-engine motion encoder (<see cref="VisionTransformer"/>, <see cref="RawSequenceEncoder"/> or
/// <see cref="ResNetEncoder"/>) on TorchSharp, its parameters (and buffers) under the encoder's own names
/// (<c>cls_token</c>, <c>blocks.0.attn.qkv.weight</c>, <c>layer1.0.bn1.running_var</c>, ...).
/// </summary>
public sealed class TorchMotionEncoderModel : TorchModel
{
    public TorchMotionEncoderModel(MotionWorkbench.Models.MotionEncoder own, TorchSharp.torch.Device device) : base(own, device) =>
        Encoder = TorchMotionEncoder.Create(this, "", own.EncoderConfig);

    public TorchMotionEncoder Encoder { get; }

    /// <summary>Pooled features (B, FeatureDim).</summary>
    public Tensor Forward(TorchMotionInput input) => Encoder.Forward(input);

    /// <summary>Every token's output (B, L, FeatureDim).</summary>
    public Tensor ForwardTokens(TorchMotionInput input) => Encoder.ForwardTokens(input);
}

/// <summary>An own-engine <see cref="ProjectionHead"/> on TorchSharp, under its own names (<c>projection.weight</c>, ...).</summary>
public sealed class TorchProjectionHeadModel : TorchModel
{
    public TorchProjectionHeadModel(ProjectionHead own, TorchSharp.torch.Device device) : base(own, device) =>
        Head = new TorchProjectionHead(this, "", own.Dropout.P);

    public TorchProjectionHead Head { get; }

    /// <summary>x (B, in) -> (B, embeddingDim).</summary>
    public Tensor Forward(Tensor x) => Head.Forward(x);
}

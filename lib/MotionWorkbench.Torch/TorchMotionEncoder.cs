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

    /// <summary>The encoder a config describes, reading <paramref name="prefix"/>.* parameters of <paramref name="owner"/>.</summary>
    public static TorchMotionEncoder Create(TorchModel owner, string prefix, MotionEncoderConfig config) => config switch
    {
        VitConfig v => new TorchVisionTransformer(owner, prefix, v),
        RawSequenceConfig r => new TorchRawSequenceEncoder(owner, prefix, r),
        _ => throw new NotSupportedException($"the torch engine has no motion encoder for {config.GetType().Name}"),
    };
}

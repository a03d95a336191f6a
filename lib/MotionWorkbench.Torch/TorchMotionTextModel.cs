using MotionWorkbench.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="MotionTextModel"/> (architectures "vit", "resnet" and "raw") on TorchSharp: <c>motion_encoder</c>
/// (ViT, ResNet or raw sequence), <c>text_encoder</c>, <c>motion_head</c>, <c>text_head</c> and, when learnable,
/// <c>logit_scale</c>; L2-normalised embeddings and CLIP's symmetric InfoNCE with the model's temperature.
/// </summary>
public sealed class TorchMotionTextModel(TransformerModel own, Device device) : TorchDenseModel(own, own.Model.Config, device)
{
    public override Architecture Architecture => MotionEncoder switch
    {
        TorchRawSequenceEncoder => Architecture.Raw,
        TorchResNetEncoder => Architecture.Resnet,
        _ => Architecture.Vit,
    };

    /// <summary>Motion features before the head (B, FeatureDim).</summary>
    public Tensor MotionFeatures(TorchMotionInput input) => MotionEncoder.Forward(input);

    public override Tensor EncodeMotion(TorchMotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return TorchOps.L2Normalize(MotionHead.Forward(MotionEncoder.Forward(input)));
    }
}

using MotionWorkbench.Models;
using MotionWorkbench.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="MotionTextModel"/> (architectures "vit" and "raw") on TorchSharp: <c>motion_encoder</c>
/// (ViT or raw sequence), <c>text_encoder</c>, <c>motion_head</c>, <c>text_head</c> and, when learnable,
/// <c>logit_scale</c>; L2-normalised embeddings and CLIP's symmetric InfoNCE with the model's temperature.
/// </summary>
public sealed class TorchMotionTextModel : TorchRetrievalModel
{
    private readonly Parameter? logitScale;

    public TorchMotionTextModel(TransformerModel own, Device device) : base(own, device)
    {
        Config = own.Model.Config;
        MotionEncoder = TorchMotionEncoder.Create(this, "motion_encoder", Config.Motion);
        TextEncoder = new TorchTextEncoder(this, "text_encoder", Config.Text);
        MotionHead = new TorchProjectionHead(this, "motion_head", Config.HeadDropout);
        TextHead = new TorchProjectionHead(this, "text_head", Config.HeadDropout);
        logitScale = Config.LearnableTemperature ? Get("logit_scale") : null;
    }

    public MotionTextModelConfig Config { get; }
    public override TorchMotionEncoder MotionEncoder { get; }
    public override TorchTextEncoder TextEncoder { get; }
    public TorchProjectionHead MotionHead { get; }
    public TorchProjectionHead TextHead { get; }

    public override string Architecture => MotionEncoder is TorchRawSequenceEncoder ? "raw" : "vit";

    /// <summary>The current logit scale 1/τ.</summary>
    public float Scale => logitScale is null ? 1f / Config.Temperature : MathF.Exp(logitScale.ToWorkbench().Item());

    /// <summary>Motion features before the head (B, FeatureDim).</summary>
    public Tensor MotionFeatures(TorchMotionInput input) => MotionEncoder.Forward(input);

    public override Tensor EncodeMotion(TorchMotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return TorchOps.L2Normalize(MotionHead.Forward(MotionEncoder.Forward(input)));
    }

    public override Tensor EncodeText(Tensor inputIds, Tensor attentionMask) =>
        TorchOps.L2Normalize(TextHead.Forward(TextEncoder.Forward(inputIds, attentionMask)));

    public override Tensor ContrastiveLoss(Tensor text, Tensor motion) => TorchOps.Contrastive(text, motion, 1f / Config.Temperature, logitScale);
}

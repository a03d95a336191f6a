using MotionWorkbench.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// The dense two-tower models on TorchSharp (<see cref="TorchMotionTextModel"/>, <see cref="TorchInteractionModel"/>,
/// and <see cref="TorchCaptionModel"/>, which adds its decoder):
/// <c>motion_encoder</c>, <c>text_encoder</c>, <c>motion_head</c>, <c>text_head</c> and, when learnable,
/// <c>logit_scale</c> of a <see cref="MotionTextModelConfig"/>; L2-normalised text embeddings and CLIP's symmetric
/// InfoNCE with the model's temperature. The subclasses say how the motion side reaches <see cref="MotionHead"/>.
/// </summary>
public abstract class TorchDenseModel : TorchRetrievalModel
{
    private readonly Parameter? logitScale;

    protected TorchDenseModel(IRetrievalModel own, MotionTextModelConfig config, Device device) : base(own, device)
    {
        Config = config;
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

    /// <summary>The current logit scale 1/τ.</summary>
    public float Scale => logitScale is null ? 1f / Config.Temperature : MathF.Exp(logitScale.ToWorkbench().Item());

    public override Tensor EncodeText(Tensor inputIds, Tensor attentionMask) =>
        TorchOps.L2Normalize(TextHead.Forward(TextEncoder.Forward(inputIds, attentionMask)));

    public override Tensor ContrastiveLoss(Tensor text, Tensor motion) => TorchOps.Contrastive(text, motion, 1f / Config.Temperature, logitScale);
}

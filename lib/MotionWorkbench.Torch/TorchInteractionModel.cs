using MotionWorkbench.Models;
using MotionWorkbench.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="InteractionModel"/> (architecture "interaction") on TorchSharp: one shared
/// <c>motion_encoder</c> applied to each person, the two features concatenated and projected by <c>motion_head</c>
/// (2·FeatureDim → E); text side and loss as <see cref="TorchMotionTextModel"/>.
/// </summary>
public sealed class TorchInteractionModel : TorchRetrievalModel
{
    private readonly Parameter? logitScale;

    public TorchInteractionModel(InteractionRetrievalModel own, Device device) : base(own, device)
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

    public override string Architecture => "interaction";

    /// <summary>Concatenated features of the two people (B, 2·FeatureDim), before the head.</summary>
    public Tensor MotionFeatures(Tensor person1, Tensor person2)
    {
        var f1 = MotionEncoder.Forward(new TorchMotionInput(person1));
        var f2 = MotionEncoder.Forward(new TorchMotionInput(person2));
        if (f1.shape[0] != f2.shape[0]) throw new ArgumentException($"interaction: person 1 has {f1.shape[0]} motions, person 2 has {f2.shape[0]}");
        return cat([f1, f2], 1);
    }

    /// <summary>L2-normalised interaction embeddings (B, E) of two people's (B, 3, T, 5N) patches.</summary>
    public Tensor EncodeMotion(Tensor person1, Tensor person2) => TorchOps.L2Normalize(MotionHead.Forward(MotionFeatures(person1, person2)));

    public override Tensor EncodeMotion(TorchMotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var partner = input.Partner ?? throw new ArgumentException("the torch interaction model reads two-person patch pairs: the input has no Partner");
        return EncodeMotion(input.Values, partner);
    }

    public override Tensor EncodeText(Tensor inputIds, Tensor attentionMask) =>
        TorchOps.L2Normalize(TextHead.Forward(TextEncoder.Forward(inputIds, attentionMask)));

    public override Tensor ContrastiveLoss(Tensor text, Tensor motion) => TorchOps.Contrastive(text, motion, 1f / Config.Temperature, logitScale);
}

using MotionWorkbench.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="InteractionModel"/> (architecture "interaction") on TorchSharp: one shared
/// <c>motion_encoder</c> applied to each person, the two features concatenated and projected by <c>motion_head</c>
/// (2·FeatureDim → E); text side and loss as every <see cref="TorchDenseModel"/>.
/// </summary>
public sealed class TorchInteractionModel(InteractionRetrievalModel own, Device device) : TorchDenseModel(own, own.Model.Config, device)
{
    public override Architecture Architecture => Architecture.Interaction;

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
}

using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// The two-person model (<see cref="InteractionModel"/>, a <see cref="MotionTextModel"/> of two people; paper Table 7;
/// architecture "interaction"): one shared ViT encodes each person's motion patches, the two features are concatenated
/// and projected.
/// </summary>
public sealed class InteractionRetrievalModel(MotionTextModel model) : IRetrievalModel
{
    public MotionTextModel Model { get; } = model.People == 2 ? model
        : throw new ArgumentException("InteractionRetrievalModel wraps a two-person model (InteractionModel.Create); a one-person model is a TransformerModel", nameof(model));

    public Module Module => Model;

    public MotionRepresentation Representation => MotionRepresentation.PatchPair;

    public static InteractionRetrievalModel Create(ModelSpec spec, int vocabularySize, ulong seed) =>
        new(InteractionModel.Create(TransformerModel.ToModelConfig(spec, vocabularySize), seed));

    public Tensor EncodeMotion(MotionBatch batch)
    {
        var (p1, p2) = batch.RequirePair("the interaction model");
        return Model.EncodeMotion(TransformerModel.PatchInput(p1), TransformerModel.PatchInput(p2)); // 2 x (B, 3, T, 5N) -> (B, E)
    }

    public Tensor EncodeText(EncodedBatch batch) => Model.EncodeText(batch);

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Model.ContrastiveLoss(text, motion);

    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() => Model.ParameterGroups();
}

using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// The Models project's <see cref="LexicalModel"/> behind <see cref="IRetrievalModel"/> (architecture "lex"): the
/// embeddings are L2-normalised vectors over the run's text vocabulary, so the trainer, the evaluator and the
/// embedding cache treat them as any other embedding (dimension = vocabulary size). The motion encoder is the ViT of
/// <see cref="ModelSpec"/> over motion patches (model.lexMotionEncoder = vit) or the raw-sequence transformer (raw).
/// </summary>
public sealed class LexicalRetrievalModel(LexicalModel model) : IRetrievalModel
{
    public LexicalModel Model { get; } = model;

    public Module Module => Model;

    public MotionRepresentation Representation => Model.MotionEncoder is RawSequenceEncoder ? MotionRepresentation.RawSequence : MotionRepresentation.Patches;

    /// <param name="jointCount">Joints of the skeleton (needed when the motion encoder is the raw-sequence transformer).</param>
    public static LexicalRetrievalModel Create(ModelSpec spec, int vocabularySize, ulong seed, int jointCount = 0)
    {
        var encoders = TransformerModel.ToModelConfig(spec with { Architecture = spec.LexMotionEncoder }, vocabularySize, jointCount);
        return new(new LexicalModel(encoders.Motion, encoders.Text, new LexicalOptions(spec.LexTemperature, spec.LexFlopsWeight), seed));
    }

    public Tensor EncodeMotion(MotionBatch batch) => Representation == MotionRepresentation.RawSequence
        ? Model.EncodeMotion(TransformerModel.RawInput(batch.RequireRaw("the lexical model (raw-sequence encoder)")))
        : Model.EncodeMotion(TransformerModel.PatchInput(batch.RequirePatches("the lexical model (ViT encoder)")));

    public Tensor EncodeText(EncodedBatch batch) => Model.EncodeText(batch);

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Model.ContrastiveLoss(text, motion);

    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() => Model.ParameterGroups();
}

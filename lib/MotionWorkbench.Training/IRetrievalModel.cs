using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// What the trainer and the evaluator need from a motion-language model: the motion representation it reads, the
/// two encoders (L2-normalised (B, D) embeddings), the contrastive loss, parameter groups ("motion", "text", "heads",
/// optionally "temperature") and the module (parameters, train/eval mode). <see cref="ModelFactory"/> builds one from
/// a <see cref="ModelSpec"/>.
/// </summary>
public interface IRetrievalModel
{
    Module Module { get; }

    /// <summary>The motion input <see cref="RunData"/> has to build for this model.</summary>
    MotionRepresentation Representation { get; }

    /// <summary>A motion batch (in <see cref="Representation"/>) -> (B, D) L2-normalised embeddings.</summary>
    Tensor EncodeMotion(MotionBatch batch);

    /// <summary>Tokenised captions -> (B, D) L2-normalised embeddings.</summary>
    Tensor EncodeText(EncodedBatch batch);

    /// <summary>Symmetric InfoNCE on (B, D) text and motion embeddings; a scalar.</summary>
    Tensor ContrastiveLoss(Tensor text, Tensor motion);

    IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups();
}

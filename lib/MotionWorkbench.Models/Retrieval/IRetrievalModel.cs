using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// What the trainer and the evaluator need from a motion-language model: the motion representation it reads, the
/// two encoders (L2-normalised (B, E) embeddings), the contrastive loss, parameter groups ("motion", "text", "heads",
/// optionally "temperature") and the module (parameters, train/eval mode). <see cref="ModelFactory"/> builds one from
/// a <see cref="ModelSpec"/>.
/// </summary>
public interface IRetrievalModel
{
    Module Module { get; }

    /// <summary>The motion input a batch has to hold for this model.</summary>
    MotionRepresentation Representation { get; }

    /// <summary>A motion batch (in <see cref="Representation"/>) -> (B, E) L2-normalised embeddings.</summary>
    Tensor EncodeMotion(MotionBatch batch);

    /// <summary>Tokenised captions -> (B, E) L2-normalised embeddings.</summary>
    Tensor EncodeText(EncodedBatch batch);

    /// <summary>Symmetric InfoNCE on (B, E) text and motion embeddings; a scalar.</summary>
    Tensor ContrastiveLoss(Tensor text, Tensor motion);

    IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups();

    /// <summary>
    /// The loss of one training batch; by default the contrastive loss of the two towers. A model with other training
    /// phases (Lex: LexMLM, LexMMM) returns that phase's loss; <paramref name="seed"/> (derived from the run's seed, epoch
    /// and batch) drives any masking so that a resumed run repeats it exactly. Whatever else a model's loss needs (Lex's
    /// mask tokens, a caption model's prefix words) it is built with.
    /// </summary>
    Tensor TrainingLoss(ContrastiveBatch batch, ulong seed) => ContrastiveLoss(EncodeText(batch.Text), EncodeMotion(batch.Motion));

    /// <summary>Called by the trainer before each optimiser step (0-based global step): schedules that live in the loss
    /// (Lex's FLOPS warm-up) follow the step, so a resumed run continues them exactly. Nothing by default.</summary>
    void BeginStep(int globalStep) { }

    /// <summary>Whether <see cref="TrainingLoss"/> is the contrastive loss (its chance level ln(batch) then means "did not learn").</summary>
    bool TrainsContrastively => true;

    /// <summary>What the training loss is, for logs ("contrastive" by default).</summary>
    string LossName => "contrastive";
}

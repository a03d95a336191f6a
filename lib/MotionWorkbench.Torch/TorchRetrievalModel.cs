using MotionWorkbench.Models;
using MotionWorkbench.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// What the torch trainer and evaluator need from a motion-language model, as the own engine's
/// <see cref="IRetrievalModel"/>: the motion representation, the two encoders ((B, E) L2-normalised embeddings), the
/// contrastive loss, the optimiser groups and, for models with other training phases, the phase's loss. Tensor-level
/// methods take torch tensors on <see cref="TorchModel.Device"/>; the batch overloads convert the trainer's batches.
/// Forward passes allocate torch tensors: run each step inside <c>torch.NewDisposeScope()</c>.
/// </summary>
public abstract class TorchRetrievalModel : TorchModel
{
    private readonly IReadOnlyList<(string Group, IReadOnlyList<Parameter> Parameters)> groups;

    protected TorchRetrievalModel(IRetrievalModel own, Device device) : base(own.Module, device)
    {
        groups = MapGroups(own.Module, own.ParameterGroups());
        Representation = own.Representation;
    }

    /// <summary>model.architecture: "vit", "raw", "interaction", "lex" or "caption".</summary>
    public abstract Architecture Architecture { get; }

    /// <summary>The motion encoder (<c>motion_encoder.*</c>).</summary>
    public abstract TorchMotionEncoder MotionEncoder { get; }

    /// <summary>The text encoder (<c>text_encoder.*</c>).</summary>
    public abstract TorchTextEncoder TextEncoder { get; }

    /// <summary>The motion input the model reads (as <see cref="IRetrievalModel.Representation"/>).</summary>
    public MotionRepresentation Representation { get; }

    /// <summary>Motion input -> (B, E) L2-normalised embeddings.</summary>
    public abstract Tensor EncodeMotion(TorchMotionInput input);

    /// <summary>Ids (B, L) int64 and attention mask (B, L) (1 = real token) -> (B, E) L2-normalised embeddings.</summary>
    public abstract Tensor EncodeText(Tensor inputIds, Tensor attentionMask);

    /// <summary>The loss on (B, E) text and motion embeddings (symmetric InfoNCE, plus FLOPS for "lex"); a scalar.</summary>
    public abstract Tensor ContrastiveLoss(Tensor text, Tensor motion);

    /// <summary>A trainer motion batch (copied to the device) -> (B, E) embeddings.</summary>
    public Tensor EncodeMotion(MotionBatch batch) => EncodeMotion(TorchInterop.ToTorch(batch, Device));

    /// <summary>Tokenised captions (copied to the device) -> (B, E) embeddings.</summary>
    public Tensor EncodeText(EncodedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TextEncoder.CheckIds(batch);
        var (ids, mask) = TorchInterop.ToTorch(batch, Device);
        return EncodeText(ids, mask);
    }

    /// <summary>The optimiser groups exactly as the own model's <see cref="IRetrievalModel.ParameterGroups"/>: "motion", "text", "heads" and, when learnable, "temperature".</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<Parameter> Parameters)> ParameterGroups() => groups;

    /// <summary>The loss of one training batch: by default the contrastive loss of the two towers (as <see cref="IRetrievalModel.TrainingLoss"/>).</summary>
    public virtual Tensor TrainingLoss(ContrastiveBatch batch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ContrastiveLoss(EncodeText(batch.Text), EncodeMotion(batch.Motion));
    }

    /// <summary>Called before each optimiser step (0-based global step), as <see cref="IRetrievalModel.BeginStep"/>.</summary>
    public virtual void BeginStep(int globalStep) { }

    /// <summary>Whether <see cref="TrainingLoss"/> is the contrastive loss.</summary>
    public virtual bool TrainsContrastively => true;

    /// <summary>What the training loss is, for logs.</summary>
    public virtual string LossName => "contrastive";
}

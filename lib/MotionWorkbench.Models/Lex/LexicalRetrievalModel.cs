using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// The Models project's <see cref="LexicalModel"/> behind <see cref="IRetrievalModel"/> (architecture "lex"): the
/// embeddings are L2-normalised vectors over the run's text vocabulary, so the trainer, the evaluator and the
/// embedding cache treat them as any other embedding (dimension = vocabulary size). The motion encoder is the ViT of
/// <see cref="ModelSpec"/> over motion patches (model.lexMotionEncoder = vit), the ResNet over the patch image (resnet:
/// the lexical head max-pools over the last feature map's cells) or the raw-sequence transformer (raw).
/// </summary>
public sealed class LexicalRetrievalModel(LexicalModel model, string phase = "cmlp", int flopsWarmupSteps = 0, CaptionMaskTokens? maskTokens = null) : IRetrievalModel
{
    public LexicalModel Model { get; } = model;

    /// <summary>The run vocabulary's [MASK] and word-piece ids that the bottleneck phases (mlm, mmm) mask captions with; null: the model is not built for those phases.</summary>
    public CaptionMaskTokens? MaskTokens { get; } = maskTokens;

    /// <summary>Steps of the quadratic FLOPS-weight ramp (<see cref="ModelSpec.LexFlopsWarmupSteps"/>; 0 = none).</summary>
    public int FlopsWarmupSteps { get; } = flopsWarmupSteps;

    /// <summary>The FLOPS weight factor at a 0-based step: min(1, ((step + 1) / warm-up)²), 1 without a warm-up.</summary>
    public static float FlopsRamp(int globalStep, int warmupSteps) =>
        warmupSteps <= 0 ? 1f : (float)Math.Min(1.0, Math.Pow((globalStep + 1.0) / warmupSteps, 2));

    public void BeginStep(int globalStep) => Model.FlopsWeightScale = FlopsRamp(globalStep, FlopsWarmupSteps);

    /// <summary>The training phase (<see cref="ModelSpec.LexPhase"/>): "mlm", "mmm" or "cmlp".</summary>
    public string Phase { get; } = phase;

    public Module Module => Model;

    public MotionRepresentation Representation => Model.MotionEncoder is RawSequenceEncoder ? MotionRepresentation.RawSequence : MotionRepresentation.Patches;

    /// <param name="jointCount">Joints of the skeleton (needed when the motion encoder is the raw-sequence transformer).</param>
    /// <param name="activeWords">The vocabulary ids the heads score (<see cref="LexicalOptions.ActiveWords"/>: the word pieces, or
    /// with model.lexVocabulary = captions those of the training captions); null scores every id, special tokens included.</param>
    /// <param name="maskTokens">The run vocabulary's mask tokens (<see cref="CaptionMaskTokens.Of"/>), needed by the phases that mask captions (mlm, mmm).</param>
    public static LexicalRetrievalModel Create(ModelSpec spec, int vocabularySize, ulong seed, int jointCount = 0, IReadOnlyList<int>? activeWords = null, CaptionMaskTokens? maskTokens = null)
    {
        if (spec.LexVocabulary == LexVocabularyMode.Captions && activeWords is null)
            throw new ArgumentException("model.lexVocabulary = captions needs the caption word pieces (LexicalVocabulary.Resolve / lexical-vocabulary.txt)");
        var encoders = TransformerModel.ToModelConfig(spec, vocabularySize, jointCount);
        return new(new LexicalModel(encoders.Motion, encoders.Text, new LexicalOptions(spec.LexTemperature, spec.LexFlopsWeight, activeWords), seed), spec.LexPhase, spec.LexFlopsWarmupSteps, maskTokens);
    }

    public Tensor EncodeMotion(MotionBatch batch) => Representation == MotionRepresentation.RawSequence
        ? Model.EncodeMotion(TransformerModel.RawInput(batch.RequireRaw("the lexical model (raw-sequence encoder)")))
        : Model.EncodeMotion(TransformerModel.PatchInput(batch.RequirePatches("the lexical model (patch encoder)")));

    public Tensor EncodeText(EncodedBatch batch) => Model.EncodeText(batch);

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Model.ContrastiveLoss(text, motion);

    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() => Model.ParameterGroups();

    public bool TrainsContrastively => Phase == "cmlp";

    public string LossName => Phase switch
    {
        "mlm" => "LexMLM (text MLM + weak-decoder bottleneck)",
        "cmmm" => "CMMM (masked motion-patch reconstruction + InfoNCE between two masked views)",
        "mmm" => "LexMMM (weak decoder from the motion bottleneck + LexMLM)",
        _ => "contrastive",
    };

    public Tensor TrainingLoss(ContrastiveBatch batch, ulong seed)
    {
        if (Phase == "cmlp") return ContrastiveLoss(EncodeText(batch.Text), EncodeMotion(batch.Motion));
        if (Phase == "cmmm") return Model.CmmmLoss(TransformerModel.PatchInput(batch.Motion.RequirePatches("CMMM (masked motion modelling)")), seed);
        var masks = RequireMaskTokens().Make(batch.Text, seed);
        if (Phase == "mlm") return Model.LexMlmLoss(batch.Text, masks);
        var motion = Representation == MotionRepresentation.RawSequence
            ? TransformerModel.RawInput(batch.Motion.RequireRaw("the lexical model (raw-sequence encoder)"))
            : TransformerModel.PatchInput(batch.Motion.RequirePatches("the lexical model (patch encoder)"));
        return Model.LexMmmLoss(motion, batch.Text, masks);
    }

    /// <summary>The mask tokens the bottleneck phases need; throws naming the phase when the model was built without them.</summary>
    public CaptionMaskTokens RequireMaskTokens() => RequireMaskTokens(MaskTokens, Phase);

    /// <summary><paramref name="tokens"/>, or an error naming <paramref name="phase"/> when a model (of either engine) was built without them.</summary>
    public static CaptionMaskTokens RequireMaskTokens(CaptionMaskTokens? tokens, string phase) => tokens ?? throw new InvalidOperationException(
        $"Lex phase '{phase}' masks captions with the run vocabulary's [MASK] token: build the model with its mask tokens (ModelFactory.Create(..., maskTokens: CaptionMaskTokens.Of(vocabulary)))");
}

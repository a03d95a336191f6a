using MotionWorkbench.Patches;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// The Models project's <see cref="MotionTextModel"/> behind <see cref="IRetrievalModel"/>: a ViT over motion patches
/// (architecture "vit"), a ResNet over the motion-patch image ("resnet") or a transformer over raw frames (architecture "raw", the "no patches" baseline), a
/// BERT/DistilBERT text encoder and the projection heads. <see cref="ToModelConfig"/> maps a <see cref="ModelSpec"/>
/// onto the Models records.
/// </summary>
public sealed class TransformerModel(MotionTextModel model) : IRetrievalModel
{
    public MotionTextModel Model { get; } = model.People == 1 ? model
        : throw new ArgumentException("TransformerModel wraps a one-person model; a two-person model is an InteractionRetrievalModel", nameof(model));

    public Module Module => Model;

    public MotionRepresentation Representation => Model.MotionEncoder is RawSequenceEncoder ? MotionRepresentation.RawSequence : MotionRepresentation.Patches;

    /// <param name="jointCount">Joints of the dataset's skeleton (the raw encoder's input is 3 x joints wide; unused by the ViT).</param>
    public static TransformerModel Create(ModelSpec spec, int vocabularySize, ulong seed, int jointCount = 0) =>
        new(MotionTextModel.Create(ToModelConfig(spec, vocabularySize, jointCount), seed));

    /// <summary>
    /// The Models configuration of a spec. "vit": a <see cref="VitConfig"/>; "resnet": a <see cref="ResNetConfig"/>
    /// (model.resnetStages, resnetWidth, resnetBatchNorm) over the same motion-patch image (maxFrames x 5 x patchSize);
    /// "raw": a <see cref="RawSequenceConfig"/> with the same transformer sizes (vitWidth, vitDepth, vitHeads, vitMlp,
    /// vitDropout) over maxFrames frames of 3 x <paramref name="jointCount"/> features. "interaction" and "caption" use
    /// the encoder model.motionEncoder names (a shared encoder), "lex" the one model.lexMotionEncoder names.
    /// </summary>
    public static MotionTextModelConfig ToModelConfig(ModelSpec spec, int vocabularySize, int jointCount = 0)
    {
        var motion = MotionConfig(spec, spec.MotionEncoderKind(), jointCount);
        var text = TextConfig(spec, vocabularySize);
        var config = new MotionTextModelConfig(motion, text, spec.EmbeddingDim, spec.HeadDropout, spec.Temperature, spec.LearnableTemperature);
        config.Validate();
        return config;
    }

    /// <summary>The motion encoder's configuration of a spec for an encoder kind ("vit", "resnet" or "raw").</summary>
    public static MotionEncoderConfig MotionConfig(ModelSpec spec, Architecture encoder, int jointCount = 0)
    {
        if (encoder == Architecture.Raw)
        {
            if (jointCount <= 0) throw new ArgumentException("model.architecture = raw needs the skeleton's joint count (the input layer is 3 x joints wide)");
            return new RawSequenceConfig(3 * jointCount, spec.VitWidth, spec.VitDepth, spec.VitHeads, spec.VitMlp, spec.MaxFrames, spec.VitDropout);
        }
        if (encoder == Architecture.Resnet)
        {
            var stages = spec.ResNetStageDepths(out var badStages) ?? throw new ArgumentException(badStages);
            var batchNorm = spec.ResNetBatchNormPolicy(out var badPolicy) ?? throw new ArgumentException(badPolicy);
            return new ResNetConfig(stages, spec.ResnetWidth, batchNorm, ResNetInput.PatchColours, spec.MaxFrames, PatchOptions.PartCount * spec.PatchSize);
        }
        if (encoder != Architecture.Vit) throw new ArgumentException($"'{encoder}' is not a motion encoder (vit, resnet or raw)");
        return new VitConfig(spec.VitWidth, spec.VitDepth, spec.VitHeads, spec.VitMlp, spec.PatchSize, spec.MaxFrames, PatchOptions.PartCount,
            spec.VitPooling == "cls" ? VitPooling.ClassToken : VitPooling.MeanPatchTokens, spec.VitDropout);
    }

    /// <summary>
    /// The text tower of a spec: <c>model.textKind</c>'s family with the <c>model.text*</c> sizes over
    /// <paramref name="vocabularySize"/> words. A pretrained kind (minilm-l6, arctic-xs) must have the sizes and the
    /// 30,522-word vocabulary its weights fix; a contradiction is one error naming the setting.
    /// </summary>
    public static TextEncoderConfig TextConfig(ModelSpec spec, int vocabularySize)
    {
        if (Choice.Check(spec.TextKind) is string unknown) throw new ArgumentException(unknown);
        if (spec.TextKindConflicts() is { Count: > 0 } conflicts) throw new ArgumentException(string.Join("; ", conflicts));
        if (spec.TextKind.IsPretrained && vocabularySize != TextKind.PretrainedVocabularySize)
            throw new ArgumentException($"model.textKind = {spec.TextKind} reads bert-base-uncased's {TextKind.PretrainedVocabularySize:N0} word pieces, but the vocabulary has {vocabularySize:N0} " +
                "(a pretrained tower's run reads the store's vocabulary, or that of the run train.initFrom names, which must have the same text tower)");
        return new TextEncoderConfig(spec.TextKind.EncoderKind, spec.TextWidth, spec.TextDepth, spec.TextHeads, spec.TextFfn, vocabularySize, spec.TextMaxPositions,
            Dropout: spec.TextDropout, Pooling: spec.TextPooling == "mean" ? TextPooling.MaskedMean : TextPooling.Cls);
    }

    public Tensor EncodeMotion(MotionBatch batch)
    {
        if (Representation == MotionRepresentation.RawSequence)
        {
            var raw = batch.RequireRaw("the raw-sequence model");
            return Model.EncodeMotion(RawInput(raw)); // (B, T, 3J) -> (B, E)
        }
        var p = batch.RequirePatches(Model.MotionEncoder is ResNetEncoder ? "the ResNet model" : "the ViT model");
        return Model.EncodeMotion(PatchInput(p)); // (B, 3, T, 5N) -> (B, E)
    }

    public Tensor EncodeText(EncodedBatch batch) => Model.EncodeText(batch);

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Model.ContrastiveLoss(text, motion);

    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() => Model.ParameterGroups();

    /// <summary>A patch batch as encoder input, without a copy (a reused buffer may be longer than the batch).</summary>
    public static MotionInput PatchInput(PatchBatch p) => new(Tensor.Wrap(p.Data, p.Shape));

    /// <summary>A raw batch as encoder input; the padding mask is true where a frame is padding.</summary>
    public static MotionInput RawInput(RawSequenceBatch r) => new(Tensor.Wrap(r.Data, r.Shape), Array.ConvertAll(r.Mask, m => m == 0f));
}

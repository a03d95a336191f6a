using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// The Models project's <see cref="MotionTextModel"/> (ViT over motion patches + BERT/DistilBERT + projection heads)
/// behind <see cref="IRetrievalModel"/>; <see cref="ToModelConfig"/> maps a <see cref="ModelSpec"/> onto its records.
/// </summary>
public sealed class VitModel(MotionTextModel model) : IRetrievalModel
{
    public MotionTextModel Model { get; } = model;

    public Module Module => Model;

    public static VitModel Create(ModelSpec spec, int vocabularySize, ulong seed) => new(MotionTextModel.Create(ToModelConfig(spec, vocabularySize), seed));

    public static MotionTextModelConfig ToModelConfig(ModelSpec spec, int vocabularySize)
    {
        var vit = new VitConfig(spec.VitWidth, spec.VitDepth, spec.VitHeads, spec.VitMlp, spec.PatchSize, spec.MaxFrames, PatchOptions.PartCount,
            spec.VitPooling == "cls" ? VitPooling.ClassToken : VitPooling.MeanPatchTokens, spec.VitDropout);
        var text = new TextEncoderConfig(spec.TextKind == "distilbert" ? TextEncoderKind.DistilBert : TextEncoderKind.Bert,
            spec.TextWidth, spec.TextDepth, spec.TextHeads, spec.TextFfn, vocabularySize, spec.TextMaxPositions,
            Dropout: spec.TextDropout, Pooling: spec.TextPooling == "mean" ? TextPooling.MaskedMean : TextPooling.Cls);
        var config = new MotionTextModelConfig(vit, text, spec.EmbeddingDim, spec.HeadDropout, spec.Temperature, spec.LearnableTemperature);
        config.Validate();
        return config;
    }

    public Tensor EncodeMotion(PatchBatch batch) =>
        Model.EncodeMotion(new MotionInput(Tensor.Wrap(batch.Data, batch.Shape))); // (B, 3, T, 5N) -> (B, D)

    public Tensor EncodeText(EncodedBatch batch) => Model.EncodeText(batch);

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Model.ContrastiveLoss(text, motion);

    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() => Model.ParameterGroups();
}

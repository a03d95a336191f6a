using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// The motion-captioning model: the retrieval model's parts under their <see cref="MotionTextModel"/> names
/// (<c>motion_encoder</c> (the ViT or the ResNet over motion patches), <c>text_encoder</c>, <c>motion_head</c>,
/// <c>text_head</c>, <c>logit_scale</c> when learnable), so a trained retrieval run's checkpoint loads into them by name,
/// plus <c>caption_decoder</c> (<see cref="CaptionDecoder"/>) reading the encoder's output tokens (the ViT's class token
/// + patch tokens; the ResNet's last feature map's cells, 7 x 3 = 21 at 224 x 80, time-major).
/// The parts are initialised with the same seeds as <see cref="MotionTextModel"/>.
/// </summary>
public sealed class CaptionNetwork : Module
{
    /// <summary>The prefix of the decoder's parameters.</summary>
    public const string DecoderPrefix = "caption_decoder.";

    public MotionTextModelConfig Config { get; }
    public MotionEncoder MotionEncoder { get; }
    public TextEncoder TextEncoder { get; }
    public ProjectionHead MotionHead { get; }
    public ProjectionHead TextHead { get; }
    public Tensor? LogitScale { get; }
    public CaptionDecoder Decoder { get; }

    /// <param name="decoder">The decoder's sizes; its memory width must be the motion encoder's feature width.</param>
    public CaptionNetwork(MotionTextModelConfig config, CaptionDecoderConfig decoder, ulong seed)
    {
        config.Validate();
        if (config.Motion is not (VitConfig or ResNetConfig)) throw new ArgumentException($"caption model: the motion encoder must be a ViT or a ResNet over motion patches, got {config.Motion.GetType().Name}");
        if (decoder.MemoryWidth != config.Motion.FeatureDim) throw new ArgumentException($"caption model: the decoder reads {decoder.MemoryWidth}-wide motion tokens, the motion encoder gives {config.Motion.FeatureDim}");
        if (decoder.VocabularySize != config.Text.VocabSize) throw new ArgumentException($"caption model: the decoder's vocabulary ({decoder.VocabularySize}) is not the text encoder's ({config.Text.VocabSize})");
        Config = config;
        MotionEncoder = Child("motion_encoder", MotionEncoder.Create(config.Motion, seed * 7 + 1));
        TextEncoder = Child("text_encoder", new TextEncoder(config.Text, seed * 7 + 2));
        MotionHead = Child("motion_head", new ProjectionHead(MotionEncoder.FeatureDim, config.EmbeddingDim, config.HeadDropout, seed * 7 + 3));
        TextHead = Child("text_head", new ProjectionHead(TextEncoder.FeatureDim, config.EmbeddingDim, config.HeadDropout, seed * 7 + 4));
        if (config.LearnableTemperature)
        {
            LogitScale = Param("logit_scale", 1);
            LogitScale.Data[0] = MathF.Log(1f / config.Temperature);
        }
        Decoder = Child("caption_decoder", new CaptionDecoder(decoder, seed * 7 + 5));
    }

    /// <summary>The encoder's output tokens of motion patches: the ViT's (B, 1 + L, C), the ResNet's (B, h·w, C).</summary>
    public Tensor MotionTokens(MotionInput input) => MotionEncoder.ForwardTokens(input);

    /// <summary>L2-normalised motion embeddings (B, E) from the encoder's output tokens (its own pooling, then the head).</summary>
    public Tensor EmbedMotionTokens(Tensor tokens) => Ops.L2Normalize(MotionHead.Forward(MotionEncoder.PoolTokens(tokens)));

    public Tensor EncodeMotion(MotionInput input) => Ops.L2Normalize(MotionHead.Forward(MotionEncoder.Forward(input)));

    public Tensor EncodeText(EncodedBatch batch) => Ops.L2Normalize(TextHead.Forward(TextEncoder.Forward(batch)));

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Contrastive.Loss(text, motion, 1f / Config.Temperature, LogitScale);

    /// <summary>
    /// The optimiser groups: "motion" (the motion encoder; left out when <paramref name="freezeEncoder"/>, so it is not updated),
    /// "text", "heads" (both projection heads and the caption decoder) and, when learnable, "temperature".
    /// </summary>
    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups(bool freezeEncoder)
    {
        var groups = new List<(string, IReadOnlyList<Tensor>)>();
        if (!freezeEncoder) groups.Add(("motion", MotionEncoder.Parameters().ToList()));
        groups.Add(("text", TextEncoder.Parameters().ToList()));
        groups.Add(("heads", MotionHead.Parameters().Concat(TextHead.Parameters()).Concat(Decoder.Parameters()).ToList()));
        if (LogitScale is not null) groups.Add(("temperature", [LogitScale]));
        return groups;
    }
}

using MotionWorkbench.Models;
using MotionWorkbench.Pretrained;

namespace MotionWorkbench.Training;

/// <summary>
/// <c>train.initMotionEncoder</c>: pretrained weights for the motion encoder of a fresh run. A ViT takes a timm ViT
/// checkpoint (<c>.safetensors</c>; position embeddings resampled to the patch grid, <see cref="VitCheckpoint"/>); a
/// ResNet takes a torchvision-named state dict: the store's <c>resnet18-imagenet</c> (converted once into the user cache,
/// stages [2, 2, 2, 3]) or a <c>.safetensors</c> file (e.g. from <c>mw weights export resnet18-imagenet</c>), loaded
/// strictly by <see cref="ResNetCheckpoint"/> (running statistics included). A store name or a path, through the one
/// rule of <see cref="EncoderWeights"/>.
/// </summary>
public static class MotionEncoderInit
{
    /// <summary>The setting's key, for messages.</summary>
    public const string Setting = "train.initMotionEncoder";

    /// <summary>The motion encoder of a model of any architecture that has one (not "bag"; that one is an error naming the setting).</summary>
    public static MotionEncoder EncoderOf(IRetrievalModel model) =>
        ModelTowers.Motion(model) ?? throw new InvalidOperationException($"{Setting}: the {model.GetType().Name} has no motion encoder to initialise");

    /// <summary>
    /// A configuration error, or null: a store entry that is not a ResNet (the text encoders), or the ResNet's weights for
    /// a run whose motion encoder is not a ResNet. Needs no file (RunConfig.Validate calls it).
    /// </summary>
    public static string? Check(string value, Architecture encoder)
    {
        if (PretrainedCatalog.TryFind(value) is not { } source) return null;
        if (source.Kind != PretrainedKind.ResNet)
            return $"{Setting} = {value}: '{source.Name}' is a pretrained text encoder, not motion-encoder weights (the store's motion-encoder weights: {string.Join(", ", PretrainedCatalog.All.Where(s => s.Kind == PretrainedKind.ResNet).Select(s => s.Name))})";
        if (encoder != Architecture.Resnet)
            return $"{Setting} = {value}: '{source.Name}' is an ImageNet ResNet; this run's motion encoder is '{encoder}' " +
                "(set model.architecture = resnet, or model.lexMotionEncoder / model.motionEncoder = resnet; a ViT takes a timm checkpoint file)";
        return null;
    }

    /// <summary>
    /// Checks, before a run writes anything, that <paramref name="value"/> loads into the motion encoder <paramref name="config"/>
    /// describes (a fresh encoder of that shape is loaded and dropped): a missing file, weights of another stage layout or
    /// architecture, a negative or non-finite running variance are one error naming the file and the parameter.
    /// </summary>
    public static void Preflight(RunConfig config, string value, Action<string>? log = null)
    {
        var kind = config.Model.MotionEncoderKind();
        if (Check(value, kind) is string error) throw new ArgumentException(error);
        if (kind != Architecture.Vit && kind != Architecture.Resnet) return;   // Validate names it
        var encoder = MotionEncoder.Create(TransformerModel.MotionConfig(config.Model, kind), 0);
        var weights = EncoderWeights.Resolve(value, Setting, log: log);
        try { MotionTextModel.LoadPretrainedMotionEncoder(encoder, weights.Path); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{Setting} = {value}: {e.Message}", e); }
    }

    /// <summary>Loads <paramref name="value"/> (a store name or a .safetensors path) into <paramref name="model"/>'s motion encoder; returns what was loaded, for the log.</summary>
    public static string Apply(IRetrievalModel model, string value, Action<string>? log = null)
    {
        var encoder = EncoderOf(model);
        var kind = encoder switch { ResNetEncoder => Architecture.Resnet, VisionTransformer => Architecture.Vit, _ => Architecture.Raw };
        if (Check(value, kind) is string error) throw new ArgumentException(error);
        if (kind == Architecture.Raw)
            throw new InvalidOperationException($"{Setting} = {value}: the {encoder.GetType().Name} takes no pretrained weights (a ViT takes a timm checkpoint, a ResNet torchvision-named weights)");
        var weights = EncoderWeights.Resolve(value, Setting, log: log);
        try
        {
            var report = MotionTextModel.LoadPretrainedMotionEncoder(encoder, weights.Path);
            return $"{weights}: {report}";
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{Setting} = {value}: {e.Message}", e);
        }
    }
}

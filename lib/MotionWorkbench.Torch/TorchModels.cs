using MotionWorkbench.Models;
using static TorchSharp.torch;

namespace MotionWorkbench.Torch;

/// <summary>
/// Builds the TorchSharp model of an own-engine model (<see cref="ModelFactory.Create"/>'s result), with its weights
/// copied in and its parameter names, so either engine's state dict or checkpoint loads into the other.
/// Architectures: "vit", "resnet", "raw", "interaction", "lex" (every phase) and "caption" (each with the ViT or the
/// ResNet where the own model has either); "bag" is own-engine only.
/// </summary>
public static class TorchModels
{
    /// <summary>The architectures the torch engine runs.</summary>
    public static IReadOnlyList<Architecture> Architectures { get; } = [Architecture.Vit, Architecture.Resnet, Architecture.Raw, Architecture.Interaction, Architecture.Lex, Architecture.Caption];

    /// <summary>
    /// The torch model matching <paramref name="own"/> (built by <see cref="ModelFactory.Create"/> from
    /// <paramref name="spec"/>), its weights copied onto <paramref name="device"/>, in <paramref name="own"/>'s train/eval mode.
    /// </summary>
    public static TorchRetrievalModel Create(ModelSpec spec, IRetrievalModel own, Device device)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(own);
        var model = Create(own, device);
        if (model.Architecture != spec.Architecture)
            throw new ArgumentException($"model.architecture = {spec.Architecture}, but the own-engine model is a {own.GetType().Name} ({model.Architecture})");
        return model;
    }

    /// <summary>The torch model matching an own-engine model, its weights copied onto <paramref name="device"/>.</summary>
    public static TorchRetrievalModel Create(IRetrievalModel own, Device device)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(device);
        TorchRuntime.EnsureAvailable();
        return own switch
        {
            TransformerModel t => new TorchMotionTextModel(t, device),
            InteractionRetrievalModel i => new TorchInteractionModel(i, device),
            LexicalRetrievalModel l => new TorchLexicalModel(l, device),
            BagModel => throw NoTwin("'bag'"),
            CaptionModel c => new TorchCaptionModel(c, device),
            _ => throw NoTwin($"{own.GetType().Name}"),
        };
    }

    static NotSupportedException NoTwin(string what) =>
        new($"train.engine = torch has no TorchSharp twin of model.architecture = {what} (the torch engine runs {string.Join(", ", Architectures)}); train it with train.engine = mw");

    /// <summary>
    /// The torch model of a bare own-engine model (a <see cref="MotionTextModel"/> of one person or two, e.g. from
    /// <see cref="InteractionModel.Load"/>, or a <see cref="LexicalModel"/>, e.g. one
    /// loaded from a file in a notebook); for a lexical model the phase and FLOPS warm-up come from <paramref name="spec"/>
    /// (the contrastive phase without one).
    /// </summary>
    public static TorchRetrievalModel Create(MotionWorkbench.Tensors.Nn.Module own, Device device, ModelSpec? spec = null)
    {
        ArgumentNullException.ThrowIfNull(own);
        IRetrievalModel wrapped = own switch
        {
            MotionTextModel { People: 2 } i => new InteractionRetrievalModel(i),
            MotionTextModel m => new TransformerModel(m),
            MotionWorkbench.Models.LexicalModel l => new LexicalRetrievalModel(l, spec?.LexPhase ?? "cmlp", spec?.LexFlopsWarmupSteps ?? 0),
            _ => throw new NotSupportedException($"the torch engine has no model for {own.GetType().Name} (it takes a MotionTextModel of one or two people, or a LexicalModel)"),
        };
        return spec is null ? Create(wrapped, device) : Create(spec, wrapped, device);
    }

    /// <summary>
    /// Builds the own-engine model of <paramref name="spec"/> (<see cref="ModelFactory.Create"/>, same arguments) and its
    /// torch model on <paramref name="device"/>; the own model is returned too (the run folder's evaluation side uses it).
    /// </summary>
    public static (IRetrievalModel Own, TorchRetrievalModel Torch) Create(ModelSpec spec, int vocabularySize, ulong seed, Device device, int jointCount = 0, IReadOnlyList<int>? activeWords = null)
    {
        var own = ModelFactory.Create(spec, vocabularySize, seed, jointCount, activeWords);
        return (own, Create(spec, own, device));
    }
}

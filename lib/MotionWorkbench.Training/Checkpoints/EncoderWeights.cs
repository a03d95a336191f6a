using MotionWorkbench.Pretrained;

namespace MotionWorkbench.Training;

/// <summary>
/// Where an encoder's starting weights come from, as a setting gives it (<c>train.initMotionEncoder</c>,
/// <c>train.initTextEncoder</c>, <c>mw encode ... --checkpoint</c>): a name of the pretrained-weights store
/// (<c>minilm-l6</c>, <c>arctic-xs</c>, <c>resnet18-imagenet</c>; converted once into the user cache) or a path to a
/// <c>.safetensors</c> file. One rule for every place that accepts either.
/// </summary>
public sealed record EncoderWeights(string Path, PretrainedSource? Source, string? VocabularyPath)
{
    /// <summary>True when the value named a store entry rather than a file.</summary>
    public bool FromStore => Source is not null;

    /// <summary>What to print in logs: the store name and the cached file, or the path.</summary>
    public override string ToString() => Source is null ? Path : $"{Source.Name} ({Path})";

    /// <summary>
    /// A store name (case-insensitive) resolves through <paramref name="store"/> (the default store when null), converting on
    /// first use; anything else is a file path that must exist. <paramref name="setting"/> names the setting in errors.
    /// </summary>
    public static EncoderWeights Resolve(string value, string setting, PretrainedStore? store = null, Action<string>? log = null)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{setting} is empty: give a store name ({string.Join(", ", PretrainedCatalog.All.Select(s => s.Name))}) or a .safetensors path");
        if (PretrainedCatalog.TryFind(value) is { } source)
        {
            var weights = (store ?? new PretrainedStore()).Resolve(source, log);
            return new EncoderWeights(weights.WeightsPath, source, weights.VocabularyPath);
        }
        if (!File.Exists(value))
            throw new FileNotFoundException($"{setting} = {value}: neither a pretrained-weights store name ({string.Join(", ", PretrainedCatalog.All.Select(s => s.Name))}) nor an existing file", value);
        return new EncoderWeights(System.IO.Path.GetFullPath(value), null, null);
    }

    /// <summary>True when <paramref name="value"/> names a store entry (no conversion, no file access).</summary>
    public static bool IsStoreName(string? value) => value is not null && PretrainedCatalog.TryFind(value) is not null;
}

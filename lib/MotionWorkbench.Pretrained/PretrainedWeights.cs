namespace MotionWorkbench.Pretrained;

/// <summary>
/// A resolved store entry: the converted <c>.safetensors</c> in the cache (<see cref="WeightsPath"/>), the vocabulary
/// beside it for text encoders, and whether this call converted it (<see cref="ConversionSeconds"/>) or found it cached.
/// </summary>
public sealed record PretrainedWeights(PretrainedSource Source, string WeightsPath, string? VocabularyPath, double? ConversionSeconds)
{
    /// <summary>True when the file was found in the cache.</summary>
    public bool FromCache => ConversionSeconds is null;
}

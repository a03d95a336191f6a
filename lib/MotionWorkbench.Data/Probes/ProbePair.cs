using System.Text.Json.Nodes;

namespace MotionWorkbench.Data.Probes;

/// <summary>
/// One minimal pair of a probe set: motions <see cref="MotionA"/> and <see cref="MotionB"/> (ids of the probe folder)
/// differ in <see cref="Attribute"/> only, and <see cref="CaptionA"/> / <see cref="CaptionB"/> describe each.
/// <see cref="Contrast"/> names the two values ("left/right", "twice/three times"). <see cref="DetailsA"/> and
/// <see cref="DetailsB"/> hold what each motion was made from (the generator's parameters, or the source clip's labels),
/// for inspection.
/// </summary>
public sealed record ProbePair(string Id, string Attribute, string Contrast, string MotionA, string MotionB, string CaptionA, string CaptionB)
{
    public JsonObject? DetailsA { get; init; }
    public JsonObject? DetailsB { get; init; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["attribute"] = Attribute,
        ["contrast"] = Contrast,
        ["motionA"] = MotionA,
        ["motionB"] = MotionB,
        ["captionA"] = CaptionA,
        ["captionB"] = CaptionB,
        ["a"] = DetailsA?.DeepClone(),
        ["b"] = DetailsB?.DeepClone(),
    };
}

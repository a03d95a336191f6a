using MotionWorkbench.Patches;

namespace MotionWorkbench.Models;

/// <summary>What a model reads as its motion input (see <see cref="IRetrievalModel.Representation"/>).</summary>
public enum MotionRepresentation
{
    /// <summary>(B, 3, T, 5N) motion-patch images ("vit", "bag").</summary>
    Patches,

    /// <summary>(B, T, 3J) z-scored frames with a padding mask ("raw": the paper's "no patches" rows of Table 4).</summary>
    RawSequence,

    /// <summary>Two (B, 3, T, 5N) patch batches, one per person, row b of each the same interaction ("interaction").</summary>
    PatchPair,
}

/// <summary>
/// The motion side of a batch in the representation the model reads: <see cref="Patches"/> (patches; person 1 of a
/// pair), <see cref="Raw"/> (raw sequences) or <see cref="Patches"/> + <see cref="Partner"/> (pairs).
/// </summary>
public sealed record MotionBatch(MotionRepresentation Representation, PatchBatch? Patches = null, RawSequenceBatch? Raw = null, PatchBatch? Partner = null)
{
    public static MotionBatch Of(PatchBatch patches) => new(MotionRepresentation.Patches, patches);

    public int BatchSize => Representation == MotionRepresentation.RawSequence ? Raw!.BatchSize : Patches!.BatchSize;

    /// <summary>The patch images; throws naming <paramref name="model"/> when this batch holds another representation.</summary>
    public PatchBatch RequirePatches(string model) => Representation != MotionRepresentation.RawSequence && Patches is not null ? Patches
        : throw new ArgumentException($"{model} reads motion patches, but the batch holds {Representation}");

    /// <summary>The raw sequences; throws naming <paramref name="model"/> otherwise.</summary>
    public RawSequenceBatch RequireRaw(string model) => Raw ?? throw new ArgumentException($"{model} reads raw sequences, but the batch holds {Representation}");

    /// <summary>Both people's patches; throws naming <paramref name="model"/> otherwise.</summary>
    public (PatchBatch Person1, PatchBatch Person2) RequirePair(string model) => Patches is not null && Partner is not null ? (Patches, Partner)
        : throw new ArgumentException($"{model} reads two-person patch pairs, but the batch holds {Representation}");
}

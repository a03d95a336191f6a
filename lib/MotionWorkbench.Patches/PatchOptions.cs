namespace MotionWorkbench.Patches;

/// <summary>Whether a patch is built for training (random crop of long motions) or evaluation (first frames).</summary>
public enum PatchMode
{
    /// <summary>A motion longer than the maximum length is cropped at a start drawn uniformly from [0, L - MaxFrames].</summary>
    Train,

    /// <summary>A motion longer than the maximum length keeps its first MaxFrames frames.</summary>
    Eval,
}

/// <summary>
/// How motions become motion-patch images. The reference (line/MotionPatches) uses N = 16 points per part,
/// 224 frames and re-times KIT's 12.5 fps to 20 fps; N = 8 and 32 generalise the same resampling formula
/// (N points per chain, N-frame windows).
/// </summary>
/// <param name="PatchSize">N: points per body-part chain and frames per temporal window (8, 16 or 32).</param>
/// <param name="MaxFrames">T: the image height; motions are cropped or zero-padded to it. A multiple of N.</param>
/// <param name="TargetFps">
/// Frame rate the motions are re-timed to with the reference's block re-timing (<see cref="FrameRetiming"/>) before
/// normalisation and cropping; clips already at this rate are untouched (HumanML3D at 20 fps). Null disables re-timing.
/// </param>
public sealed record PatchOptions(int PatchSize = 16, int MaxFrames = 224, float? TargetFps = 20f)
{
    /// <summary>The reference configuration: N = 16, T = 224, 20 fps.</summary>
    public static PatchOptions Reference { get; } = new();

    /// <summary>The patch sizes N the resampling supports (the reference's 16, and 8 and 32): the one home of this rule.</summary>
    public static IReadOnlyList<int> PatchSizes { get; } = [8, 16, 32];

    /// <summary><see cref="PatchSizes"/> as messages and help texts write them: "8, 16 or 32".</summary>
    public static string PatchSizeList => string.Join(", ", PatchSizes.Take(PatchSizes.Count - 1)) + " or " + PatchSizes[^1];

    /// <summary>Null when <paramref name="patchSize"/> is one of <see cref="PatchSizes"/>; else "<paramref name="setting"/> must be 8, 16 or 32, got N".</summary>
    public static string? CheckPatchSize(int patchSize, string setting) =>
        PatchSizes.Contains(patchSize) ? null : $"{setting} must be {PatchSizeList}, got {patchSize}";

    /// <summary>Number of body parts (bands along the image width).</summary>
    public const int PartCount = 5;

    /// <summary>Image width W = 5 N (parts x points).</summary>
    public int Width => PartCount * PatchSize;

    /// <summary>Number of N-frame windows along time, T / N.</summary>
    public int Windows => MaxFrames / PatchSize;

    /// <summary>Number of patch tokens, (T / N) x 5, time-major (token k = 5 r + p).</summary>
    public int TokenCount => Windows * PartCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (CheckPatchSize(PatchSize, "patch size") is string error) throw new ArgumentException(error);
        if (MaxFrames <= 0 || MaxFrames % PatchSize != 0)
            throw new ArgumentException($"maximum length must be a positive multiple of the patch size {PatchSize}, got {MaxFrames}");
        if (TargetFps is { } fps && !(fps > 0 && float.IsFinite(fps)))
            throw new ArgumentException($"target frame rate must be positive and finite, got {fps}");
    }
}

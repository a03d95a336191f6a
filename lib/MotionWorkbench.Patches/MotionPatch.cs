namespace MotionWorkbench.Patches;

/// <summary>
/// One motion-patch image: a (3, T, 5N) float32 tensor, row-major, channels = z-scored x, y, z; height = time
/// (T frames); width = 5 body-part bands of N resampled points (right leg, left leg, spine/head, right arm,
/// left arm). Rows at and after <see cref="ValidFrames"/> are zero padding (the dataset-mean pose).
/// Tokens are the non-overlapping N x N tiles, time-major: token k = 5 r + p (window r, part p).
/// </summary>
/// <param name="Id">Motion id.</param>
/// <param name="Data">3 x T x W values.</param>
/// <param name="Frames">T, the image height (the maximum length).</param>
/// <param name="PatchSize">N.</param>
/// <param name="ValidFrames">Frames holding motion (the rest is padding).</param>
/// <param name="CropStart">First re-timed frame used (0 in evaluation or when the motion fits).</param>
/// <param name="RetimedFrames">Length of the motion after frame-rate re-timing, before crop/pad.</param>
public sealed record MotionPatch(string Id, float[] Data, int Frames, int PatchSize, int ValidFrames, int CropStart, int RetimedFrames)
{
    public const int Channels = 3;

    /// <summary>W = 5 N.</summary>
    public int Width => PatchOptions.PartCount * PatchSize;

    /// <summary>(3, T, W).</summary>
    public int[] Shape => [Channels, Frames, Width];

    /// <summary>Value of channel c (0 = x, 1 = y, 2 = z) at frame t, column w.</summary>
    public float this[int c, int t, int w] => Data[(c * Frames + t) * Width + w];
}

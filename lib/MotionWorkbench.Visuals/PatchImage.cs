using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Images;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Visuals;

/// <summary>How a patch image is drawn.</summary>
/// <param name="Scale">Nearest-neighbour upscaling factor (each value becomes Scale x Scale pixels).</param>
/// <param name="PartBoundaries">Draw a 1-pixel white line between the five body-part bands.</param>
/// <param name="WindowGrid">Draw a 1-pixel black line every N frames (the token rows).</param>
/// <param name="PartStrip">Add a strip of <see cref="PartStripHeight"/> pixels above the image in each band's part colour.</param>
/// <param name="PaddingLine">Draw a 1-pixel yellow line where the motion ends and the zero padding begins.</param>
public sealed record PatchImageOptions(int Scale = 3, bool PartBoundaries = true, bool WindowGrid = true, bool PartStrip = true,
    bool PaddingLine = true, int PartStripHeight = 8)
{
    /// <summary>Only the upscaled data, no overlays.</summary>
    public static PatchImageOptions Plain { get; } = new(PartBoundaries: false, WindowGrid: false, PartStrip: false, PaddingLine: false);

    /// <summary>
    /// For overlays that map the token grid onto the image (attention maps): no part strip above the data, so image
    /// rows are exactly T x Scale; band boundaries and the window grid stay.
    /// </summary>
    public static PatchImageOptions ForOverlay { get; } = new(PartStrip: false, PaddingLine: false);
}

/// <summary>An 8-bit RGB picture, row-major, 3 bytes per pixel.</summary>
public sealed record RgbImage(byte[] Pixels, int Width, int Height);

/// <summary>
/// Renders a <see cref="MotionPatch"/> as an RGB image with the mapping of <see cref="PatchColours"/> (x -> R,
/// y -> G, z -> B, z-scores clamped to +-3 sigma -> 0..255). Orientation: the tensor's own layout, time runs
/// downward (row 0 = first frame at the top), body-part bands left to right (right leg, left leg, spine/head,
/// right arm, left arm), as the (3, T, 5N) tensor the ViT sees.
/// </summary>
public static class PatchImage
{
    /// <summary>Data pixels only: T x 5N, no scaling or overlays.</summary>
    public static RgbImage ToRgb(MotionPatch patch) => ToRgb(patch, PatchImageOptions.Plain with { Scale = 1 });

    public static RgbImage ToRgb(MotionPatch patch, PatchImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(options);
        int k = options.Scale;
        if (k < 1 || k > 64) throw new ArgumentException($"image scale must be 1..64, got {k}");
        if (options.PartStrip && options.PartStripHeight < 1) throw new ArgumentException($"part strip height must be positive, got {options.PartStripHeight}");
        int T = patch.Frames, W = patch.Width, N = patch.PatchSize;
        if (patch.Data.Length != 3 * T * W)
            throw new ArgumentException($"patch '{patch.Id}' has {patch.Data.Length} values, expected 3 x {T} x {W} = {3 * T * W}");
        int strip = options.PartStrip ? options.PartStripHeight : 0;
        int width = W * k, height = T * k + strip;
        var px = new byte[width * height * 3];

        for (int y = 0; y < strip; y++)
            for (int x = 0; x < width; x++)
                Put(px, width, x, y, PatchColours.PartColour((BodyPart)(x / k / N)));

        for (int t = 0; t < T; t++)
        {
            for (int w = 0; w < W; w++)
            {
                int i = t * W + w;
                float xv = patch.Data[i], yv = patch.Data[T * W + i], zv = patch.Data[2 * T * W + i];
                var rgb = (ToByte(xv, patch, 0, t, w), ToByte(yv, patch, 1, t, w), ToByte(zv, patch, 2, t, w));
                for (int dy = 0; dy < k; dy++)
                    for (int dx = 0; dx < k; dx++)
                        Put(px, width, w * k + dx, strip + t * k + dy, rgb);
            }
        }

        if (options.WindowGrid)
            for (int r = 1; r < T / N + (T % N == 0 ? 0 : 1); r++)
                for (int x = 0; x < width; x++) Put(px, width, x, strip + r * N * k, (0, 0, 0));
        if (options.PartBoundaries)
            for (int p = 1; p < PatchOptions.PartCount; p++)
                for (int y = 0; y < height; y++) Put(px, width, p * N * k, y, (255, 255, 255));
        if (options.PaddingLine && patch.ValidFrames < T)
            for (int x = 0; x < width; x++) Put(px, width, x, strip + patch.ValidFrames * k, (255, 221, 0));
        return new RgbImage(px, width, height);
    }

    /// <summary>PNG bytes of the rendered patch.</summary>
    public static byte[] ToPng(MotionPatch patch, PatchImageOptions? options = null)
    {
        var image = ToRgb(patch, options ?? new PatchImageOptions());
        return Png.Encode(image.Pixels, image.Width, image.Height, 3);
    }

    /// <summary>A <c>data:image/png;base64,...</c> URI of the rendered patch, for HTML.</summary>
    public static string ToDataUri(MotionPatch patch, PatchImageOptions? options = null) =>
        "data:image/png;base64," + Convert.ToBase64String(ToPng(patch, options));

    /// <summary>The rendered patch as a notebook/report view (<c>image/png</c>), captioned with the motion id and shape.</summary>
    public static ImageView ToView(MotionPatch patch, PatchImageOptions? options = null) =>
        ImageView.FromPng(ToPng(patch, options), $"{patch.Id}: motion patches 3 x {patch.Frames} x {patch.Width}, time downward, x/y/z -> R/G/B (+-3 sigma)");

    private static byte ToByte(float v, MotionPatch patch, int c, int t, int w)
    {
        if (float.IsNaN(v)) throw new ArgumentException($"patch '{patch.Id}' holds NaN at channel {"xyz"[c]}, frame {t}, column {w}");
        return PatchColours.ToByte(v);
    }

    private static void Put(byte[] px, int width, int x, int y, (byte R, byte G, byte B) c)
    {
        int o = (y * width + x) * 3;
        px[o] = c.R;
        px[o + 1] = c.G;
        px[o + 2] = c.B;
    }
}

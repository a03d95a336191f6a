using MotionWorkbench.Tensors;

namespace MotionWorkbench.Models;

/// <summary>
/// How a motion patch becomes the ResNet's input (the same for scratch and ImageNet-initialised runs):
/// <list type="number">
/// <item>the workbench's patch colours (Patches/Visuals/PatchColours): each z-score clamped to ±3σ and mapped linearly
/// to 0..255, <c>v = (clamp(z, −3, 3) + 3) / 6 · 255</c>, read as RGB (channel x -> R, y -> G, z -> B). The value is
/// not rounded to a byte (the PNG's bytes are these values rounded; the mean pose, z = 0, is 127.5 here and 128 there);</item>
/// <item>reordered to BGR and the ImageNet channel means of the ResNet-18 export's preprocessing subtracted (B 103.0626,
/// G 115.9029, R 123.1516; no division by a standard deviation), as ML.NET's ResNet18 featurizer feeds ResNet18.onnx.</item>
/// </list>
/// So network channel 0 = 255·(clamp(z_z) + 3)/6 − 103.0626, channel 1 = ... z_y ... − 115.9029, channel 2 = ... z_x ... − 123.1516.
/// </summary>
public static class ResNetInputMapping
{
    /// <summary>The channel means subtracted, in the network's BGR order.</summary>
    public static IReadOnlyList<float> ChannelMeansBgr { get; } = [103.0626f, 115.9029f, 123.1516f];

    /// <summary>Z-scores beyond ±this many standard deviations saturate (as the patch images).</summary>
    public const float ClampSigma = 3f;

    /// <summary>Motion patches (B, 3, H, W) of z-scores (channels x, y, z) -> network input (B, 3, H, W) (channels B, G, R). No gradient.</summary>
    public static Tensor FromZScores(Tensor patches)
    {
        if (patches.Rank != 4 || patches.Shape[1] != 3) throw new ArgumentException($"ResNet input mapping: motion patches must be (B, 3, H, W) with channels x, y, z, got {Tensor.Format(patches.Shape)}");
        var image = Tensor.Zeros(patches.Shape);
        FromZScores(patches.Data, image.Data, patches.Shape[0], patches.Shape[2] * patches.Shape[3]);
        return image;
    }

    /// <summary>The mapping on flat buffers: z (B, 3, S) -> image (B, 3, S), S = H·W. A NaN z-score is an error naming its place.</summary>
    public static void FromZScores(ReadOnlySpan<float> z, Span<float> image, int B, int S)
    {
        if (z.Length != B * 3 * S || image.Length != z.Length) throw new ArgumentException($"ResNet input mapping: buffers of {z.Length} and {image.Length} floats for (B {B}, 3, {S} pixels)");
        const float scale = 255f / (2 * ClampSigma);
        for (int b = 0; b < B; b++)
            for (int c = 0; c < 3; c++)
            {
                var src = z.Slice((b * 3 + c) * S, S);
                var dst = image.Slice((b * 3 + (2 - c)) * S, S);   // x -> R (channel 2), y -> G (1), z -> B (0)
                float mean = ChannelMeansBgr[2 - c];
                for (int i = 0; i < S; i++)
                {
                    float v = src[i];
                    if (float.IsNaN(v)) throw new ArgumentException($"ResNet input mapping: motion patch {b} holds NaN at channel {"xyz"[c]}, pixel {i}");
                    dst[i] = (Math.Clamp(v, -ClampSigma, ClampSigma) + ClampSigma) * scale - mean;
                }
            }
    }
}

using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches;

/// <summary>
/// The one colour mapping used for every motion-patch picture (PNG, HTML, notebooks, reports):
/// <list type="bullet">
/// <item>channel x -> red, y -> green, z -> blue;</item>
/// <item>each z-score v is clamped to [-3, +3] (three standard deviations) and mapped linearly to 0..255:
/// byte = round((clamp(v, -3, 3) + 3) / 6 x 255), midpoints away from zero. So -3 sigma -> 0, the dataset mean
/// (and the zero padding) -> 128 (mid grey), +3 sigma -> 255.</item>
/// </list>
/// The body parts have fixed colours (<see cref="PartColour"/>) shared by the patch image's band strip and the
/// skeleton animation's bones and legend.
/// </summary>
public static class PatchColours
{
    /// <summary>Z-scores beyond +-this many standard deviations saturate.</summary>
    public const float ClampSigma = 3f;

    /// <summary>The byte of one z-score (NaN is rejected).</summary>
    public static byte ToByte(float z)
    {
        if (float.IsNaN(z)) throw new ArgumentException("cannot map NaN to a colour; the patch holds a non-finite value");
        float c = Math.Clamp(z, -ClampSigma, ClampSigma);
        return (byte)MathF.Round((c + ClampSigma) / (2 * ClampSigma) * 255f, MidpointRounding.AwayFromZero);
    }

    /// <summary>The z-score at the centre of a byte's bin (the inverse of <see cref="ToByte"/> up to quantisation).</summary>
    public static float FromByte(byte b) => b / 255f * (2 * ClampSigma) - ClampSigma;

    /// <summary>Display names of the five parts, in band order.</summary>
    public static IReadOnlyList<string> PartNames { get; } = ["right leg", "left leg", "spine / head", "right arm", "left arm"];

    private static readonly (byte R, byte G, byte B)[] Parts =
    [
        (0xE6, 0x55, 0x2E), // right leg: orange-red
        (0x2E, 0x86, 0xDE), // left leg: blue
        (0x4C, 0xAF, 0x50), // spine / head: green
        (0xC2, 0x18, 0x5B), // right arm: magenta
        (0x8E, 0x44, 0xAD), // left arm: purple
    ];

    /// <summary>Fixed RGB colour of a body part (the same in images, animations and legends).</summary>
    public static (byte R, byte G, byte B) PartColour(BodyPart part) => Parts[(int)part];

    /// <summary>CSS hex colour of a body part, e.g. <c>#e6552e</c>.</summary>
    public static string PartCss(BodyPart part)
    {
        var (r, g, b) = Parts[(int)part];
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    /// <summary>Colour of bones that belong to no body-part chain.</summary>
    public const string OtherCss = "#888888";
}

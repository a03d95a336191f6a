using MotionWorkbench.Render.Html;
using MotionWorkbench.Render.Images;

namespace MotionWorkbench.Render.Views;

/// <summary>A PNG image shown in a notebook (<c>image/png</c>) and in reports; optional caption and display scale.</summary>
[Interactive.TypeFormatterSource(typeof(Interactive.ViewFormatterSource), PreferredMimeTypes = ["text/html", "image/png", "text/plain"])]
public sealed class ImageView : IMimeView
{
    private ImageView(byte[] png, int width, int height, string? caption, int scale)
    {
        PngBytes = png;
        Width = width;
        Height = height;
        Caption = caption;
        Scale = scale;
    }

    public byte[] PngBytes { get; }
    public int Width { get; }
    public int Height { get; }
    public string? Caption { get; }
    /// <summary>Integer magnification for display (pixels stay crisp).</summary>
    public int Scale { get; }

    /// <summary>Shows PNG bytes (checked: the header must be a valid PNG with a known size).</summary>
    public static ImageView FromPng(byte[] png, string? caption = null, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(png);
        var (w, h) = ReadSize(png);
        return new ImageView(png, w, h, caption, CheckScale(scale));
    }

    /// <summary>Encodes row-major RGB bytes (height x width x 3) as PNG and shows them.</summary>
    public static ImageView FromRgb(byte[] rgb, int width, int height, string? caption = null, int scale = 1)
        => new(Png.Encode(rgb, width, height, 3), width, height, caption, CheckScale(scale));

    public string Base64 => Convert.ToBase64String(PngBytes);

    public string ToHtml()
    {
        string style = $"image-rendering:pixelated;width:{Width * Scale}px;height:{Height * Scale}px;max-width:100%";
        string img = $"<img src=\"data:image/png;base64,{Base64}\" width=\"{Width * Scale}\" height=\"{Height * Scale}\" style=\"{style}\" alt=\"{HtmlText.Escape(Caption ?? "image")}\">";
        return Caption is null
            ? $"<figure style=\"margin:0\">{img}</figure>"
            : $"<figure style=\"margin:0\">{img}<figcaption style=\"font:13px sans-serif;color:#444\">{HtmlText.Escape(Caption)}</figcaption></figure>";
    }

    public IReadOnlyDictionary<string, string> ToMimeBundle() => Scale == 1 && Caption is null
        ? new Dictionary<string, string> { ["image/png"] = Base64, ["text/plain"] = ToString() }
        : new Dictionary<string, string> { ["text/html"] = ToHtml(), ["text/plain"] = ToString() };

    public override string ToString() => $"PNG image {Width} x {Height}" + (Caption is null ? "" : $": {Caption}");

    private static int CheckScale(int scale)
        => scale is >= 1 and <= 64 ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "display scale must be 1..64");

    private static (int Width, int Height) ReadSize(byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 24 || !png.AsSpan(0, 8).SequenceEqual(signature) || png[12] != 'I' || png[13] != 'H' || png[14] != 'D' || png[15] != 'R')
            throw new ArgumentException($"not a PNG image ({png.Length} bytes; the PNG signature and IHDR chunk are missing)", nameof(png));
        int w = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
        int h = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        if (w <= 0 || h <= 0) throw new ArgumentException($"PNG image has an invalid size {w} x {h}", nameof(png));
        return (w, h);
    }
}

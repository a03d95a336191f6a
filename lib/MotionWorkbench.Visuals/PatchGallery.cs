using System.Net;
using System.Text;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Visuals;

/// <summary>
/// Several motion-patch images side by side (a notebook "data tour"), each with its id and caption, rendered with the
/// one colour mapping of <see cref="PatchColours"/>; a line under the gallery states the mapping. Self-contained HTML.
/// </summary>
public static class PatchGallery
{
    public static string ToHtml(IEnumerable<(MotionPatch Patch, string? Caption)> items, PatchImageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        options ??= new PatchImageOptions(Scale: 2);
        var sb = new StringBuilder();
        sb.Append("<div class=\"mw-patch-gallery\" style=\"font:12px system-ui,sans-serif;color:#222\">\n");
        sb.Append("<div style=\"display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start\">\n");
        int count = 0;
        foreach (var (patch, caption) in items)
        {
            ArgumentNullException.ThrowIfNull(patch);
            var image = PatchImage.ToRgb(patch, options);
            sb.Append($"<figure style=\"margin:0;width:{Math.Max(image.Width, 120)}px\">");
            sb.Append($"<img src=\"{PatchImage.ToDataUri(patch, options)}\" width=\"{image.Width}\" height=\"{image.Height}\" ");
            sb.Append($"style=\"image-rendering:pixelated;display:block;border:1px solid #ccc\" alt=\"{WebUtility.HtmlEncode(patch.Id)}\">");
            sb.Append("<figcaption><b>").Append(WebUtility.HtmlEncode(patch.Id)).Append("</b>");
            if (!string.IsNullOrWhiteSpace(caption)) sb.Append("<br><i>").Append(WebUtility.HtmlEncode(caption)).Append("</i>");
            sb.Append("</figcaption></figure>\n");
            count++;
        }
        if (count == 0) throw new ArgumentException("the gallery needs at least one patch");
        sb.Append("</div>\n<div style=\"color:#555;margin-top:4px\">Time runs downward; bands: right leg, left leg, spine/head, right arm, left arm. ");
        sb.Append("Colour: x\u2192R, y\u2192G, z\u2192B, z-score \u00B13\u03C3 \u2192 0..255 (mean = grey).</div>\n</div>\n");
        return sb.ToString();
    }

    public static HtmlView ToView(IEnumerable<(MotionPatch Patch, string? Caption)> items, PatchImageOptions? options = null) => new(ToHtml(items, options));
}

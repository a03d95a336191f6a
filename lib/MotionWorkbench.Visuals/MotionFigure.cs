using System.Globalization;
using System.Net;
using System.Text;
using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Visuals;

/// <summary>
/// The paper's Figure 4 view of one motion: its caption, the skeleton animation and its motion-patch image
/// side by side (the image upscaled with nearest neighbour, time downward, part bands labelled with the
/// animation's part colours), with the colour mapping stated underneath. Self-contained HTML (the PNG is a data URI).
/// </summary>
public static class MotionFigure
{
    /// <summary>An HTML fragment; <paramref name="caption"/> defaults to the clip's first caption.</summary>
    public static string ToHtml(MotionClip clip, MotionPatch patch, string? caption = null,
        PatchImageOptions? imageOptions = null, SkeletonAnimationOptions? animationOptions = null)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(patch);
        animationOptions ??= new SkeletonAnimationOptions();
        // Default image scale: the largest integer upscale that keeps the image about as tall as the animation
        // with its controls, so the picture is shown at its natural size (no browser resampling of the grid lines).
        imageOptions ??= new PatchImageOptions(Scale: Math.Clamp((animationOptions.Height + 80) / patch.Frames, 1, 8));
        caption ??= clip.Captions.Count > 0 ? clip.Captions[0].Text : null;
        var ci = CultureInfo.InvariantCulture;
        var image = PatchImage.ToRgb(patch, imageOptions);
        string uri = PatchImage.ToDataUri(patch, imageOptions);
        int shownW = image.Width, shownH = image.Height;
        var sb = new StringBuilder();
        sb.Append("<figure class=\"mw-motion-figure\" style=\"margin:8px 0;font:13px system-ui,sans-serif;color:#222\">\n");
        sb.Append("<figcaption style=\"margin-bottom:6px\"><b>").Append(WebUtility.HtmlEncode(clip.Id)).Append("</b>");
        if (!string.IsNullOrWhiteSpace(caption)) sb.Append(": <i>\u201C").Append(WebUtility.HtmlEncode(caption)).Append("\u201D</i>");
        sb.Append("</figcaption>\n<div style=\"display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap\">\n");
        sb.Append(SkeletonAnimation.ToHtml(clip, animationOptions));
        sb.Append("<div>\n");
        sb.Append($"<img alt=\"motion patch image of {WebUtility.HtmlEncode(clip.Id)}\" src=\"{uri}\" width=\"{shownW}\" height=\"{shownH}\" style=\"image-rendering:pixelated;border:1px solid #ccc;display:block\">\n");
        sb.Append("<div style=\"display:flex;width:").Append(shownW.ToString(ci)).Append("px;font-size:10px;white-space:nowrap\">");
        for (int p = 0; p < PatchOptions.PartCount; p++)
            sb.Append($"<span style=\"flex:1;text-align:center;color:{PatchColours.PartCss((BodyPart)p)}\">{Abbreviation(p)}</span>");
        sb.Append("</div>\n");
        sb.Append("<div style=\"max-width:").Append(Math.Max(shownW, 220).ToString(ci)).Append("px;font-size:11px;color:#555;margin-top:4px\">");
        sb.Append(WebUtility.HtmlEncode(string.Create(ci,
            $"{patch.Shape[0]} x {patch.Frames} x {patch.Width} (N = {patch.PatchSize}); time runs downward, {patch.ValidFrames} motion frames")));
        if (patch.ValidFrames < patch.Frames) sb.Append(" then zero padding (below the yellow line)");
        sb.Append(". Colour: x\u2192R, y\u2192G, z\u2192B, z-score \u00B13\u03C3 \u2192 0..255 (mean = grey).");
        if (patch.CropStart > 0) sb.Append(WebUtility.HtmlEncode(string.Create(ci, $" Cropped from frame {patch.CropStart} of {patch.RetimedFrames}.")));
        sb.Append("</div>\n</div>\n</div>\n</figure>\n");
        return sb.ToString();
    }

    /// <summary>The figure as a notebook/report view.</summary>
    public static HtmlView ToView(MotionClip clip, MotionPatch patch, string? caption = null,
        PatchImageOptions? imageOptions = null, SkeletonAnimationOptions? animationOptions = null) =>
        new(ToHtml(clip, patch, caption, imageOptions, animationOptions));

    /// <summary>A complete HTML page with <see cref="ToHtml"/>.</summary>
    public static string ToHtmlDocument(MotionClip clip, MotionPatch patch, string? caption = null,
        PatchImageOptions? imageOptions = null, SkeletonAnimationOptions? animationOptions = null)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
          .Append(WebUtility.HtmlEncode(clip.Id)).Append(" \u2014 motion and patches</title></head>\n<body style=\"font:14px system-ui,sans-serif\">\n");
        sb.Append("<p style=\"color:#555\">").Append(WebUtility.HtmlEncode(SkeletonAnimation.Describe(clip))).Append("</p>\n");
        sb.Append(ToHtml(clip, patch, caption, imageOptions, animationOptions));
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string Abbreviation(int part) => part switch
    {
        0 => "R leg",
        1 => "L leg",
        2 => "spine",
        3 => "R arm",
        _ => "L arm",
    };
}

using System.Globalization;

namespace MotionWorkbench.Render.Plots;

/// <summary>
/// plotly.js's named colour scales used by the workbench (Viridis, Blues, Hot, ...) and its default trace colours, for the
/// static rendering (<see cref="SvgFigure"/>): each scale is a few stops, interpolated linearly in RGB as plotly does.
/// Unknown names fall back to Viridis.
/// </summary>
public static class ColorScales
{
    /// <summary>plotly's default colourway: trace i (in a subplot) gets colour i modulo 10.</summary>
    public static readonly string[] Colorway = ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"];

    private static readonly Dictionary<string, (double At, string Color)[]> Scales = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Viridis"] = [(0, "#440154"), (0.06, "#48186a"), (0.11, "#472d7b"), (0.17, "#424086"), (0.22, "#3b528b"), (0.28, "#33638d"), (0.33, "#2c728e"),
                       (0.39, "#26828e"), (0.44, "#21918c"), (0.5, "#1fa088"), (0.56, "#28ae80"), (0.61, "#3fbc73"), (0.67, "#5ec962"), (0.72, "#84d44b"),
                       (0.78, "#addc30"), (0.83, "#d8e219"), (0.89, "#fde725"), (1, "#fde725")],
        ["Blues"] = [(0, "#08306b"), (0.125, "#08519c"), (0.25, "#2171b5"), (0.375, "#4292c6"), (0.5, "#6baed6"), (0.625, "#9ecae1"), (0.75, "#c6dbef"), (0.875, "#deebf7"), (1, "#f7fbff")],
        ["Reds"] = [(0, "#67000d"), (0.125, "#a50f15"), (0.25, "#cb181d"), (0.375, "#ef3b2c"), (0.5, "#fb6a4a"), (0.625, "#fc9272"), (0.75, "#fcbba1"), (0.875, "#fee0d2"), (1, "#fff5f0")],
        ["Greys"] = [(0, "#000000"), (1, "#ffffff")],
        ["Hot"] = [(0, "#000000"), (0.3, "#e60000"), (0.6, "#ffd200"), (1, "#ffffff")],
        ["Inferno"] = [(0, "#000004"), (0.14, "#1b0c41"), (0.29, "#4a0c6b"), (0.43, "#781c6d"), (0.57, "#a52c60"), (0.71, "#cf4446"), (0.86, "#ed6925"), (0.93, "#fb9b06"), (1, "#fcffa4")],
        ["Magma"] = [(0, "#000004"), (0.14, "#180f3d"), (0.29, "#440f76"), (0.43, "#721f81"), (0.57, "#9e2f7f"), (0.71, "#cd4071"), (0.86, "#f1605d"), (0.93, "#fd9668"), (1, "#fcfdbf")],
        ["Cividis"] = [(0, "#00224e"), (0.25, "#3c4d6e"), (0.5, "#7f7c75"), (0.75, "#bcaf6f"), (1, "#fee838")],
        ["RdBu"] = [(0, "#053061"), (0.25, "#4393c3"), (0.5, "#f7f7f7"), (0.75, "#d6604d"), (1, "#67001f")],
    };

    /// <summary>The colour at <paramref name="t"/> in [0, 1] (clamped; NaN is transparent) of the named scale, as #rrggbb.</summary>
    public static string At(string? scale, double t, bool reverse = false)
    {
        if (double.IsNaN(t)) return "none";
        var (r, g, b) = Rgb(scale, t, reverse);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    /// <summary>The colour at <paramref name="t"/> as bytes (for a PNG rendering of a large heatmap).</summary>
    public static (byte R, byte G, byte B) Rgb(string? scale, double t, bool reverse = false)
    {
        var stops = scale is not null && Scales.TryGetValue(scale, out var s) ? s : Scales["Viridis"];
        t = Math.Clamp(double.IsNaN(t) ? 0 : t, 0, 1);
        if (reverse) t = 1 - t;
        int i = 1;
        while (i < stops.Length - 1 && stops[i].At < t) i++;
        var (a, ca) = stops[i - 1];
        var (b, cb) = stops[i];
        double f = b > a ? Math.Clamp((t - a) / (b - a), 0, 1) : 0;
        var (r0, g0, b0) = Parse(ca);
        var (r1, g1, b1) = Parse(cb);
        return ((byte)Math.Round(r0 + f * (r1 - r0)), (byte)Math.Round(g0 + f * (g1 - g0)), (byte)Math.Round(b0 + f * (b1 - b0)));
    }

    /// <summary>The scale's stops as (offset, colour), for an SVG gradient (colour bars).</summary>
    public static IReadOnlyList<(double At, string Color)> Stops(string? scale, bool reverse = false)
    {
        var stops = scale is not null && Scales.TryGetValue(scale, out var s) ? s : Scales["Viridis"];
        return reverse ? [.. stops.Reverse().Select(p => (1 - p.At, p.Color))] : stops;
    }

    private static (int R, int G, int B) Parse(string hex) => (
        int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}

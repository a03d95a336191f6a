using System.Globalization;

namespace MotionWorkbench.Render.Plots;

/// <summary>
/// One axis of a subplot in the static rendering (<see cref="SvgFigure"/>): linear, log (data kept as log10) or category
/// (categories at 0, 1, 2, ... in first-seen order), its data range, the pixels it spans and its ticks.
/// </summary>
internal sealed class SvgAxis
{
    public bool Log { get; init; }
    public bool Category { get; set; }
    public bool Reversed { get; set; }
    public bool ShowTickLabels { get; init; } = true;
    public string? Title { get; init; }
    public List<string> Categories { get; } = [];
    /// <summary>The range in axis units (log10 of the value on a log axis).</summary>
    public double Lo { get; set; } = double.PositiveInfinity;
    public double Hi { get; set; } = double.NegativeInfinity;
    /// <summary>The pixel of <see cref="Lo"/> (of <see cref="Hi"/> when reversed) and the pixel of the other end.</summary>
    public double P0 { get; set; }
    public double P1 { get; set; }

    /// <summary>Widens the range to hold a data value (non-positive values are left out on a log axis, as plotly does).</summary>
    public void Include(double value)
    {
        if (Log) value = value > 0 ? Math.Log10(value) : double.NaN;
        if (!double.IsFinite(value)) return;
        Lo = Math.Min(Lo, value);
        Hi = Math.Max(Hi, value);
    }

    public void IncludeUnits(double units)
    {
        if (!double.IsFinite(units)) return;
        Lo = Math.Min(Lo, units);
        Hi = Math.Max(Hi, units);
    }

    /// <summary>The position of a category, added when new.</summary>
    public int IndexOf(string category)
    {
        int i = Categories.IndexOf(category);
        if (i >= 0) return i;
        Categories.Add(category);
        return Categories.Count - 1;
    }

    /// <summary>Fixes the range: categories span -0.5 .. n-0.5; an empty or single-valued range gets a width; <paramref name="pad"/> adds a margin.</summary>
    public void Finish(double pad)
    {
        if (Category)
        {
            Lo = Math.Min(double.IsFinite(Lo) ? Lo : 0, -0.5);
            Hi = Math.Max(double.IsFinite(Hi) ? Hi : 0, Categories.Count - 0.5);
            return;
        }
        if (!double.IsFinite(Lo) || !double.IsFinite(Hi)) { Lo = 0; Hi = 1; }
        if (Hi - Lo < 1e-12)
        {
            double w = Math.Abs(Lo) > 1e-9 ? Math.Abs(Lo) * 0.1 : 0.5;
            Lo -= w;
            Hi += w;
        }
        double extra = (Hi - Lo) * pad;
        Lo -= extra;
        Hi += extra;
    }

    /// <summary>The pixel of a value in axis units (a category index, or log10 of the value on a log axis).</summary>
    public double MapUnits(double units)
    {
        double f = (units - Lo) / (Hi - Lo);
        if (Reversed) f = 1 - f;
        return P0 + f * (P1 - P0);
    }

    /// <summary>The pixel of a data value.</summary>
    public double Map(double value) => MapUnits(Log ? (value > 0 ? Math.Log10(value) : double.NaN) : value);

    /// <summary>Pixels per axis unit (positive).</summary>
    public double Scale => Math.Abs(P1 - P0) / (Hi - Lo);

    /// <summary>Tick positions (axis units) and labels: about five round values, decades on a log axis, every category (thinned when many).</summary>
    public IEnumerable<(double Units, string Label)> Ticks()
    {
        if (Category)
        {
            int stride = Math.Max(1, (int)Math.Ceiling(Categories.Count / 30.0));
            for (int i = 0; i < Categories.Count; i += stride) yield return (i, Categories[i]);
            yield break;
        }
        if (Log)
        {
            double span = Hi - Lo;
            int[] mantissas = span < 1.2 ? [1, 2, 5] : [1];
            for (int d = (int)Math.Floor(Lo); d <= (int)Math.Ceiling(Hi); d++)
                foreach (var m in mantissas)
                {
                    double units = d + Math.Log10(m);
                    if (units >= Lo - 1e-9 && units <= Hi + 1e-9) yield return (units, Label(m * Math.Pow(10, d)));
                }
            yield break;
        }
        double rough = (Hi - Lo) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double norm = rough / magnitude;
        double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
        for (double v = Math.Ceiling(Lo / step) * step; v <= Hi + step * 1e-6; v += step)
            yield return (v, Label(Math.Abs(v) < step * 1e-6 ? 0 : v));
    }

    private static string Label(double v)
    {
        double a = Math.Abs(v);
        return a != 0 && (a >= 1e5 || a < 1e-3) ? v.ToString("0.#E+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);
    }
}

using MotionWorkbench.Render.Plots;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Notebooks.Tests;

/// <summary>The plotly.js bundle installed by environment/plotly.sh, or null.</summary>
public static class PlotlyBundle
{
    public static string? Path { get; } = PlotlyJs.Find(SharedData.RepoRoot);
}

/// <summary>A fact that is skipped, with the reason, when plotly.js is not installed.</summary>
public sealed class PlotlyFactAttribute : FactAttribute
{
    public PlotlyFactAttribute()
    {
        if (PlotlyBundle.Path is null) Skip = "plotly.js is not installed under environment/plotly (run environment/plotly.sh)";
    }
}

/// <summary>A fact that needs Debian's chromium at /usr/bin/chromium and plotly.js; skipped with the reason otherwise.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is absent (install it with: apt-get install chromium); the browser test never downloads a browser";
        else if (PlotlyBundle.Path is null) Skip = "plotly.js is not installed under environment/plotly (run environment/plotly.sh)";
    }
}

using System.Text.RegularExpressions;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Render.Tests.Views;

/// <summary>The inline SVG line chart of self-contained reports (a run's summary.html draws its curves with it).</summary>
public sealed class SvgLinesTests
{
    [Fact]
    public void SvgLines_MapsPointsIntoThePlotArea_WithLegendAndChanceLine()
    {
        var svg = Charts.SvgLines([new LineSeries("loss <a>", "#123456", [(0, 0), (10, 2)]), new LineSeries("single", "#654321", [(5, 1)], Dashed: true)],
            "step", "0.0", reference: 3, referenceLabel: "chance ln B", width: 170, height: 140);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"170\" height=\"140\"", svg);
        // x: 60 + x/10 * (170 - 70); y: 10 + (1 - y/3.15) * (140 - 40) (the reference line lifts the top to 1.05 x 3)
        Assert.Contains("points=\"60.0,110.0 160.0,46.5\"", svg);
        Assert.Contains("<circle cx=\"110.0\" cy=\"78.3\" r=\"3\" fill=\"#654321\"/>", svg);
        Assert.Contains("stroke-dasharray=\"4 3\" points=\"110.0,78.3\"", svg);
        Assert.Contains(">loss &lt;a&gt;</text>", svg);
        Assert.Contains("<line class=\"chance\"", svg);
        Assert.Contains(">chance ln B = 3.000</text>", svg);
        Assert.Equal(5, Regex.Matches(svg, "stroke=\"#eee\"").Count);
        Assert.Contains(">step 0</text>", svg);
        Assert.Contains(">step 10</text>", svg);
        Assert.DoesNotContain("<script", svg);
    }

    [Fact]
    public void SvgLines_WithoutPoints_SaysSo_AndWithoutReference_HasNoChanceLine()
    {
        Assert.Equal("<p>(nothing logged)</p>", Charts.SvgLines([new LineSeries("empty", "#000", [])], "epoch", "0.00"));
        Assert.DoesNotContain("class=\"chance\"", Charts.SvgLines([new LineSeries("a", "#000", [(1, 1), (2, 2)])], "epoch", "0.00"));
    }
}

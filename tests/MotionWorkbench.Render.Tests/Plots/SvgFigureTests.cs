using System.Globalization;
using System.Xml.Linq;
using MotionWorkbench.Render.Images;
using MotionWorkbench.Render.Plots;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Render.Tests.Plots;

/// <summary>The static SVG drawing of a figure (<see cref="SvgFigure"/>): the data lands where the axes say, in the right colours.</summary>
public sealed class SvgFigureTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Renders and parses (the drawing must be well-formed XML, as it is embedded in HTML and in notebooks).</summary>
    private static XElement Draw(Figure figure) => XElement.Parse(SvgFigure.Render(figure.ToJson()));

    private static double A(XElement e, string name) => double.Parse((string)e.Attribute(name)!, CultureInfo.InvariantCulture);

    private static List<(double X, double Y)> Points(XElement polyline) => [.. ((string)polyline.Attribute("points")!).Split(' ')
        .Select(p => p.Split(',')).Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))];

    [Fact]
    public void Line_IsAPolylineThroughTheData_BrokenAtAGap()
    {
        var svg = Draw(new Figure("t").Add(Trace.Line([0.0, 1, 2, 3, 4], [0.0, 1, double.NaN, 3, 4], "loss")));
        var lines = svg.Descendants(Svg + "polyline").ToList();
        Assert.Equal(2, lines.Count);                                               // null at x = 2 splits the line, as in plotly
        var first = Points(lines[0]);
        var second = Points(lines[1]);
        Assert.Equal(2, first.Count);
        Assert.Equal(2, second.Count);
        Assert.True(first[1].X > first[0].X && first[1].Y < first[0].Y, "a larger y must be drawn higher");
        double dx = first[1].X - first[0].X, dy = first[0].Y - first[1].Y;          // one unit in pixels
        Assert.Equal(first[0].X + 3 * dx, second[0].X, 1);
        Assert.Equal(first[0].Y - 3 * dy, second[0].Y, 1);
        Assert.Equal("#636efa", (string?)lines[0].Attribute("stroke"));             // plotly's first colour
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "loss");     // the legend
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "t");        // the title
    }

    [Fact]
    public void Bars_AreGroupedPerCategory_FromZero()
    {
        var svg = Draw(Charts.Bars(["walk", "run", "jump"], [("ours", [1.0, 3, 2]), ("paper", [2.0, 2, 2])], "R@1", "R@1"));
        var bars = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("fill") is "#636efa" or "#EF553B").ToList();
        Assert.Equal(6 + 2, bars.Count);                                             // 3 x 2 bars and the 2 legend swatches
        var ours = bars.Where(r => (string?)r.Attribute("fill") == "#636efa").Take(3).ToList();
        Assert.Equal(A(ours[0], "y") + A(ours[0], "height"), A(ours[1], "y") + A(ours[1], "height"), 1);   // one baseline
        Assert.Equal(3 * A(ours[0], "height"), A(ours[1], "height"), 1);           // heights in proportion: 1 and 3
        foreach (var c in new[] { "walk", "run", "jump" }) Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == c);
    }

    [Fact]
    public void Heatmap_CellsTakeTheScalesColours_RowZeroOnTopInMatrixOrientation()
    {
        var fig = new Figure { ShowLegend = false }.Add(Trace.Heatmap(new float[,] { { 0, 1 }, { 2, 3 } }, zMin: 0, zMax: 3)).MatrixOrientation();
        var cells = Draw(fig).Descendants(Svg + "rect").Where(r => ((string?)r.Attribute("fill"))?.StartsWith('#') == true && (string?)r.Attribute("fill") != "#fff" && (string?)r.Attribute("fill") != "#e5ecf6").ToList();
        Assert.Equal(4, cells.Count);
        Assert.Equal("#440154", (string?)cells[0].Attribute("fill"));               // z = zmin: Viridis' first stop
        Assert.Equal("#fde725", (string?)cells[3].Attribute("fill"));               // z = zmax: its last
        Assert.True(A(cells[0], "y") < A(cells[2], "y"), "row 0 must be above row 1 with autorange reversed");
        Assert.True(A(cells[0], "x") < A(cells[1], "x"));
    }

    [Fact]
    public void LargeHeatmap_IsOnePngOfTheSameColours()
    {
        var z = new float[80, 80];
        for (int r = 0; r < 80; r++) for (int c = 0; c < 80; c++) z[r, c] = r + c;
        var svg = Draw(new Figure().Add(Trace.Heatmap(z, zMin: 0, zMax: 158)).MatrixOrientation());
        var image = Assert.Single(svg.Descendants(Svg + "image"));
        var png = Png.Decode(Convert.FromBase64String(((string)image.Attribute("href")!)["data:image/png;base64,".Length..]));
        Assert.Equal((80, 80), (png.Width, png.Height));
        var (r0, g0, b0) = ColorScales.Rgb("Viridis", 0);
        Assert.Equal([r0, g0, b0], png.Pixels.AsSpan(0, 3).ToArray());               // z[0, 0] = zmin, drawn top left
        Assert.DoesNotContain(svg.Descendants(Svg + "rect"), r => (string?)r.Attribute("fill") == ColorScales.At("Viridis", 0));
    }

    [Fact]
    public void LogAxis_HasTicksAtDecades()
    {
        var fig = new Figure().Add(Trace.Line([1.0, 10, 100, 1000], [1.0, 2, 3, 4])).XAxis("k", type: "log");
        var labels = Draw(fig).Descendants(Svg + "text").Select(t => t.Value).ToList();
        foreach (var decade in new[] { "1", "10", "100", "1000" }) Assert.Contains(decade, labels);
        Assert.Contains("k", labels);
    }

    [Fact]
    public void ImageTrace_EmbedsItsPng_AndSubplotTitlesAreDrawn()
    {
        var rgb = new byte[4 * 3 * 3];
        var fig = Figure.Grid(1, 2, "grid").Add(Trace.Image(rgb, 4, 3), 1, 1).Add(Trace.Line([0.0, 1], [1.0, 0]), 1, 2).SubplotTitle("left", 1, 1).SubplotTitle("right", 1, 2);
        var svg = Draw(fig);
        var image = Assert.Single(svg.Descendants(Svg + "image"));
        Assert.StartsWith("data:image/png;base64,", (string?)image.Attribute("href"));
        Assert.Equal(4.0 / 3, A(image, "width") / A(image, "height"), 1);         // equal units: the axes span the pixels
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("left", texts);
        Assert.Contains("right", texts);
    }

    [Fact]
    public void ConfusionMatrix_WritesTheCounts()
    {
        var texts = Draw(Charts.ConfusionMatrix(new[,] { { 5, 1 }, { 2, 6 } }, ["a", "b"])).Descendants(Svg + "text").Select(t => t.Value).ToList();
        foreach (var n in new[] { "5", "1", "2", "6" }) Assert.Contains(n, texts);
    }
}

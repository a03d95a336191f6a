using System.Text.Json.Nodes;
using MotionWorkbench.Render.Images;
using MotionWorkbench.Render.Plots;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Render.Tests.Views;

public sealed class ViewTests
{
    [Fact]
    public void ConfusionMatrix_NormalisesRows_AndWritesCounts()
    {
        var fig = Charts.ConfusionMatrix(new[,] { { 3, 1 }, { 0, 0 } }, ["a", "b"]);
        var trace = fig.ToJsonObject()["data"]![0]!;
        Assert.Equal([0.75, 0.25, 0, 0], TypedArray.Decode(trace["z"]!));
        Assert.Equal("[[\"3\",\"1\"],[\"0\",\"0\"]]", trace["text"]!.ToJsonString());
        Assert.Equal("reversed", (string?)fig.ToJsonObject()["layout"]!["yaxis"]!["autorange"]);
        Assert.Contains("negative count", Assert.Throws<ArgumentException>(() => Charts.ConfusionMatrix(new[,] { { -1 } }, ["a"])).Message);
        Assert.Throws<ArgumentException>(() => Charts.ConfusionMatrix(new int[2, 2], ["a"]));
    }

    [Fact]
    public void TrainingCurves_OnePanelPerGroup()
    {
        var fig = Charts.TrainingCurves([
            new CurveSeries("train", [0, 1], [2, 1]),
            new CurveSeries("val", [0, 1], [2.5, 1.5]),
            new CurveSeries("R@1", [0, 1], [5, 9], "recall"),
        ]);
        Assert.Equal((1, 2), (fig.Rows, fig.Cols));
        var data = fig.ToJsonObject()["data"]!.AsArray();
        Assert.Equal(["x", "x", "x2"], data.Select(d => (string?)d!["xaxis"] ?? "x"));
        Assert.Throws<ArgumentException>(() => Charts.TrainingCurves([new CurveSeries("bad", [0, 1], [1])]));
    }

    [Fact]
    public void MetricTable_ShowsOursBesidePublished_BoldsTheBetter_AndWritesCsv()
    {
        var table = new MetricTable("Table 2", ["R@1", "MedR"], lowerIsBetter: ["MedR"])
            .Add("ours", [12.5, 20], [10.8, 15])
            .Add("scratch", [null, 30], null);
        string html = table.ToHtml();
        Assert.Contains("<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">Table 2</caption>", html);
        Assert.Contains("font-weight:bold\">12.50</td>", html);       // higher R@1 than the paper
        Assert.Contains(">20.00</td>", html);
        Assert.DoesNotContain("font-weight:bold\">20.00", html);        // MedR: lower is better, 20 > 15
        Assert.Contains("MedR ↓", html);
        Assert.Equal("label,R@1 (ours),R@1 (paper),MedR (ours),MedR (paper)\nours,12.5,10.8,20,15\nscratch,,,30,\n", table.ToCsv());
        Assert.Contains("row 'x' has 1 ours values but the table has 2 metrics", Assert.Throws<ArgumentException>(() => table.Add("x", [1.0])).Message);
    }

    [Fact]
    public void ImageView_EncodesRgbAsPng_AndRejectsNonPng()
    {
        var rgb = new byte[2 * 2 * 3];
        rgb[0] = 255;
        var view = ImageView.FromRgb(rgb, 2, 2);
        var decoded = Png.Decode(view.PngBytes);
        Assert.Equal(rgb, decoded.Pixels);
        Assert.Equal(view.Base64, view.ToMimeBundle()["image/png"]);
        var scaled = ImageView.FromPng(view.PngBytes, "tiny", scale: 8);
        Assert.Contains("width=\"16\"", scaled.ToHtml());
        Assert.Contains("<figcaption", scaled.ToHtml());
        Assert.Contains("not a PNG image (3 bytes", Assert.Throws<ArgumentException>(() => ImageView.FromPng([1, 2, 3])).Message);
    }

    [Fact]
    public void HtmlView_PassesHtmlThrough() => Assert.Equal("<svg/>", new HtmlView("<svg/>").ToHtml());
}

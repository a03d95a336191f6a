using System.Text.Json.Nodes;
using MotionWorkbench.Render.Plots;

namespace MotionWorkbench.Render.Tests.Plots;

public sealed class FigureTests
{
    [Fact]
    public void TypedArray_ShortVectorsArePlainLists_LongMatricesAreBase64WithStringShape()
    {
        var small = TypedArray.Vector(new double[] { 1, 2.5, double.NaN });
        Assert.Equal("[1,2.5,null]", small.ToJsonString());

        var data = Enumerable.Range(0, 20 * 30).Select(i => (float)i * 0.5f).ToArray();
        var big = (JsonObject)TypedArray.Matrix(data, 20, 30);
        Assert.Equal("f4", (string?)big["dtype"]);
        Assert.Equal("20,30", (string?)big["shape"]);              // a string: plotly ignores an array shape
        Assert.IsType<JsonValue>(big["shape"], exactMatch: false);
        Assert.Equal(data.Select(f => (double)f), TypedArray.Decode(big));

        var longVector = (JsonObject)TypedArray.Vector(Enumerable.Range(0, 300).Select(i => (double)i).ToArray());
        Assert.Equal("f8", (string?)longVector["dtype"]);
        Assert.Equal(299.0, TypedArray.Decode(longVector)[^1]);
        Assert.Throws<ArgumentException>(() => TypedArray.Matrix(new float[5], 2, 3));
    }

    [Fact]
    public void Figure_GridOfSubplots_UsesPlotlyV4TitlesAndIndependentAxes()
    {
        var fig = Figure.Grid(2, 2, "Runs")
            .Add(Trace.Line(new double[] { 1, 2, 3 }, "loss"), 1, 1)
            .Add(Trace.Bar(["a", "b"], [3, 4], "counts"), 2, 2)
            .XAxis("epoch", 1, 1).YAxis("value", 2, 2, type: "log")
            .SubplotTitle("bars", 2, 2);
        var json = fig.ToJsonObject();
        var layout = json["layout"]!;
        Assert.Equal("Runs", (string?)layout["title"]!["text"]);
        Assert.Equal("independent", (string?)layout["grid"]!["pattern"]);
        Assert.Equal(2, (int)layout["grid"]!["rows"]!);
        Assert.Equal("epoch", (string?)layout["xaxis"]!["title"]!["text"]);
        Assert.Equal("log", (string?)layout["yaxis4"]!["type"]);
        var traces = json["data"]!.AsArray();
        Assert.Null(traces[0]!["xaxis"]);
        Assert.Equal("x4", (string?)traces[1]!["xaxis"]);
        Assert.Equal("y4", (string?)traces[1]!["yaxis"]);
        Assert.Equal("lines", (string?)traces[0]!["mode"]);
        Assert.Equal("x4 domain", (string?)layout["annotations"]![0]!["xref"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => fig.Add(Trace.Line([1.0]), 3, 1));
    }

    [Fact]
    public void Traces_CheckTheirInputs()
    {
        Assert.Contains("x has 2 values but y has 3", Assert.Throws<ArgumentException>(() => Trace.Line([1.0, 2], [1.0, 2, 3], "bad")).Message);
        Assert.Contains("2 categories but 1 values", Assert.Throws<ArgumentException>(() => Trace.Bar(["a", "b"], [1.0])).Message);
        Assert.Contains("3 columns but 2 x labels", Assert.Throws<ArgumentException>(() => Trace.Heatmap(new float[2, 3], ["a", "b"])).Message);
    }

    [Fact]
    public void Heatmap_SmallMatrixIsNestedRowMajor()
    {
        var t = Trace.Heatmap(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }, zMin: 0, zMax: 6);
        var json = new Figure().Add(t).ToJsonObject()["data"]![0]!;
        Assert.Equal("[[1,2,3],[4,5,6]]", json["z"]!.ToJsonString());
        Assert.Equal(6.0, (double)json["zmax"]!);
    }

    [Fact]
    public void MimeBundle_CarriesPlotlyJson_AndSelfSufficientHtml()
    {
        var fig = new Figure("t").Add(Trace.Scatter([1.0, 2], [3.0, 4], "pts", colorValues: [0.1, 0.9]));
        var bundle = fig.ToMimeBundle();
        var plotly = JsonNode.Parse(bundle[Figure.PlotlyMimeType])!;
        Assert.Equal("markers", (string?)plotly["data"]![0]!["mode"]);
        Assert.Equal("Viridis", (string?)plotly["data"]![0]!["marker"]!["colorscale"]);
        string html = fig.ToHtml(embedPlotly: false);
        Assert.Contains("<div class=\"mw-figure\" id=\"mw-fig-", html);
        Assert.Contains("if(window.Plotly){el.innerHTML='';window.Plotly.newPlot(el,fig.data,fig.layout,fig.config);}", html);
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mw-static-figure\"", html);   // the static drawing, until plotly.js replaces it
        Assert.Contains(Html.HtmlText.Escape(PlotlyJs.StaticNote), html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<circle ").Count);
        Assert.DoesNotContain("</script", Html.HtmlText.ScriptSafe("a</script>b"), StringComparison.Ordinal);
    }

    [Fact]
    public void PlotlyJs_FindsTheBundleUpward()
    {
        string root = Path.Combine(Path.GetTempPath(), "mw-plotly-" + Guid.NewGuid().ToString("N")[..8]);
        string bundle = Path.Combine(root, "environment", "plotly", "node_modules", "plotly.js-dist-min", "plotly.min.js");
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
        Directory.CreateDirectory(Path.Combine(root, "notebooks", "deep"));
        File.WriteAllText(bundle, "window.Plotly={};");
        try
        {
            Assert.Equal(bundle, PlotlyJs.Find(Path.Combine(root, "notebooks", "deep")));
            Assert.Null(PlotlyJs.Find(Path.Combine(root, "nowhere")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}

using System.Text.RegularExpressions;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Render.Html;
using MotionWorkbench.Render.Plots;

namespace MotionWorkbench.Notebooks.Tests;

[Collection("executed")]
public sealed class ReportTests(ExecutedNotebooks executed)
{
    [Fact]
    public void Report_HasTocMarkdownHighlightedCodeOutputsAndTimings()
    {
        string html = HtmlReport.Render(executed.Display.Executed);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>Display test</title>", html);
        Assert.Contains("<nav class=\"toc\">", html);
        Assert.Contains("<a href=\"#display-test\">Display test</a>", html);
        Assert.Contains("<h2 id=\"values\">Values</h2>", html);
        Assert.Contains("<h2 id=\"a-markdown-cell-written-as-a-code-cell\">", html);   // a #!markdown code cell is rendered as markdown
        Assert.Contains("<span class=\"tok-kw\">var</span>", html);
        Assert.Contains("<span class=\"tok-str\">&quot;hello from stdout&quot;</span>", html);
        Assert.Contains("<span class=\"tok-dir\">#!csharp</span>", html);
        Assert.Contains("<pre class=\"stream stderr\">a warning on stderr\n</pre>", html);
        Assert.Contains("<div class=\"output-html\"><b>bold html</b></div>", html);
        Assert.Contains("<div class=\"output-markdown\"><p><em>markdown</em> text</p>", html);
        Assert.Contains("<pre class=\"output-text\">step 3</pre>", html);
        Assert.Contains("all cells succeeded", html);
        Assert.Matches(new Regex(@"<span>run \d{4}-\d\d-\d\d \d\d:\d\d UTC</span>"), html);
        Assert.Equal(5, Regex.Matches(html, "<span class=\"duration\">[0-9.]+ (ms|s)</span>").Count);
        Assert.DoesNotContain("<script", html);                     // no figure, no plotly.js
    }

    [PlotlyFact]
    public void Report_InlinesPlotlyOnce_AndDrawsFiguresFromTheirJson()
    {
        string bundle = PlotlyBundle.Path!;
        string html = HtmlReport.Render(executed.Figures.Executed, plotlyBundle: bundle);
        string head = File.ReadAllText(bundle)[..40];
        Assert.Single(Regex.Matches(html, Regex.Escape(head)));          // once per report, not once per figure
        Assert.Equal(5, Regex.Matches(html, "<div class=\"figure\" id=\"report-fig-").Count);
        Assert.Contains("<caption", html);                                         // the metric table
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void Report_WithoutPlotly_DrawsEveryFigureAsStaticSvg_AndSaysSo()
    {
        string html = HtmlReport.Render(executed.Figures.Executed, plotlyBundle: Path.Combine(executed.Files.Directory, "no-plotly.js"));
        Assert.Single(Regex.Matches(html, "class=\"plotly-missing\""));                       // the header's note
        Assert.Contains(HtmlText.Escape(PlotlyJs.StaticNote), html);
        Assert.Equal(5, Regex.Matches(html, "<div class=\"figure\"><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mw-static-figure\"").Count);
        Assert.DoesNotContain("Plotly.newPlot", html);
        Assert.DoesNotContain("not shown", html);
    }

    [Fact]
    public void Report_ShowsErrorsAndTheFailedCell()
    {
        var nb = new Notebook();
        var cell = new NotebookCell("code", "throw new Exception(\"x\");") { ExecutionCount = 1 };
        cell.Outputs.Add(new System.Text.Json.Nodes.JsonObject
        {
            ["output_type"] = "error", ["ename"] = "Exception", ["evalue"] = "Cell 1, line 1: System.Exception: x <b>",
            ["traceback"] = new System.Text.Json.Nodes.JsonArray("Cell 1, line 1:", "System.Exception: x"),
        });
        nb.Cells.Add(cell);
        string html = HtmlReport.Render(nb, "Errors");
        Assert.Contains("<section class=\"cell code failed\" id=\"cell-1\">", html);
        Assert.Contains("Exception: Cell 1, line 1: System.Exception: x &lt;b&gt;", html);
        Assert.Contains("<a href=\"#cell-1\">cell 1 failed</a>", html);
    }

    [Fact]
    public void Report_RendersSvgJpegAndJupyterExecuteResults()
    {
        const string json = """
            {"nbformat": 4, "nbformat_minor": 4, "metadata": {},
             "cells": [{"cell_type": "code", "execution_count": 7, "metadata": {}, "source": "x",
               "outputs": [
                 {"output_type": "execute_result", "execution_count": 7, "metadata": {}, "data": {"text/plain": ["42"]}},
                 {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": ["<svg width=\"4\" height=\"4\">", "</svg>"], "text/plain": "svg"}},
                 {"output_type": "display_data", "metadata": {}, "data": {"image/jpeg": "/9j/AAAA\nBBBB\n"}}
               ]}]}
            """;
        string html = HtmlReport.Render(Notebook.Parse(json, "jupyter.ipynb"));
        Assert.Contains("<pre class=\"output-text\">42</pre>", html);
        Assert.Contains("<div class=\"output-svg\"><svg width=\"4\" height=\"4\"></svg></div>", html);
        Assert.Contains("<img src=\"data:image/jpeg;base64,/9j/AAAABBBB\"", html);
        Assert.Contains("<span class=\"count\">[7]</span>", html);
    }

    [Fact]
    public void Highlighter_TokenizesStringsCommentsNumbersAndKeywords()
    {
        string code = "var s = $\"a {b}\"; // note\nint n = 42; /* c */ var v = @\"x\"\"y\"; var r = \"\"\"raw \" text\"\"\";\n#r \"x.dll\"";
        string html = CSharpHighlighter.Highlight(code);
        Assert.Contains("<span class=\"tok-str\">$&quot;a {b}&quot;</span>", html);
        Assert.Contains("<span class=\"tok-com\">// note</span>", html);
        Assert.Contains("<span class=\"tok-num\">42</span>", html);
        Assert.Contains("<span class=\"tok-com\">/* c */</span>", html);
        Assert.Contains("<span class=\"tok-str\">@&quot;x&quot;&quot;y&quot;</span>", html);
        Assert.Contains("<span class=\"tok-str\">&quot;&quot;&quot;raw &quot; text&quot;&quot;&quot;</span>", html);
        Assert.Contains("<span class=\"tok-dir\">#r &quot;x.dll&quot;</span>", html);
        Assert.Contains("<span class=\"tok-kw\">int</span>", html);
        Assert.Equal(code, System.Net.WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", "")));   // nothing lost
    }

    [Fact]
    public void IndexPage_LinksEachReport_WithStatus()
    {
        var entries = new[]
        {
            IndexPage.From(executed.Display, "display.html"),
            new IndexPage.Entry("broken.ipynb", null, "error", 0, 0, null, TimeSpan.Zero, "broken.ipynb: not valid JSON"),
        };
        string html = IndexPage.Render(entries, "Notebook run", DateTimeOffset.UtcNow, [KeyValuePair.Create("preset", "Smoke")]);
        Assert.Contains("<a href=\"display.html\">display.ipynb</a>", html);
        Assert.Contains("<td class=\"ok\">ok</td><td>5 / 5</td>", html);
        Assert.Contains("<td class=\"error\">error</td>", html);
        Assert.Contains("1 failed", html);
        Assert.Contains("parameters: preset=Smoke", html);
    }
}

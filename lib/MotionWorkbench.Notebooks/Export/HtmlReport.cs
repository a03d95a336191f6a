using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Render.Html;
using MotionWorkbench.Render.Plots;

namespace MotionWorkbench.Notebooks.Export;

/// <summary>
/// One self-contained, offline HTML file per executed notebook: a header (title, run date, total time, status, injected
/// parameters), a table of contents from the markdown headings, markdown rendered with Markdig, code cells with C#
/// highlighting and each cell's duration, and every output (plotly figures, HTML, PNG/JPEG, SVG, markdown, text, errors).
/// plotly.js is inlined once in the page when a figure needs it; without it each figure is a static SVG drawing of the same
/// data (<see cref="SvgFigure"/>) and the header says so.
/// </summary>
public static class HtmlReport
{
    /// <summary>Renders an executed notebook; <paramref name="plotlyBundle"/> null looks for environment/plotly above the notebook.</summary>
    public static string Render(Notebook notebook, string? title = null, string? plotlyBundle = null)
    {
        var markdown = new MarkdownRenderer();
        var body = new StringBuilder();
        bool needsPlotly = notebook.Cells.Any(c => c.Outputs.Any(o => o["data"] is JsonObject d && d.ContainsKey(Figure.PlotlyMimeType)));
        string? bundlePath = plotlyBundle ?? (notebook.SourcePath is { } p ? PlotlyJs.Find(Path.GetDirectoryName(Path.GetFullPath(p))!) : null)
                             ?? PlotlyJs.Find(AppContext.BaseDirectory);
        bool havePlotly = needsPlotly && bundlePath is not null && File.Exists(bundlePath);
        int figure = 0;
        DateTimeOffset? firstStart = null, lastEnd = null;
        int? failedCell = null;
        string? injected = null;

        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            int number = i + 1;
            string kernel = cell.IsCode ? cell.KernelName(notebook.DefaultKernel) : cell.CellType;
            if (cell.CellType == "markdown" || kernel == "markdown")
            {
                string text = kernel == "markdown" && cell.IsCode ? StripSelector(cell.Source) : cell.Source;
                body.Append("<section class=\"cell markdown\" id=\"cell-").Append(number).Append("\">").Append(markdown.Render(text)).Append("</section>\n");
                continue;
            }
            if (cell.CellType == "raw")
            {
                body.Append("<section class=\"cell raw\"><pre>").Append(HtmlText.Escape(cell.Source)).Append("</pre></section>\n");
                continue;
            }
            var (start, end) = Timing(cell);
            if (start is not null && (firstStart is null || start < firstStart)) firstStart = start;
            if (end is not null && (lastEnd is null || end > lastEnd)) lastEnd = end;
            if (cell.HasTag("injected-parameters")) injected = cell.Source;
            bool failed = cell.Outputs.Any(o => (string?)o["output_type"] == "error");
            if (failed) failedCell ??= number;

            body.Append("<section class=\"cell code").Append(failed ? " failed" : "").Append("\" id=\"cell-").Append(number).Append("\">");
            body.Append("<div class=\"cell-head\"><span class=\"count\">[").Append(cell.ExecutionCount?.ToString(CultureInfo.InvariantCulture) ?? " ").Append("]</span>");
            body.Append("<span class=\"cell-no\">cell ").Append(number).Append("</span>");
            foreach (var tag in cell.Tags) body.Append("<span class=\"tag\">").Append(HtmlText.Escape(tag)).Append("</span>");
            if (start is not null && end is not null) body.Append("<span class=\"duration\">").Append(Duration(end.Value - start.Value)).Append("</span>");
            else if (cell.ExecutionCount is null) body.Append("<span class=\"duration\">not run</span>");
            body.Append("</div>");
            body.Append("<pre class=\"source\"><code>").Append(CSharpHighlighter.Highlight(cell.Source)).Append("</code></pre>");
            if (cell.Outputs.Count > 0)
            {
                body.Append("<div class=\"outputs\">");
                foreach (var output in cell.Outputs) body.Append(Output(output, markdown, havePlotly, needsPlotly, ref figure));
                body.Append("</div>");
            }
            body.Append("</section>\n");
        }

        title ??= markdown.Headings.FirstOrDefault(h => h.Level == 1)?.Text
                  ?? (notebook.SourcePath is { } sp ? Path.GetFileNameWithoutExtension(sp) : "Notebook");
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append("<meta name=\"generator\" content=\"mw notebook (MotionWorkbench)\">\n");
        page.Append("<title>").Append(HtmlText.Escape(title)).Append("</title>\n<style>").Append(Css).Append("</style>\n");
        if (havePlotly) page.Append("<script>").Append(HtmlText.ScriptSafe(File.ReadAllText(bundlePath!))).Append("</script>\n");
        page.Append("</head>\n<body>\n<header class=\"report-head\"><h1 class=\"report-title\">").Append(HtmlText.Escape(title)).Append("</h1><p class=\"meta\">");
        if (notebook.SourcePath is { } source) page.Append("<span>").Append(HtmlText.Escape(Path.GetFileName(source))).Append("</span>");
        if (firstStart is not null) page.Append("<span>run ").Append(firstStart.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append("</span>");
        if (firstStart is not null && lastEnd is not null) page.Append("<span>total ").Append(Duration(lastEnd.Value - firstStart.Value)).Append("</span>");
        else page.Append("<span>not executed</span>");
        page.Append(failedCell is null ? "<span class=\"status ok\">all cells succeeded</span>" : $"<span class=\"status bad\"><a href=\"#cell-{failedCell}\">cell {failedCell} failed</a></span>");
        page.Append("</p>");
        if (injected is not null) page.Append("<pre class=\"params\">").Append(HtmlText.Escape(injected)).Append("</pre>");
        if (needsPlotly && !havePlotly) page.Append("<p class=\"plotly-missing\">").Append(HtmlText.Escape(PlotlyJs.StaticNote)).Append("</p>");
        page.Append("</header>\n");
        if (markdown.Headings.Count > 0)
        {
            page.Append("<nav class=\"toc\"><h2>Contents</h2><ul>");
            foreach (var h in markdown.Headings.Where(h => h.Level <= 3))
                page.Append("<li class=\"toc-").Append(h.Level).Append("\"><a href=\"#").Append(HtmlText.Escape(h.Id)).Append("\">").Append(HtmlText.Escape(h.Text)).Append("</a></li>");
            page.Append("</ul></nav>\n");
        }
        page.Append("<main>\n").Append(body).Append("</main>\n</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>Renders and writes the report atomically.</summary>
    public static void Write(Notebook notebook, string path, string? title = null, string? plotlyBundle = null)
        => AtomicFile.WriteAllText(path, Render(notebook, title, plotlyBundle));

    private static string Output(JsonObject output, MarkdownRenderer markdown, bool havePlotly, bool needsPlotly, ref int figure)
    {
        switch ((string?)output["output_type"])
        {
            case "stream":
                string name = (string?)output["name"] ?? "stdout";
                return $"<pre class=\"stream {HtmlText.Escape(name)}\">{HtmlText.Escape(Notebook.JoinLines(output["text"]))}</pre>";
            case "error":
                var tb = output["traceback"] is JsonArray t ? string.Join("\n", t.Select(x => x?.ToString() ?? "")) : "";
                return $"<div class=\"error\"><div class=\"error-title\">{HtmlText.Escape((string?)output["ename"])}: {HtmlText.Escape((string?)output["evalue"])}</div>"
                       + (tb.Length > 0 ? $"<details><summary>traceback</summary><pre>{HtmlText.Escape(tb)}</pre></details>" : "") + "</div>";
            case "display_data" or "execute_result" when output["data"] is JsonObject data:
                return DisplayData(data, markdown, havePlotly, ref figure);
            default:
                return $"<pre class=\"unknown\">{HtmlText.Escape(output.ToJsonString())}</pre>";
        }
    }

    private static string DisplayData(JsonObject data, MarkdownRenderer markdown, bool havePlotly, ref int figure)
    {
        if (data[Figure.PlotlyMimeType] is JsonObject fig)
        {
            if (!havePlotly) return $"<div class=\"figure\">{SvgFigure.Render(fig)}</div>";
            string id = "report-fig-" + (++figure).ToString(CultureInfo.InvariantCulture);
            int height = fig["layout"]?["height"] is JsonValue h && h.TryGetValue<int>(out var hv) ? hv : 400;
            return $"<div class=\"figure\" id=\"{id}\" style=\"min-height:{height}px\"></div>" + Figure.DrawScript(id, fig.ToJsonString());
        }
        if (data["text/html"] is { } html) return "<div class=\"output-html\">" + Notebook.JoinLines(html) + "</div>";
        if (data["image/svg+xml"] is { } svg) return "<div class=\"output-svg\">" + Notebook.JoinLines(svg) + "</div>";
        foreach (var mime in new[] { "image/png", "image/jpeg", "image/gif" })
            if (data[mime] is { } img)
                return $"<div class=\"output-image\"><img src=\"data:{mime};base64,{string.Concat(Notebook.JoinLines(img).Where(c => !char.IsWhiteSpace(c)))}\" alt=\"output image\"></div>";
        if (data["text/markdown"] is { } md) return "<div class=\"output-markdown\">" + markdown.Render(Notebook.JoinLines(md)) + "</div>";
        if (data["application/json"] is { } json)
            return $"<pre class=\"output-text\">{HtmlText.Escape(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))}</pre>";
        if (data["text/plain"] is { } text) return $"<pre class=\"output-text\">{HtmlText.Escape(Notebook.JoinLines(text))}</pre>";
        return $"<pre class=\"unknown\">output with MIME types {HtmlText.Escape(string.Join(", ", data.Select(p => p.Key)))}</pre>";
    }

    internal static (DateTimeOffset? Start, DateTimeOffset? End) Timing(NotebookCell cell)
    {
        if (cell.Metadata["execution"] is not JsonObject e) return (null, null);
        return (Parse((string?)e["iopub.execute_input"]), Parse((string?)e["shell.execute_reply"]));
        static DateTimeOffset? Parse(string? s)
            => s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }

    /// <summary>A short human duration: "350 ms", "4.2 s", "3 min 5 s", "2 h 7 min".</summary>
    public static string DurationText(TimeSpan t) => Duration(t);

    internal static string Duration(TimeSpan t) => t.TotalSeconds switch
    {
        < 1 => $"{t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms",
        < 60 => $"{t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
        < 3600 => $"{(int)t.TotalMinutes} min {t.Seconds} s",
        _ => $"{(int)t.TotalHours} h {t.Minutes} min",
    };

    private static string StripSelector(string source)
        => string.Join('\n', source.Split('\n').SkipWhile(l => l.TrimStart().StartsWith("#!", StringComparison.Ordinal)));

    internal const string Css = """
        body{font:15px/1.5 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;max-width:1100px;margin:0 auto;padding:16px 24px 80px}
        .report-head{border-bottom:2px solid #d0d7de;margin-bottom:12px}.report-title{margin:8px 0 4px;font-size:26px}
        .meta span{display:inline-block;margin-right:14px;color:#57606a;font-size:13px}.status.ok{color:#1a7f37!important;font-weight:600}.status.bad a{color:#cf222e;font-weight:600}
        .params{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;font-size:12px}
        .toc{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:6px 16px;margin:12px 0 20px}.toc h2{font-size:14px;margin:6px 0;color:#57606a}
        .toc ul{list-style:none;margin:0;padding:0;columns:2}.toc li{font-size:13px}.toc-2{padding-left:14px}.toc-3{padding-left:28px}
        .cell{margin:10px 0}.cell.markdown h1,.cell.markdown h2,.cell.markdown h3{border-bottom:1px solid #eaeef2;padding-bottom:2px}
        .cell.code{border:1px solid #d0d7de;border-radius:6px;overflow:hidden}.cell.code.failed{border-color:#cf222e}
        .cell-head{background:#f6f8fa;font-size:12px;color:#57606a;padding:2px 10px;display:flex;gap:12px}.cell-head .duration{margin-left:auto}
        .tag{background:#ddf4ff;color:#0969da;border-radius:8px;padding:0 6px}
        pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12.5px/1.45 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
        pre.source{background:#fbfcfd;padding:8px 12px;border-bottom:1px solid #eaeef2}
        .outputs{padding:6px 12px;overflow-x:auto}.outputs>*{margin:4px 0}
        pre.stream{color:#24292f}pre.stream.stderr{color:#9a6700;background:#fff8c5}pre.output-text{color:#24292f}
        .error{background:#ffebe9;border-left:4px solid #cf222e;padding:6px 10px}.error-title{font:600 13px ui-monospace,monospace;color:#82071e;white-space:pre-wrap}
        .error pre{font-size:11.5px;color:#57606a}.plotly-missing{border:1px dashed #bc4c00;color:#bc4c00;padding:8px;font-size:13px}
        .output-image img{max-width:100%;image-rendering:pixelated}.figure{width:100%}
        table{border-collapse:collapse}td,th{padding:2px 8px}.cell.markdown table td,.cell.markdown table th{border:1px solid #d0d7de}
        .tok-kw{color:#cf222e}.tok-str{color:#0a3069}.tok-com{color:#6e7781;font-style:italic}.tok-num{color:#0550ae}.tok-dir{color:#8250df}.tok-type{color:#953800}.tok-fn{color:#6639ba}
        """;
}

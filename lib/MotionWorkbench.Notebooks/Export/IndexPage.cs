using System.Globalization;
using System.Text;
using MotionWorkbench.Notebooks.Running;
using MotionWorkbench.Render.Html;

namespace MotionWorkbench.Notebooks.Export;

/// <summary>The index of a <c>run-all</c>: one row per notebook with its status, cells, time and a link to its report.</summary>
public static class IndexPage
{
    public sealed record Entry(string Notebook, string? ReportFile, string Status, int CellsRun, int CodeCells, int? FailedCell, TimeSpan Duration, string? Message);

    public static Entry From(RunResult result, string? reportFile) => new(
        Path.GetFileName(result.NotebookPath), reportFile,
        result.Succeeded ? "ok" : result.TimedOut ? "timeout" : "failed",
        result.CellsRun, result.CodeCells, result.FailedCell, result.Duration, result.FailureMessage);

    public static string Render(IReadOnlyList<Entry> entries, string title, DateTimeOffset started, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var sb = new StringBuilder();
        int failed = entries.Count(e => e.Status != "ok");
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(HtmlText.Escape(title)).Append("</title>\n<style>").Append(HtmlReport.Css)
          .Append("table.runs{width:100%;font-size:14px}table.runs th{text-align:left;border-bottom:2px solid #d0d7de}table.runs td{border-bottom:1px solid #eaeef2}.ok{color:#1a7f37}.failed,.timeout,.error{color:#cf222e;font-weight:600}")
          .Append("</style>\n</head>\n<body>\n<header class=\"report-head\"><h1 class=\"report-title\">").Append(HtmlText.Escape(title)).Append("</h1><p class=\"meta\">")
          .Append("<span>run ").Append(started.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append("</span>")
          .Append("<span>").Append(entries.Count).Append(" notebook(s)</span>")
          .Append(failed == 0 ? "<span class=\"status ok\">all succeeded</span>" : $"<span class=\"status bad\"><a>{failed} failed</a></span>");
        if (parameters.Count > 0) sb.Append("<span>parameters: ").Append(HtmlText.Escape(string.Join(" ", parameters.Select(p => $"{p.Key}={p.Value}")))).Append("</span>");
        sb.Append("</p></header>\n<table class=\"runs\"><thead><tr><th>notebook</th><th>status</th><th>cells run</th><th>time</th><th>note</th></tr></thead><tbody>\n");
        foreach (var e in entries)
        {
            string name = e.ReportFile is null ? HtmlText.Escape(e.Notebook) : $"<a href=\"{HtmlText.Escape(Uri.EscapeDataString(e.ReportFile))}\">{HtmlText.Escape(e.Notebook)}</a>";
            string note = e.FailedCell is { } c ? $"cell {c} failed" + (e.Message is { } m ? $": {m}" : "") : e.Message ?? "";
            sb.Append("<tr><td>").Append(name).Append("</td><td class=\"").Append(e.Status).Append("\">").Append(e.Status).Append("</td><td>")
              .Append(e.CellsRun).Append(" / ").Append(e.CodeCells).Append("</td><td>").Append(HtmlReport.Duration(e.Duration)).Append("</td><td>")
              .Append(HtmlText.Escape(note)).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n</body>\n</html>\n");
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Render.Html;

namespace MotionWorkbench.Render.Plots;

/// <summary>
/// A plotly.js v4 figure: traces placed on a grid of subplots (1 x 1 by default), with titles, axis labels and legend.
/// Shown in a notebook it is a self-sufficient HTML output (the plotly.js bundle inlined, when installed) that also
/// carries <c>application/vnd.plotly.v1+json</c>; the HTML report draws it from that JSON with one shared plotly.js.
/// </summary>
[Interactive.TypeFormatterSource(typeof(Interactive.ViewFormatterSource), PreferredMimeTypes = [Plots.Figure.PlotlyMimeType, "text/html", "text/plain"])]
public sealed class Figure : IMimeView
{
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";
    private static int counter;

    private readonly List<(Trace Trace, int Row, int Col)> traces = [];
    private readonly Dictionary<int, JsonObject> xAxes = [];
    private readonly Dictionary<int, JsonObject> yAxes = [];
    private readonly Dictionary<int, string> subplotTitles = [];

    public Figure(string? title = null, int rows = 1, int cols = 1)
    {
        if (rows < 1 || cols < 1 || rows * cols > 400) throw new ArgumentException($"subplot grid must be 1..400 cells, got {rows} x {cols}");
        Title = title;
        Rows = rows;
        Cols = cols;
    }

    public string? Title { get; set; }
    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Height in pixels; by default 360 plus 220 per extra subplot row.</summary>
    public int? Height { get; set; }
    /// <summary>Width in pixels; null lets the figure fill its container.</summary>
    public int? Width { get; set; }
    public bool ShowLegend { get; set; } = true;
    public IReadOnlyList<(Trace Trace, int Row, int Col)> Traces => traces;

    /// <summary>A grid of subplots (rows x cols), filled with <see cref="Add"/>.</summary>
    public static Figure Grid(int rows, int cols, string? title = null) => new(title, rows, cols);

    /// <summary>Adds a trace to the subplot at (row, col), both 1-based.</summary>
    public Figure Add(Trace trace, int row = 1, int col = 1)
    {
        ArgumentNullException.ThrowIfNull(trace);
        Cell(row, col);
        traces.Add((trace, row, col));
        return this;
    }

    /// <summary>Sets the x-axis title of a subplot; <paramref name="type"/> may be "linear", "log" or "category".</summary>
    public Figure XAxis(string? title, int row = 1, int col = 1, string? type = null, bool? showGrid = null)
        => Axis(xAxes, Cell(row, col), title, type, showGrid);

    /// <summary>Sets the y-axis title of a subplot.</summary>
    public Figure YAxis(string? title, int row = 1, int col = 1, string? type = null, bool? showGrid = null)
        => Axis(yAxes, Cell(row, col), title, type, showGrid);

    /// <summary>Sets a plotly attribute of a subplot's x axis (e.g. "range", "tickangle", "visible").</summary>
    public Figure XAxisAttribute(string name, JsonNode? value, int row = 1, int col = 1) { AxisObject(xAxes, Cell(row, col))[name] = value; return this; }

    /// <summary>Sets a plotly attribute of a subplot's y axis (e.g. "autorange" = "reversed", "scaleanchor").</summary>
    public Figure YAxisAttribute(string name, JsonNode? value, int row = 1, int col = 1) { AxisObject(yAxes, Cell(row, col))[name] = value; return this; }

    /// <summary>A small title above one subplot.</summary>
    public Figure SubplotTitle(string title, int row, int col) { subplotTitles[Cell(row, col)] = title; return this; }

    /// <summary>Equal x and y units in one subplot (square heatmap cells, undistorted images).</summary>
    public Figure EqualAspect(int row = 1, int col = 1)
    {
        int k = Cell(row, col);
        AxisObject(yAxes, k)["scaleanchor"] = AxisRef("x", k);
        return this;
    }

    /// <summary>Draws row 0 of a heatmap at the top of the subplot (matrix orientation).</summary>
    public Figure MatrixOrientation(int row = 1, int col = 1) => YAxisAttribute("autorange", "reversed", row, col);

    /// <summary>The figure as plotly JSON: <c>{"data": [...], "layout": {...}, "config": {...}}</c>.</summary>
    public JsonObject ToJsonObject()
    {
        var data = new JsonArray();
        foreach (var (trace, row, col) in traces)
        {
            int k = (row - 1) * Cols + col;
            data.Add(trace.ToJson(AxisRef("x", k), AxisRef("y", k)));
        }
        var layout = new JsonObject
        {
            ["height"] = Height ?? 360 + 220 * (Rows - 1),
            ["showlegend"] = ShowLegend,
            ["margin"] = new JsonObject { ["l"] = 60, ["r"] = 30, ["t"] = Title is null ? 40 : 70, ["b"] = 50 },
        };
        if (Width is not null) layout["width"] = Width.Value;
        if (Title is not null) layout["title"] = new JsonObject { ["text"] = Title };
        if (Rows * Cols > 1)
            layout["grid"] = new JsonObject { ["rows"] = Rows, ["columns"] = Cols, ["pattern"] = "independent", ["roworder"] = "top to bottom" };
        foreach (var (k, axis) in xAxes.OrderBy(p => p.Key)) layout[k == 1 ? "xaxis" : $"xaxis{k}"] = axis.DeepClone();
        foreach (var (k, axis) in yAxes.OrderBy(p => p.Key)) layout[k == 1 ? "yaxis" : $"yaxis{k}"] = axis.DeepClone();
        if (subplotTitles.Count > 0)
        {
            var annotations = new JsonArray();
            foreach (var (k, text) in subplotTitles.OrderBy(p => p.Key))
            {
                annotations.Add(new JsonObject
                {
                    ["text"] = text,
                    ["showarrow"] = false,
                    ["xref"] = AxisRef("x", k) + " domain",
                    ["yref"] = AxisRef("y", k) + " domain",
                    ["x"] = 0.5,
                    ["y"] = 1.0,
                    ["xanchor"] = "center",
                    ["yanchor"] = "bottom",
                    ["font"] = new JsonObject { ["size"] = 12 },
                });
            }
            layout["annotations"] = annotations;
        }
        return new JsonObject
        {
            ["data"] = data,
            ["layout"] = layout,
            ["config"] = new JsonObject { ["responsive"] = true, ["displaylogo"] = false },
        };
    }

    public string ToJson() => ToJsonObject().ToJsonString();

    /// <summary>Self-sufficient HTML: a div, the plotly.js bundle inlined (when installed) and the drawing script.</summary>
    public string ToHtml() => ToHtml(embedPlotly: true);

    /// <summary>
    /// HTML for the figure; with <paramref name="embedPlotly"/> false the page may provide <c>window.Plotly</c> itself (the
    /// report does). Without plotly.js the div shows the static SVG drawing (<see cref="SvgFigure"/>) and <see cref="PlotlyJs.StaticNote"/>.
    /// </summary>
    public string ToHtml(bool embedPlotly) => HtmlFromJson(ToJson(), embedPlotly);

    /// <summary>
    /// The self-sufficient HTML for plotly figure JSON (<c>{"data", "layout", "config"}</c>): a div sized from
    /// <c>layout.height</c>, the plotly.js bundle when <paramref name="embedPlotly"/> and installed, and the drawing script. When
    /// the bundle is not inlined the div holds the static drawing (<see cref="StaticHtml"/>), which plotly.js replaces where the
    /// page has it (the report, VS Code with plotly loaded) and which stays where it has not (a fresh clone, a static viewer).
    /// </summary>
    public static string HtmlFromJson(string figureJson, bool embedPlotly)
    {
        string id = "mw-fig-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(figureJson)))[..10].ToLowerInvariant()
            + "-" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture);
        int height = JsonNode.Parse(figureJson)?["layout"]?["height"] is JsonValue h && h.TryGetValue<int>(out var hv) ? hv : 400;
        var sb = new StringBuilder();
        string? bundle = embedPlotly ? PlotlyJs.Source : null;
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"mw-figure\" id=\"{id}\" style=\"width:100%;min-height:{(bundle is null ? 0 : height)}px\">");
        if (bundle is null) sb.Append(StaticHtml(figureJson));
        sb.Append("</div>\n");
        if (bundle is not null) sb.Append("<script>").Append(HtmlText.ScriptSafe(bundle)).Append("</script>\n");
        sb.Append(DrawScript(id, figureJson));
        return sb.ToString();
    }

    /// <summary>The static drawing of figure JSON (<see cref="SvgFigure"/>) with <see cref="PlotlyJs.StaticNote"/> under it.</summary>
    public static string StaticHtml(string figureJson)
        => SvgFigure.Render(figureJson) + "<p class=\"mw-static-note\" style=\"margin:2px 0;font-size:12px;color:#6e7781\">" + HtmlText.Escape(PlotlyJs.StaticNote) + "</p>";

    /// <summary>The script that draws figure JSON with plotly.js into the element with the given id, replacing what it holds; without plotly.js it leaves it.</summary>
    public static string DrawScript(string elementId, string figureJson)
        => "<script>(function(){var fig=" + HtmlText.ScriptSafe(figureJson) + ";var el=document.getElementById(" + JsonSerializer.Serialize(elementId) + ");"
           + "if(window.Plotly){el.innerHTML='';window.Plotly.newPlot(el,fig.data,fig.layout,fig.config);}"
           + "})();</script>\n";

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        [PlotlyMimeType] = ToJson(),
        ["text/html"] = ToHtml(),
        ["text/plain"] = ToString(),
    };

    public override string ToString()
        => $"Figure{(Title is null ? "" : $" '{Title}'")}: {traces.Count} trace(s) on {Rows} x {Cols} subplot(s)";

    private int Cell(int row, int col)
    {
        if (row < 1 || row > Rows || col < 1 || col > Cols)
            throw new ArgumentOutOfRangeException(nameof(row), $"subplot ({row}, {col}) is outside the {Rows} x {Cols} grid (1-based)");
        return (row - 1) * Cols + col;
    }

    private Figure Axis(Dictionary<int, JsonObject> axes, int k, string? title, string? type, bool? showGrid)
    {
        var axis = AxisObject(axes, k);
        if (title is not null) axis["title"] = new JsonObject { ["text"] = title };
        if (type is not null) axis["type"] = type;
        if (showGrid is not null) axis["showgrid"] = showGrid.Value;
        return this;
    }

    private static JsonObject AxisObject(Dictionary<int, JsonObject> axes, int k)
    {
        if (!axes.TryGetValue(k, out var axis)) axes[k] = axis = [];
        return axis;
    }

    private static string AxisRef(string letter, int k) => k == 1 ? letter : letter + k.ToString(CultureInfo.InvariantCulture);
}

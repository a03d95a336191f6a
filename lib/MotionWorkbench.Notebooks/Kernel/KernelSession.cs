using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// Runs C# cells with Roslyn scripting and one script state, as the Polyglot C# kernel does: the first submission creates
/// the state, later ones continue it; default imports System, System.Text, System.Collections, System.Collections.Generic,
/// System.Threading.Tasks and System.Linq; <c>#r</c> paths resolve against the notebook folder; exceptions are caught so
/// the state survives. A trailing expression without a semicolon is displayed (unless it is void).
/// </summary>
public sealed class KernelSession
{
    /// <summary>The namespaces every cell can use without a using directive (Polyglot's defaults).</summary>
    public static readonly string[] DefaultImports =
        ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];

    private readonly KernelProtocol protocol;
    private readonly NotebookGlobals globals;
    private readonly string notebookDirectory;
    private readonly string shadowRoot;
    private readonly bool embedPlotly;
    private ScriptOptions options;
    private ScriptState<object>? state;
    private int currentCell;
    private int displayCounter;

    public KernelSession(string notebookDirectory, KernelProtocol protocol, string? shadowRoot = null, bool embedPlotly = true)
    {
        this.embedPlotly = embedPlotly;
        this.notebookDirectory = Path.GetFullPath(notebookDirectory);
        this.protocol = protocol;
        this.shadowRoot = shadowRoot ?? Path.Combine(Path.GetTempPath(), "mw-notebook-shadow");
        globals = new NotebookGlobals(this);
        CellPreprocessor.PruneShadowCopies(this.shadowRoot, TimeSpan.FromDays(7));
        options = ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithImports(DefaultImports)
            .AddReferences(typeof(Enumerable).Assembly, typeof(List<>).Assembly, typeof(Task<>).Assembly, typeof(NotebookGlobals).Assembly,
                typeof(System.Collections.ArrayList).Assembly, typeof(System.Text.Json.JsonSerializer).Assembly, typeof(System.ComponentModel.Component).Assembly)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(this.notebookDirectory))
            .WithSourceResolver(new SourceFileResolver([], this.notebookDirectory))
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithAllowUnsafe(true);
    }

    internal FormatterRegistry Formatter => globals.Formatter;

    /// <summary>Creates the script state and compiles a trivial submission, so Roslyn's cold start (about 1.5 s) is not
    /// counted against the first cell's timeout.</summary>
    public async Task WarmUpAsync()
    {
        state ??= await CSharpScript.RunAsync("", options.WithFilePath("warm-up"), globals, typeof(NotebookGlobals)).ConfigureAwait(false);
        state = await state.ContinueWithAsync("var __mwWarmUp = new List<int> { 1 }.Select(i => i + 1).Sum();", options.WithFilePath("warm-up")).ConfigureAwait(false);
    }

    /// <summary>Runs one C# cell (numbered from 1 in notebook order); returns false when it failed.</summary>
    public async Task<bool> RunCSharpAsync(int cellNumber, string source)
    {
        currentCell = cellNumber;
        var prepared = CellPreprocessor.Process(source, cellNumber, notebookDirectory, shadowRoot);
        foreach (var message in prepared.Messages) Console.Error.WriteLine(message);
        if (prepared.Error is not null) { SendError("CellError", prepared.Error, [prepared.Error]); return false; }

        string path = $"cell {cellNumber}";
        var cellOptions = options.WithFilePath(path);
        var watch = Stopwatch.StartNew();
        ScriptState<object> next;
        try
        {
            state ??= await CSharpScript.RunAsync("", cellOptions, globals, typeof(NotebookGlobals)).ConfigureAwait(false);
            next = await state.ContinueWithAsync(prepared.Code, cellOptions, catchException: _ => true).ConfigureAwait(false);
        }
        catch (CompilationErrorException e)
        {
            var lines = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(Describe).ToList();
            SendError("CompilationError", $"Cell {cellNumber} does not compile: " + string.Join("; ", lines), lines);
            return false;
        }
        finally { FlushConsole(); }
        state = next;
        if (next.Exception is { } ex)
        {
            var inner = Unwrap(ex);
            int? line = LineOf(inner, path);
            string where = line is null ? $"Cell {cellNumber}" : $"Cell {cellNumber}, line {line}";
            SendError(inner.GetType().Name, $"{where}: {inner.GetType().FullName}: {inner.Message}", [$"{where}:", .. inner.ToString().Split('\n').Select(l => l.TrimEnd('\r'))]);
            return false;
        }
        if (HasReturnValue(next.Script)) SendDisplay(next.ReturnValue, [], null);
        if (prepared.TimeCell) Console.Out.WriteLine($"Wall time: {watch.Elapsed.TotalMilliseconds.ToString("0.##", CultureInfo.InvariantCulture)}ms");
        FlushConsole();
        return true;
    }

    /// <summary>An <c>#!html</c> cell: its source is shown as HTML.</summary>
    public void RunHtml(int cellNumber, string source)
    {
        currentCell = cellNumber;
        var body = string.Join('\n', source.Split('\n').SkipWhile(l => l.TrimStart().StartsWith("#!", StringComparison.Ordinal)));
        SendDisplay(new HtmlString(body), [], null);
    }

    /// <summary>Reports a cell that cannot run (for example a cell for another kernel).</summary>
    public void Fail(int cellNumber, string message)
    {
        currentCell = cellNumber;
        SendError("UnsupportedCell", message, [message]);
    }

    internal DisplayedValue Display(object? value, string[] mimeTypes)
    {
        var id = "display-" + Interlocked.Increment(ref displayCounter).ToString(CultureInfo.InvariantCulture);
        var displayed = new DisplayedValue(this, id, mimeTypes);
        SendDisplay(value, mimeTypes, id);
        return displayed;
    }

    internal void Update(DisplayedValue displayed, object? value)
    {
        var data = Lean(Formatter.Format(value, displayed.MimeTypes));
        FlushConsole();
        protocol.Send(new JsonObject
        {
            ["event"] = "update",
            ["cell"] = currentCell,
            ["display_id"] = displayed.DisplayId,
            ["output"] = new JsonObject { ["output_type"] = "display_data", ["data"] = data, ["metadata"] = new JsonObject() },
        });
    }

    private void SendDisplay(object? value, string[] mimeTypes, string? displayId)
    {
        JsonObject data;
        try { data = Lean(Formatter.Format(value, mimeTypes)); }
        catch (Exception e) when (e is TargetInvocationException or FormatException or InvalidCastException)
        {
            var inner = Unwrap(e);
            data = new JsonObject { ["text/plain"] = $"<display failed: {inner.GetType().Name}: {inner.Message}>" };
        }
        FlushConsole();
        var message = new JsonObject
        {
            ["event"] = "output",
            ["cell"] = currentCell,
            ["output"] = new JsonObject { ["output_type"] = "display_data", ["data"] = data, ["metadata"] = new JsonObject() },
        };
        if (displayId is not null) message["display_id"] = displayId;
        protocol.Send(message);
    }

    /// <summary>Without plotly embedding, a figure's text/html is rebuilt from its plotly JSON without the 1.5 MB bundle.</summary>
    private JsonObject Lean(JsonObject data)
    {
        if (!embedPlotly && data[Render.Plots.Figure.PlotlyMimeType] is JsonObject figure && data.ContainsKey("text/html"))
            data["text/html"] = Render.Plots.Figure.HtmlFromJson(figure.ToJsonString(), embedPlotly: false);
        return data;
    }

    private void SendError(string name, string value, IEnumerable<string> traceback)
    {
        FlushConsole();
        protocol.Send(new JsonObject
        {
            ["event"] = "output",
            ["cell"] = currentCell,
            ["output"] = new JsonObject
            {
                ["output_type"] = "error",
                ["ename"] = name,
                ["evalue"] = value,
                ["traceback"] = new JsonArray([.. traceback.Select(t => (JsonNode?)t)]),
            },
        });
    }

    internal void SendStream(string name, string text)
        => protocol.Send(new JsonObject { ["event"] = "stream", ["cell"] = currentCell, ["name"] = name, ["text"] = text });

    private static void FlushConsole()
    {
        Console.Out.Flush();
        Console.Error.Flush();
    }

    private static string Describe(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        string where = span.IsValid ? $"line {span.StartLinePosition.Line + 1}, column {span.StartLinePosition.Character + 1}" : "";
        return $"{where}: error {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            if (e is TargetInvocationException { InnerException: { } t }) e = t;
            else if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
            else return e;
        }
    }

    /// <summary>The line of the first stack frame inside this cell (needs the debug information scripting emits).</summary>
    private static int? LineOf(Exception e, string cellPath)
    {
        foreach (var frame in new StackTrace(e, fNeedFileInfo: true).GetFrames())
            if (frame.GetFileName() is { } file && Path.GetFileName(file) == cellPath && frame.GetFileLineNumber() > 0) return frame.GetFileLineNumber();
        return null;
    }

    /// <summary>
    /// Whether the submission ends in an expression without a semicolon whose type is not void: the syntax check the facts
    /// file suggests plus the semantic model for the type (Polyglot asks an internal Roslyn API instead).
    /// </summary>
    private static bool HasReturnValue(Script script)
    {
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.LastOrDefault();
        if (tree?.GetRoot() is not CompilationUnitSyntax root) return false;
        if (root.Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax statement }) return false;
        if (!statement.SemicolonToken.IsMissing) return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }
}

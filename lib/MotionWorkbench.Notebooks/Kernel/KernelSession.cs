using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// The real .NET Interactive kernel, hosted in the kernel process as Polyglot Notebooks host it: a
/// <see cref="CompositeKernel"/> with the C# kernel (<c>#r "nuget: ..."</c>, kernel helpers <c>display</c>/<c>HTML</c>, <c>#!who</c>, <c>#!set</c>/<c>#!share</c>),
/// the HTML kernel (<c>#!html</c> cells) and the value kernel, browser formatting defaults (text/html, strings as text/plain).
/// Each cell is one <see cref="SubmitCode"/>; the kernel's events become protocol messages for the runner: standard
/// output/error as streams, displayed and returned values as display_data (updates in place by value id), compiler warnings
/// on the cell's stderr, a failed command as an error output.
/// </summary>
public sealed class KernelSession : IDisposable
{
    private readonly KernelProtocol protocol;
    private readonly bool embedPlotly;
    private readonly CompositeKernel kernel;
    private readonly IDisposable subscription;
    private readonly List<string> errors = [];
    private readonly Dictionary<string, string> updateTargets = [];
    private readonly HashSet<string> loadedPackageRoots = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> packagesAdded = new();
    private string? lastDisplayId;
    private int currentCell;

    public KernelSession(KernelProtocol protocol, bool embedPlotly = true)
    {
        this.protocol = protocol;
        this.embedPlotly = embedPlotly;
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;                           // as in VS Code (a browser front-end)
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
        kernel = new CompositeKernel();
        var csharp = new CSharpKernel()
            .UseNugetDirective((k, packages) =>                                             // #r "nuget: Name, Version" (restored from the configured NuGet sources)
            {
                k.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers().UseWho().UseValueSharing();
        kernel.Add(csharp, ["c#", "C#"]);
        kernel.Add(new HtmlKernel());
        kernel.Add(new KeyValueStoreKernel().UseWho());
        kernel.DefaultKernelName = "csharp";
        subscription = kernel.KernelEvents.Subscribe(new Observer(OnEvent));
        kernel.AddMiddleware(async (command, context, next) =>
        {
            await next(command, context).ConfigureAwait(false);
            while (packagesAdded.TryDequeue(out var root)) await LoadPackageExtensionsAsync(root).ConfigureAwait(false);
        });
    }

    /// <summary>Compiles a trivial submission, so the kernel's cold start is not counted against the first cell's timeout.</summary>
    public async Task WarmUpAsync()
    {
        var result = await kernel.SendAsync(new SubmitCode("var __mwWarmUp = new List<int> { 1 }.Select(i => i + 1).Sum();", "csharp")).ConfigureAwait(false);
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
            throw new InvalidOperationException("the C# kernel failed to start: " + failed.Message, failed.Exception);
    }

    /// <summary>Runs one cell (numbered from 1 in notebook order) in the kernel named <paramref name="kernelName"/>; false when it failed.</summary>
    public async Task<bool> RunAsync(int cellNumber, string kernelName, string source)
    {
        currentCell = cellNumber;
        errors.Clear();
        lastDisplayId = null;
        // A cell in a language this kernel does not run (python, fsharp, ...) fails with what to do, not the kernel's
        // NoSuitableKernelException.
        if (kernel.FindKernelByName(kernelName) is null)
        {
            string text = $"Cell {cellNumber}: this cell is {kernelName}; the kernel runs C# (csharp) and HTML cells: rewrite it in C# or change its language";
            SendError("UnsupportedCellLanguage", text, [text]);
            return false;
        }
        var result = await kernel.SendAsync(new SubmitCode(source, kernelName)).ConfigureAwait(false);
        Console.Out.Flush();
        var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
        if (failed is null) return true;
        SendFailure(cellNumber, failed);
        return false;
    }

    /// <summary>
    /// What the dotnet-interactive tool does for a <c>#r "nuget: ..."</c> package (its NuGet extension loader is part of the
    /// tool, not the packages): the <c>interactive-extensions/dotnet/*.dll</c> of the package are loaded and their
    /// <see cref="IKernelExtension"/>s started after the command that added the package (inside its invocation context, as
    /// extensions expect), so a package's own formatters (for example Microsoft.Data.Analysis's DataFrame
    /// table) work as in VS Code.
    /// </summary>
    private async Task LoadPackageExtensionsAsync(string packageRoot)
    {
        if (!loadedPackageRoots.Add(packageRoot)) return;
        var folder = Path.Combine(packageRoot, "interactive-extensions", "dotnet");
        if (!Directory.Exists(folder)) return;
        foreach (var dll in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
        {
            var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
            foreach (var type in assembly.ExportedTypes.Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false } && typeof(IKernelExtension).IsAssignableFrom(t)))
            {
                try { await ((IKernelExtension)Activator.CreateInstance(type)!).OnLoadAsync(kernel).ConfigureAwait(false); }
                catch (Exception e) { SendStream("stderr", $"cell {currentCell}: the kernel extension {type.FullName} of {Path.GetFileName(dll)} failed to load: {e.Message}\n"); }
            }
        }
    }

    private void SendFailure(int cellNumber, CommandFailed failed)
    {
        var exception = failed.Exception;
        if (exception is CodeSubmissionCompilationErrorException || (exception is null && errors.Count > 0))
        {
            var lines = errors.Count > 0 ? [.. errors] : new List<string> { failed.Message };
            SendError("CompilationError", $"Cell {cellNumber} does not compile: " + string.Join("; ", lines), lines);
            return;
        }
        if (exception is null)
        {
            string text = $"Cell {cellNumber}: {failed.Message}";
            SendError("Error", text, [text]);
            return;
        }
        while (exception is System.Reflection.TargetInvocationException { InnerException: { } inner }) exception = inner;
        string where = $"Cell {cellNumber}";
        SendError(exception.GetType().Name, $"{where}: {exception.GetType().FullName}: {exception.Message}",
            [$"{where}:", .. exception.ToString().Split('\n').Select(l => l.TrimEnd('\r'))]);
    }

    private void OnEvent(KernelEvent e)
    {
        switch (e)
        {
            case StandardOutputValueProduced o: SendStream("stdout", PlainText(o.FormattedValues)); break;
            case StandardErrorValueProduced o: SendStream("stderr", PlainText(o.FormattedValues)); break;
            case DisplayedValueUpdated u: SendUpdate(u); break;
            case DisplayEvent d when d is DisplayedValueProduced or ReturnValueProduced: SendDisplay(d); break;
            case DiagnosticsProduced diagnostics:
                foreach (var d in diagnostics.Diagnostics)
                {
                    string line = $"line {d.LinePositionSpan.Start.Line + 1}, column {d.LinePositionSpan.Start.Character + 1}: "
                                  + $"{d.Severity.ToString().ToLowerInvariant()} {d.Code}: {d.Message}";
                    if (d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error) errors.Add(line);
                    else if (d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                        SendStream("stderr", $"cell {currentCell}, {line}\n");
                }
                break;
            case PackageAdded { PackageReference.PackageRoot: { } root }: packagesAdded.Enqueue(root); break;
            case ErrorProduced error: SendStream("stderr", error.Message + "\n"); break;
        }
    }

    private static string PlainText(IReadOnlyCollection<FormattedValue> values)
        => values.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? values.FirstOrDefault()?.Value ?? "";

    /// <summary>The nbformat data of a displayed value; text/plain is added when the kernel sent only HTML (the report and
    /// tools that read the executed notebook then have a text form too; VS Code still picks the HTML).</summary>
    private JsonObject Data(DisplayEvent d)
    {
        var data = new JsonObject();
        foreach (var v in d.FormattedValues)
        {
            if (v.SuppressDisplay) continue;
            data[v.MimeType] = IsJsonMime(v.MimeType) ? ParseJson(v.Value) : v.Value;
        }
        if (data.ContainsKey(HtmlFormatter.MimeType) && !data.ContainsKey(PlainTextFormatter.MimeType) && d.Value is not null and not Microsoft.AspNetCore.Html.IHtmlContent)
        {
            try { data[PlainTextFormatter.MimeType] = d.Value.ToDisplayString(PlainTextFormatter.MimeType); }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or NotSupportedException) { }
        }
        if (!embedPlotly && data[Render.Plots.Figure.PlotlyMimeType] is JsonObject figure && data.ContainsKey("text/html"))
            data["text/html"] = Render.Plots.Figure.HtmlFromJson(figure.ToJsonString(), embedPlotly: false);
        return data;
    }

    private void SendDisplay(DisplayEvent d)
    {
        var data = Data(d);
        if (data.Count == 0) return;
        if (d.ValueId is { } valueId) lastDisplayId = valueId;
        var message = new JsonObject
        {
            ["event"] = "output",
            ["cell"] = currentCell,
            ["output"] = new JsonObject { ["output_type"] = "display_data", ["data"] = data, ["metadata"] = new JsonObject() },
        };
        if (d.ValueId is { } id) message["display_id"] = id;
        protocol.Send(message);
    }

    /// <summary>
    /// An update replaces its display in place. The kernel's <c>display(x)</c> publishes one DisplayedValue and returns another
    /// (System.DisplayExtensions.Display in 1.0.0-beta.26120.1), so the returned value's updates carry an id never displayed;
    /// such an id is taken to update the latest display of the running cell (the display-then-update pattern of progress).
    /// </summary>
    private void SendUpdate(DisplayedValueUpdated u)
    {
        string id = u.ValueId;
        if (updateTargets.TryGetValue(id, out var target)) id = target;
        else if (lastDisplayId is { } last && last != id) { updateTargets[id] = last; id = last; }
        protocol.Send(new JsonObject
        {
            ["event"] = "update",
            ["cell"] = currentCell,
            ["display_id"] = id,
            ["output"] = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(u), ["metadata"] = new JsonObject() },
        });
    }

    private void SendError(string name, string value, IEnumerable<string> traceback) => protocol.Send(new JsonObject
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

    private void SendStream(string name, string text)
    {
        if (text.Length > 0) protocol.Send(new JsonObject { ["event"] = "stream", ["cell"] = currentCell, ["name"] = name, ["text"] = text });
    }

    private static bool IsJsonMime(string mime) => mime.EndsWith("+json", StringComparison.Ordinal) || mime == "application/json";

    private static JsonNode? ParseJson(string content)
    {
        try { return JsonNode.Parse(content); }
        catch (System.Text.Json.JsonException) { return content; }
    }

    public void Dispose()
    {
        subscription.Dispose();
        kernel.Dispose();
    }

    private sealed class Observer(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnCompleted() { }
        public void OnError(Exception error) { }
        public void OnNext(KernelEvent value) => onNext(value);
    }
}

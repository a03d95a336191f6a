using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Apps;

/// <summary>
/// The runtime of a notebook exported as a .NET 10 file-based app (<see cref="FileAppExporter"/>): <see cref="Start"/> reads the
/// command line, moves to the notebook's folder (the kernel's working directory, so the notebook's relative paths mean the same)
/// and sets up the formatter as the kernel does; <see cref="Cell"/> marks where each cell begins; <see cref="Parameter{T}"/> applies
/// <c>--name value</c> to a parameter; <see cref="End"/> writes the HTML report, in the format and with the formatting of
/// <c>mw notebook run --html</c>: <c>display(x)</c>, <c>x.Display()</c>, <c>DisplayAs</c>, <c>Update</c>, console output and an
/// exception that ends the app land in the running cell.
/// </summary>
public static class NotebookApp
{
    private static Session? session;

    /// <summary>
    /// Call first. Returns null to go on, or the exit code (0 after <c>--help</c>, 2 for a bad command line); nothing is written then.
    /// <paramref name="notebookFolder"/> is relative to the app's file (or absolute); <paramref name="packages"/> are the
    /// <c>#:package</c> directives (<c>Name@Version</c>), whose <c>interactive-extensions</c> (formatters) are loaded as the kernel loads them.
    /// </summary>
    public static int? Start(string[] args, string notebook, string notebookFolder, string[] parameters, string[] packages, [CallerFilePath] string appFile = "")
    {
        ArgumentNullException.ThrowIfNull(args);
        appFile = AppContext.GetData("EntryPointFilePath") as string is { Length: > 0 } entry ? entry : appFile;
        string appName = Path.GetFileName(appFile);
        var parsed = AppArguments.Parse(args, parameters);
        if (parsed.Help)
        {
            Console.WriteLine($"{appName}: {notebook} as a program. Options: {string.Join(" ", parameters.Select(p => $"--{p} VALUE"))} --html REPORT.html");
            Console.WriteLine("Each option overrides the default of the notebook's parameters cell; the report defaults to the app's name with .html, beside it.");
            return 0;
        }
        string folder = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(appFile)!, notebookFolder));
        var errors = parsed.Errors.ToList();
        if (!Directory.Exists(folder)) errors.Add($"the notebook's folder {folder} does not exist (it is the app's working directory; export the notebook again)");
        string report = Path.GetFullPath(parsed.Report ?? Path.ChangeExtension(appFile, ".html"));
        if (Directory.Exists(report)) errors.Add($"--html {report} is a folder; give a file name");
        if (errors.Count > 0)
        {
            foreach (var e in errors) Console.Error.WriteLine($"{appName}: {e}");
            return 2;
        }
        session?.Dispose();
        session = new Session(appFile, report, parsed);
        Directory.SetCurrentDirectory(folder);
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;                           // as the notebook kernel in VS Code
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
        foreach (var package in packages) session.LoadExtensions(package);
        session.CloseExtensionHost();
        Console.Error.WriteLine($"{appName}: {notebook} in {folder}; report: {report}");
        return null;
    }

    /// <summary>Cell <paramref name="number"/> (1-based, as in the notebook) starts: outputs from here on belong to it.</summary>
    public static void Cell(int number) => Current.Recorder.StartCell(number);

    /// <summary>A cell's trailing expression: its value is displayed, as the kernel displays a cell's return value (null and a <see cref="DisplayedValue"/> are not).</summary>
    public static void Result<T>(Func<T> expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression() is { } value and not DisplayedValue) value.Display();
    }

    /// <summary>A trailing expression that is a void call: it runs, nothing is displayed.</summary>
    public static void Result(Action expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        expression();
    }

    /// <summary><see cref="Result{T}(Func{T})"/> for a trailing expression with <c>await</c>.</summary>
    public static async Task ResultAsync<T>(Func<Task<T>> expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (await expression().ConfigureAwait(false) is { } value and not DisplayedValue) value.Display();
    }

    /// <summary><see cref="Result(Action)"/> for an awaited void call.</summary>
    public static async Task ResultAsync(Func<Task> expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        await expression().ConfigureAwait(false);
    }

    /// <summary>The parameter's value: <c>--name value</c> from the command line typed like <paramref name="value"/>, else the notebook's default.</summary>
    public static T Parameter<T>(string name, T value)
    {
        var s = Current;
        if (!s.Arguments.Values.TryGetValue(name, out var text)) return value;
        if (AppArguments.TryConvert<T>(text, out var converted, out var error)) { s.Overrides.Add($"{name} = {text}"); return converted!; }
        s.ParameterErrors.Add($"--{name} {text}: '{name}' is {error}; the notebook's default is {Formatter.ToDisplayString(value, PlainTextFormatter.MimeType)}");
        return value;
    }

    /// <summary>After the parameters: true (and each error printed) when a value did not fit its parameter; the app then stops with exit code 2 and writes nothing.</summary>
    public static bool ParameterErrors()
    {
        var s = Current;
        if (s.ParameterErrors.Count == 0)
        {
            if (s.Overrides.Count > 0) Console.WriteLine("from the command line: " + string.Join(", ", s.Overrides));   // the parameters cell's output
            return false;
        }
        foreach (var e in s.ParameterErrors) Console.Error.WriteLine($"{Path.GetFileName(s.AppFile)}: {e}");
        s.Dispose();
        session = null;
        return true;
    }

    /// <summary>Call last: ends the last cell and writes the report.</summary>
    public static void End()
    {
        var s = Current;
        s.Recorder.EndCell();
        s.WriteReport();
        Console.Error.WriteLine($"{Path.GetFileName(s.AppFile)}: all cells ran; report: {s.Report}");
        s.Dispose();
        session = null;
    }

    /// <summary>The report's notebook: the app's cells (read back from its source, numbered as in the notebook) with their outputs.</summary>
    public static Notebook BuildReport(string appSource, string appFile, AppRecorder recorder)
    {
        var notebook = new Notebook { SourcePath = appFile };
        foreach (var (number, cell) in AppSource.Cells(appSource))
        {
            if (cell.IsCode && recorder[number] is { } record)
            {
                cell.ExecutionCount = record.ExecutionCount;
                cell.Outputs.AddRange(record.Outputs.Select(o => (JsonObject)o.DeepClone()));
                cell.Metadata["execution"] = new JsonObject { ["iopub.execute_input"] = Iso(record.Start), ["shell.execute_reply"] = Iso(record.End ?? DateTimeOffset.UtcNow) };
            }
            notebook.Cells.Add(cell);
        }
        return notebook;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static Session Current => session ?? throw new InvalidOperationException("NotebookApp.Start was not called (an exported notebook app calls it first)");

    private sealed class Session : IDisposable
    {
        private readonly TextWriter stdout = Console.Out, stderr = Console.Error;
        private readonly IDisposable subscription;
        private readonly UnhandledExceptionEventHandler onCrash;
        private CompositeKernel? extensionHost;

        public Session(string appFile, string report, AppArguments arguments)
        {
            AppFile = appFile;
            Report = report;
            Arguments = arguments;
            subscription = Formatter.SubscribeToDisplayedValues(Recorder.Display);
            Console.SetOut(new AppRecorder.TeeWriter(stdout, Recorder, "stdout"));
            Console.SetError(new AppRecorder.TeeWriter(stderr, Recorder, "stderr"));
            onCrash = (_, e) =>
            {
                if (e.ExceptionObject is not Exception exception) return;
                int? cell = Recorder.Current;
                if (cell is null) return;                                      // not in a cell (Start, End): no report
                Recorder.Error(exception);
                WriteReport();
                stderr.WriteLine($"{Path.GetFileName(AppFile)}: cell {cell?.ToString(CultureInfo.InvariantCulture) ?? "?"} failed ({exception.GetType().Name}: {exception.Message}); report: {Report}");
            };
            AppDomain.CurrentDomain.UnhandledException += onCrash;
        }

        public string AppFile { get; }
        public string Report { get; }
        public AppArguments Arguments { get; }
        public AppRecorder Recorder { get; } = new();
        public List<string> Overrides { get; } = [];
        public List<string> ParameterErrors { get; } = [];

        public void WriteReport()
        {
            string source = File.Exists(AppFile) ? File.ReadAllText(AppFile) : "";
            HtmlReport.Write(BuildReport(source, AppFile, Recorder), Report);
        }

        /// <summary>
        /// What the kernel does for <c>#r "nuget: ..."</c>: the package's <c>interactive-extensions/dotnet/*.dll</c> (in the NuGet
        /// packages folder) are loaded and their <see cref="IKernelExtension"/>s started, so its formatters (e.g. a DataFrame's
        /// table) format its values here as in the notebook.
        /// </summary>
        public void LoadExtensions(string package)
        {
            int at = package.IndexOf('@', StringComparison.Ordinal);
            string id = (at < 0 ? package : package[..at]).ToLowerInvariant(), version = at < 0 ? "*" : package[(at + 1)..];
            string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string dir = Path.Combine(root, id);
            if (!Directory.Exists(dir)) return;
            string? versionDir = version.Contains('*', StringComparison.Ordinal)
                ? Directory.GetDirectories(dir).OrderBy(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version()).LastOrDefault()
                : Path.Combine(dir, version.ToLowerInvariant());
            string folder = Path.Combine(versionDir ?? dir, "interactive-extensions", "dotnet");
            if (!Directory.Exists(folder)) return;
            foreach (var dll in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
            {
                var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
                foreach (var type in assembly.ExportedTypes.Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false } && typeof(IKernelExtension).IsAssignableFrom(t)))
                {
                    try { StartExtension((IKernelExtension)Activator.CreateInstance(type)!); }
#pragma warning disable CA1031 // an extension that fails must not stop the app: the kernel reports it and goes on, so does the app
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        stderr.WriteLine($"{Path.GetFileName(AppFile)}: the kernel extension {type.FullName} of {package} failed to load: {e.Message}");
                    }
                }
            }
        }

        /// <summary>
        /// Extensions expect to start inside a kernel command (they read <c>KernelInvocationContext.Current</c>), as the kernel
        /// starts them after the <c>#r</c> that added their package: here inside a value-kernel request of a small composite kernel.
        /// </summary>
        private void StartExtension(IKernelExtension extension)
        {
            if (extensionHost is null)
            {
                extensionHost = new CompositeKernel { new KeyValueStoreKernel() };
                extensionHost.DefaultKernelName = "value";
            }
            Exception? failure = null;
            var host = extensionHost;
            IKernelExtension? pending = extension;                               // started once, by the next command only
            host.AddMiddleware(async (command, context, next) =>
            {
                if (pending is { } e)
                {
                    pending = null;
                    try { await e.OnLoadAsync(host).ConfigureAwait(false); }
#pragma warning disable CA1031
                    catch (Exception x) { failure = x; }
#pragma warning restore CA1031
                }
                await next(command, context).ConfigureAwait(false);
            });
            host.SendAsync(new Microsoft.DotNet.Interactive.Commands.RequestValueInfos("value")).GetAwaiter().GetResult();
            if (failure is not null) throw failure;
        }

        /// <summary>
        /// The extensions' formatters stay registered; the kernel that started them goes. Creating a kernel also subscribes the
        /// <see cref="Microsoft.DotNet.Interactive.Kernel"/> type (statically, for good) to displayed values, to print those shown outside a kernel command on
        /// the console: here every value is shown outside one, and recorded already, so that subscription is detached (through
        /// the event's private field; where that field is not found, values are also echoed to the console, nothing worse).
        /// </summary>
        public void CloseExtensionHost()
        {
            if (extensionHost is null) return;
            extensionHost.Dispose();
            extensionHost = null;
            var field = typeof(Formatter).GetField("OnFormatterEvent", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
            if (field?.GetValue(null) is not Delegate handlers) return;
            foreach (var echo in handlers.GetInvocationList().Where(h => h.Method.DeclaringType == typeof(Microsoft.DotNet.Interactive.Kernel)))
                field.SetValue(null, Delegate.Remove((Delegate?)field.GetValue(null), echo));
        }

        public void Dispose()
        {
            AppDomain.CurrentDomain.UnhandledException -= onCrash;
            Console.SetOut(stdout);
            Console.SetError(stderr);
            subscription.Dispose();
            extensionHost?.Dispose();
        }
    }
}

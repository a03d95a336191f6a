using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Export;

/// <summary>
/// A C# notebook as a .NET 10 file-based app (<c>dotnet run NAME.cs</c>), one statement list a debugger can step through:
/// <c>#r "path.dll"</c> lines become <c>#:project</c> (the project whose bin folder holds the dll), <c>#r "nuget: Name, Version"</c>
/// becomes <c>#:package Name@Version</c>, <c>#i "nuget: source"</c> a restore source; markdown cells become comments; using
/// directives move to the top and type declarations to the end (where a file-based app needs them); a cell's trailing
/// expression is displayed as the kernel displays it; the parameters cell keeps its defaults, which <c>--name value</c> on the command
/// line overrides (<see cref="Apps.NotebookApp.Parameter{T}"/>). <c>display</c>, console output and errors go to an HTML report
/// in the format of <c>mw notebook run --html</c> (<see cref="Apps.NotebookApp"/>). A cell in another language, a magic command
/// or a dll that is not a project's build output is a <see cref="NotebookExportException"/> naming the cell: nothing is written.
/// </summary>
public static partial class FileAppExporter
{
    /// <summary>The app's own options (a parameter cannot have these names).</summary>
    public static readonly IReadOnlySet<string> ReservedOptions = new HashSet<string>(StringComparer.Ordinal) { "html", "help" };

    /// <summary>The report sink's project, below the repository root.</summary>
    public const string SinkProject = "lib/MotionWorkbench.Notebooks/MotionWorkbench.Notebooks.csproj";

    private static readonly HashSet<string> CSharpSelectors = new(StringComparer.Ordinal) { "#!csharp", "#!c#", "#!C#" };

    /// <summary>Writes the app for <paramref name="notebook"/> (read from its <see cref="Notebook.SourcePath"/>) to <paramref name="outputPath"/>, atomically.</summary>
    public static void Write(Notebook notebook, string outputPath) => AtomicFile.WriteAllText(outputPath, Export(notebook, outputPath));

    /// <summary>The app's text for <paramref name="notebook"/> written to <paramref name="outputPath"/> (relative paths in it start there).</summary>
    public static string Export(Notebook notebook, string outputPath)
    {
        string notebookPath = Path.GetFullPath(notebook.SourcePath ?? throw new ArgumentException("the notebook has no SourcePath: export needs to know where it lives"));
        string notebookDir = Path.GetDirectoryName(notebookPath)!;
        string outputFull = Path.GetFullPath(outputPath);
        string outputDir = Path.GetDirectoryName(outputFull)!;
        var state = new ExportState(notebook.SourcePath!, notebookDir);
        var body = new StringBuilder();

        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            int number = i + 1;
            string kernel = cell.KernelName(notebook.DefaultKernel);
            if (!cell.IsCode || kernel == "markdown")
            {
                string text = cell.IsCode ? string.Join('\n', cell.Source.Split('\n').SkipWhile(l => l.TrimStart().StartsWith("#!", StringComparison.Ordinal))) : cell.Source;
                body.Append('\n').Append(CultureInfo.InvariantCulture, $"// %% [{(cell.CellType == "raw" ? "raw" : "markdown")}] cell {number}\n");
                foreach (var line in text.TrimEnd().Split('\n')) body.Append(line.Length == 0 ? "//" : "// " + line.TrimEnd('\r')).Append('\n');
                continue;
            }
            if (kernel != "csharp")
                throw state.Error(number, $"it is a {kernel} cell; a C# file-based app can only hold C# code (rewrite the cell in C# or move it out of the notebook)");
            bool isParameters = state.ParametersCell is null && cell.HasTag(Running.ParameterInjector.ParametersTag);
            string code = ConvertCode(state, number, cell.Source, isParameters);
            body.Append('\n').Append(CultureInfo.InvariantCulture, $"// %% cell {number}{(isParameters ? " [parameters]" : "")}\n");
            body.Append(CultureInfo.InvariantCulture, $"NotebookApp.Cell({number});\n");
            if (code.Length > 0) body.Append(code).Append('\n');
            if (isParameters)
            {
                state.ParametersCell = number;
                foreach (var name in state.Parameters) body.Append(CultureInfo.InvariantCulture, $"{name} = NotebookApp.Parameter(\"{name}\", {name});\n");
                body.Append("if (NotebookApp.ParameterErrors()) return 2;\n");
            }
        }

        string sink = FindSink(notebookDir) ?? throw new NotebookExportException(notebook.SourcePath!, null,
            $"cannot find {SinkProject} above the notebook or the mw tool: the exported app writes its report with that library");
        if (!state.Projects.Contains(sink, StringComparer.Ordinal)) state.Projects.Add(sink);
        // Outside the repository its Directory.Build.targets (TorchSharp's native fix for Debian 12's libstdc++) is not imported by itself.
        string repository = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sink)!, "..", ".."));
        string torchFix = Path.Combine(repository, "environment", "torchsharp", "TorchSharpNativeFix.targets");
        if (File.Exists(torchFix) && !outputFull.StartsWith(repository + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            state.Properties.Add($"CustomAfterMicrosoftCommonTargets={torchFix.Replace('\\', '/')}");
        return Compose(state, body.ToString(), notebookPath, outputFull, outputDir);
    }

    private static string Compose(ExportState state, string body, string notebookPath, string outputFull, string outputDir)
    {
        string appName = Path.GetFileName(outputFull);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"// {appName}: {PathFrom(outputDir, notebookPath)} as a .NET 10 file-based app, written by `mw notebook export --format cs` (edit the notebook and export again).\n");
        sb.Append(CultureInfo.InvariantCulture, $"//   dotnet run {appName} -- {string.Join(' ', state.Parameters.Select(p => $"--{p} VALUE"))}{(state.Parameters.Count > 0 ? " " : "")}[--html REPORT.html]\n");
        sb.Append(state.ParametersCell is { } pc
            ? $"//   runs it with the notebook's defaults (cell {pc}) where an option is left out; the report goes to {Path.GetFileNameWithoutExtension(appName)}.html beside this file unless --html says otherwise.\n"
            : $"//   runs it; the report goes to {Path.GetFileNameWithoutExtension(appName)}.html beside this file unless --html says otherwise.\n");
        sb.Append("// Debug it in VS Code (C# Dev Kit): open this file, set breakpoints, Run > Start Debugging. \"// %% cell N\" lines mark the notebook's cells;\n");
        sb.Append("// markdown cells are comments; display(...), console output and errors go to the report, cell by cell.\n");
        foreach (var project in state.Projects) sb.Append("#:project ").Append(PathFrom(outputDir, project)).Append('\n');
        foreach (var (id, version) in state.Packages) sb.Append("#:package ").Append(id).Append('@').Append(version).Append('\n');
        sb.Append("#:property Nullable=disable\n");                      // the notebook kernel compiles without a nullable context
        sb.Append("#:property PublishAot=false\n");                      // file-based apps default to native AOT and its trimming analyzers
        sb.Append("#:property TreatWarningsAsErrors=false\n");
        sb.Append("#:property CreateHardLinksForCopyLocalIfPossible=true\n");   // LibTorch's native files are hundreds of MB
        if (state.Packages.Count > 0) sb.Append("#:property ManagePackageVersionsCentrally=false\n");   // the versions are the notebook's
        if (state.Sources.Count > 0) sb.Append("#:property RestoreAdditionalProjectSources=").Append(string.Join(';', state.Sources)).Append('\n');
        foreach (var property in state.Properties) sb.Append("#:property ").Append(property).Append('\n');
        sb.Append("using System.Text;\n");                               // imported by the notebook kernel, not by the SDK's implicit usings
        foreach (var u in state.Usings) sb.Append(u).Append('\n');
        sb.Append("using MotionWorkbench.Notebooks.Apps;\nusing static MotionWorkbench.Notebooks.Apps.NotebookHelpers;\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"if (NotebookApp.Start(args, {Literal(Path.GetFileName(notebookPath))}, {Literal(PathFrom(outputDir, Path.GetDirectoryName(notebookPath)!))}, ");
        sb.Append('[').Append(string.Join(", ", state.Parameters.Select(Literal))).Append("], [");
        sb.Append(string.Join(", ", state.Packages.Select(p => Literal($"{p.Id}@{p.Version}")))).Append("]) is { } exit) return exit;\n");
        sb.Append(body);
        sb.Append("\nNotebookApp.End();\nreturn 0;\n");
        if (state.Types.Length > 0) sb.Append("\n// Types declared in the notebook (a file-based app declares them after its statements)\n").Append(state.Types);
        return sb.ToString();
    }

    private static string ConvertCode(ExportState state, int number, string source, bool isParameters)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var kept = new StringBuilder();
        bool beforeCode = true;
        for (int l = 0; l < lines.Length; l++)
        {
            string line = lines[l];
            string t = line.Trim();
            if (t.StartsWith("#!", StringComparison.Ordinal))
            {
                string command = t.Split(' ', 2)[0];
                if (!(beforeCode && CSharpSelectors.Contains(command)))
                    throw state.Error(number, $"line {l + 1}: the magic command {command} cannot run in a file-based app (only C# code, #r and #i lines can be exported)");
                kept.Append('\n');
                continue;
            }
            if (Directive().Match(t) is { Success: true } m)
            {
                state.AddDirective(number, l + 1, m.Groups[1].Value, m.Groups[2].Value);
                kept.Append("// ").Append(t).Append('\n');
                continue;
            }
            if (t.StartsWith("#r", StringComparison.Ordinal) || t.StartsWith("#i", StringComparison.Ordinal) || t.StartsWith("#load", StringComparison.Ordinal))
                throw state.Error(number, $"line {l + 1}: '{t}' cannot be exported (a file-based app takes #r \"project output.dll\", #r \"nuget: Name, Version\" and #i \"nuget: source\" as #:project/#:package/restore sources; #load has no equivalent)");
            if (t.Length > 0 && !t.StartsWith("//", StringComparison.Ordinal)) beforeCode = false;
            kept.Append(line).Append('\n');
        }
        string text = kept.ToString();
        var tree = CSharpSyntaxTree.ParseText(text, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest));
        var root = (CompilationUnitSyntax)tree.GetRoot();
        var edits = new List<(int Start, int End, string Replacement)>();
        foreach (var u in root.Usings)
        {
            state.AddUsing(u.ToString());
            edits.Add((u.SpanStart, u.FullSpan.End, ""));
        }
        for (int k = 0; k < root.Members.Count; k++)
        {
            var member = root.Members[k];
            switch (member)
            {
                case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax:
                    state.Types.Append(CultureInfo.InvariantCulture, $"// from cell {number}\n").Append(text[member.SpanStart..member.FullSpan.End].TrimEnd()).Append("\n\n");
                    edits.Add((member.SpanStart, member.FullSpan.End, ""));
                    break;
                case GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local }:
                    foreach (var v in local.Declaration.Variables) state.Declare(number, v.Identifier.ValueText, isParameters && !local.IsConst);
                    break;
                case FieldDeclarationSyntax field:
                    foreach (var v in field.Declaration.Variables) state.Declare(number, v.Identifier.ValueText, isParameters && !field.Modifiers.Any(SyntaxKind.ConstKeyword));
                    break;
                case GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax function }:
                    state.Declare(number, function.Identifier.ValueText, parameter: false);
                    break;
                case MethodDeclarationSyntax method:
                    state.Declare(number, method.Identifier.ValueText, parameter: false);
                    break;
            }
            if (k == root.Members.Count - 1 && member is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } trailing })
                edits.Add((trailing.SpanStart, trailing.Span.End, Trailing(trailing.Expression)));
        }
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start)) text = text[..start] + replacement + text[end..];
        return string.Join('\n', text.Split('\n').Select(l => l.TrimEnd())).Trim('\n');
    }

    /// <summary>
    /// A cell's trailing expression (no semicolon), whose value the kernel displays: a <c>display(...)</c>/<c>.Display(...)</c>
    /// call just gets its semicolon; anything else goes through <see cref="Apps.NotebookApp.Result{T}(Func{T})"/>, which displays a
    /// value and merely runs a void call (the syntax alone cannot tell which it is).
    /// </summary>
    private static string Trailing(ExpressionSyntax expression)
    {
        string name = expression is InvocationExpressionSyntax call ? call.Expression switch
        {
            IdentifierNameSyntax id => id.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            _ => "",
        } : "";
        if (name is "display" or "Display" or "DisplayAs" or "DisplayTable") return expression + ";";
        return expression.DescendantNodesAndSelf().Any(n => n is AwaitExpressionSyntax)
            ? $"await NotebookApp.ResultAsync(async () => {expression});"
            : $"NotebookApp.Result(() => {expression});";
    }

    /// <summary><c>#r "..."</c> / <c>#i "..."</c> with a quoted argument.</summary>
    [GeneratedRegex("""^#(r|i)\s+"([^"]*)"\s*(?://.*)?$""")]
    private static partial Regex Directive();

    /// <summary>lib/MotionWorkbench.Notebooks above the notebook, else above the running mw tool.</summary>
    private static string? FindSink(string notebookDir)
    {
        foreach (var start in new[] { notebookDir, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, SinkProject);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>A path as the app names it: relative to <paramref name="fromDir"/>, or absolute when the two share no folder but the root.</summary>
    public static string PathFrom(string fromDir, string target)
    {
        string relative = Path.GetRelativePath(fromDir, target);
        int ups = relative.Split(Path.DirectorySeparatorChar).TakeWhile(s => s == "..").Count();
        int depth = Path.GetFullPath(fromDir).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Length;
        return (Path.IsPathRooted(relative) || (ups > 0 && ups >= depth) ? Path.GetFullPath(target) : relative).Replace('\\', '/');
    }

    private static string Literal(string s) => SymbolDisplay.FormatLiteral(s, quote: true);

    private sealed class ExportState(string notebook, string notebookDir)
    {
        private readonly Dictionary<string, int> declared = new(StringComparer.Ordinal);
        private readonly HashSet<string> usingSet = new(StringComparer.Ordinal);

        public List<string> Projects { get; } = [];
        public List<(string Id, string Version)> Packages { get; } = [];
        public List<string> Sources { get; } = [];
        public List<string> Properties { get; } = [];
        public List<string> Usings { get; } = [];
        public List<string> Parameters { get; } = [];
        public StringBuilder Types { get; } = new();
        public int? ParametersCell { get; set; }

        public NotebookExportException Error(int cell, string message) => new(notebook, cell, message);

        public void AddUsing(string directive)
        {
            if (usingSet.Add(directive)) Usings.Add(directive);
        }

        public void Declare(int cell, string name, bool parameter)
        {
            if (name == "args")
                throw Error(cell, "declares 'args', the name a file-based app gives its command-line arguments; rename it in the notebook");
            if (declared.TryGetValue(name, out var first))
                throw Error(cell, $"declares '{name}' again (cell {first} declares it first): a notebook may redeclare a variable in a later cell, a file-based app is one scope; rename one of them");
            declared[name] = cell;
            if (!parameter) return;
            if (ReservedOptions.Contains(name))
                throw Error(cell, $"the parameters cell declares '{name}', but --{name} is the app's own option; rename the parameter");
            Parameters.Add(name);
        }

        public void AddDirective(int cell, int line, string kind, string argument)
        {
            string arg = argument.Trim();
            bool nuget = arg.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase);
            if (kind == "i")
            {
                if (!nuget) throw Error(cell, $"line {line}: #i \"{arg}\" is not a NuGet source (#i \"nuget: URL-or-folder\")");
                Sources.Add(arg[6..].Trim());
                return;
            }
            if (nuget)
            {
                var parts = arg[6..].Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length is < 1 or > 2 || parts[0].Length == 0 || parts[0].Contains(' ', StringComparison.Ordinal))
                    throw Error(cell, $"line {line}: #r \"{arg}\" is not a package reference (#r \"nuget: Name, Version\")");
                string version = parts.Length == 2 && parts[1].Length > 0 ? parts[1] : "*";
                if (!Packages.Any(p => string.Equals(p.Id, parts[0], StringComparison.OrdinalIgnoreCase))) Packages.Add((parts[0], version));
                return;
            }
            string dll = Path.GetFullPath(Path.Combine(notebookDir, arg));
            string project = ProjectOf(dll) ?? throw Error(cell,
                $"line {line}: #r \"{arg}\" is not the build output of a project (no single .csproj beside a bin folder above {dll}); a file-based app references projects (#:project) and packages (#:package), not dlls");
            if (!Projects.Contains(project, StringComparer.Ordinal)) Projects.Add(project);
        }

        /// <summary>The project whose build output folder (<c>PROJECT_DIR/bin/...</c>) holds <paramref name="dll"/>.</summary>
        private static string? ProjectOf(string dll)
        {
            for (var dir = new DirectoryInfo(Path.GetDirectoryName(dll)!); dir?.Parent is { } parent; dir = parent)
            {
                if (dir.Name != "bin") continue;
                var projects = parent.Exists ? parent.GetFiles("*.csproj") : [];
                return projects.Length == 1 ? projects[0].FullName : null;
            }
            return null;
        }
    }
}

using System.Text.Json.Nodes;

namespace MotionWorkbench.Notebooks.Ipynb;

/// <summary>One cell of a notebook: code, markdown or raw, with its metadata and (for code) outputs.</summary>
public sealed class NotebookCell
{
    public NotebookCell(string cellType, string source, string? id = null, JsonObject? metadata = null)
    {
        if (cellType is not ("code" or "markdown" or "raw")) throw new ArgumentException($"cell type must be code, markdown or raw, got '{cellType}'");
        CellType = cellType;
        Source = source;
        Id = id ?? NewId();
        Metadata = metadata ?? [];
    }

    public string Id { get; set; }
    public string CellType { get; }
    public string Source { get; set; }
    public JsonObject Metadata { get; set; }
    /// <summary>nbformat output objects (display_data, execute_result, stream, error) in order.</summary>
    public List<JsonObject> Outputs { get; } = [];
    public int? ExecutionCount { get; set; }

    public bool IsCode => CellType == "code";

    /// <summary>Cell tags (<c>metadata.tags</c>), e.g. "parameters".</summary>
    public IReadOnlyList<string> Tags => Metadata["tags"] is JsonArray tags ? [.. tags.Select(t => t?.GetValue<string>() ?? "")] : [];

    public bool HasTag(string tag) => Tags.Contains(tag, StringComparer.Ordinal);

    /// <summary>
    /// The kernel a code cell runs in: a first-line <c>#!name</c> selector wins, then <c>polyglot_notebook.kernelName</c>,
    /// then the legacy <c>dotnet_interactive.language</c>, then <paramref name="defaultKernel"/>. Aliases c#/C# map to csharp.
    /// </summary>
    public string KernelName(string defaultKernel = "csharp")
    {
        if (!IsCode) return CellType;
        var first = Source.TrimStart('\uFEFF').Split('\n', 2)[0].Trim();
        if (first.StartsWith("#!", StringComparison.Ordinal) && first.Length > 2 && !first.Contains(' ', StringComparison.Ordinal))
        {
            var selector = Normalize(first[2..]);
            if (KnownKernels.Contains(selector)) return selector;
        }
        var name = (Metadata["polyglot_notebook"] as JsonObject)?["kernelName"]?.GetValue<string>()
                   ?? (Metadata["dotnet_interactive"] as JsonObject)?["language"]?.GetValue<string>();
        return Normalize(name ?? defaultKernel);
    }

    /// <summary>Kernel names Polyglot knows as cell selectors (<c>#!name</c>).</summary>
    public static readonly IReadOnlySet<string> KnownKernels = new HashSet<string>(StringComparer.Ordinal)
    {
        "csharp", "fsharp", "pwsh", "powershell", "javascript", "js", "html", "markdown", "md", "mermaid", "sql", "kql", "value", "http",
    };

    private static string Normalize(string name) => name switch
    {
        "c#" or "C#" or "cs" => "csharp",
        "f#" or "F#" => "fsharp",
        "md" => "markdown",
        "js" => "javascript",
        _ => name,
    };

    /// <summary>A fresh cell id: 8 lowercase hex characters (valid for nbformat 4.5: ^[a-zA-Z0-9-_]+$, 1-64 chars).</summary>
    public static string NewId() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>Whether an id is valid for nbformat 4.5.</summary>
    public static bool IsValidId(string? id)
        => !string.IsNullOrEmpty(id) && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

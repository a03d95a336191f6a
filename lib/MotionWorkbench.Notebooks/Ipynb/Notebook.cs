using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MotionWorkbench.Notebooks.Ipynb;

/// <summary>
/// A Jupyter notebook (nbformat 4) as VS Code + Polyglot Notebooks read and write it. Reading accepts the variants seen in
/// the wild (source as a string or a list of lines, missing ids, legacy kernel metadata); writing always produces
/// nbformat 4.5 with a valid id on every cell, kernelspec <c>.net-csharp</c>, <c>language_info</c>
/// <c>{"name": "polyglot-notebook", "pygments_lexer": "csharp"}</c>, <c>polyglot_notebook.kernelInfo</c>, both
/// <c>dotnet_interactive.language</c> and <c>polyglot_notebook.kernelName</c> on code cells, sorted keys and one-space
/// indentation, as VS Code's ipynb serializer does.
/// </summary>
public sealed class Notebook
{
    public Notebook(JsonObject? metadata = null) => Metadata = metadata ?? [];

    public JsonObject Metadata { get; set; }
    public List<NotebookCell> Cells { get; } = [];
    /// <summary>Where the notebook was read from (for messages); null for one built in memory.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The notebook's default kernel: <c>polyglot_notebook.kernelInfo.defaultKernelName</c>, the old top-level
    /// <c>kernelInfo</c>, or <c>kernelspec.name</c> without its <c>.net-</c> prefix; csharp when none is given.</summary>
    public string DefaultKernel
    {
        get
        {
            var info = (Metadata["polyglot_notebook"] as JsonObject)?["kernelInfo"] as JsonObject ?? Metadata["kernelInfo"] as JsonObject;
            if (info?["defaultKernelName"] is JsonValue v && v.TryGetValue<string>(out var name)) return name;
            if ((Metadata["kernelspec"] as JsonObject)?["name"] is JsonValue k && k.TryGetValue<string>(out var spec) && spec.StartsWith(".net-", StringComparison.Ordinal))
                return spec[5..];
            return "csharp";
        }
    }

    public static Notebook Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"notebook '{path}' does not exist", path);
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new NotebookFormatException(path, "cannot be read: " + e.Message, e); }
        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON; <paramref name="sourceName"/> names the file in errors.</summary>
    public static Notebook Parse(string json, string sourceName)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e)
        {
            throw new NotebookFormatException(sourceName, $"not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}): {e.Message}", e);
        }
        if (root is not JsonObject obj) throw new NotebookFormatException(sourceName, "the top level must be a JSON object with nbformat, metadata and cells");
        int major = obj["nbformat"] is JsonValue nv && nv.TryGetValue<int>(out var n) ? n : throw new NotebookFormatException(sourceName, "has no integer 'nbformat' (is this a Jupyter notebook?)");
        if (major != 4) throw new NotebookFormatException(sourceName, $"nbformat {major} is not supported; only nbformat 4 notebooks can be run (open and save it in VS Code or Jupyter to upgrade)");
        if (obj["cells"] is not JsonArray cells) throw new NotebookFormatException(sourceName, "has no 'cells' list");
        var metadata = obj["metadata"] switch
        {
            null => [],
            JsonObject m => (JsonObject)m.DeepClone(),
            _ => throw new NotebookFormatException(sourceName, "'metadata' must be an object"),
        };
        var notebook = new Notebook(metadata) { SourcePath = sourceName };
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < cells.Count; i++)
        {
            string where = $"cell {i + 1}";
            if (cells[i] is not JsonObject c) throw new NotebookFormatException(sourceName, $"{where} is not a JSON object");
            string type = c["cell_type"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t : throw new NotebookFormatException(sourceName, $"{where} has no 'cell_type'");
            if (type is not ("code" or "markdown" or "raw")) throw new NotebookFormatException(sourceName, $"{where} has unknown cell_type '{type}' (expected code, markdown or raw)");
            string source = JoinLines(c["source"], sourceName, $"{where} 'source'");
            string? id = c["id"] is JsonValue iv && iv.TryGetValue<string>(out var s) ? s : null;
            if (!NotebookCell.IsValidId(id) || !ids.Add(id!)) id = null;
            var cellMeta = c["metadata"] switch
            {
                null => [],
                JsonObject m => (JsonObject)m.DeepClone(),
                _ => throw new NotebookFormatException(sourceName, $"{where} 'metadata' must be an object"),
            };
            var cell = new NotebookCell(type, source, id, cellMeta);
            if (id is null) { while (!ids.Add(cell.Id)) cell.Id = NotebookCell.NewId(); }
            if (type == "code")
            {
                cell.ExecutionCount = c["execution_count"] is JsonValue ev && ev.TryGetValue<int>(out var ec) ? ec : null;
                if (c["outputs"] is JsonArray outs)
                {
                    for (int k = 0; k < outs.Count; k++)
                    {
                        if (outs[k] is not JsonObject o || o["output_type"] is not JsonValue)
                            throw new NotebookFormatException(sourceName, $"{where} output {k + 1} is not an object with an 'output_type'");
                        cell.Outputs.Add((JsonObject)o.DeepClone());
                    }
                }
                else if (c["outputs"] is not null) throw new NotebookFormatException(sourceName, $"{where} 'outputs' must be a list");
            }
            notebook.Cells.Add(cell);
        }
        return notebook;
    }

    /// <summary>The notebook as nbformat 4.5 JSON in the VS Code + Polyglot shape (see the class remarks).</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["cells"] = new JsonArray([.. Cells.Select(CellToJson)]),
            ["metadata"] = PolyglotMetadata(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 1,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            Sorted(root)!.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes the notebook atomically (temporary file in the same folder, then a rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    private JsonObject PolyglotMetadata()
    {
        var meta = (JsonObject)Metadata.DeepClone();
        string kernel = DefaultKernel;
        meta.Remove("kernelInfo");
        meta["kernelspec"] = kernel switch
        {
            "fsharp" => new JsonObject { ["display_name"] = ".NET (F#)", ["language"] = "F#", ["name"] = ".net-fsharp" },
            "pwsh" => new JsonObject { ["display_name"] = ".NET (PowerShell)", ["language"] = "PowerShell", ["name"] = ".net-pwsh" },
            _ => new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
        };
        meta["language_info"] = new JsonObject { ["name"] = "polyglot-notebook", ["pygments_lexer"] = kernel == "csharp" ? "csharp" : kernel };
        var polyglot = meta["polyglot_notebook"] as JsonObject ?? [];
        var info = polyglot["kernelInfo"] as JsonObject ?? [];
        info["defaultKernelName"] = kernel;
        var items = info["items"] as JsonArray ?? [];
        if (!items.OfType<JsonObject>().Any(i => (string?)i["name"] == kernel))
            items.Insert(0, kernel == "csharp"
                ? new JsonObject { ["aliases"] = new JsonArray("c#", "C#"), ["languageName"] = "C#", ["name"] = "csharp" }
                : new JsonObject { ["aliases"] = new JsonArray(), ["name"] = kernel });
        info["items"] = items.DeepClone();
        polyglot["kernelInfo"] = info.DeepClone();
        meta["polyglot_notebook"] = polyglot.DeepClone();
        return meta;
    }

    private JsonObject CellToJson(NotebookCell cell)
    {
        var meta = (JsonObject)cell.Metadata.DeepClone();
        var o = new JsonObject
        {
            ["cell_type"] = cell.CellType,
            ["id"] = cell.Id,
        };
        if (cell.IsCode)
        {
            string kernel = cell.KernelName(DefaultKernel);
            meta["dotnet_interactive"] = new JsonObject { ["language"] = kernel };
            meta["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernel };
            o["execution_count"] = cell.ExecutionCount;
            o["outputs"] = new JsonArray([.. cell.Outputs.Select(OutputToJson)]);
        }
        o["metadata"] = meta;
        o["source"] = SplitLines(cell.Source);
        return o;
    }

    private static JsonObject OutputToJson(JsonObject output)
    {
        var o = (JsonObject)output.DeepClone();
        if (o["text"] is JsonValue text && text.TryGetValue<string>(out var t)) o["text"] = SplitLines(t);
        if (o["data"] is JsonObject data)
        {
            foreach (var key in data.Select(p => p.Key).ToList())
            {
                if (data[key] is JsonValue v && v.TryGetValue<string>(out var s) && IsTextMime(key)) data[key] = SplitLines(s);
            }
        }
        o["metadata"] ??= o["output_type"]?.GetValue<string>() is "display_data" or "execute_result" ? new JsonObject() : null;
        if (o["metadata"] is null) o.Remove("metadata");
        return o;
    }

    /// <summary>MIME types whose values are stored as lists of lines (not base64 images, not JSON objects).</summary>
    public static bool IsTextMime(string mime)
        => mime.StartsWith("text/", StringComparison.Ordinal) || mime is "application/javascript" or "image/svg+xml";

    /// <summary>Splits text into Jupyter's list-of-lines form: every element ends with "\n" except possibly the last.</summary>
    public static JsonArray SplitLines(string text)
    {
        var array = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            if (nl < 0) { array.Add(text[start..]); break; }
            array.Add(text[start..(nl + 1)]);
            start = nl + 1;
        }
        return array;
    }

    /// <summary>Joins a string or a list of strings (Jupyter's multi-line form); null is empty.</summary>
    public static string JoinLines(JsonNode? node, string file = "notebook", string what = "value")
    {
        switch (node)
        {
            case null: return "";
            case JsonValue v when v.TryGetValue<string>(out var s): return s;
            case JsonArray a:
                var sb = new StringBuilder();
                foreach (var item in a)
                {
                    if (item is JsonValue iv && iv.TryGetValue<string>(out var line)) sb.Append(line);
                    else throw new NotebookFormatException(file, $"{what} must be a string or a list of strings");
                }
                return sb.ToString();
            default: throw new NotebookFormatException(file, $"{what} must be a string or a list of strings");
        }
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray arr => new JsonArray([.. arr.Select(Sorted)]),
        null => null,
        _ => node.DeepClone(),
    };
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Apps;

/// <summary>
/// The cells of an exported app, read back from its own source: a line <c>// %% cell N</c> (optionally <c>[tag, ...]</c>) starts
/// code cell N, <c>// %% [markdown] cell N</c> or <c>// %% [raw] cell N</c> a comment cell, and <c>NotebookApp.End();</c> ends
/// the last. Code cells hold the app's code as it is now (so the report shows what ran), without the <c>NotebookApp.Cell(N);</c>
/// line; comment cells drop the <c>// </c> prefix. What precedes the first marker (directives, usings, Start) is no cell.
/// </summary>
public static partial class AppSource
{
    [GeneratedRegex(@"^// %% (?:\[(markdown|raw)\] )?cell (\d+)(?: \[([^\]]*)\])?\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^\s*NotebookApp\.Cell\(\d+\);\s*$")]
    private static partial Regex CellCall();

    public static List<(int Number, NotebookCell Cell)> Cells(string source)
    {
        var result = new List<(int, NotebookCell)>();
        string? type = null;
        int number = 0;
        string[] tags = [];
        var lines = new List<string>();

        void Flush()
        {
            if (type is null) return;
            string text = string.Join('\n', type == "code" ? lines.Where(l => !CellCall().IsMatch(l)) : lines.Select(Uncomment)).Trim('\n');
            var metadata = tags.Length == 0 ? null : new JsonObject { ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode?)t)]) };
            result.Add((number, new NotebookCell(type, text, metadata: metadata)));
        }

        foreach (var raw in source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (Marker().Match(raw) is { Success: true } m)
            {
                Flush();
                type = m.Groups[1].Success ? m.Groups[1].Value : "code";
                number = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                tags = m.Groups[3].Success ? m.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
                lines.Clear();
                continue;
            }
            if (raw.Trim() == "NotebookApp.End();")
            {
                Flush();
                type = null;
                continue;
            }
            if (type is not null) lines.Add(raw.TrimEnd());
        }
        Flush();
        return result;
    }

    private static string Uncomment(string line) => line.StartsWith("// ", StringComparison.Ordinal) ? line[3..] : line.StartsWith("//", StringComparison.Ordinal) ? line[2..] : line;
}

using System.Text.RegularExpressions;

namespace MotionWorkbench.Layout.Tests;

/// <summary>
/// What lib/README.md states, read from its text: the arrow list ("## Project references", a <c>text</c> block of
/// <c>Library -> A, B</c> lines), the diagram (a <c>mermaid</c> block of <c>A --> B</c> lines), the pipeline order ("## Pipeline
/// order", a table whose second column lists the stage's libraries in backticks) and the glossary letters ("## Glossary",
/// a table whose first column lists letters in backticks). A section or block that is missing is an error naming it.
/// </summary>
public sealed partial class LibReadme(string path, string text)
{
    public string Path { get; } = path;

    public static LibReadme Load(string path) => new(path, File.ReadAllText(path).Replace("\r\n", "\n"));

    /// <summary>Library -> the libraries the arrow list says it references.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Arrows()
    {
        var arrows = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var line in Block(Section("## Project references"), "text"))
        {
            var m = ArrowLine().Match(line);
            if (!m.Success) throw new InvalidDataException($"{Path}: '{line}' in the arrow list is not 'Library -> A, B' or 'Library -> (none)'");
            string from = m.Groups["from"].Value, to = m.Groups["to"].Value.Trim();
            var refs = to == "(none)" ? [] : to.Split(',').Select(s => s.Trim()).ToHashSet(StringComparer.Ordinal);
            if (!arrows.TryAdd(from, refs)) throw new InvalidDataException($"{Path}: {from} has two lines in the arrow list");
        }
        return arrows;
    }

    /// <summary>The diagram's edges.</summary>
    public IReadOnlySet<(string From, string To)> DiagramEdges()
    {
        var edges = new HashSet<(string, string)>();
        foreach (var line in Block(Section("## Project references"), "mermaid").Skip(1)) // the first line is "flowchart TD"
        {
            var m = MermaidEdge().Match(line);
            if (!m.Success) throw new InvalidDataException($"{Path}: '{line}' in the diagram is not 'A --> B'");
            edges.Add((m.Groups["from"].Value, m.Groups["to"].Value));
        }
        return edges;
    }

    /// <summary>The stages in order, each with its libraries in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Stages() =>
        TableRows(Section("## Pipeline order")).Select(cells => (IReadOnlyList<string>)Backticked(cells[1])).ToList();

    /// <summary>Every letter (or letter group such as <c>Lq</c>) the glossary defines.</summary>
    public IReadOnlySet<string> GlossaryLetters() =>
        TableRows(Section("## Glossary")).SelectMany(cells => Backticked(cells[0])).ToHashSet(StringComparer.Ordinal);

    private IReadOnlyList<string> Section(string heading)
    {
        var lines = text.Split('\n');
        int start = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        if (start < 0) throw new InvalidDataException($"{Path}: no section '{heading}'");
        int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        return lines[(start + 1)..(end < 0 ? lines.Length : end)];
    }

    private IReadOnlyList<string> Block(IReadOnlyList<string> section, string language)
    {
        int start = section.ToList().FindIndex(l => l.Trim() == "```" + language);
        if (start < 0) throw new InvalidDataException($"{Path}: no ```{language} block in its section");
        var block = section.Skip(start + 1).TakeWhile(l => l.Trim() != "```").Where(l => l.Trim().Length > 0).ToList();
        return block;
    }

    private static IEnumerable<string[]> TableRows(IReadOnlyList<string> section) =>
        section.Where(l => l.StartsWith('|'))
               .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
               .Skip(2); // the header and the |---| line

    private static List<string> Backticked(string cell) => [.. Regex.Matches(cell, "`([^`]+)`").Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^(?<from>[A-Za-z]+)\s+->\s+(?<to>.+)$")]
    private static partial Regex ArrowLine();

    [GeneratedRegex(@"^\s*(?<from>[A-Za-z]+)\s+-->\s+(?<to>[A-Za-z]+)\s*$")]
    private static partial Regex MermaidEdge();
}

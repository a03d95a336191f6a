using System.Xml.Linq;

namespace MotionWorkbench.Layout.Tests;

/// <summary>
/// The libraries under <c>lib/</c> and their <c>ProjectReference</c>s, by short name (<c>MotionWorkbench.Models</c> is
/// <c>Models</c>): library -> the libraries it references. Read from the project files as text, never by building them.
/// </summary>
public sealed class ProjectGraph
{
    public const string Prefix = "MotionWorkbench.";

    public ProjectGraph(IReadOnlyDictionary<string, IReadOnlySet<string>> references)
    {
        foreach (var (library, refs) in references)
            foreach (var r in refs)
                if (!references.ContainsKey(r)) throw new ArgumentException($"{library} references {r}, which is not a library of the graph");
        References = references;
    }

    public IReadOnlyDictionary<string, IReadOnlySet<string>> References { get; }

    public IEnumerable<string> Libraries => References.Keys.Order(StringComparer.Ordinal);

    public IEnumerable<(string From, string To)> Edges =>
        Libraries.SelectMany(a => References[a].Order(StringComparer.Ordinal).Select(b => (a, b)));

    /// <summary>Every <c>lib/NAME/NAME.csproj</c>; a reference to a project outside <c>lib/</c> or to no project file is an error naming both.</summary>
    public static ProjectGraph Load(string libDir)
    {
        var result = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var dir in Directory.GetDirectories(libDir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            string project = Path.Combine(dir, name + ".csproj");
            if (!File.Exists(project)) continue;
            var refs = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var include in XDocument.Load(project).Descendants("ProjectReference").Select(e => (string?)e.Attribute("Include")))
            {
                if (include is null) throw new InvalidDataException($"{project}: a ProjectReference without Include");
                string target = Path.GetFullPath(Path.Combine(dir, include.Replace('\\', '/')));
                if (!File.Exists(target)) throw new InvalidDataException($"{project}: ProjectReference '{include}' names no project file ({target})");
                if (Path.GetFullPath(Path.GetDirectoryName(Path.GetDirectoryName(target))!) != Path.GetFullPath(libDir))
                    throw new InvalidDataException($"{project}: ProjectReference '{include}' is outside lib/");
                refs.Add(ShortName(Path.GetFileNameWithoutExtension(target)));
            }
            result[ShortName(name)] = refs;
        }
        return new ProjectGraph(result);
    }

    public static string ShortName(string project) => project.StartsWith(Prefix, StringComparison.Ordinal) ? project[Prefix.Length..] : project;

    /// <summary>A cycle as its libraries in order (the first repeated at the end), or null when there is none.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        foreach (var start in Libraries)
        {
            var cycle = Visit(start);
            if (cycle is not null) return cycle;
        }
        return null;

        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out int s))
                return s == 1 ? [.. path.Skip(path.IndexOf(node)), node] : null;
            state[node] = 1;
            path.Add(node);
            foreach (var next in References[node].Order(StringComparer.Ordinal))
            {
                var cycle = Visit(next);
                if (cycle is not null) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    /// <summary>The libraries <paramref name="library"/> reaches through one or more references.</summary>
    public IReadOnlySet<string> Reachable(string library)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(References[library]);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (seen.Add(x)) foreach (var y in References[x]) stack.Push(y);
        }
        return seen;
    }

    /// <summary>The edges no longer path implies (the transitive reduction of an acyclic graph).</summary>
    public IReadOnlySet<(string From, string To)> TransitiveReduction() =>
        Edges.Where(e => !References[e.From].Any(other => other != e.To && Reachable(other).Contains(e.To))).ToHashSet();

    /// <summary>The arrow list as lib/README.md shows it: one line per library, names padded to one column.</summary>
    public string ArrowList()
    {
        int width = Libraries.Max(l => l.Length);
        return string.Join("\n", Libraries.Select(l =>
            $"{l.PadRight(width)} -> {(References[l].Count == 0 ? "(none)" : string.Join(", ", References[l].Order(StringComparer.Ordinal)))}"));
    }
}

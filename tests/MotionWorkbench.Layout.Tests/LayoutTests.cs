using System.Text.RegularExpressions;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Layout.Tests;

/// <summary>
/// The library layout as lib/README.md states it, checked against the repository: a README per library, the arrow list
/// and the diagram against the .csproj references, the pipeline order, no cycle, no reflection loading, the glossary.
/// </summary>
public sealed partial class LayoutTests
{
    private static readonly string Lib = Path.Combine(SharedData.RepoRoot, "lib");
    private static readonly ProjectGraph Graph = ProjectGraph.Load(Lib);
    private static readonly LibReadme Readme = LibReadme.Load(Path.Combine(Lib, "README.md"));

    /// <summary>
    /// Files allowed to load assemblies at run time, and why. Both load the kernel extensions that a <c>#r "nuget: ..."</c>
    /// package ships in <c>interactive-extensions/dotnet/</c>, as the dotnet-interactive tool does; neither loads a workbench library.
    /// </summary>
    private static readonly Dictionary<string, string> ReflectionAllowed = new(StringComparer.Ordinal)
    {
        ["MotionWorkbench.Notebooks/Apps/NotebookApp.cs"] = "a notebook app starts the kernel extensions of its #r nuget packages",
        ["MotionWorkbench.Notebooks/Kernel/KernelSession.cs"] = "the kernel starts the kernel extensions of its #r nuget packages",
    };

    [Fact]
    public void EveryLibrary_HasAReadmeNamingIt_WithAnExample_AndIsOnTheMap()
    {
        Assert.True(Graph.Libraries.Count() >= 10, $"only {Graph.Libraries.Count()} libraries found under {Lib}");
        var problems = new List<string>();
        string map = File.ReadAllText(Readme.Path);
        foreach (var library in Graph.Libraries)
        {
            string project = ProjectGraph.Prefix + library, path = Path.Combine(Lib, project, "README.md");
            if (!File.Exists(path)) { problems.Add($"{project} has no README.md"); continue; }
            var text = File.ReadAllText(path);
            if (!text.StartsWith($"# {project}\n", StringComparison.Ordinal)) problems.Add($"{path} does not start with '# {project}'");
            if (!text.Contains("```", StringComparison.Ordinal)) problems.Add($"{path} has no example (a ``` block)");
            if (!map.Contains($"]({project}/README.md)", StringComparison.Ordinal)) problems.Add($"lib/README.md's map has no link to {project}/README.md");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void ArrowList_IsTheProjectReferencesOfTheCsprojFiles()
    {
        var stated = Readme.Arrows();
        var problems = new List<string>();
        foreach (var library in Graph.Libraries.Union(stated.Keys).Order(StringComparer.Ordinal))
        {
            var actual = Graph.References.GetValueOrDefault(library);
            var said = stated.GetValueOrDefault(library);
            if (actual is null) { problems.Add($"{library} is in the arrow list but has no lib/{ProjectGraph.Prefix}{library}/{ProjectGraph.Prefix}{library}.csproj"); continue; }
            if (said is null) { problems.Add($"{library} is missing from the arrow list"); continue; }
            foreach (var r in actual.Except(said).Order(StringComparer.Ordinal)) problems.Add($"{library} -> {r}: in the .csproj, not in the list");
            foreach (var r in said.Except(actual).Order(StringComparer.Ordinal)) problems.Add($"{library} -> {r}: in the list, not in the .csproj");
        }
        Assert.True(problems.Count == 0,
            $"{Readme.Path}'s arrow list differs from the project files:\n{string.Join("\n", problems)}\nThe list from the project files:\n{Graph.ArrowList()}");
    }

    [Fact]
    public void Diagram_IsTheTransitiveReductionOfTheReferences()
    {
        var expected = Graph.TransitiveReduction();
        var drawn = Readme.DiagramEdges();
        var missing = expected.Except(drawn).Select(e => $"{e.From} --> {e.To}: missing").Order(StringComparer.Ordinal);
        var extra = drawn.Except(expected).Select(e => $"{e.From} --> {e.To}: " +
            (Graph.References.TryGetValue(e.From, out var refs) && refs.Contains(e.To) ? "implied by a longer path" : "no such reference")).Order(StringComparer.Ordinal);
        var problems = missing.Concat(extra).ToList();
        Assert.True(problems.Count == 0, $"{Readme.Path}'s diagram:\n{string.Join("\n", problems)}\nThe arrows to draw:\n" +
            string.Join("\n", expected.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).Select(e => $"  {e.From} --> {e.To}")));
    }

    [Fact]
    public void ProjectReferences_HaveNoCycle()
    {
        var cycle = Graph.FindCycle();
        Assert.True(cycle is null, $"the project references have a cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void ProjectReferences_GoOnlyToLibrariesEarlierInThePipelineOrder()
    {
        var stages = Readme.Stages();
        var order = stages.SelectMany(s => s).ToList();
        var problems = new List<string>();
        foreach (var twice in order.GroupBy(l => l).Where(g => g.Count() > 1)) problems.Add($"{twice.Key} is listed {twice.Count()} times");
        foreach (var l in Graph.Libraries.Except(order)) problems.Add($"{l} is in no stage");
        foreach (var l in order.Except(Graph.Libraries)) problems.Add($"{l} is in a stage but is no library");
        string StageOf(string l) => $"stage {stages.Select((s, i) => (s, i)).First(x => x.s.Contains(l)).i + 1}";
        foreach (var (from, to) in Graph.Edges)
            if (order.Contains(from) && order.Contains(to) && order.IndexOf(to) >= order.IndexOf(from))
                problems.Add($"{from} ({StageOf(from)}) -> {to} ({StageOf(to)}): against the pipeline order");
        Assert.True(problems.Count == 0, $"{Readme.Path}, pipeline order:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void Libraries_LoadNoAssemblyByReflection()
    {
        var hits = new List<string>();
        var allowedSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles.Under(Lib))
        {
            string relative = Path.GetRelativePath(Lib, file).Replace('\\', '/');
            int n = 0;
            foreach (var line in File.ReadLines(file))
            {
                n++;
                string code = line.Contains("//", StringComparison.Ordinal) ? line[..line.IndexOf("//", StringComparison.Ordinal)] : line;
                if (!Reflection().IsMatch(code)) continue;
                if (ReflectionAllowed.ContainsKey(relative)) allowedSeen.Add(relative);
                else hits.Add($"{relative}:{n}: {line.Trim()}");
            }
        }
        Assert.True(hits.Count == 0, "a library loads code by reflection (a dependency the compiler never sees); reference the project " +
            "or register the implementation at the edge instead:\n" + string.Join("\n", hits));
        foreach (var (file, why) in ReflectionAllowed)
        {
            Assert.True(allowedSeen.Contains(file), $"{file} is allowed to load assemblies ({why}) but no longer does: drop it from the list");
            Assert.Contains("interactive-extensions", File.ReadAllText(Path.Combine(Lib, file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ShapeComments_UseOnlyGlossaryLetters()
    {
        var glossary = Readme.GlossaryLetters();
        Assert.Contains("B", glossary);
        var used = ShapeComments.LettersIn(Lib);
        Assert.Contains("C", used.Keys);
        var unknown = used.Where(u => !glossary.Contains(u.Key)).Select(u => $"'{u.Key}' (first at {u.Value})").ToList();
        Assert.True(unknown.Count == 0, $"shape comments use letters that {Readme.Path}'s glossary does not define: {string.Join(", ", unknown)}; " +
            "use a glossary letter or add the letter to the glossary");
    }

    [GeneratedRegex(@"\bAssembly\.Load\w*\s*\(|\bLoadFrom\w*\s*\(|\bLoadFile\s*\(|\bActivator\.CreateInstance\b|\bType\.GetType\s*\(")]
    private static partial Regex Reflection();
}

namespace MotionWorkbench.Layout.Tests;

/// <summary>The readers behind <see cref="LayoutTests"/>, on small hand-made inputs, so that a check that passes is a check that can fail.</summary>
public sealed class LayoutReadersTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-layout-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static ProjectGraph Graph(params (string From, string[] To)[] edges) =>
        new(edges.ToDictionary(e => e.From, e => (IReadOnlySet<string>)e.To.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal));

    [Fact]
    public void FindCycle_ReturnsTheLoop_AndNullWithoutOne()
    {
        var loop = Graph(("A", ["B"]), ("B", ["C"]), ("C", ["A"]), ("D", ["A"]));
        Assert.Equal(["A", "B", "C", "A"], loop.FindCycle());
        Assert.Null(Graph(("A", ["B", "C"]), ("B", ["C"]), ("C", [])).FindCycle());
        Assert.Equal(["A", "A"], Graph(("A", ["A"])).FindCycle());
    }

    [Fact]
    public void TransitiveReduction_DropsTheArrowsALongerPathImplies()
    {
        var g = Graph(("A", ["B", "C", "D"]), ("B", ["C"]), ("C", ["D"]), ("D", []));
        Assert.Equal([("A", "B"), ("B", "C"), ("C", "D")], g.TransitiveReduction().Order());
        Assert.Equal("A -> B, C, D\nB -> C\nC -> D\nD -> (none)", g.ArrowList());
    }

    [Fact]
    public void Graph_RefusesAReferenceToALibraryItDoesNotHold()
    {
        Assert.Contains("A references Z", Assert.Throws<ArgumentException>(() => Graph(("A", ["Z"]))).Message);
    }

    [Fact]
    public void Load_ReadsTheProjectReferences_AndRefusesOnesOutsideLib()
    {
        string lib = Path.Combine(root, "lib");
        WriteProject(lib, "MotionWorkbench.Low");
        WriteProject(lib, "MotionWorkbench.High", "../MotionWorkbench.Low/MotionWorkbench.Low.csproj");
        var g = ProjectGraph.Load(lib);
        Assert.Equal(["High", "Low"], g.Libraries);
        Assert.Equal([("High", "Low")], g.Edges);

        WriteProject(Path.Combine(root, "tests"), "MotionWorkbench.Elsewhere");
        WriteProject(lib, "MotionWorkbench.Odd", "../../tests/MotionWorkbench.Elsewhere/MotionWorkbench.Elsewhere.csproj");
        Assert.Contains("is outside lib/", Assert.Throws<InvalidDataException>(() => ProjectGraph.Load(lib)).Message);
        WriteProject(lib, "MotionWorkbench.Odd", "../MotionWorkbench.Gone/MotionWorkbench.Gone.csproj");
        Assert.Contains("names no project file", Assert.Throws<InvalidDataException>(() => ProjectGraph.Load(lib)).Message);
    }

    [Fact]
    public void LibReadme_ReadsTheArrowsTheDiagramTheStagesAndTheGlossary()
    {
        const string text = """
            # Libraries

            ## Pipeline order

            | stage | libraries, in order | what |
            |---|---|---|
            | 1 low | `Low` | x |
            | 2 high | `Mid`, `High` | y |

            ## Project references

            ```text
            High -> Low, Mid
            Low  -> (none)
            ```

            ```mermaid
            flowchart TD
              High --> Mid
            ```

            ## Glossary of dimension letters

            | letter | meaning | where |
            |---|---|---|
            | `B` | batch | all |
            | `Lq`, `Lk` | queries, keys | attention |
            """;
        var readme = new LibReadme("x.md", text.Replace("\r\n", "\n"));
        var arrows = readme.Arrows();
        Assert.Equal(["Low", "Mid"], arrows["High"].Order());
        Assert.Empty(arrows["Low"]);
        Assert.Equal([("High", "Mid")], readme.DiagramEdges());
        var stages = readme.Stages();
        Assert.Equal(2, stages.Count);
        Assert.Equal(["Low"], stages[0]);
        Assert.Equal(["Mid", "High"], stages[1]);
        Assert.Equal(["B", "Lk", "Lq"], readme.GlossaryLetters().Order());

        var broken = new LibReadme("y.md", text.Replace("High -> Low, Mid", "High => Low"));
        Assert.Contains("y.md: 'High => Low' in the arrow list", Assert.Throws<InvalidDataException>(() => broken.Arrows()).Message);
        Assert.Contains("no section '## Project references'", Assert.Throws<InvalidDataException>(() => new LibReadme("z.md", "# nothing").Arrows()).Message);
    }

    [Theory]
    [InlineData("var y = Ops.Add(x, b); // (B, 1 + L, C)", "B L C")]
    [InlineData("x = Reshape(x, B, 3, R, N, P, N); // (B, 3, T, 5N) -> (B, E)", "B T N B E")]
    [InlineData("//   dW (Cout, K) += dY · colᵀ with (Lq, Lk)", "Cout K Lq Lk")]
    [InlineData("/// <summary>(B, L, C) in a doc comment.</summary>", "")]
    [InlineData("int n = 3; // the rows (B, V or A) and (Tables 5, 11)", "")]
    [InlineData("var s = \"(B, L)\"; // no shape here", "")]
    public void ShapeComments_FindTheLettersOfShapesOnly(string line, string letters)
    {
        Assert.Equal(letters.Split(' ', StringSplitOptions.RemoveEmptyEntries), ShapeComments.Letters(line));
    }

    private static void WriteProject(string parent, string name, string? reference = null)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(dir);
        string refs = reference is null ? "" : $"<ItemGroup><ProjectReference Include=\"{reference}\" /></ItemGroup>";
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"<Project Sdk=\"Microsoft.NET.Sdk\">{refs}</Project>");
    }
}

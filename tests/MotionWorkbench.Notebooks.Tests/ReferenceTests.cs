using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;
using static MotionWorkbench.Notebooks.Tests.NotebookAssert;

namespace MotionWorkbench.Notebooks.Tests;

[Collection("executed")]
public sealed class RenderInNotebookTests(ExecutedNotebooks executed)
{
    [Fact]
    public void RenderLibrary_ObjectsDisplayAsRichOutputs_AndNugetLinesAreAnswered()
    {
        var result = executed.Reference;
        Assert.True(result.Succeeded, result.FailureMessage + string.Join("\n", result.Executed.Cells.SelectMany(c => c.Outputs).Select(o => o.ToJsonString())));
        var nb = result.Executed;

        var setup = Outputs(nb, 1).Single();
        Assert.Equal("stderr", (string?)setup["name"]);
        Assert.Contains("cell 1, line 1: '#r \"nuget: Plotly.NET, 4.2.0\"' was skipped: mw notebook runs offline", (string?)setup["text"]);
        Assert.Contains("cell 1, line 3: 'using Microsoft.DotNet.Interactive.Formatting;' was skipped", (string?)setup["text"]);
        Assert.Contains("was skipped", executed.ReferenceStderr);      // also streamed live

        var figure = Outputs(nb, 2).Single()["data"]!.AsObject();
        Assert.Equal(["application/vnd.plotly.v1+json", "text/html", "text/plain"], figure.Select(p => p.Key));
        Assert.Equal("Loss", (string?)figure["application/vnd.plotly.v1+json"]!["layout"]!["title"]!["text"]);
        string figureHtml = Text(Outputs(nb, 2).Single(), "text/html");
        Assert.Contains("Plotly.newPlot", figureHtml);
        if (PlotlyBundle.Path is { } bundle)                            // self-sufficient: the output carries plotly.js itself
            Assert.Contains(File.ReadAllText(bundle)[..200], figureHtml);

        var tables = Outputs(nb, 3);
        Assert.Equal(2, tables.Count);
        Assert.Equal(Text(tables[0], "text/html"), Text(tables[1], "text/html"));   // display(x) and display(HTML(x.ToHtml())) agree
        Assert.Contains("<caption", Text(tables[0], "text/html"));

        var image = Outputs(nb, 4).Single()["data"]!.AsObject();
        var png = Convert.FromBase64String((string)image["image/png"]!);
        var decoded = Render.Images.Png.Decode(png);
        Assert.Equal((4, 3), (decoded.Width, decoded.Height));
        Assert.Equal(255, decoded.Pixels[0]);
    }
}

public sealed class ReferenceTests : IClassFixture<TestNotebooks>
{
    private readonly TestNotebooks notebooks;

    public ReferenceTests(TestNotebooks notebooks) => this.notebooks = notebooks;

    [Fact]
    public async Task RelativeReference_UsesAShadowCopy_SoTheDllCanBeRebuiltBetweenRuns()
    {
        string lib = Path.Combine(notebooks.Directory, "greeterlib");
        Directory.CreateDirectory(lib);
        string dll = Path.Combine(lib, "Greeter.dll");
        string path = notebooks.PathOf("greeter.ipynb");
        var nb = new Notebook();
        nb.Cells.Add(new NotebookCell("code", "#r \"greeterlib/Greeter.dll\"\nGreeter.Hello(\"notebook\")"));
        nb.Save(path);

        BuildGreeter(dll, "hello v1, ");
        var first = await notebooks.RunAsync("greeter.ipynb");
        BuildGreeter(dll, "hello v2, ");                               // the original file is not locked
        var second = await notebooks.RunAsync("greeter.ipynb");

        Assert.True(first.Succeeded, first.FailureMessage);
        Assert.Equal("hello v1, notebook", Text(Outputs(first.Executed, 1).Single()));
        Assert.Equal("hello v2, notebook", Text(Outputs(second.Executed, 1).Single()));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(notebooks.Directory, "shadow")).Count(d => File.Exists(Path.Combine(d, "Greeter.dll"))));
    }

    [Fact]
    public async Task MissingReference_IsACellErrorNamingTheResolvedPath()
    {
        var nb = new Notebook();
        nb.Cells.Add(new NotebookCell("code", "// setup\n#r \"../nowhere/Missing.dll\""));
        nb.Save(notebooks.PathOf("missing.ipynb"));
        var result = await notebooks.RunAsync("missing.ipynb");
        var error = Outputs(result.Executed, 1).Single();
        Assert.Contains("cell 1, line 2: #r \"../nowhere/Missing.dll\": file not found", (string?)error["evalue"]);
        Assert.Contains(Path.GetFullPath(Path.Combine(notebooks.Directory, "../nowhere/Missing.dll")), (string?)error["evalue"]);
    }

    private static void BuildGreeter(string path, string greeting)
    {
        var code = $"public static class Greeter {{ public static string Hello(string name) => \"{greeting}\" + name; }}";
        var compilation = CSharpCompilation.Create("Greeter", [CSharpSyntaxTree.ParseText(code)],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location),
             MetadataReference.CreateFromFile(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Runtime.dll"))],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var stream = File.Create(path);
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
    }
}

public sealed class ShadowCopyTests
{
    [Fact]
    public void ShadowCopy_CopiesTheDllsFolderOnce_AndPruningRemovesOnlyStaleCopies()
    {
        string root = Path.Combine(Path.GetTempPath(), "mw-shadow-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string lib = Path.Combine(root, "lib");
            Directory.CreateDirectory(lib);
            File.WriteAllText(Path.Combine(lib, "A.dll"), "a");
            File.WriteAllText(Path.Combine(lib, "B.dll"), "b");
            File.WriteAllText(Path.Combine(lib, "notes.txt"), "not copied");
            string shadows = Path.Combine(root, "shadow");
            string first = Kernel.CellPreprocessor.ShadowCopy(Path.Combine(lib, "A.dll"), shadows);
            Assert.Equal(first, Kernel.CellPreprocessor.ShadowCopy(Path.Combine(lib, "A.dll"), shadows));   // unchanged folder: reused
            Assert.Equal(["A.dll", "B.dll"], Directory.GetFiles(Path.GetDirectoryName(first)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            File.WriteAllText(Path.Combine(lib, "B.dll"), "b, rebuilt");
            string second = Kernel.CellPreprocessor.ShadowCopy(Path.Combine(lib, "A.dll"), shadows);
            Assert.NotEqual(first, second);
            Directory.SetLastWriteTimeUtc(Path.GetDirectoryName(first)!, DateTime.UtcNow.AddDays(-30));
            Assert.Equal(1, Kernel.CellPreprocessor.PruneShadowCopies(shadows, TimeSpan.FromDays(7)));
            Assert.True(File.Exists(second));
            Assert.False(File.Exists(first));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Preprocessor_BlanksDirectivesButKeepsLineNumbers()
    {
        var result = Kernel.CellPreprocessor.Process("#!csharp\n#r \"nuget: X\"\nusing Microsoft.DotNet.Interactive;\nvar a = 1;", 4, Path.GetTempPath(), Path.GetTempPath());
        Assert.Null(result.Error);
        Assert.Equal("\n\n\nvar a = 1;", result.Code);
        Assert.Equal(2, result.Messages.Count);
        Assert.StartsWith("cell 4, line 2: ", result.Messages[0]);
        var magic = Kernel.CellPreprocessor.Process("var b = 2;\n#!fsharp", 2, Path.GetTempPath(), Path.GetTempPath());
        Assert.Equal("cell 2, line 2: the magic command '#!fsharp' is not supported by mw notebook run (supported: #!csharp, #!markdown, #!html cells, #!time, #r)", magic.Error);
    }
}

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
    public void RenderLibrary_ObjectsDisplayAsRichOutputs_WithNoFormatterLine()
    {
        var result = executed.Reference;
        Assert.True(result.Succeeded, result.FailureMessage + string.Join("\n", result.Executed.Cells.SelectMany(c => c.Outputs).Select(o => o.ToJsonString())));
        var nb = result.Executed;

        Assert.Empty(Outputs(nb, 1));                                   // no compiler warnings, no formatter line
        Assert.DoesNotContain("warning", executed.ReferenceStderr, StringComparison.OrdinalIgnoreCase);

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
    public async Task RelativeReference_ResolvesAgainstTheNotebookFolder_AndARebuildIsPickedUpByTheNextRun()
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
    }

    [Fact]
    public async Task MissingReference_IsACellErrorNamingTheResolvedPath()
    {
        var nb = new Notebook();
        nb.Cells.Add(new NotebookCell("code", "// setup\n#r \"../nowhere/Missing.dll\""));
        nb.Save(notebooks.PathOf("missing.ipynb"));
        var result = await notebooks.RunAsync("missing.ipynb");
        var error = Outputs(result.Executed, 1).Single();
        Assert.Equal("CompilationError", (string?)error["ename"]);
        Assert.Contains("line 2, column 1: error CS0006", (string?)error["evalue"]);
        Assert.Contains("../nowhere/Missing.dll", (string?)error["evalue"]);       // resolved against the notebook folder (the kernel's working directory)
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

public sealed class NugetReferenceTests : IClassFixture<TestNotebooks>
{
    private readonly TestNotebooks notebooks;

    public NugetReferenceTests(TestNotebooks notebooks) => this.notebooks = notebooks;

    [Fact]
    public async Task NugetReference_IsRestored_AndThePackagesOwnFormatterRendersItsValues()
    {
        var nb = new Notebook();
        nb.Cells.Add(new NotebookCell("code", "#r \"nuget: Microsoft.Data.Analysis, 0.24.0\""));
        nb.Cells.Add(new NotebookCell("code", "using Microsoft.Data.Analysis;\nnew DataFrame(new StringDataFrameColumn(\"model\", new[] { \"ours\" }), new DoubleDataFrameColumn(\"R@1\", new[] { 12.5 }))"));
        nb.Save(notebooks.PathOf("nuget.ipynb"));
        var result = await notebooks.RunAsync("nuget.ipynb");
        Assert.True(result.Succeeded, result.FailureMessage + string.Join("\n", result.Executed.Cells.SelectMany(c => c.Outputs).Select(o => o.ToJsonString())));
        Assert.Contains("Installed Packages", Text(Outputs(result.Executed, 1).Single(), "text/html"));   // the install progress, updated in place
        Assert.Contains("Microsoft.Data.Analysis, 0.24.0", Text(Outputs(result.Executed, 1).Single(), "text/html"));
        string frame = Text(Outputs(result.Executed, 2).Single(), "text/html");
        Assert.Contains("<table id=\"table_", frame);                        // the DataFrame extension's table, not the property tree
        Assert.Contains("<th>R@1</th>", frame);
    }
}

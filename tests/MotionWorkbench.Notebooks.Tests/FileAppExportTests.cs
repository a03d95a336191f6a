using System.Text.Json.Nodes;
using MotionWorkbench.Notebooks.Apps;
using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Tests;

/// <summary>
/// <see cref="FileAppExporter"/>: what each notebook construct becomes in the .NET 10 file-based app, and the notebooks it
/// refuses (one error naming the cell, no file). Notebooks are built in memory in a temporary folder.
/// </summary>
public sealed class FileAppExportTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-export-" + Guid.NewGuid().ToString("N")[..8]);

    public FileAppExportTests() => Directory.CreateDirectory(Path.Combine(dir, "notebooks"));

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private Notebook Make(params NotebookCell[] cells)
    {
        var nb = new Notebook { SourcePath = Path.Combine(dir, "notebooks", "nb.ipynb") };
        nb.Cells.AddRange(cells);
        return nb;
    }

    private static NotebookCell Code(string source, params string[] tags)
        => new("code", source, metadata: tags.Length == 0 ? null : new JsonObject { ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode?)t)]) });

    private string Export(Notebook nb) => FileAppExporter.Export(nb, Path.Combine(dir, "notebooks", "nb.cs"));

    private NotebookExportException Refused(Notebook nb)
    {
        string target = Path.Combine(dir, "notebooks", "nb.cs");
        var e = Assert.Throws<NotebookExportException>(() => FileAppExporter.Write(nb, target));
        Assert.False(File.Exists(target), "a refused export must not leave a file");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!, "*.tmp"));
        return e;
    }

    [Fact]
    public void NugetReference_BecomesPackageDirective_WithTheNotebooksVersion()
    {
        var app = Export(Make(Code("#r \"nuget: Microsoft.Data.Analysis, 0.24.0\"\n#r \"nuget:Some.Package\""), Code("using Microsoft.Data.Analysis;\nvar x = 1;")));
        Assert.Contains("\n#:package Microsoft.Data.Analysis@0.24.0\n", app);
        Assert.Contains("\n#:package Some.Package@*\n", app);
        Assert.Contains("\n#:property ManagePackageVersionsCentrally=false\n", app);        // the version is the notebook's, not Directory.Packages.props'
        Assert.Contains("[\"Microsoft.Data.Analysis@0.24.0\", \"Some.Package@*\"]) is { } exit) return exit;", app);   // their notebook extensions load at Start
        Assert.Contains("// #r \"nuget: Microsoft.Data.Analysis, 0.24.0\"", app);
        Assert.DoesNotContain("\n#r ", app);
    }

    [Fact]
    public void ProjectOutputReference_BecomesProjectDirective_RelativeToTheApp()
    {
        string project = Path.Combine(dir, "lib", "Foo", "Foo.csproj");
        Directory.CreateDirectory(Path.Combine(dir, "lib", "Foo", "bin", "Release", "net10.0"));
        File.WriteAllText(project, "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        var app = Export(Make(Code("#r \"../lib/Foo/bin/Release/net10.0/Foo.dll\"\n#r \"../lib/Foo/bin/Release/net10.0/Bar.dll\"")));
        Assert.Single(app.Split('\n'), l => l == "#:project ../lib/Foo/Foo.csproj");    // one directive for the folder's project
        Assert.Contains("/lib/MotionWorkbench.Notebooks/MotionWorkbench.Notebooks.csproj\n", app);   // the report sink
        Assert.Contains("#:property Nullable=disable\n", app);
        Assert.Contains("#:property PublishAot=false\n", app);
    }

    [Fact]
    public void DllThatNoProjectBuilt_IsRefused_NamingCellAndLine()
    {
        File.WriteAllText(Path.Combine(dir, "notebooks", "Loose.dll"), "");
        var e = Refused(Make(new NotebookCell("markdown", "# t"), Code("var a = 1;\n#r \"Loose.dll\"")));
        Assert.Contains("nb.ipynb: cell 2: line 2: #r \"Loose.dll\" is not the build output of a project", e.Message);
        Assert.Equal(2, e.Cell);
    }

    [Theory]
    [InlineData("#!fsharp\nlet x = 1", "fsharp")]
    [InlineData("#!pwsh\nGet-ChildItem", "pwsh")]
    [InlineData("#!html\n<b>x</b>", "html")]
    public void CellInAnotherLanguage_IsRefused_NamingTheCell(string source, string kernel)
    {
        var e = Refused(Make(Code("var a = 1;"), new NotebookCell("markdown", "text"), Code(source)));
        Assert.Equal($"{Path.Combine(dir, "notebooks", "nb.ipynb")}: cell 3: it is a {kernel} cell; a C# file-based app can only hold C# code (rewrite the cell in C# or move it out of the notebook)", e.Message);
    }

    [Fact]
    public void CellWhoseMetadataNamesAnotherKernel_IsRefused()
    {
        var cell = new NotebookCell("code", "Get-Date", metadata: new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "pwsh" } });
        Assert.Contains("cell 1: it is a pwsh cell", Refused(Make(cell)).Message);
    }

    [Theory]
    [InlineData("#!time\nvar a = 1;", "line 1: the magic command #!time")]
    [InlineData("var a = 1;\n#!who", "line 2: the magic command #!who")]
    [InlineData("#!set --name x --value 1", "line 1: the magic command #!set")]
    [InlineData("#load \"other.csx\"", "line 1: '#load \"other.csx\"' cannot be exported")]
    public void MagicCommand_IsRefused_NamingCellAndLine(string source, string expected)
        => Assert.Contains("cell 1: " + expected, Refused(Make(Code(source))).Message);

    [Fact]
    public void CSharpSelector_AndMarkdownCells_AreKept_AsNothingAndAsComments()
    {
        var app = Export(Make(new NotebookCell("markdown", "# Title\n\nSome *text*."), Code("#!csharp\nvar a = 1;"),
            new NotebookCell("code", "#!markdown\n## From a markdown kernel cell")));
        Assert.Contains("\n// %% [markdown] cell 1\n// # Title\n//\n// Some *text*.\n", app);
        Assert.Contains("\n// %% cell 2\nNotebookApp.Cell(2);\nvar a = 1;\n", app);
        Assert.Contains("\n// %% [markdown] cell 3\n// ## From a markdown kernel cell\n", app);
    }

    [Fact]
    public void TrailingExpression_IsDisplayed_UsingsGoUp_TypesGoDown()
    {
        var app = Export(Make(Code("using System.Globalization;\nrecord Pt(int X, int Y);\nvar p = new Pt(1, 2);\np.X + 1"), Code("var q = 1;\nq + 1;"),
            Code("await Task.FromResult(q)")));
        int usingAt = app.IndexOf("\nusing System.Globalization;\n", StringComparison.Ordinal), start = app.IndexOf("NotebookApp.Start(", StringComparison.Ordinal);
        int typeAt = app.IndexOf("record Pt(int X, int Y);", StringComparison.Ordinal), end = app.IndexOf("NotebookApp.End();", StringComparison.Ordinal);
        Assert.True(usingAt >= 0 && usingAt < start, "the using directive is not above Start");
        Assert.True(typeAt > end, "the type declaration is not after the statements");
        Assert.Contains("var p = new Pt(1, 2);\nNotebookApp.Result(() => p.X + 1);\n", app);
        Assert.Contains("var q = 1;\nq + 1;\n", app);
        Assert.Contains("\nawait NotebookApp.ResultAsync(async () => await Task.FromResult(q));\n", app);                     // a statement with its semicolon is not displayed (as in the kernel)
        Assert.Contains("using static MotionWorkbench.Notebooks.Apps.NotebookHelpers;", app);
    }

    [Fact]
    public void RedeclaredVariable_IsRefused_NamingBothCells()
        => Assert.Contains("cell 3: declares 'run' again (cell 1 declares it first)", Refused(Make(Code("var run = 1;"), Code("run++;"), Code("var run = 2;"))).Message);

    [Fact]
    public void ParametersCell_BecomesCommandLineOverrides_WithTheSameNamesAndDefaults()
    {
        var app = Export(Make(Code("var x = 0;"), Code("var preset = \"Smoke\";   // comment\nint epochs = 3;\nconst int Fixed = 2;\nenum Size { Small, Large }\nvar size = Size.Small;", "parameters")));
        Assert.Contains("var preset = \"Smoke\";   // comment\nint epochs = 3;\nconst int Fixed = 2;\nvar size = Size.Small;\n"
            + "preset = NotebookApp.Parameter(\"preset\", preset);\nepochs = NotebookApp.Parameter(\"epochs\", epochs);\nsize = NotebookApp.Parameter(\"size\", size);\n"
            + "if (NotebookApp.ParameterErrors()) return 2;\n", app);
        Assert.Contains("\"nb.ipynb\", \".\", [\"preset\", \"epochs\", \"size\"], [])", app);
        Assert.Contains("// %% cell 2 [parameters]\n", app);
        Assert.Contains("//   dotnet run nb.cs -- --preset VALUE --epochs VALUE --size VALUE [--html REPORT.html]", app);
    }

    [Fact]
    public void ParameterNamedLikeTheAppsOwnOption_IsRefused()
        => Assert.Contains("cell 1: the parameters cell declares 'html', but --html is the app's own option", Refused(Make(Code("var html = \"r.html\";", "parameters"))).Message);

    [Fact]
    public void AppSource_ReadsTheExportedCellsBack()
    {
        var app = Export(Make(new NotebookCell("markdown", "# T\nline"), Code("var preset = \"Smoke\";", "parameters"), Code("display(preset)")));
        var cells = AppSource.Cells(app);
        Assert.Equal([1, 2, 3], cells.Select(c => c.Number));
        Assert.Equal(("markdown", "# T\nline"), (cells[0].Cell.CellType, cells[0].Cell.Source));
        Assert.Equal("var preset = \"Smoke\";\npreset = NotebookApp.Parameter(\"preset\", preset);\nif (NotebookApp.ParameterErrors()) return 2;", cells[1].Cell.Source);
        Assert.True(cells[1].Cell.HasTag("parameters"));
        Assert.Equal("display(preset);", cells[2].Cell.Source);            // a trailing display(...) only gets its semicolon
    }

    [Fact]
    public void PathFrom_IsRelativeWithinAFolderTree_AbsoluteAcrossRoots()
    {
        Assert.Equal("../lib/A/A.csproj", FileAppExporter.PathFrom("/work/repo/notebooks", "/work/repo/lib/A/A.csproj"));
        Assert.Equal("/work/repo/lib/A/A.csproj", FileAppExporter.PathFrom("/tmp/apps", "/work/repo/lib/A/A.csproj"));
        Assert.Equal(".", FileAppExporter.PathFrom("/work/repo/notebooks", "/work/repo/notebooks"));
    }

    [Fact]
    public void RepositoryNotebooks_AllExport()
    {
        string notebooks = Path.Combine(MotionWorkbench.Testing.SharedData.RepoRoot, "notebooks");
        foreach (var file in Directory.GetFiles(notebooks, "*.ipynb"))
        {
            var app = FileAppExporter.Export(Notebook.Load(file), Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".cs"));
            Assert.Contains("if (NotebookApp.ParameterErrors()) return 2;", app);
            Assert.Contains("/lib/MotionWorkbench.Experiments/MotionWorkbench.Experiments.csproj\n", app);
        }
    }
}

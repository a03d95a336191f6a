using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Tests;

[Collection("executed")]
public sealed partial class FormatTests(ExecutedNotebooks executed)
{
    [Fact]
    public void ExecutedNotebook_IsNbformat45_InTheVsCodePolyglotShape()
    {
        string path = executed.Files.PathOf("display.out.ipynb");
        executed.Display.Executed.Save(path);
        string text = File.ReadAllText(path);
        var root = JsonNode.Parse(text)!.AsObject();

        Assert.Equal(4, (int)root["nbformat"]!);
        Assert.Equal(5, (int)root["nbformat_minor"]!);
        Assert.Equal(["cells", "metadata", "nbformat", "nbformat_minor"], root.Select(p => p.Key));
        var meta = root["metadata"]!;
        Assert.Equal(".net-csharp", (string?)meta["kernelspec"]!["name"]);
        Assert.Equal(".NET (C#)", (string?)meta["kernelspec"]!["display_name"]);
        Assert.Equal("polyglot-notebook", (string?)meta["language_info"]!["name"]);
        Assert.Equal("csharp", (string?)meta["language_info"]!["pygments_lexer"]);
        Assert.Equal("csharp", (string?)meta["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]);
        Assert.StartsWith("{\n \"cells\": [\n  {\n", text);          // sorted keys, one-space indent, as VS Code writes
        Assert.EndsWith("}\n", text);

        var cells = root["cells"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(cells.Count, cells.Select(c => (string?)c["id"]).Distinct().Count());
        foreach (var cell in cells)
        {
            Assert.Matches(IdPattern(), (string?)cell["id"]);
            Assert.IsType<JsonArray>(cell["source"]);
            if ((string?)cell["cell_type"] != "code") { Assert.Equal(["cell_type", "id", "metadata", "source"], cell.Select(p => p.Key)); continue; }
            Assert.Equal(["cell_type", "execution_count", "id", "metadata", "outputs", "source"], cell.Select(p => p.Key));
            var kernel = (string?)cell["metadata"]!["polyglot_notebook"]!["kernelName"];
            Assert.Equal(kernel, (string?)cell["metadata"]!["dotnet_interactive"]!["language"]);
            foreach (var output in cell["outputs"]!.AsArray().Select(o => o!.AsObject()))
            {
                string type = (string)output["output_type"]!;
                Assert.Contains(type, new[] { "display_data", "stream", "error" });
                if (type == "display_data") { Assert.Equal(["data", "metadata", "output_type"], output.Select(p => p.Key)); Assert.Empty(output["metadata"]!.AsObject()); }
                if (type == "stream") Assert.All(output["text"]!.AsArray().SkipLast(1), line => Assert.EndsWith("\n", (string)line!));
            }
        }
        var executedCell = cells[1];
        Assert.Equal("csharp", (string?)executedCell["metadata"]!["polyglot_notebook"]!["kernelName"]);
        var timing = executedCell["metadata"]!["execution"]!.AsObject();
        Assert.True(DateTimeOffset.Parse((string)timing["shell.execute_reply"]!) >= DateTimeOffset.Parse((string)timing["iopub.execute_input"]!));
        Assert.Equal("html", (string?)cells[6]["metadata"]!["polyglot_notebook"]!["kernelName"]);   // #!html selector

        var reread = Notebook.Load(path);
        Assert.Equal(text, reread.ToJson());                          // a saved notebook round-trips byte for byte
    }

    [Fact]
    public void Reader_AcceptsStringSourcesLegacyMetadataAndMissingIds()
    {
        const string json = """
            {"nbformat": 4, "nbformat_minor": 2, "metadata": {"kernelInfo": {"defaultKernelName": "csharp"}},
             "cells": [
               {"cell_type": "markdown", "metadata": {}, "source": "# Title\nText"},
               {"cell_type": "code", "metadata": {"dotnet_interactive": {"language": "csharp"}}, "source": "1 + 1", "outputs": [], "execution_count": 3},
               {"cell_type": "code", "id": "same", "metadata": {}, "source": ["#!fsharp\n", "1"], "outputs": []},
               {"cell_type": "code", "id": "same", "metadata": {}, "source": [], "outputs": []}
             ]}
            """;
        var nb = Notebook.Parse(json, "legacy.ipynb");
        Assert.Equal("# Title\nText", nb.Cells[0].Source);
        Assert.Equal(3, nb.Cells[1].ExecutionCount);
        Assert.Equal("fsharp", nb.Cells[2].KernelName(nb.DefaultKernel));
        Assert.Equal("csharp", nb.Cells[1].KernelName(nb.DefaultKernel));
        Assert.All(nb.Cells, c => Assert.True(NotebookCell.IsValidId(c.Id)));
        Assert.Equal(4, nb.Cells.Select(c => c.Id).Distinct().Count());
        var written = JsonNode.Parse(nb.ToJson())!;
        Assert.Null(written["metadata"]!["kernelInfo"]);
        Assert.Equal(["# Title\n", "Text"], written["cells"]![0]!["source"]!.AsArray().Select(s => (string?)s));
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON (line 1")]
    [InlineData("[1, 2]", "the top level must be a JSON object")]
    [InlineData("""{"nbformat": 3, "cells": []}""", "nbformat 3 is not supported")]
    [InlineData("""{"metadata": {}, "cells": []}""", "has no integer 'nbformat'")]
    [InlineData("""{"nbformat": 4, "metadata": {}}""", "has no 'cells' list")]
    [InlineData("""{"nbformat": 4, "cells": [{"source": "x"}]}""", "cell 1 has no 'cell_type'")]
    [InlineData("""{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}""", "cell 1 'source' must be a string or a list of strings")]
    [InlineData("""{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": ""}, {"cell_type": "widget", "source": ""}]}""", "cell 2 has unknown cell_type 'widget'")]
    [InlineData("""{"nbformat": 4, "cells": [{"cell_type": "code", "source": "", "outputs": [{"data": {}}]}]}""", "cell 1 output 1 is not an object with an 'output_type'")]
    public void Malformed_NamesTheFileAndTheProblem(string json, string expected)
    {
        var e = Assert.Throws<NotebookFormatException>(() => Notebook.Parse(json, "broken.ipynb"));
        Assert.StartsWith("broken.ipynb: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Runner_MalformedFile_ThrowsBeforeStartingAKernel()
    {
        string path = executed.Files.PathOf("malformed.ipynb");
        File.WriteAllText(path, "{\"nbformat\": 4, \"cells\": [");
        var e = await Assert.ThrowsAsync<NotebookFormatException>(() => Running.NotebookRunner.RunAsync(path, new Running.RunOptions()));
        Assert.Contains("malformed.ipynb: not valid JSON", e.Message);
    }

    [Fact]
    public void Save_IsAtomic_AndLeavesNoTemporaryFiles()
    {
        string dir = Path.Combine(executed.Files.Directory, "atomic");
        var nb = new Notebook();
        nb.Cells.Add(new NotebookCell("markdown", "hello"));
        nb.Save(Path.Combine(dir, "a.ipynb"));
        nb.Save(Path.Combine(dir, "a.ipynb"));
        Assert.Equal(["a.ipynb"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [GeneratedRegex("^[a-zA-Z0-9-_]{1,64}$")]
    private static partial Regex IdPattern();
}

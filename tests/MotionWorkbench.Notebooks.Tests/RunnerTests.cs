using System.Text.Json.Nodes;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Running;
using static MotionWorkbench.Notebooks.Tests.NotebookAssert;

namespace MotionWorkbench.Notebooks.Tests;

public sealed class RunnerTests : IClassFixture<TestNotebooks>
{
    private readonly TestNotebooks notebooks;

    public RunnerTests(TestNotebooks notebooks) => this.notebooks = notebooks;

    [Fact]
    public async Task Display_AllOutputKinds_AreCollectedInOrder()
    {
        var result = await notebooks.RunAsync("display.ipynb");
        Assert.True(result.Succeeded, result.FailureMessage);
        var nb = result.Executed;

        var first = Outputs(nb, 2);
        Assert.Equal(["stream", "stream", "display_data"], first.Select(o => (string?)o["output_type"]));
        Assert.Equal("stdout", (string?)first[0]["name"]);
        Assert.Equal("hello from stdout\n", (string?)first[0]["text"]);
        Assert.Equal("stderr", (string?)first[1]["name"]);
        Assert.Equal("55", Text(first[2]));

        var second = Outputs(nb, 3);
        Assert.Equal("<b>bold html</b>", Text(second[0], "text/html"));
        Assert.Equal("*markdown* text", Text(second[1], "text/markdown"));
        Assert.Equal("step 3", Text(second[2]));                 // the live Update replaced the output in place
        Assert.Equal("after display\n", (string?)second[3]["text"]);
        Assert.Equal(4, second.Count);

        Assert.Equal("Point { X = 1, Y = 2.5 }", Text(Outputs(nb, 4).Single()));
        Assert.Equal(["stream"], Outputs(nb, 5).Select(o => (string?)o["output_type"]));   // a void trailing call shows nothing
        Assert.Equal("no trailing value\n1\n", (string?)Outputs(nb, 5)[0]["text"]);
        Assert.Empty(Outputs(nb, 6));
        Assert.Null(nb.Cells[5].ExecutionCount);               // #!markdown code cells are not executed
        Assert.Contains("raw html cell", Text(Outputs(nb, 7).Single(), "text/html"));
        Assert.Equal([1, 2, 3, 4, null, 5], nb.Cells.Skip(1).Select(c => c.ExecutionCount));
    }
}

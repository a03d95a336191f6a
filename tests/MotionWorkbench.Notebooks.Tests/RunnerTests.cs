using System.Text.Json.Nodes;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Running;
using static MotionWorkbench.Notebooks.Tests.NotebookAssert;

namespace MotionWorkbench.Notebooks.Tests;

[Collection("executed")]
public sealed class RunnerTests(ExecutedNotebooks executed)
{
    [Fact]
    public void Display_AllOutputKinds_AreCollectedInOrder()
    {
        var result = executed.Display;
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

        var record = Outputs(nb, 4).Single();                      // the kernel's property tree (HTML) and plain text
        Assert.Contains("Point { X = 1, Y = 2.5 }", Text(record, "text/html"));
        Assert.Equal("Point\n      X: 1\n      Y: 2.5", Text(record));
        Assert.Equal(["stream"], Outputs(nb, 5).Select(o => (string?)o["output_type"]));   // a void trailing call shows nothing
        Assert.Equal("no trailing value\n1\n", (string?)Outputs(nb, 5)[0]["text"]);
        Assert.Empty(Outputs(nb, 6));
        Assert.Null(nb.Cells[5].ExecutionCount);               // #!markdown code cells are not executed
        Assert.Contains("raw html cell", Text(Outputs(nb, 7).Single(), "text/html"));
        Assert.Equal([1, 2, 3, 4, null, 5], nb.Cells.Skip(1).Select(c => c.ExecutionCount));
    }
}

public sealed class RunnerFailureTests : IClassFixture<TestNotebooks>
{
    private readonly TestNotebooks notebooks;

    public RunnerFailureTests(TestNotebooks notebooks) => this.notebooks = notebooks;

    [Fact]
    public async Task Exception_BecomesErrorOutputWithCellAndLine_AndLaterCellsDoNotRun()
    {
        var result = await notebooks.RunAsync("error.ipynb");
        Assert.False(result.Succeeded);
        Assert.Equal(2, result.FailedCell);
        var error = Outputs(result.Executed, 2).Single();
        Assert.Equal("error", (string?)error["output_type"]);
        Assert.Equal("InvalidOperationException", (string?)error["ename"]);
        Assert.True(((string?)error["evalue"])!.StartsWith("Cell 2: System.InvalidOperationException: boom at line 4", StringComparison.Ordinal), error.ToJsonString());
        Assert.True(((JsonArray)error["traceback"]!).Count > 1);
        Assert.Empty(Outputs(result.Executed, 3));
        Assert.Null(result.Executed.Cells[2].ExecutionCount);
        Assert.Equal(2, result.CellsRun);
    }

    [Fact]
    public async Task PythonCell_SaysTheKernelRunsCSharp_NotNoSuitableKernel()
    {
        var result = await notebooks.RunAsync("python.ipynb");
        Assert.False(result.Succeeded);
        Assert.Equal(2, result.FailedCell);
        var error = Outputs(result.Executed, 2).Single();
        Assert.Equal("Cell 2: this cell is python; the kernel runs C# (csharp) and HTML cells: rewrite it in C# or change its language", (string?)error["evalue"]);
        Assert.DoesNotContain("NoSuitableKernel", error.ToJsonString());
    }

    [Fact]
    public async Task EnvironmentExitInACell_FailsThatCellWithTheReason()
    {
        var result = await notebooks.RunAsync("exit.ipynb");
        Assert.False(result.Succeeded);
        Assert.Equal(2, result.FailedCell);
        string evalue = (string?)Outputs(result.Executed, 2).Single()["evalue"] ?? "";
        Assert.StartsWith("Cell 2: the kernel process exited with code 3", evalue);
        Assert.Contains("Environment.Exit", evalue);
    }

    [Fact]
    public async Task StackOverflowInACell_IsOneLineWithItsFirstFrame_AndLaterCellsDoNotRun()
    {
        var result = await notebooks.RunAsync("overflow.ipynb");   // cell 1: int F(int n) => F(n + 1) + 1; F(0)
        Assert.False(result.Succeeded);
        Assert.False(result.TimedOut);
        Assert.Equal(1, result.FailedCell);
        string message = result.FailureMessage ?? "";
        Assert.StartsWith("the kernel process exited with code ", message);
        Assert.Contains("a stack overflow (unbounded recursion?) ended it; at ", message);
        // one line and its first frame, not the runtime's dump of the same frame repeated for pages
        Assert.DoesNotContain('\n', message);
        Assert.True(message.Length < 400, $"{message.Length} characters: {message}");
        Assert.DoesNotContain("Environment.Exit", message);
        string evalue = (string?)Outputs(result.Executed, 1).Single()["evalue"] ?? "";
        Assert.Equal("Cell 1: " + message, evalue);
        // the cell after it is reported as not run
        Assert.Empty(Outputs(result.Executed, 2));
        Assert.Null(result.Executed.Cells[1].ExecutionCount);
        Assert.Equal(1, result.CellsRun);
    }

    [Fact]
    public async Task CompileError_NamesCellLineAndDiagnostic()
    {
        var result = await notebooks.RunAsync("compile_error.ipynb");
        Assert.Equal(1, result.FailedCell);
        var error = Outputs(result.Executed, 1).Single();
        Assert.Equal("CompilationError", (string?)error["ename"]);
        Assert.Contains("line 2, column 9: error CS0103", (string?)error["evalue"]);
        Assert.Contains("undefinedName", (string?)error["evalue"]);
    }

    [Fact]
    public async Task Timeout_KillsKernel_AndReportsTheCell()
    {
        var errors = new StringWriter();
        var result = await notebooks.RunAsync("timeout.ipynb", new RunOptions { CellTimeout = TimeSpan.FromSeconds(3), EchoErr = TextWriter.Synchronized(errors) });
        Assert.True(result.TimedOut);
        Assert.Equal(1, result.FailedCell);
        var outputs = Outputs(result.Executed, 1);
        Assert.Equal("sleeping\n", (string?)outputs[0]["text"]);
        Assert.Equal("TimeoutError", (string?)outputs[^1]["ename"]);
        Assert.Contains("Cell 1 ran past the cell timeout of 3 s; the kernel process was stopped", (string?)outputs[^1]["evalue"]);
        Assert.Empty(Outputs(result.Executed, 2));
        Assert.Null(result.Executed.Cells[1].ExecutionCount);
        Assert.Contains("cell timeout", errors.ToString());
    }
}

public sealed class ParameterTests : IClassFixture<TestNotebooks>
{
    private readonly TestNotebooks notebooks;

    public ParameterTests(TestNotebooks notebooks) => this.notebooks = notebooks;

    [Fact]
    public async Task Defaults_RunWithoutInjectedCell()
    {
        var result = await notebooks.RunAsync("parameters.ipynb");
        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(3, result.Executed.Cells.Count);
        Assert.Equal("Laptop|default|10|0.001|False", Text(Outputs(result.Executed, 3).Single()));
    }

    [Fact]
    public async Task Overrides_AreInjectedAfterTheParametersCell_TypedLikeTheOriginals()
    {
        var parameters = NotebookRunner.ParseParameters(["preset=Smoke", "name=a \"quoted\" name", "epochs=3", "learningRate=0.5", "verbose=true"]);
        var result = await notebooks.RunAsync("parameters.ipynb", new RunOptions { Parameters = parameters });
        Assert.True(result.Succeeded, result.FailureMessage);
        var injected = result.Executed.Cells[2];
        Assert.Equal(["injected-parameters"], injected.Tags);
        Assert.Contains("preset = Preset.Smoke;", injected.Source);
        Assert.Contains("name = \"a \\\"quoted\\\" name\";", injected.Source);
        Assert.Contains("epochs = 3;", injected.Source);
        Assert.Equal("Smoke|a \"quoted\" name|3|0.5|True", Text(Outputs(result.Executed, 4).Single()));
    }

    [Fact]
    public async Task BadOverrides_FailWithClearMessages()
    {
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => notebooks.RunAsync("parameters.ipynb",
            new RunOptions { Parameters = NotebookRunner.ParseParameters(["size=3"]) }));
        Assert.Contains("declares no 'size'", unknown.Message);
        Assert.Contains("epochs, learningRate, name, preset, verbose", unknown.Message);

        var badInt = await Assert.ThrowsAsync<ArgumentException>(() => notebooks.RunAsync("parameters.ipynb",
            new RunOptions { Parameters = NotebookRunner.ParseParameters(["epochs=many"]) }));
        Assert.Contains("'epochs' is an int", badInt.Message);

        var noCell = await Assert.ThrowsAsync<ArgumentException>(() => notebooks.RunAsync("error.ipynb",
            new RunOptions { Parameters = NotebookRunner.ParseParameters(["x=1"]) }));
        Assert.Contains("no code cell is tagged 'parameters'", noCell.Message);
        Assert.Throws<ArgumentException>(() => NotebookRunner.ParseParameters(["novalue"]));
    }
}

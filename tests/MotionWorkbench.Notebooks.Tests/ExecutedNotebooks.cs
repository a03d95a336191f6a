using MotionWorkbench.Notebooks.Running;

namespace MotionWorkbench.Notebooks.Tests;

/// <summary>Runs display.ipynb and reference.ipynb once (in parallel) for every test class in the "executed" collection.</summary>
public sealed class ExecutedNotebooks : IAsyncLifetime
{
    public TestNotebooks Files { get; } = new();
    public RunResult Display { get; private set; } = null!;
    public RunResult Reference { get; private set; } = null!;
    public RunResult Figures { get; private set; } = null!;
    public string ReferenceStderr { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var stderr = new StringWriter();
        var display = Files.RunAsync("display.ipynb");
        var reference = Files.RunAsync("reference.ipynb", new RunOptions { EchoErr = TextWriter.Synchronized(stderr) });
        var figures = Files.RunAsync("figures.ipynb");
        Display = await display;
        Figures = await figures;
        Reference = await reference;
        ReferenceStderr = stderr.ToString();
    }

    public Task DisposeAsync()
    {
        Files.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition("executed")]
public sealed class ExecutedCollection : ICollectionFixture<ExecutedNotebooks>;

namespace MotionWorkbench.Notebooks.Running;

/// <summary>How <see cref="NotebookRunner"/> runs a notebook.</summary>
public sealed record RunOptions
{
    /// <summary><c>--param name=value</c> overrides of the cell tagged <c>parameters</c>, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];
    /// <summary>Per-cell wall-clock limit; the kernel process is killed when a cell runs past it. Null: no limit.</summary>
    public TimeSpan? CellTimeout { get; init; }
    /// <summary>Where cells' stdout is echoed live (null: not echoed).</summary>
    public TextWriter? EchoOut { get; init; }
    /// <summary>Where cells' stderr and the runner's progress lines are echoed live (null: not echoed).</summary>
    public TextWriter? EchoErr { get; init; }
    /// <summary>The plotly.js bundle figures inline; null looks for environment/plotly above the notebook.</summary>
    public string? PlotlyBundle { get; init; }
    /// <summary>
    /// Inline plotly.js into every figure's text/html output of the executed notebook, so each output renders on its own
    /// (VS Code renders outputs lazily). False keeps the .ipynb small (about 1.5 MB less per figure); the figure then needs a
    /// page that provides plotly.js or a renderer for application/vnd.plotly.v1+json. HTML reports are the same either way.
    /// </summary>
    public bool EmbedPlotly { get; init; } = true;
    /// <summary>Extra environment variables for the kernel process (e.g. DOTNET_TieredPGO=0 for short test runs).</summary>
    public IReadOnlyDictionary<string, string>? KernelEnvironment { get; init; }
    /// <summary>Ignored (kept for callers): the real kernel loads <c>#r</c> dlls in place, as in VS Code; each notebook has its own process, so a rebuild between runs is picked up.</summary>
    public string? ShadowRoot { get; init; }
}

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
    /// <summary>Folder for shadow copies of <c>#r</c> dlls; null uses the system temp folder.</summary>
    public string? ShadowRoot { get; init; }
}

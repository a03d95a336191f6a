using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Running;

/// <summary>The outcome of one notebook run. <see cref="Succeeded"/> is false when any cell failed or timed out.</summary>
public sealed record RunResult(
    string NotebookPath,
    Notebook Executed,
    int CodeCells,
    int CellsRun,
    int? FailedCell,
    bool TimedOut,
    string? FailureMessage,
    DateTimeOffset Started,
    TimeSpan Duration)
{
    public bool Succeeded => FailedCell is null && FailureMessage is null;
}

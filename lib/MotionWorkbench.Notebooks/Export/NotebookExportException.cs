namespace MotionWorkbench.Notebooks.Export;

/// <summary>A notebook that cannot be exported as asked: names the notebook, the cell (1-based, when one is to blame) and why.</summary>
public sealed class NotebookExportException(string notebook, int? cell, string message)
    : Exception($"{notebook}: {(cell is null ? "" : $"cell {cell}: ")}{message}")
{
    public string Notebook { get; } = notebook;
    public int? Cell { get; } = cell;
}

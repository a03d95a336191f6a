namespace MotionWorkbench.Notebooks.Ipynb;

/// <summary>A notebook file that cannot be read: names the file and, where known, the cell and what is wrong.</summary>
public sealed class NotebookFormatException(string path, string message, Exception? inner = null)
    : Exception($"{path}: {message}", inner)
{
    public string Path { get; } = path;
}

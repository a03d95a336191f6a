using MotionWorkbench.Testing;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>
/// A temporary copy of the repository's layout in which notebooks run at their own defaults, exactly as they are:
/// <c>ROOT/ws/notebooks/*.ipynb</c> (copies), <c>ROOT/ws/lib</c> a symbolic link to the repository's <c>lib/</c> (the
/// notebooks' <c>#r "../lib/..."</c> lines load the built dlls from there), <c>ROOT/shared/data</c> a link to the shared data
/// when it is present. The defaults <c>../data/synthetic</c> and <c>../runs/notebooks</c> then land in <c>ROOT/ws</c>, never
/// in the repository. Disposing deletes ROOT (links are removed, never followed).
/// </summary>
public sealed class NotebookWorkspace : IDisposable
{
    public NotebookWorkspace(string prefix, params string[] notebooks)
    {
        Root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
        NotebooksDir = Path.Combine(Root, "ws", "notebooks");
        Directory.CreateDirectory(NotebooksDir);
        string repo = NotebookRunFixture.FindRepoRoot();
        Directory.CreateSymbolicLink(Path.Combine(Root, "ws", "lib"), Path.Combine(repo, "lib"));
        if (SharedData.Root is { } shared)
        {
            Directory.CreateDirectory(Path.Combine(Root, "shared"));
            Directory.CreateSymbolicLink(Path.Combine(Root, "shared", "data"), shared);
        }
        foreach (var name in notebooks) File.Copy(Path.Combine(repo, "notebooks", name + ".ipynb"), PathOf(name));
    }

    public string Root { get; }
    public string NotebooksDir { get; }
    /// <summary>Where the notebooks' default <c>runRoot</c> (<c>../runs/notebooks</c>) points.</summary>
    public string RunRoot => Path.Combine(Root, "ws", "runs", "notebooks");

    public string PathOf(string notebook) => Path.Combine(NotebooksDir, notebook + ".ipynb");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

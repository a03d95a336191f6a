using MotionWorkbench.Notebooks.Export;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Running;

/// <summary>
/// <c>run-all</c>: every <c>*.ipynb</c> directly in a folder (sorted by name), each in a fresh kernel process. With an output
/// folder it writes NAME.html and the executed NAME.ipynb per notebook and an index.html linking them. A notebook that
/// cannot be read is recorded with the reason and the others still run.
/// </summary>
public static class BatchRunner
{
    public static IReadOnlyList<string> FindNotebooks(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"folder '{folder}' does not exist");
        var found = Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
        if (found.Count == 0) throw new FileNotFoundException($"no .ipynb files in '{folder}'");
        return found;
    }

    /// <summary>Runs the notebooks; <paramref name="progress"/> gets (index, count, line) as each one starts and ends.</summary>
    public static async Task<IReadOnlyList<IndexPage.Entry>> RunAllAsync(string folder, RunOptions options, string? outputFolder,
        Action<int, int, string>? progress = null, CancellationToken cancellation = default)
    {
        var notebooks = FindNotebooks(folder);
        var started = DateTimeOffset.UtcNow;
        if (outputFolder is not null) Directory.CreateDirectory(outputFolder);
        var entries = new List<IndexPage.Entry>();
        for (int i = 0; i < notebooks.Count; i++)
        {
            string path = notebooks[i];
            string name = Path.GetFileNameWithoutExtension(path);
            progress?.Invoke(i, notebooks.Count, $"{name}: running");
            try
            {
                var result = await NotebookRunner.RunAsync(path, options, cancellation).ConfigureAwait(false);
                string? report = null;
                if (outputFolder is not null)
                {
                    report = name + ".html";
                    result.Executed.Save(Path.Combine(outputFolder, name + ".ipynb"));
                    HtmlReport.Write(result.Executed, Path.Combine(outputFolder, report), plotlyBundle: options.PlotlyBundle);
                }
                entries.Add(IndexPage.From(result, report));
                progress?.Invoke(i + 1, notebooks.Count, Summary(result));
            }
            catch (Exception e) when (e is NotebookFormatException or ArgumentException or FileNotFoundException)
            {
                entries.Add(new IndexPage.Entry(Path.GetFileName(path), null, "error", 0, 0, null, TimeSpan.Zero, e.Message));
                progress?.Invoke(i + 1, notebooks.Count, $"{name}: skipped: {e.Message}");
            }
        }
        if (outputFolder is not null)
            AtomicFile.WriteAllText(Path.Combine(outputFolder, "index.html"),
                IndexPage.Render(entries, $"Notebook run: {Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar))}", started, options.Parameters));
        return entries;
    }

    /// <summary>One line: "name.ipynb: ok, 5/5 code cells run in 3.2 s" (or FAILED/TIMEOUT with the cell and its error).</summary>
    public static string Summary(RunResult r)
        => $"{Path.GetFileName(r.NotebookPath)}: " + (r.Succeeded ? "ok" : r.TimedOut ? "TIMEOUT" : "FAILED")
           + $", {r.CellsRun}/{r.CodeCells} code cells run in {r.Duration.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s"
           + (r.FailedCell is { } c ? $", cell {c} failed" : "") + (r.FailureMessage is { } m ? $" ({m})" : "");
}

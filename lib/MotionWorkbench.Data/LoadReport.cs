using System.Collections.Concurrent;

namespace MotionWorkbench.Data;

/// <summary>A file a batch reader or importer skipped, and why.</summary>
public sealed record SkippedFile(string Path, string Reason)
{
    /// <summary>"path: reason", without repeating the path when the reason already starts with it.</summary>
    public string Message => Reason.StartsWith(Path, StringComparison.Ordinal) ? Reason : $"{Path}: {Reason}";
}

/// <summary>
/// What a batch reader or importer did: files in = files written (or loaded) + files reported. Thread-safe.
/// </summary>
public sealed class LoadReport
{
    private readonly ConcurrentBag<SkippedFile> _skipped = [];
    private int _filesIn, _ok;

    public int FilesIn => _filesIn;
    public int FilesOk => _ok;
    public IReadOnlyList<SkippedFile> Skipped => _skipped.OrderBy(s => s.Path, StringComparer.Ordinal).ToArray();
    public int SkippedCount => _skipped.Count;
    public List<string> Notes { get; } = [];

    public void CountIn(int n = 1) => Interlocked.Add(ref _filesIn, n);
    public void Ok(int n = 1) => Interlocked.Add(ref _ok, n);
    public void Skip(string path, string reason) => _skipped.Add(new SkippedFile(path, reason));

    public bool Balanced => FilesIn == FilesOk + SkippedCount;

    public string Summary(string verb = "loaded") =>
        $"{FilesIn} file(s) in = {FilesOk} {verb} + {SkippedCount} skipped{(Balanced ? "" : " (MISMATCH)")}";

    public override string ToString()
    {
        var lines = new List<string> { Summary() };
        foreach (var s in Skipped) lines.Add($"  skipped {s.Message}");
        lines.AddRange(Notes.Select(n => "  note: " + n));
        return string.Join(Environment.NewLine, lines);
    }
}

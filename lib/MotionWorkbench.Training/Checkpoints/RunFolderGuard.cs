namespace MotionWorkbench.Training;

/// <summary>
/// What a fresh training found in its run folder, so that a run refused or failed before its first step leaves the
/// folder as it was: a folder the training created is removed whole (with the empty parent folders it created on the
/// way, e.g. <c>runs/</c> of <c>--out runs/a</c>); in a folder that existed, the files and folders it added are removed
/// and the files it replaced (config.json, train.log, statistics, vocab.txt: small) get their bytes back. Files that were
/// there are never deleted. <see cref="Commit"/> (after the first step) ends the guard. The same rule guards the folders
/// <see cref="Quickstart"/> generates (the synthetic dataset and its probe set), which a failed quickstart removes.
/// </summary>
public sealed class RunFolderGuard
{
    /// <summary>Files above this size are not kept in memory (a run folder's own files before step 1 are far smaller).</summary>
    private const long MaxKeptBytes = 64L << 20, MaxKeptFileBytes = 16L << 20;

    private readonly string runDir;
    private readonly bool existed;
    private readonly string? existingAncestor; // the nearest folder above runDir that existed (when runDir did not)
    private readonly HashSet<string> entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> kept = new(StringComparer.Ordinal);
    private bool committed;

    private RunFolderGuard(string runDir)
    {
        this.runDir = Path.GetFullPath(runDir);
        existed = Directory.Exists(this.runDir);
        if (!existed)
        {
            existingAncestor = Path.GetDirectoryName(this.runDir);
            while (existingAncestor is not null && !Directory.Exists(existingAncestor)) existingAncestor = Path.GetDirectoryName(existingAncestor);
            return;
        }
        long budget = MaxKeptBytes;
        foreach (var entry in Directory.EnumerateFileSystemEntries(this.runDir, "*", SearchOption.AllDirectories))
        {
            entries.Add(entry);
            if (!File.Exists(entry) || Path.GetFileName(entry) == RunLock.FileName) continue;
            long length = new FileInfo(entry).Length;
            if (length > MaxKeptFileBytes || length > budget) continue;
            try { kept[entry] = File.ReadAllBytes(entry); budget -= length; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // unreadable (another writer's): left as it is
        }
    }

    /// <summary>Records the folder's state before a fresh training writes anything.</summary>
    public static RunFolderGuard Begin(string runDir) => new(runDir);

    /// <summary>The run has taken its first step: what it wrote stays.</summary>
    public void Commit() => committed = true;

    /// <summary>Puts the folder back as <see cref="Begin"/> found it, unless committed; best effort (a failure to clean
    /// up must not hide the error that stopped the run).</summary>
    public void Rollback()
    {
        if (committed) return;
        try
        {
            if (!existed)
            {
                if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
                // the parent folders created on the way, while empty (never the one that existed, nor anything above it)
                for (var parent = Path.GetDirectoryName(runDir); parent is not null && existingAncestor is not null
                    && parent.Length > existingAncestor.Length && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any();
                    parent = Path.GetDirectoryName(parent))
                    Directory.Delete(parent);
                return;
            }
            if (!Directory.Exists(runDir)) return;
            var now = Directory.EnumerateFileSystemEntries(runDir, "*", SearchOption.AllDirectories).OrderByDescending(e => e.Length).ToList();
            foreach (var entry in now.Where(e => !entries.Contains(e)))
            {
                if (File.Exists(entry)) File.Delete(entry);
                else if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            }
            foreach (var (file, bytes) in kept)
                if (!File.Exists(file) || !File.ReadAllBytes(file).AsSpan().SequenceEqual(bytes)) File.WriteAllBytes(file, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

namespace MotionWorkbench.Cli;

/// <summary>
/// Checks where a command will write before it does any work, so that a long job never fails at its last step on an
/// output path, and the message says what is wrong with the path (not "Could not find file" or "already exists").
/// </summary>
internal static class OutputCheck
{
    /// <summary>A file the command will create or replace: its folder must exist or be creatable, and be writable.</summary>
    public static void File(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ArgumentException($"{option} {path}: is a folder, expected a file path");
        Writable(Path.GetDirectoryName(full)!, option, path);
    }

    /// <summary>A folder the command will create or fill: it must be creatable and writable.</summary>
    public static void Folder(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (System.IO.File.Exists(full)) throw new ArgumentException($"{option} {path}: is a regular file, expected a folder");
        Writable(full, option, path);
    }

    private static void Writable(string folder, string option, string given)
    {
        // The nearest existing ancestor decides: a regular file on the way means the folder can never be made.
        string? existing = folder;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (System.IO.File.Exists(existing))
                throw new ArgumentException($"{option} {given}: {existing} is a regular file, so no folder can be made below it");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) throw new ArgumentException($"{option} {given}: no existing folder above it");
        string probe = Path.Combine(existing, $".mw-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (System.IO.File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ArgumentException($"{option} {given}: {existing} is not writable ({e.Message})");
        }
    }
}

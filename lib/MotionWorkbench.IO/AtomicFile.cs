using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MotionWorkbench.IO;

/// <summary>
/// Writes a file through a temp file in the same folder (unique name, flushed to disk) and a rename over the target, so
/// a crash never leaves a half-written file; the temp file is removed when writing fails. The one atomic writer of the
/// workbench (tensors, checkpoints, datasets, notebooks, reports).
/// <para>A writer killed mid-write (kill -9) cannot remove its temp file; the next writer of that folder does, once
/// per folder and process: <c>.&lt;name&gt;.&lt;pid&gt;.&lt;guid&gt;.tmp</c> files whose process is no longer alive are deleted
/// (those of live processes, this one included, are left alone).</para>
/// <para>A folder that cannot be written is reported with the path the caller gave (never the internal temp file's).</para>
/// </summary>
public static partial class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(false);
    private static readonly ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8.GetBytes(text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (Directory.Exists(full)) throw new UnwritablePathException($"{path}: is a folder, expected a file path");
        CreateFolder(dir, path);
        if (Swept.TryAdd(dir, true)) RemoveStaleTemps(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        FileStream stream;
        try { stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16); }
        catch (UnauthorizedAccessException e) { throw new UnwritablePathException($"{path}: cannot be written: the folder {dir} is not writable (permission denied)", e); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new UnwritablePathException($"{path}: cannot be written: the folder {dir} does not accept new files", e); }
        catch (IOException e) { throw new IOException($"{path}: cannot be written in the folder {dir} ({e.Message.Replace(temp, dir, StringComparison.Ordinal)})", e); }
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>
    /// Deletes the temp files that writers no longer alive left in <paramref name="dir"/> (see the class summary); returns
    /// how many. Called by <see cref="Write"/> once per folder and process.
    /// </summary>
    public static int RemoveStaleTemps(string dir)
    {
        int removed = 0;
        IEnumerable<string> files;
        try { files = Directory.EnumerateFiles(dir, ".*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var file in files)
        {
            var m = TempName().Match(Path.GetFileName(file));
            if (!m.Success || !int.TryParse(m.Groups[1].ValueSpan, out int pid) || pid == Environment.ProcessId || IsAlive(pid)) continue;
            try { File.Delete(file); removed++; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Creates <paramref name="dir"/>, naming the regular file in its way when there is one.</summary>
    private static void CreateFolder(string dir, string given)
    {
        if (Directory.Exists(dir)) return;
        for (string? up = dir; up is not null; up = Path.GetDirectoryName(up))
        {
            if (Directory.Exists(up)) break;
            if (File.Exists(up)) throw new UnwritablePathException($"{given}: cannot be written: {up} is a regular file, so no folder can be made below it");
        }
        try { Directory.CreateDirectory(dir); }
        catch (UnauthorizedAccessException e) { throw new UnwritablePathException($"{given}: cannot be written: the folder {dir} cannot be created (permission denied)", e); }
    }

    [GeneratedRegex(@"^\..+\.(\d+)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TempName();
}

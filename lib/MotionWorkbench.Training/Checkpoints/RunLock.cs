namespace MotionWorkbench.Training;

/// <summary>
/// An exclusive lock on a run folder (<c>.lock</c>, holding the owner's process id) for as long as a training writes
/// into it, so that two trainings into the same folder cannot interleave metrics, logs and checkpoints: the second
/// gets a clear error. The lock is the OS file lock of an open file, so it goes with the process, even on a crash; the
/// file is removed when the training ends, and a stale <c>.lock</c> left by a killed process is simply taken over.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";
    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    public static RunLock Acquire(string runDir)
    {
        Directory.CreateDirectory(runDir);
        string path = Path.Combine(runDir, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 256, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            string owner = "";
            try { owner = File.ReadAllText(path).Trim(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new InvalidOperationException($"{runDir}: another training is writing to this run folder{(owner.Length > 0 ? $" ({owner})" : "")}; wait for it to finish or choose another --out");
        }
        stream.SetLength(0);
        var text = System.Text.Encoding.UTF8.GetBytes($"process {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z\n");
        stream.Write(text);
        stream.Flush();
        return new RunLock(stream);
    }

    public void Dispose() => _stream.Dispose();
}

using MotionWorkbench.IO;

namespace MotionWorkbench.IO.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mw-atomic-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void AtomicWrite_FailureKeepsThePreviousFile()
    {
        var path = Path.Combine(dir, "keep.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write([9, 9]); throw new InvalidOperationException("interrupted"); }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void AtomicWrite_RemovesTheStaleTempOfADeadWriter_KeepsLiveOnes()
    {
        // A writer killed mid-write (kill -9) leaves .<name>.<pid>.<guid>.tmp; pid 999999999 is no live process.
        string dead = Path.Combine(dir, $".last.safetensors.999999999.{Guid.NewGuid():N}.tmp");
        string live = Path.Combine(dir, $".best.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string other = Path.Combine(dir, ".notes.tmp");
        foreach (var f in new[] { dead, live, other }) File.WriteAllBytes(f, [1]);
        AtomicFile.Write(Path.Combine(dir, "last.safetensors"), s => s.Write([7]));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));   // this process's own temp file (a write in flight) is never touched
        Assert.True(File.Exists(other));  // not an AtomicFile temp name
        Assert.Equal([7], File.ReadAllBytes(Path.Combine(dir, "last.safetensors")));
    }

    [Fact]
    public void AtomicWrite_ParentIsAFile_NamesThePathNotTheTempFile()
    {
        string file = Path.Combine(dir, "plain");
        File.WriteAllText(file, "x");
        string target = Path.Combine(file, "sub", "out.json");
        var e = Assert.Throws<UnwritablePathException>(() => AtomicFile.WriteAllText(target, "{}"));
        Assert.Contains(target, e.Message);
        Assert.Contains($"{file} is a regular file", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }

    [Fact]
    public void AtomicWrite_UnwritableFolder_NamesThePathNotTheTempFile()
    {
        string target = "/proc/nope.json"; // /proc refuses new files, even to root
        var e = Assert.Throws<UnwritablePathException>(() => AtomicFile.WriteAllText(target, "{}"));
        Assert.StartsWith($"{target}: cannot be written", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }
}

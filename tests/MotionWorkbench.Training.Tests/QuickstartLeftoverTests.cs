using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// A quickstart refused or failed before its run's first step leaves the world as it found it (issue 28): the dataset
/// it generated in that call is removed (with the empty parent folders it made), a folder that existed gets back exactly
/// what it held, and a complete dataset reused from an earlier call stays untouched; a cancelled generation keeps nothing.
/// </summary>
public sealed class QuickstartLeftoverTests : IDisposable
{
    private const int Motions = 120;
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-qs-leftovers-" + Guid.NewGuid().ToString("N")[..8]);

    public QuickstartLeftoverTests() => Directory.CreateDirectory(root);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static RunConfig Smoke(string trainSplit = "train") =>
        RunConfig.Smoke with { Data = RunConfig.Smoke.Data with { TrainSplit = trainSplit }, Train = RunConfig.Smoke.Train with { Epochs = 1, Threads = 1 } };

    private string[] Entries() => Directory.GetFileSystemEntries(root).Select(e => Path.GetFileName(e)!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Quickstart_RefusedAfterGeneratingData_RemovesTheDataFolderItCreated_AndItsParents()
    {
        string data = Path.Combine(root, "new", "data"), run = Path.Combine(root, "runs", "qs");
        // a split the generated data does not have: refused only once the data exists (the trainer reads its splits)
        var e = Assert.ThrowsAny<Exception>(() => Quickstart.Run(run, data, Smoke(trainSplit: "nosuch"), syntheticCount: Motions));
        Assert.Contains("nosuch", e.Message);
        Assert.Empty(Entries()); // no data/, no new/, no runs/qs nor runs/, no data-probes
    }

    [Fact]
    public void Quickstart_FailingInAnUnwritableRunFolder_RemovesTheGeneratedData_AndKeepsAFolderThatExisted()
    {
        string data = Path.Combine(root, "data"), blocker = Path.Combine(root, "a-file");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "README.txt"), "mine");
        File.WriteAllText(blocker, "not a folder");
        Assert.ThrowsAny<IOException>(() => Quickstart.Run(Path.Combine(blocker, "run"), data, Smoke(), syntheticCount: Motions));
        Assert.Equal(["README.txt"], Directory.GetFileSystemEntries(data).Select(f => Path.GetFileName(f)!).ToArray());
        Assert.Equal("mine", File.ReadAllText(Path.Combine(data, "README.txt")));
        Assert.Equal(["a-file", "data"], Entries());
    }

    [Fact]
    public void Quickstart_Failing_LeavesACompleteDatasetOfAnEarlierCallAsItWas()
    {
        string data = Path.Combine(root, "data");
        var generated = Quickstart.EnsureData(data, syntheticCount: Motions);
        Assert.NotNull(generated);
        generated.Commit(); // an earlier call that finished
        var before = Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.True(before.Length > 2 * Motions, $"{before.Length} files");
        Assert.Null(Quickstart.EnsureData(data, syntheticCount: Motions)); // reused, not written again
        Assert.ThrowsAny<Exception>(() => Quickstart.Run(Path.Combine(root, "run"), data, Smoke(trainSplit: "nosuch"), syntheticCount: Motions));
        Assert.Equal(before, Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["data"], Entries());
    }

    [Fact]
    public void EnsureData_Cancelled_KeepsNothing_AndSaysSo()
    {
        string data = Path.Combine(root, "cancelled", "data");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var e = Assert.ThrowsAny<OperationCanceledException>(() => Quickstart.EnsureData(data, syntheticCount: Motions, cancellation: cts.Token));
        Assert.Contains("interrupted while generating the synthetic dataset", e.Message);
        Assert.Empty(Entries());
    }
}

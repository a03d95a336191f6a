using System.Runtime.CompilerServices;

namespace MotionWorkbench.Testing;

/// <summary>
/// Locates the repository root and the real third-party data beside it (<c>../shared/data</c>).
/// Tests that need the shared data use <see cref="SharedDataFactAttribute"/>, which skips with a clear
/// message on a clone that has no <c>../shared</c> next to it. <c>MW_SHARED_DATA</c> overrides the location.
/// </summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string? Root { get; } = FindSharedData();

    public static bool Available => Root is not null;

    public static string SkipReason =>
        $"needs the real data in ../shared/data (looked in '{Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"))}'; set MW_SHARED_DATA to point elsewhere)";

    /// <summary>Absolute path of a file or folder under the shared data root.</summary>
    public static string PathOf(params string[] parts)
    {
        if (Root is null) throw new InvalidOperationException(SkipReason);
        return Path.Combine([Root, .. parts]);
    }

    private static string FindRepoRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MotionWorkbench.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("cannot find MotionWorkbench.sln above " + AppContext.BaseDirectory);
    }

    private static string? FindSharedData()
    {
        var env = Environment.GetEnvironmentVariable("MW_SHARED_DATA");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        var candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}

/// <summary>A fact that is skipped, with the reason, when <c>../shared/data</c> is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that is skipped, with the reason, when <c>../shared/data</c> is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}

namespace MotionWorkbench.IO;

/// <summary>
/// The workbench's folder in the user cache, outside every dataset and run folder: <c>$MW_CACHE_DIR</c>, else
/// <c>$XDG_CACHE_HOME/motionworkbench</c>, else <c>~/.cache/motionworkbench</c> (the temp folder stands in for a missing
/// home). Each kind of cached thing has its own sub-folder (<c>statistics/</c> for computed dataset statistics).
/// Nothing here creates a folder.
/// </summary>
public static class UserCache
{
    /// <summary>The environment variable that moves the whole workbench cache.</summary>
    public const string EnvironmentVariable = "MW_CACHE_DIR";

    /// <summary>The cache folder for the current environment.</summary>
    public static string Root => Resolve(
        Environment.GetEnvironmentVariable(EnvironmentVariable),
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>A sub-folder of <see cref="Root"/>, e.g. <c>SubFolder("statistics")</c>.</summary>
    public static string SubFolder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Path.Combine(Root, name);
    }

    /// <summary>
    /// The rule itself: <paramref name="mwCacheDir"/> when set, else <paramref name="xdgCacheHome"/>/motionworkbench,
    /// else <paramref name="home"/>/.cache/motionworkbench (the temp folder when no home is known). Empty counts as unset.
    /// </summary>
    public static string Resolve(string? mwCacheDir, string? xdgCacheHome, string? home)
    {
        if (!string.IsNullOrEmpty(mwCacheDir)) return mwCacheDir;
        if (!string.IsNullOrEmpty(xdgCacheHome)) return Path.Combine(xdgCacheHome, "motionworkbench");
        if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
        return Path.Combine(home, ".cache", "motionworkbench");
    }
}

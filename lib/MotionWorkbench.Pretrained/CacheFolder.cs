namespace MotionWorkbench.Pretrained;

/// <summary>Where the store keeps its converted weights.</summary>
public static class CacheFolder
{
    /// <summary>
    /// THE WORKBENCH'S USER-CACHE RULE, written here once because the store must not reference Patches (where
    /// <c>StatisticsCache.Root</c> has the same rule today). To be pointed at the IO library's function when that lands:
    /// <c>$MW_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/motionworkbench</c>, else <c>~/.cache/motionworkbench</c>.
    /// </summary>
    public static string WorkbenchCacheRoot()
    {
        if (Environment.GetEnvironmentVariable("MW_CACHE_DIR") is { Length: > 0 } mw) return mw;
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "motionworkbench");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
        return Path.Combine(home, ".cache", "motionworkbench");
    }

    /// <summary>The store's folder: <c>pretrained/</c> in the workbench cache.</summary>
    public static string Default() => Path.Combine(WorkbenchCacheRoot(), "pretrained");
}

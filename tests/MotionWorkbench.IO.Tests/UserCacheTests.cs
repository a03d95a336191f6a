using MotionWorkbench.IO;

namespace MotionWorkbench.IO.Tests;

public class UserCacheTests
{
    [Fact]
    public void Resolve_MW_CACHE_DIR_WinsOverEverything()
    {
        Assert.Equal("/data/mwcache", UserCache.Resolve("/data/mwcache", "/xdg", "/home/u"));
    }

    [Fact]
    public void Resolve_WithoutMW_CACHE_DIR_UsesXdgCacheHome()
    {
        Assert.Equal(Path.Combine("/xdg", "motionworkbench"), UserCache.Resolve(null, "/xdg", "/home/u"));
        Assert.Equal(Path.Combine("/xdg", "motionworkbench"), UserCache.Resolve("", "/xdg", "/home/u"));
    }

    [Fact]
    public void Resolve_WithNeither_UsesTheHomeCache()
    {
        Assert.Equal(Path.Combine("/home/u", ".cache", "motionworkbench"), UserCache.Resolve(null, "", "/home/u"));
        Assert.Equal(Path.Combine(Path.GetTempPath(), ".cache", "motionworkbench"), UserCache.Resolve(null, null, ""));
    }

    [Fact]
    public void SubFolder_IsBelowTheRoot()
    {
        Assert.Equal(Path.Combine(UserCache.Root, "statistics"), UserCache.SubFolder("statistics"));
        Assert.Throws<ArgumentException>(() => UserCache.SubFolder(" "));
    }
}

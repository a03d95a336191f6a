using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Experiments;

/// <summary>
/// The notebooks' edge, as mw's start is the command line's: the settings read from the environment (library code reads
/// none) and the notebook's own <c>threads</c> parameter. Every notebook calls <see cref="Apply"/> first with its
/// parameter; <see cref="RunFolder.Create"/> applies the environment too (once), for notebooks of one's own that do not.
/// </summary>
public static class EngineSetup
{
    private static bool applied;

    /// <summary>
    /// <c>MW_GEMM</c> (a GEMM backend), <c>MW_CONV</c> (a convolution algorithm) and the engine threads: <paramref name="threads"/> when &gt; 0 (the notebook's
    /// parameter; <c>mw notebook run --param threads=N</c>), else <c>MW_THREADS</c> (<c>mw notebook run --threads N</c> sets
    /// it for the kernel), else the cores this process may use. A bad value is an <see cref="ArgumentException"/> naming
    /// the setting. Returns the count in use and why (what the notebook prints).
    /// </summary>
    public static ThreadSetting Apply(int threads = 0)
    {
        Gemm.UseSetting(Environment.GetEnvironmentVariable("MW_GEMM"), "MW_GEMM");
        Winograd.UseSetting(Environment.GetEnvironmentVariable("MW_CONV"), "MW_CONV");
        if (threads != 0)
        {
            ThreadSetting.Check(threads, "the notebook parameter threads");
            Par.Use(new ThreadSetting(threads, $"notebook parameter threads = {threads}"));
        }
        else if (ThreadSetting.Parse(Environment.GetEnvironmentVariable("MW_THREADS"), "MW_THREADS") is int n) Par.Use(new ThreadSetting(n, $"MW_THREADS={n}"));
        applied = true;
        return Par.Setting;
    }

    /// <summary><see cref="Apply"/> from the environment alone, unless the notebook already applied its settings.</summary>
    internal static void FromEnvironmentOnce()
    {
        if (!applied) Apply();
    }
}

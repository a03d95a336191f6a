using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw bench --profile N</c>: N more steps with <see cref="OpProfile"/> on, then a table of where a step's time goes.
/// The clock is this process's CPU time (all threads; getrusage) on Linux, so other processes on a busy machine do not
/// inflate it (wall time elsewhere); a share is of the step's total on that clock.
/// </summary>
internal static partial class BenchProfile
{
    public static void Run(string model, int steps, Action step)
    {
        bool cpu = CpuSeconds() is not null;
        var profile = new OpProfile(cpu ? () => CpuSeconds()!.Value : null);
        OpProfile.Active = profile;
        double start = profile.Now();
        try
        {
            for (int s = 0; s < steps; s++)
            {
                profile.Mark();
                step();
            }
        }
        finally { OpProfile.Active = null; }
        double perStep = (profile.Now() - start) / steps;
        var entries = profile.Entries();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model}: per-op {(cpu ? "CPU" : "wall")} time over {steps} profiled step(s), {perStep * 1000:F0} ms per step (forward = since the previous op ended; indented lines are parts of the line above's kind):"));
        foreach (var (name, seconds, calls) in entries.Take(28))
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-44} {seconds / steps * 1000,8:F1} ms/step  {100 * seconds / steps / perStep,5:F1} %  ({calls / steps} calls/step)"));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, Ixrss, Idrss, Isrss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NVcsw, NIvcsw;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);

    /// <summary>User + system CPU seconds of this process (all threads), or null off Linux.</summary>
    private static double? CpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return GetRUsage(0, out var u) == 0 ? u.UserSeconds + u.SystemSeconds + (u.UserMicroseconds + u.SystemMicroseconds) / 1e6 : null;
        }
        catch (DllNotFoundException) { return null; }
        catch (EntryPointNotFoundException) { return null; }
    }
}

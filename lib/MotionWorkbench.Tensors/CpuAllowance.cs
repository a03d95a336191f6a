using System.Globalization;
using System.Runtime.InteropServices;

namespace MotionWorkbench.Tensors;

/// <summary>
/// The CPUs this process may use, the facts the default engine thread count (<see cref="ThreadSetting.Default"/>) is
/// decided from: the affinity mask (<c>sched_getaffinity</c>), how many physical cores those CPUs are (SMT siblings,
/// from sysfs <c>topology/thread_siblings_list</c>), and the container CPU quota (cgroup v2 <c>cpu.max</c>, v1
/// <c>cpu.cfs_quota_us / cpu.cfs_period_us</c>; the smallest along the process's cgroup path, as a parent's limit binds
/// its children). Off Linux, or where the mask cannot be read, <see cref="Environment.ProcessorCount"/> stands in
/// (.NET derives it from the affinity mask and the quota rounded up).
/// </summary>
/// <param name="AffinityCpus">The CPU numbers in the affinity mask (ascending).</param>
/// <param name="PhysicalCores">Distinct physical cores among them (equal to their count without SMT).</param>
/// <param name="OnlineCpus">CPUs online on the machine (sysfs <c>cpu/online</c>), 0 where unknown.</param>
/// <param name="QuotaCpus">The cgroup CPU quota in CPUs (quota / period), null when unlimited.</param>
/// <param name="QuotaSource">The file the binding quota came from, null when unlimited.</param>
/// <param name="FromAffinityMask">False when the mask could not be read and ProcessorCount stands in.</param>
public sealed record CpuAllowance(IReadOnlyList<int> AffinityCpus, int PhysicalCores, int OnlineCpus, double? QuotaCpus, string? QuotaSource,
    bool FromAffinityMask = true)
{
    /// <summary>The CPUs this process may use now (read each call: the mask or the quota can change while it runs).</summary>
    public static CpuAllowance Read() => Read(AffinityMask(), "/");

    /// <summary>
    /// The allowance for the given affinity mask (null: not readable, ProcessorCount stands in) with sysfs, procfs and
    /// the cgroup file systems read under <paramref name="root"/> (a fake tree in tests).
    /// </summary>
    public static CpuAllowance Read(IReadOnlyList<int>? affinity, string root)
    {
        bool fromMask = affinity is { Count: > 0 };
        var cpus = fromMask ? affinity!.Order().ToArray() : Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).ToArray();
        int physical = fromMask ? PhysicalCoresOf(cpus, root) : cpus.Length;
        var (quota, source) = Quota(root);
        return new CpuAllowance(cpus, physical, fromMask ? OnlineCount(root) : 0, quota, source, fromMask);
    }

    /// <summary>One line for <c>mw info</c>: the mask, the physical cores and the quota.</summary>
    public override string ToString()
    {
        string mask = FromAffinityMask
            ? $"affinity mask {FormatCpuList(AffinityCpus)} ({AffinityCpus.Count} CPU{(AffinityCpus.Count == 1 ? "" : "s")}{(OnlineCpus > 0 ? $" of {OnlineCpus} online" : "")})"
            : $"affinity mask not readable here ({AffinityCpus.Count} logical processors from Environment.ProcessorCount)";
        string quota = QuotaCpus is double q ? string.Create(CultureInfo.InvariantCulture, $"cgroup CPU quota {q:0.##} CPUs ({QuotaSource})") : "no cgroup CPU quota";
        return $"{mask}, {PhysicalCores} physical {(PhysicalCores == 1 ? "core" : "cores")}, {quota}";
    }

    /// <summary>CPU numbers as a kernel list ("0-3,8,10-11").</summary>
    public static string FormatCpuList(IReadOnlyList<int> cpus)
    {
        var parts = new List<string>();
        var sorted = cpus.Distinct().Order().ToArray();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    /// <summary>Distinct physical cores among <paramref name="cpus"/>: CPUs with the same sibling list are one core; a CPU
    /// without topology files counts as its own core.</summary>
    public static int PhysicalCoresOf(IReadOnlyList<int> cpus, string root)
    {
        var cores = new HashSet<string>(StringComparer.Ordinal);
        foreach (int cpu in cpus)
        {
            string dir = Path.Combine(root, "sys/devices/system/cpu", $"cpu{cpu}", "topology");
            string? siblings = ReadTrimmed(Path.Combine(dir, "thread_siblings_list")) ?? ReadTrimmed(Path.Combine(dir, "core_cpus_list"));
            cores.Add(siblings is null ? $"cpu{cpu}" : string.Join(",", ParseCpuList(siblings)));
        }
        return Math.Max(1, cores.Count);
    }

    /// <summary>
    /// The binding cgroup CPU quota in CPUs and the file it came from: the smallest of every limited <c>cpu.max</c>
    /// (v2) and <c>cpu.cfs_quota_us</c>/<c>cpu.cfs_period_us</c> (v1) from the process's cgroup up to the hierarchy's
    /// root; (null, null) when none is limited or nothing can be read.
    /// </summary>
    public static (double? Cpus, string? Source) Quota(string root)
    {
        double? best = null;
        string? source = null;
        void Offer(double? cpus, string file)
        {
            if (cpus is > 0 && (best is null || cpus < best)) (best, source) = (cpus, file);
        }
        string? cgroups = ReadText(Path.Combine(root, "proc/self/cgroup"));
        if (cgroups is null) return (null, null);
        var mounts = Mounts(root);
        foreach (var line in cgroups.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            bool v2 = parts[0] == "0" && parts[1].Length == 0;
            bool v1Cpu = !v2 && parts[1].Split(',').Contains("cpu");
            if (!v2 && !v1Cpu) continue;
            foreach (var dir in CgroupDirs(root, mounts, v2, parts[2]))
            {
                if (v2) Offer(ParseCpuMax(ReadTrimmed(Path.Combine(dir, "cpu.max"))), Path.Combine(dir, "cpu.max"));
                else Offer(ParseCfs(ReadTrimmed(Path.Combine(dir, "cpu.cfs_quota_us")), ReadTrimmed(Path.Combine(dir, "cpu.cfs_period_us"))), Path.Combine(dir, "cpu.cfs_quota_us"));
            }
        }
        return (best, source is null ? null : "/" + Path.GetRelativePath(root, source).Replace('\\', '/'));
    }

    /// <summary>cgroup v2 <c>cpu.max</c> ("max 100000" or "150000 100000") in CPUs; null when unlimited or unreadable.</summary>
    public static double? ParseCpuMax(string? text)
    {
        var f = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f is not { Length: >= 1 } || f[0] == "max") return null;
        if (!long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long quota) || quota <= 0) return null;
        long period = 100_000;
        if (f.Length > 1 && (!long.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out period) || period <= 0)) return null;
        return (double)quota / period;
    }

    /// <summary>cgroup v1 <c>cpu.cfs_quota_us</c> / <c>cpu.cfs_period_us</c> in CPUs; null when the quota is -1 (unlimited) or unreadable.</summary>
    public static double? ParseCfs(string? quotaText, string? periodText)
    {
        if (!long.TryParse(quotaText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long quota) || quota <= 0) return null;
        if (!long.TryParse(periodText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long period) || period <= 0) return null;
        return (double)quota / period;
    }

    /// <summary>A kernel CPU list ("0-3,8,10-11") as CPU numbers; an unreadable part is skipped.</summary>
    public static IReadOnlyList<int> ParseCpuList(string text)
    {
        var cpus = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            if (dash < 0 && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int one)) cpus.Add(one);
            else if (dash > 0 && int.TryParse(part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int a)
                && int.TryParse(part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int b) && b >= a && b - a < 1 << 16)
                for (int c = a; c <= b; c++) cpus.Add(c);
        }
        return cpus;
    }

    /// <summary>The cgroup folders from the process's own up to the mount's root, for one /proc/self/cgroup entry.</summary>
    private static IEnumerable<string> CgroupDirs(string root, IReadOnlyList<(string Root, string MountPoint, bool V2, string Options)> mounts, bool v2, string path)
    {
        var found = mounts.Where(m => m.V2 == v2 && (v2 || m.Options.Split(',').Contains("cpu"))).ToList();
        if (found.Count == 0) found.Add(("/", v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpu", v2, "")); // no mountinfo: the usual places
        foreach (var (mountRoot, mountPoint, _, _) in found)
        {
            // In a container the mount's root is often the process's own cgroup: strip it so the path is below the mount point.
            string rel = path;
            if (mountRoot != "/" && (rel == mountRoot || rel.StartsWith(mountRoot + "/", StringComparison.Ordinal))) rel = rel[mountRoot.Length..];
            string top = Path.GetFullPath(Path.Combine(root, mountPoint.TrimStart('/'))).TrimEnd('/');
            string? dir = Path.GetFullPath(Path.Combine(top, rel.Trim('/'))).TrimEnd('/');
            while (dir is not null && (dir == top || dir.StartsWith(top + "/", StringComparison.Ordinal)))
            {
                yield return dir;
                dir = dir == top ? null : Path.GetDirectoryName(dir);
            }
        }
    }

    /// <summary>cgroup mounts from /proc/self/mountinfo: (root within the hierarchy, mount point, v2?, super options).</summary>
    private static IReadOnlyList<(string Root, string MountPoint, bool V2, string Options)> Mounts(string root)
    {
        var result = new List<(string, string, bool, string)>();
        string? text = ReadText(Path.Combine(root, "proc/self/mountinfo"));
        if (text is null) return result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "36 25 0:31 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct"
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var left = line[..dash].Split(' ');
            var right = line[(dash + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 1) continue;
            if (right[0] is "cgroup2") result.Add((left[3], left[4], true, ""));
            else if (right[0] is "cgroup" && right.Length >= 3) result.Add((left[3], left[4], false, right[2]));
        }
        return result;
    }

    private static int OnlineCount(string root) =>
        ReadTrimmed(Path.Combine(root, "sys/devices/system/cpu/online")) is { } online ? ParseCpuList(online).Count : 0;

    private static string? ReadTrimmed(string path) => ReadText(path)?.Trim();

    private static string? ReadText(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The CPU numbers of this process's affinity mask (Linux <c>sched_getaffinity</c>), null elsewhere or on failure.</summary>
    internal static unsafe IReadOnlyList<int>? AffinityMask()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            for (int bytes = 128; bytes <= 1 << 16; bytes *= 2)
            {
                var mask = new byte[bytes];
                int rc;
                fixed (byte* p = mask) rc = SchedGetAffinity(0, (nuint)bytes, p);
                if (rc != 0) continue; // EINVAL: the kernel's mask is larger than the buffer; try a larger one
                var cpus = new List<int>();
                for (int i = 0; i < bytes * 8; i++)
                    if ((mask[i >> 3] & (1 << (i & 7))) != 0) cpus.Add(i);
                return cpus.Count > 0 ? cpus : null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        return null;
    }

    [DllImport("libc", EntryPoint = "sched_getaffinity")]
    private static extern unsafe int SchedGetAffinity(int pid, nuint size, byte* mask);
}

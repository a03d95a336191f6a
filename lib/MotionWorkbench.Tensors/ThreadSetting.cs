using System.Globalization;

namespace MotionWorkbench.Tensors;

/// <summary>
/// How many threads the engine uses and why ("default: 2 cores in the affinity mask", "MW_THREADS=4", "--threads 3",
/// "default: cgroup quota 1.5 CPUs -> 2 ..."). <see cref="Default"/> decides from the machine (<see cref="CpuAllowance"/>):
/// one thread per physical core the affinity mask allows (SMT siblings not counted), at most the cgroup CPU quota rounded
/// up. Settings are read at the edges (mw's start, a notebook's <c>RunFolder.Create</c>) and checked with
/// <see cref="Parse"/>; library code reads no environment variables and gets the value through <see cref="Par.Use"/>.
/// </summary>
/// <param name="Count">Threads, the calling one included (1..<see cref="Max"/>).</param>
/// <param name="Reason">Where the count came from, for <c>mw info</c>, <c>train.log</c> and benchmark reports.</param>
public sealed record ThreadSetting(int Count, string Reason)
{
    /// <summary>The largest count a setting may ask for (far above any machine the workbench runs on; a larger one is a typo).</summary>
    public const int Max = 1024;

    public override string ToString() => $"{Count} ({Reason})";

    /// <summary>The default for this machine now: see <see cref="FromAllowance"/>.</summary>
    public static ThreadSetting Default()
    {
        try { return FromAllowance(CpuAllowance.Read()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            int n = Math.Clamp(Environment.ProcessorCount, 1, Max);
            return new ThreadSetting(n, $"default: {n} logical processors (Environment.ProcessorCount; the CPU allowance could not be read: {e.Message})");
        }
    }

    /// <summary>
    /// One thread per physical core among the CPUs the affinity mask allows, capped by the cgroup CPU quota rounded up
    /// (as .NET rounds it for <see cref="Environment.ProcessorCount"/>: 1.5 CPUs -> 2), at least 1.
    /// </summary>
    public static ThreadSetting FromAllowance(CpuAllowance a)
    {
        int cpus = a.AffinityCpus.Count, cores = Math.Clamp(a.PhysicalCores, 1, Math.Max(1, cpus));
        string where = !a.FromAffinityMask ? $"{cpus} logical processors (Environment.ProcessorCount)"
            : cores < cpus ? $"{cores} physical cores ({cpus} CPUs in the affinity mask; SMT siblings not counted)"
            : $"{cores} {(cores == 1 ? "core" : "cores")} in the affinity mask";
        if (a.FromAffinityMask && a.OnlineCpus > cpus) where += $", of {a.OnlineCpus} online";
        int count = Math.Min(cores, Max);
        if (a.QuotaCpus is double q && Math.Ceiling(q - 1e-9) < count)
        {
            int capped = Math.Max(1, (int)Math.Ceiling(q - 1e-9));
            return new ThreadSetting(capped, string.Create(CultureInfo.InvariantCulture, $"default: cgroup quota {q:0.##} CPUs -> {capped} ({a.QuotaSource}; {where})"));
        }
        return new ThreadSetting(count, $"default: {where}");
    }

    /// <summary>
    /// A thread-count setting's value: null or blank is "not set" (null); otherwise a whole number from 1 to
    /// <see cref="Max"/>, else an <see cref="ArgumentException"/> whose message names <paramref name="setting"/>
    /// (e.g. "MW_THREADS", "--threads") and what is wrong.
    /// </summary>
    public static int? Parse(string? text, string setting)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
        {
            bool huge = text.Trim().TrimStart('+').All(char.IsAsciiDigit);
            throw new ArgumentException(huge ? $"{setting}: {text.Trim()} threads is too many (at most {Max})" : $"{setting}: '{text.Trim()}' is not a thread count (a whole number from 1 to {Max})");
        }
        Check(n, setting);
        return n;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="setting"/> unless 1 &lt;= <paramref name="count"/> &lt;= <see cref="Max"/>.</summary>
    public static void Check(int count, string setting)
    {
        if (count < 1) throw new ArgumentException($"{setting}: {count} is not a thread count (a whole number from 1 to {Max}; leave the setting out for the default)");
        if (count > Max) throw new ArgumentException($"{setting}: {count} threads is too many (at most {Max})");
    }

    /// <summary>A list of counts ("1,2,4,8"), each checked as by <see cref="Parse"/>; duplicates are dropped, order kept.</summary>
    public static IReadOnlyList<int> ParseList(string? text, string setting)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"{setting}: needs a thread count or a comma-separated list of them (e.g. 1,2,4,8)");
        var counts = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw new ArgumentException($"{setting}: '{text}' has an empty entry (e.g. 1,2,4,8)");
            int n = Parse(part, setting)!.Value;
            if (!counts.Contains(n)) counts.Add(n);
        }
        return counts;
    }
}

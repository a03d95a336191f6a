namespace MotionWorkbench.Tensors.Tests.Threading;

/// <summary>
/// The CPU allowance read from sysfs, procfs and the cgroup file systems: written here as small fake trees (cgroup v2,
/// v1 with a container's mount root, nested quotas, SMT siblings) and read from this machine.
/// </summary>
public sealed class CpuAllowanceTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-cpu-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private void Write(string path, string text)
    {
        var full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    [Theory]
    [InlineData("0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("0,2,4-5\n", new[] { 0, 2, 4, 5 })]
    [InlineData("7", new[] { 7 })]
    [InlineData("", new int[0])]
    public void ParseCpuList_ReadsKernelLists(string text, int[] expected) => Assert.Equal(expected, CpuAllowance.ParseCpuList(text));

    [Fact]
    public void FormatCpuList_AndToString_DescribeTheAllowance()
    {
        Assert.Equal("0-3,8,10-11", CpuAllowance.FormatCpuList([11, 0, 1, 2, 3, 8, 10]));
        Assert.Equal("5", CpuAllowance.FormatCpuList([5]));
        Assert.Equal("affinity mask 0-1 (2 CPUs of 4 online), 2 physical cores, no cgroup CPU quota", new CpuAllowance([0, 1], 2, 4, null, null).ToString());
        Assert.Equal("affinity mask 2 (1 CPU), 1 physical core, cgroup CPU quota 0.5 CPUs (/sys/fs/cgroup/cpu.max)", new CpuAllowance([2], 1, 0, 0.5, "/sys/fs/cgroup/cpu.max").ToString());
    }

    [Theory]
    [InlineData("max 100000", null)]
    [InlineData("150000 100000", 1.5)]
    [InlineData("50000 100000", 0.5)]
    [InlineData("200000", 2.0)]
    [InlineData("garbage", null)]
    [InlineData(null, null)]
    public void ParseCpuMax_GivesCpusOrUnlimited(string? text, double? expected) => Assert.Equal(expected, CpuAllowance.ParseCpuMax(text));

    [Fact]
    public void ParseCfs_GivesCpusOrUnlimited()
    {
        Assert.Equal(1.5, CpuAllowance.ParseCfs("150000", "100000"));
        Assert.Null(CpuAllowance.ParseCfs("-1", "100000"));
        Assert.Null(CpuAllowance.ParseCfs("150000", "0"));
        Assert.Null(CpuAllowance.ParseCfs(null, "100000"));
    }

    [Fact]
    public void PhysicalCores_CountsSiblingSetsOnce()
    {
        // 4 cores with 2 threads each: CPU c and c + 4 are siblings (the usual Linux numbering).
        for (int c = 0; c < 8; c++) Write($"sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list", $"{c % 4},{c % 4 + 4}\n");
        Assert.Equal(4, CpuAllowance.PhysicalCoresOf([.. Enumerable.Range(0, 8)], root));
        Assert.Equal(2, CpuAllowance.PhysicalCoresOf([0, 4, 1], root));            // a mask with both threads of core 0 and one of core 1
        Assert.Equal(3, CpuAllowance.PhysicalCoresOf([0, 1, 9], root));            // cpu9 has no topology files: its own core
    }

    [Fact]
    public void Quota_CgroupV2_TakesTheSmallestLimitUpThePath()
    {
        Write("proc/self/cgroup", "0::/user.slice/job\n");
        Write("proc/self/mountinfo", "30 24 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
        Write("sys/fs/cgroup/user.slice/job/cpu.max", "max 100000\n");
        Write("sys/fs/cgroup/user.slice/cpu.max", "250000 100000\n");
        Write("sys/fs/cgroup/cpu.max", "max 100000\n");
        var (cpus, source) = CpuAllowance.Quota(root);
        Assert.Equal(2.5, cpus);
        Assert.Equal("/sys/fs/cgroup/user.slice/cpu.max", source);

        Write("sys/fs/cgroup/user.slice/job/cpu.max", "150000 100000\n");
        Assert.Equal<(double?, string?)>((1.5, "/sys/fs/cgroup/user.slice/job/cpu.max"), CpuAllowance.Quota(root));
    }

    [Fact]
    public void Quota_CgroupV1_StripsAContainersMountRoot()
    {
        // Docker without a cgroup namespace: the process's path is /docker/ID and the cpu hierarchy is mounted at that root.
        Write("proc/self/cgroup", "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/docker/abc\n");
        Write("proc/self/mountinfo",
            "40 31 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n" +
            "41 31 0:30 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n");
        Write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "300000\n");
        Write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        Assert.Equal<(double?, string?)>((3.0, "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"), CpuAllowance.Quota(root));
    }

    [Fact]
    public void Quota_IsNullWithoutLimitsOrFiles()
    {
        Assert.Equal<(double?, string?)>((null, null), CpuAllowance.Quota(root)); // nothing at all
        Write("proc/self/cgroup", "1:cpu:/\n0::/\n");
        Write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
        Write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        Assert.Equal<(double?, string?)>((null, null), CpuAllowance.Quota(root)); // no mountinfo: the usual mount points, unlimited
    }

    [Fact]
    public void Read_CombinesMaskTopologyQuotaAndOnlineCpus()
    {
        for (int c = 0; c < 8; c++) Write($"sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list", $"{c % 4},{c % 4 + 4}\n");
        Write("sys/devices/system/cpu/online", "0-7\n");
        Write("proc/self/cgroup", "0::/\n");
        Write("proc/self/mountinfo", "30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        Write("sys/fs/cgroup/cpu.max", "150000 100000\n");
        var a = CpuAllowance.Read([2, 3, 6, 7], root);
        Assert.Equal([2, 3, 6, 7], a.AffinityCpus);
        Assert.Equal(2, a.PhysicalCores);
        Assert.Equal(8, a.OnlineCpus);
        Assert.Equal(1.5, a.QuotaCpus);
        // 1.5 CPUs round up to 2, which does not bind 2 cores
        Assert.Equal(new ThreadSetting(2, "default: 2 physical cores (4 CPUs in the affinity mask; SMT siblings not counted), of 8 online"), ThreadSetting.FromAllowance(a));
        Assert.Equal(new ThreadSetting(2, "default: cgroup quota 1.5 CPUs -> 2 (/sys/fs/cgroup/cpu.max; 4 physical cores (8 CPUs in the affinity mask; SMT siblings not counted))"),
            ThreadSetting.FromAllowance(CpuAllowance.Read([.. Enumerable.Range(0, 8)], root)));
        Write("sys/fs/cgroup/cpu.max", "50000 100000\n");
        Assert.Equal(1, ThreadSetting.FromAllowance(CpuAllowance.Read([2, 3, 6, 7], root)).Count);
    }

    [Fact]
    public void Read_ThisMachine_MatchesTheAffinityMaskDotNetSees()
    {
        if (!OperatingSystem.IsLinux()) return;
        var a = CpuAllowance.Read();
        Assert.True(a.FromAffinityMask);
        Assert.InRange(a.PhysicalCores, 1, a.AffinityCpus.Count);
        // .NET: ProcessorCount = min(mask, quota rounded up); with no quota they must agree.
        if (a.QuotaCpus is null) Assert.Equal(Environment.ProcessorCount, a.AffinityCpus.Count);
        else Assert.Equal(Environment.ProcessorCount, Math.Min(a.AffinityCpus.Count, (int)Math.Ceiling(a.QuotaCpus.Value)));
    }
}

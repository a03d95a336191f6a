namespace MotionWorkbench.Tensors.Tests.Threading;

/// <summary>The thread-count setting: parsing (each bad value one error naming the setting) and the default from the CPU allowance.</summary>
public class ThreadSettingTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("4", 4)]
    [InlineData(" 16 ", 16)]
    [InlineData("+3", 3)]
    [InlineData("1024", 1024)]
    public void Parse_ReadsACountOrNothing(string? text, int? expected) => Assert.Equal(expected, ThreadSetting.Parse(text, "MW_THREADS"));

    [Theory]
    [InlineData("0", "MW_THREADS: 0 is not a thread count (a whole number from 1 to 1024; leave the setting out for the default)")]
    [InlineData("-2", "MW_THREADS: -2 is not a thread count (a whole number from 1 to 1024; leave the setting out for the default)")]
    [InlineData("1025", "MW_THREADS: 1025 threads is too many (at most 1024)")]
    [InlineData("99999999999", "MW_THREADS: 99999999999 threads is too many (at most 1024)")]
    [InlineData("four", "MW_THREADS: 'four' is not a thread count (a whole number from 1 to 1024)")]
    [InlineData("2.5", "MW_THREADS: '2.5' is not a thread count (a whole number from 1 to 1024)")]
    [InlineData("4,8", "MW_THREADS: '4,8' is not a thread count (a whole number from 1 to 1024)")]
    public void Parse_ThrowsOneErrorNamingTheSetting(string text, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => ThreadSetting.Parse(text, "MW_THREADS")).Message);

    [Fact]
    public void ParseList_KeepsOrderAndDropsDuplicates()
    {
        Assert.Equal([1, 2, 4, 8, 16], ThreadSetting.ParseList("1,2,4,8,16", "--threads"));
        Assert.Equal([4, 2], ThreadSetting.ParseList(" 4 , 2,4", "--threads"));
        Assert.StartsWith("--threads: 0 is not a thread count", Assert.Throws<ArgumentException>(() => ThreadSetting.ParseList("1,0", "--threads")).Message);
        Assert.StartsWith("--threads: '1,,2' has an empty entry", Assert.Throws<ArgumentException>(() => ThreadSetting.ParseList("1,,2", "--threads")).Message);
        Assert.StartsWith("--threads: needs a thread count", Assert.Throws<ArgumentException>(() => ThreadSetting.ParseList(" ", "--threads")).Message);
    }

    [Fact]
    public void FromAllowance_UsesOneThreadPerCoreInTheMask()
    {
        var s = ThreadSetting.FromAllowance(new CpuAllowance([0, 1], 2, 2, null, null));
        Assert.Equal(new ThreadSetting(2, "default: 2 cores in the affinity mask"), s);
        var subset = ThreadSetting.FromAllowance(new CpuAllowance([4, 5, 6], 3, 16, null, null));
        Assert.Equal(new ThreadSetting(3, "default: 3 cores in the affinity mask, of 16 online"), subset);
        Assert.Equal("default: 1 core in the affinity mask", ThreadSetting.FromAllowance(new CpuAllowance([0], 1, 1, null, null)).Reason);
    }

    [Fact]
    public void FromAllowance_DoesNotCountSmtSiblings()
    {
        var s = ThreadSetting.FromAllowance(new CpuAllowance([.. Enumerable.Range(0, 16)], 8, 16, null, null));
        Assert.Equal(new ThreadSetting(8, "default: 8 physical cores (16 CPUs in the affinity mask; SMT siblings not counted)"), s);
    }

    [Theory]
    [InlineData(1.5, 2)]
    [InlineData(0.5, 1)]
    [InlineData(2.0, 2)]
    [InlineData(2.0000000001, 2)]
    [InlineData(3.2, 4)]
    public void FromAllowance_CapsAtTheQuotaRoundedUp(double quota, int expected)
    {
        var s = ThreadSetting.FromAllowance(new CpuAllowance([.. Enumerable.Range(0, 8)], 8, 8, quota, "/sys/fs/cgroup/cpu.max"));
        Assert.Equal(expected, s.Count);
        Assert.StartsWith($"default: cgroup quota {quota.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} CPUs -> {expected} (/sys/fs/cgroup/cpu.max; 8 cores in the affinity mask)", s.Reason);
    }

    [Fact]
    public void FromAllowance_IgnoresAQuotaAboveTheCores()
    {
        var s = ThreadSetting.FromAllowance(new CpuAllowance([0, 1], 2, 2, 6, "/sys/fs/cgroup/cpu.max"));
        Assert.Equal(new ThreadSetting(2, "default: 2 cores in the affinity mask"), s);
    }

    [Fact]
    public void Default_IsAtMostWhatDotNetReportsAndAtLeastOne()
    {
        // .NET's ProcessorCount is min(affinity mask, quota rounded up) on Linux; the default also leaves out SMT siblings.
        var d = ThreadSetting.Default();
        Assert.InRange(d.Count, 1, Environment.ProcessorCount);
        Assert.StartsWith("default: ", d.Reason);
        if (OperatingSystem.IsLinux())
        {
            var a = CpuAllowance.Read();
            Assert.True(a.FromAffinityMask, "the affinity mask could not be read on Linux");
            Assert.True(a.AffinityCpus.Count >= Environment.ProcessorCount || a.QuotaCpus is not null,
                $"{a.AffinityCpus.Count} CPUs in the mask but .NET reports {Environment.ProcessorCount} without a quota");
        }
    }
}

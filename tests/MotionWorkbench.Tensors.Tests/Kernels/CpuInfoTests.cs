using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors.Tests.Kernels;

/// <summary>The CPU description of benchmark reports and the FMA peak probe.</summary>
public class CpuInfoTests
{
    [Theory]
    [InlineData(0x00A00F11u, 25, 1, 1)]   // AMD EPYC Zen 3 (Milan), the anchors' machine
    [InlineData(0x00A10F11u, 25, 17, 1)]  // AMD EPYC Zen 4 (Genoa)
    [InlineData(0x00B00F21u, 26, 2, 1)]   // AMD EPYC Zen 5 (family 26)
    [InlineData(0x000606A6u, 6, 106, 6)]  // Intel Ice Lake-SP: family 6 takes the extended model
    [InlineData(0x00000F29u, 15, 2, 9)]   // family 15 without an extended family
    [InlineData(0x00000543u, 5, 4, 3)]    // family 5: the extended model is not used
    public void DecodeSignature_GivesTheDisplayFamilyAndModel(uint eax, int family, int model, int stepping) =>
        Assert.Equal((family, model, stepping), CpuInfo.DecodeSignature(eax));

    [Fact]
    public void ModelNameFrom_ReadsTheFirstModelNameLine()
    {
        const string text = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC 9B45 128-Core Processor\n\nprocessor\t: 1\nmodel name\t: other\n";
        Assert.Equal("AMD EPYC 9B45 128-Core Processor", CpuInfo.ModelNameFrom(text));
        Assert.Null(CpuInfo.ModelNameFrom("processor\t: 0\nmodel\t\t: 2\n"));
        Assert.Null(CpuInfo.ModelNameFrom("model name\t:   \n"));
    }

    [Fact]
    public void Current_ReportsTheIsaDotNetUsesHere()
    {
        var cpu = CpuInfo.Current;
        Assert.Equal(Avx2.IsSupported, cpu.Isa.Contains("AVX2"));
        Assert.Equal(Fma.IsSupported, cpu.Isa.Contains("FMA"));
        Assert.Equal(Avx512F.IsSupported, cpu.Isa.Contains("AVX-512F"));
        Assert.Equal(Avx512F.VL.IsSupported, cpu.Isa.Contains("AVX-512VL"));
        Assert.Equal(Vector512.IsHardwareAccelerated, CpuInfo.Vector512Accelerated);
        if (X86Base.IsSupported)
        {
            Assert.Equal(12, cpu.Vendor.Length); // CPUID leaf 0: AuthenticAMD, GenuineIntel, ...
            Assert.True(cpu.Family >= 5, $"family {cpu.Family}");
            Assert.Contains($"family {cpu.Family} model {cpu.Model}", cpu.ToString());
        }
        Assert.Contains(Vector512.IsHardwareAccelerated ? "Vector512 hardware-accelerated" : "Vector512 not hardware-accelerated", cpu.ToString());
    }

    [Fact]
    public void FmaProbe_MeasuresAPositiveRate_AndRefusesEmulatedVector512()
    {
        double one = FmaProbe.Vector256Gflops(1, seconds: 0.02);
        Assert.True(one > 0.1 && double.IsFinite(one), $"Vector256 probe: {one} GFLOP/s");
        Assert.True(FmaProbe.Vector256Gflops(2, seconds: 0.02) > 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaProbe.Vector256Gflops(0));
        if (Vector512.IsHardwareAccelerated) Assert.True(FmaProbe.Vector512Gflops(1, seconds: 0.02) > 0.1);
        else Assert.Equal("FMA probe: Vector512 is not hardware-accelerated on this CPU", Assert.Throws<NotSupportedException>(() => FmaProbe.Vector512Gflops(1)).Message);
    }
}

using System.Runtime.Intrinsics;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors.Tests.Kernels;

/// <summary>The dispatch rule (<see cref="GemmBackend.Auto"/>), the calibration's decision and the forcing setting.</summary>
[Collection("Gemm backend")]
public class GemmDispatchTests
{
    [Fact]
    public void Auto_FollowsTheRuleForThisCpu()
    {
        bool blas = Gemm.IsSupported(GemmBackend.OpenBlas);
        var large = Gemm.Resolve(GemmBackend.Auto, 4544, 576, 192);
        var head = Gemm.Resolve(GemmBackend.Auto, 71, 71, 64);
        if (Vector512.IsHardwareAccelerated)
        {
            // calibrated: each class takes its own timing's choice
            var c = Assert.IsType<GemmCalibration>(Gemm.Calibration);
            Assert.Equal(c.Large.Auto, large);
            Assert.Equal(c.Small.Auto, head);
            Assert.Same(c.Small, c.For(71, 71, 64));
            Assert.Same(c.Large, c.For(96, 192, 256));
        }
        else
        {
            // no accelerated Vector512: no timing, OpenBLAS where it loaded, else AVX2, else scalar
            Assert.Null(Gemm.Calibration);
            var expected = blas ? GemmBackend.OpenBlas : Gemm.IsSupported(GemmBackend.Avx2) ? GemmBackend.Avx2 : GemmBackend.Scalar;
            Assert.Equal(expected, large);
            Assert.Equal(expected, head);
        }
    }

    [Fact]
    public void Auto_ThinProducts_GoToOpenBlasWhereItLoaded()
    {
        foreach (var (m, n) in new[] { (1, 4096), (3, 300), (4096, 1), (500, 2) })
        {
            var b = Gemm.Resolve(GemmBackend.Auto, m, n, 256);
            if (Gemm.IsSupported(GemmBackend.OpenBlas)) Assert.Equal(GemmBackend.OpenBlas, b);
            else Assert.NotEqual(GemmBackend.OpenBlas, b);
        }
    }

    [Fact]
    public void Managed_NeverResolvesToOpenBlas_AndForcedBackendsResolveToThemselves()
    {
        foreach (var (m, n, k) in new[] { (1, 1, 1), (2, 4096, 64), (71, 71, 64), (4544, 576, 192) })
        {
            var managed = Gemm.Resolve(GemmBackend.Managed, m, n, k);
            Assert.Contains(managed, new[] { GemmBackend.Avx512, GemmBackend.Avx2, GemmBackend.Scalar });
            Assert.True(Gemm.IsSupported(managed), $"managed resolved to {managed}, which this CPU does not run in hardware");
            foreach (var forced in new[] { GemmBackend.Avx512, GemmBackend.Avx2, GemmBackend.OpenBlas, GemmBackend.Scalar })
                Assert.Equal(forced, Gemm.Resolve(forced, m, n, k));
        }
    }

    [Theory]
    [InlineData(0.5, 1.0, 0.9, GemmBackend.Avx512, GemmBackend.Avx512)]   // Zen 5-like: AVX-512 twice as fast, beats Haswell OpenBLAS
    [InlineData(0.5, 1.0, 0.55, GemmBackend.Avx512, GemmBackend.OpenBlas)] // OpenBLAS within the 1.2 margin keeps its place
    [InlineData(0.95, 1.0, 0.9, GemmBackend.Avx2, GemmBackend.OpenBlas)]   // split 512-bit units: no AVX-512 gain
    [InlineData(0.95, 1.0, null, GemmBackend.Avx2, GemmBackend.Avx2)]      // no OpenBLAS
    [InlineData(0.6, 1.0, null, GemmBackend.Avx512, GemmBackend.Avx512)]
    [InlineData(0.5, 1.0, 0.7, GemmBackend.Avx512, GemmBackend.Avx512)]    // 0.5 x 1.2 = 0.6 < 0.7
    public void Decide_AppliesTheMargins(double avx512, double avx2, double? blas, GemmBackend managed, GemmBackend auto)
    {
        var t = GemmTiming.Decide(96, 192, 256, avx512, avx2, blas);
        Assert.Equal(managed, t.Managed);
        Assert.Equal(auto, t.Auto);
        Assert.Contains("96x192x256", t.ToString());
        Assert.Equal(2.0 * 96 * 192 * 256 / 1e-3 / 1e9, t.Gflops(1e-3), 6);
    }

    [Fact]
    public void ParseBackend_AcceptsEverySupportedNameInAnyCase_AndBlankIsAuto()
    {
        Assert.Equal(GemmBackend.Auto, Gemm.ParseBackend(null, "MW_GEMM"));
        Assert.Equal(GemmBackend.Auto, Gemm.ParseBackend("  ", "MW_GEMM"));
        Assert.Equal(GemmBackend.Managed, Gemm.ParseBackend("Managed", "MW_GEMM"));
        Assert.Equal(GemmBackend.Scalar, Gemm.ParseBackend(" SCALAR ", "MW_GEMM"));
        foreach (var b in Gemm.SupportedBackends) Assert.Equal(b, Gemm.ParseBackend(Gemm.Name(b).ToUpperInvariant(), "MW_GEMM"));
        Assert.Contains(GemmBackend.Scalar, Gemm.SupportedBackends);
    }

    [Fact]
    public void ParseBackend_ThrowsForAnUnknownName_NamingTheSettingAndTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.ParseBackend("fast", "MW_GEMM"));
        Assert.Equal("MW_GEMM: unknown GEMM backend 'fast' (expected auto, managed, avx512, avx2, openblas, scalar)", e.Message);
    }

    [Fact]
    public void ParseBackend_AndTheSetter_RefuseABackendThisMachineDoesNotRun()
    {
        var unsupported = Enum.GetValues<GemmBackend>().Where(b => !Gemm.IsSupported(b)).ToList();
        Assert.Equal(!Vector512.IsHardwareAccelerated, unsupported.Contains(GemmBackend.Avx512));
        foreach (var b in unsupported)
        {
            var e = Assert.Throws<ArgumentException>(() => Gemm.ParseBackend(Gemm.Name(b), "MW_GEMM"));
            Assert.StartsWith($"MW_GEMM={Gemm.Name(b)}: ", e.Message);
            Assert.Contains("this machine supports auto, managed, ", e.Message);
            Assert.Contains(b == GemmBackend.OpenBlas ? "OpenBLAS is not loaded" : "hardware-accelerated", e.Message);
            var before = Gemm.Backend;
            Assert.Throws<NotSupportedException>(() => Gemm.Backend = b);
            Assert.Equal(before, Gemm.Backend);
        }
    }

    [Fact]
    public void UseSetting_SetsTheBackend_AndDescribeNamesItAsForced()
    {
        var saved = Gemm.Backend;
        try
        {
            Assert.Equal(GemmBackend.Scalar, Gemm.UseSetting("scalar", "MW_GEMM"));
            Assert.Equal(GemmBackend.Scalar, Gemm.Backend);
            Assert.Equal(GemmBackend.Scalar, Gemm.Active);
            Assert.False(Gemm.UsingBlas);
            Assert.StartsWith("scalar: managed scalar kernel (4x4 tiles) (forced)", Gemm.Describe());
            Gemm.UseSetting(null, "MW_GEMM");
            Assert.Equal(GemmBackend.Auto, Gemm.Backend);
            string auto = Gemm.Describe();
            Assert.StartsWith(Gemm.Name(Gemm.Active) + ": ", auto);
            Assert.Contains(Vector512.IsHardwareAccelerated ? "auto, by calibration" : "auto: this CPU has no hardware-accelerated Vector512", auto);
        }
        finally { Gemm.Backend = saved; }
    }

    [Fact]
    public void ForcedOpenBlas_WithoutTheLibrary_IsAClearError()
    {
        if (Gemm.IsSupported(GemmBackend.OpenBlas))
        {
            Assert.Equal(GemmBackend.OpenBlas, Gemm.ParseBackend("openblas", "MW_GEMM"));
            return;
        }
        var e = Assert.Throws<NotSupportedException>(() => Run(GemmBackend.OpenBlas));
        Assert.Contains("OpenBLAS is not loaded", e.Message);
    }

    private static unsafe void Run(GemmBackend b)
    {
        float x = 1, y = 2, z = 0;
        Gemm.Serial(b, false, false, 1, 1, 1, 1f, &x, 1, &y, 1, 0f, &z, 1);
    }
}

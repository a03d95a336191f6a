using System.Globalization;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// The CPU and its measured FP32 peak for <c>mw bench</c> and <c>mw bench gemm</c>: the FMA probe
/// (<see cref="FmaProbe"/>, Vector256 and, where hardware-accelerated, Vector512) on 1 thread and on the bench's thread
/// count, printed next to the reference figures of issue 30, each labelled with the CPU it belongs to.
/// </summary>
internal sealed class BenchPeaks
{
    /// <summary>The issue's figures (gcc -O3 -march=native FMA loop, 12 chains), with the CPU they were measured on.</summary>
    public const string References =
        "reference peaks (issue 30, gcc FMA loop, 12 chains): AMD EPYC family 26 (Zen 5, full-width AVX-512): AVX2 111.6 per core / 221 on 2 cores, " +
        "AVX-512 224 / 426 GFLOP/s; AMD EPYC family 25 model 1 (Zen 3, AVX2 only): AVX2 102.7 / ~205 on 2 cores";

    private readonly Dictionary<(int Width, int Threads), double> rates = [];

    private BenchPeaks() { }

    /// <summary>Probes 1 and each of <paramref name="threadCounts"/> threads (about 0.3 s per width and count).</summary>
    public static BenchPeaks Measure(IEnumerable<int> threadCounts, double seconds = 0.1)
    {
        var peaks = new BenchPeaks();
        foreach (int t in threadCounts.Append(1).Distinct().Order())
        {
            peaks.rates[(256, t)] = FmaProbe.Vector256Gflops(t, seconds);
            if (CpuInfo.Vector512Accelerated) peaks.rates[(512, t)] = FmaProbe.Vector512Gflops(t, seconds);
        }
        return peaks;
    }

    /// <summary>The probed peak of a vector width at a thread count (0 where not probed).</summary>
    public double Peak(int width, int threads) => rates.GetValueOrDefault((width, threads));

    /// <summary>The widest hardware-accelerated width (512 or 256).</summary>
    public static int WidestWidth => CpuInfo.Vector512Accelerated ? 512 : 256;

    /// <summary>The vector width a GEMM backend's kernels use (OpenBLAS: 512 only with an AVX-512 core type).</summary>
    public static int WidthOf(GemmBackend b) => b switch
    {
        GemmBackend.Avx512 => 512,
        GemmBackend.OpenBlas => Gemm.OpenBlasCoreType?.ToUpperInvariant() is "SKYLAKEX" or "COOPERLAKE" or "SAPPHIRERAPIDS" ? 512 : 256,
        _ => 256,
    };

    /// <summary>The CPU, probe and reference lines.</summary>
    public IEnumerable<string> Lines()
    {
        var ci = CultureInfo.InvariantCulture;
        yield return $"CPU: {CpuInfo.Current}";
        string Width(int w) => string.Join(", ", rates.Where(r => r.Key.Width == w).OrderBy(r => r.Key.Threads)
            .Select(r => string.Format(ci, "{0} thread{1} {2:F1}", r.Key.Threads, r.Key.Threads == 1 ? "" : "s", r.Value)));
        yield return $"FP32 peak on this CPU (FMA probe, 12 chains, best of 3): Vector256 {Width(256)} GFLOP/s; " +
            (CpuInfo.Vector512Accelerated ? $"Vector512 {Width(512)} GFLOP/s" : "Vector512 not hardware-accelerated here");
        yield return References;
    }

    /// <summary>Adds the CPU and the achieved share of the peaks to a model's result (the same keys for every engine).</summary>
    public void Annotate(Dictionary<string, object> result, int threads)
    {
        double gflops = Convert.ToDouble(result["gflops"], CultureInfo.InvariantCulture);
        int widest = WidestWidth;
        result["cpu"] = CpuInfo.Current.ToString();
        result["peak_isa"] = widest == 512 ? "avx512" : "avx2";
        result["peak_gflops"] = Math.Round(Peak(widest, threads), 1);
        result["peak_avx2_gflops"] = Math.Round(Peak(256, threads), 1);
        result["percent_of_peak"] = Peak(widest, threads) > 0 ? Math.Round(100 * gflops / Peak(widest, threads), 1) : 0.0;
    }

    /// <summary>", N % of this CPU's AVX-512 peak (P GFLOP/s on T threads)" for a text line.</summary>
    public static string Suffix(Dictionary<string, object> result) => string.Create(CultureInfo.InvariantCulture,
        $", {result["percent_of_peak"]:F1} % of this CPU's {(result["peak_isa"] is "avx512" ? "AVX-512" : "AVX2")} peak ({result["peak_gflops"]:F1} GFLOP/s on {result["threads"]} threads)");
}

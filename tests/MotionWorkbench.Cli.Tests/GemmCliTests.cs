using System.Text.Json;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Cli.Tests;

/// <summary>The CPU and GEMM backend in <c>mw info</c> and <c>mw bench</c>, <c>MW_GEMM</c> at the edge, and <c>mw bench gemm</c>.</summary>
public class GemmCliTests
{
    private static readonly Dictionary<string, string> Scalar = new() { ["MW_GEMM"] = "scalar" };

    [Fact]
    public void Info_names_the_cpu_its_instruction_sets_and_the_gemm_backend()
    {
        var r = Mw.RunWith(new Dictionary<string, string> { ["MW_GEMM"] = "" }, "info"); // blank: auto, as in this process
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains($"CPU: {CpuInfo.Current}", r.Stdout);
        Assert.Contains($"GEMM: {Gemm.Name(Gemm.Active)}: ", r.Stdout);
        var forced = Mw.RunWith(Scalar, "info");
        Assert.True(forced.ExitCode == 0, forced.All);
        Assert.Contains("GEMM: scalar: managed scalar kernel (4x4 tiles) (forced)", forced.Stdout);
    }

    [Fact]
    public void A_bad_MW_GEMM_is_one_clear_error()
    {
        var r = Mw.RunWith(new Dictionary<string, string> { ["MW_GEMM"] = "fast" }, "info");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("mw: MW_GEMM: unknown GEMM backend 'fast' (expected auto, managed, avx512, avx2, openblas, scalar)", r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
        var unsupported = Enum.GetValues<GemmBackend>().Where(b => !Gemm.IsSupported(b)).Select(Gemm.Name).FirstOrDefault();
        if (unsupported is null) return; // this machine runs every backend
        var u = Mw.RunWith(new Dictionary<string, string> { ["MW_GEMM"] = unsupported }, "info");
        Assert.Equal(2, u.ExitCode);
        Assert.StartsWith($"mw: MW_GEMM={unsupported}: ", u.Stderr.Trim());
        Assert.DoesNotContain("\n", u.Stderr.Trim());
    }

    [Fact]
    public void Bench_json_names_the_backend_the_cpu_and_the_share_of_its_peak()
    {
        var r = Mw.RunWith(Scalar, "bench", "--model", "vit-tiny", "--batch", "2", "--steps", "1", "--warmup", "0", "--dropout", "0", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout.Trim());
        var o = doc.RootElement;
        Assert.Equal("scalar", o.GetProperty("gemm").GetString());
        Assert.Equal(CpuInfo.Current.ToString(), o.GetProperty("cpu").GetString());
        Assert.Equal(CpuInfo.Vector512Accelerated ? "avx512" : "avx2", o.GetProperty("peak_isa").GetString());
        double peak = o.GetProperty("peak_gflops").GetDouble(), gflops = o.GetProperty("gflops").GetDouble();
        Assert.True(peak > 0, r.Stdout);
        Assert.Equal(Math.Round(100 * gflops / peak, 1), o.GetProperty("percent_of_peak").GetDouble(), 0.2);
        var bad = Mw.Run("bench", "--gemm", "fast", "--model", "vit-tiny");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("mw bench: --gemm: unknown GEMM backend 'fast'", bad.Stderr);
    }

    [Fact]
    public void MW_CONV_and_bench_conv_choose_the_convolution_algorithm_and_a_bad_name_is_one_clear_error()
    {
        var info = Mw.RunWith(new Dictionary<string, string> { ["MW_CONV"] = "" }, "info");
        Assert.True(info.ExitCode == 0, info.All);
        Assert.Contains("convolutions: winograd2-4 (3x3 stride-1 convolutions by Winograd, F(2x2, 3x3) forward, F(4x4, 3x3) in the gradient passes; the others im2col + GEMM)", info.Stdout);
        var im2col = Mw.RunWith(new Dictionary<string, string> { ["MW_CONV"] = "im2col" }, "info");
        Assert.Contains("convolutions: im2col (every convolution as im2col + GEMM)", im2col.Stdout);
        var bad = Mw.RunWith(new Dictionary<string, string> { ["MW_CONV"] = "fft" }, "info");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("mw: MW_CONV: unknown convolution algorithm 'fft' (expected auto, winograd2-4, winograd2, winograd4 or im2col)", bad.Stderr.Trim());
        Assert.Equal("", bad.Stdout);
        var bench = Mw.RunWith(Scalar, "bench", "--model", "resnet18-clip", "--batch", "2", "--steps", "1", "--warmup", "0", "--conv", "winograd4", "--json");
        Assert.True(bench.ExitCode == 0, bench.All);
        using var doc = JsonDocument.Parse(bench.Stdout.Trim());
        Assert.Equal("winograd4", doc.RootElement.GetProperty("conv").GetString());
        var badFlag = Mw.Run("bench", "--conv", "fft", "--model", "resnet18-clip");
        Assert.Equal(2, badFlag.ExitCode);
        Assert.Contains("mw bench: --conv: unknown convolution algorithm 'fft'", badFlag.Stderr);
    }

    [Fact]
    public void Bench_gemm_prints_one_row_per_shape_backend_and_thread_count()
    {
        var backends = Gemm.SupportedBackends.Reverse().Take(2).Select(Gemm.Name).ToArray(); // scalar and one more where there is one
        var r = Mw.Run("bench", "gemm", "--shapes", "attn-qk,attn-pv", "--backends", string.Join(",", backends), "--threads", "1,2", "--trials", "1", "--seconds", "0.01", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        var rows = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var expected = new[] { "attn-qk", "attn-pv" }.SelectMany(shape => backends.SelectMany(b => new[] { 1, 2 }.Select(t => $"{shape} {b} {t}"))).ToArray();
        Assert.Equal(expected, rows.Select(x => $"{x.GetProperty("shape").GetString()} {x.GetProperty("backend").GetString()} {x.GetProperty("threads").GetInt32()}"));
        Assert.All(rows, x => Assert.True(x.GetProperty("gflops").GetDouble() > 0 && x.GetProperty("peak_gflops").GetDouble() > 0));
        Assert.Equal(71 * 64, rows[^1].GetProperty("m").GetInt32() * rows[^1].GetProperty("n").GetInt32());
        var bad = Mw.Run("bench", "gemm", "--backends", "managed");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'managed' is a dispatch rule, not a backend", bad.Stderr);
        var shape = Mw.Run("bench", "gemm", "--shapes", "huge");
        Assert.Equal(2, shape.ExitCode);
        Assert.Contains("unknown shape 'huge' in --shapes", shape.Stderr);
    }
}

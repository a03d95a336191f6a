using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw bench gemm</c>: the SGEMM roofline. SGEMM 2048³ and the model shapes of perf-anchors.md (the ViT-Tiny
/// batch-64 projections in the engine's own layouts: forward x·Wᵀ, backward dY·W and dYᵀ·X, one attention head),
/// ResNet-18's im2col convolution GEMMs and its Winograd GEMMs (batch 64 over 224 x 80, the chunk sizes the engine uses) on each
/// backend this machine runs, on 1 and 2 engine threads, each next to this CPU's probed FP32 peak for the backend's
/// vector width. Per row: the median GFLOP/s of the quiet trials (trials during which other processes used under 5 %
/// of the CPUs), their range, and the share of the peak.
/// </summary>
internal static class BenchGemmCommand
{
    private sealed record Shape(string Name, int M, int N, int K, bool TransA, bool TransB, string What);

    private static readonly Shape[] Shapes =
    [
        new("sq2048", 2048, 2048, 2048, false, false, "square 2048^3"),
        new("proj", 4544, 192, 192, false, true, "T64 attention projection x.W^T"),
        new("qkv", 4544, 576, 192, false, true, "T64 qkv x.W^T"),
        new("fc1", 4544, 768, 192, false, true, "T64 fc1 x.W^T"),
        new("fc2", 4544, 192, 768, false, true, "T64 fc2 x.W^T"),
        new("fc1-dx", 4544, 192, 768, false, false, "T64 fc1 backward dX = dY.W"),
        new("fc1-dw", 768, 192, 4544, true, false, "T64 fc1 backward dW = dY^T.X"),
        new("attn-qk", 71, 71, 64, false, true, "one attention head Q.K^T (serial: below the split threshold)"),
        new("attn-pv", 71, 64, 71, false, false, "one attention head P.V (serial)"),
        new("conv-l1", 64, 6720, 576, false, false, "ResNet-18 b64 224x80 layer1 3x3 conv forward W.col (6 images of 56x20)"),
        new("conv-l1-dw", 64, 576, 6720, false, true, "ResNet-18 layer1 3x3 conv dW = dY.col^T"),
        new("conv-l3", 256, 1120, 2304, false, false, "ResNet-18 layer3 3x3 conv forward W.col (16 images of 14x5)"),
        new("conv-l4", 512, 672, 4608, false, false, "ResNet-18 layer4 3x3 conv forward W.col (32 images of 7x3)"),
        new("conv-l4-dw", 512, 4608, 672, false, true, "ResNet-18 layer4 3x3 conv dW = dY.col^T"),
        new("w2-l1", 64, 3640, 64, false, false, "Winograd F(2x2, 3x3) layer1 GEMM U.V (one of 16; 13 images x 280 tiles)"),
        new("w4-l1", 64, 1540, 64, false, false, "Winograd F(4x4, 3x3) layer1 GEMM U.V (one of 36; 22 images x 70 tiles)"),
        new("w4-l2", 128, 1344, 128, false, false, "Winograd F(4x4, 3x3) layer2 GEMM (64 images x 21 tiles)"),
        new("w4-l3", 256, 512, 256, false, false, "Winograd F(4x4, 3x3) layer3 GEMM (64 images x 8 tiles)"),
        new("w4-l4", 512, 128, 512, false, false, "Winograd F(4x4, 3x3) layer4 GEMM (64 images x 2 tiles)"),
        new("w4-l4-dw", 512, 512, 128, false, true, "Winograd F(4x4, 3x3) layer4 weight-gradient GEMM dM.V^T"),
    ];

    public static Command Create()
    {
        var shapes = new Option<string>("--shapes") { Description = $"comma-separated: {string.Join(", ", Shapes.Select(s => s.Name))} or all", DefaultValueFactory = _ => "all" };
        var backends = new Option<string>("--backends") { Description = "comma-separated: avx512, avx2, openblas, scalar, or all (every backend this machine runs but the slow scalar one)", DefaultValueFactory = _ => "all" };
        var threads = new Option<string>("--threads") { Description = "comma-separated engine thread counts", DefaultValueFactory = _ => "1,2" };
        var trials = new Option<int>("--trials") { Description = "timed trials per row", DefaultValueFactory = _ => 5 };
        var seconds = new Option<double>("--seconds") { Description = "minimum length of a trial (back-to-back calls)", DefaultValueFactory = _ => 0.25 };
        var json = new Option<bool>("--json") { Description = "one JSON object per row on stdout" };
        var command = new Command("gemm", "SGEMM roofline: 2048^3 and the model shapes on every GEMM backend, 1 and 2 threads, against this CPU's FMA peak.");
        foreach (var o in new Option[] { shapes, backends, threads, trials, seconds, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            if (!TryParse(parse.GetValue(shapes) ?? "all", parse.GetValue(backends) ?? "all", parse.GetValue(threads) ?? "1,2", out var shapeList, out var backendList, out var threadList, out var error)
                || parse.GetValue(trials) < 1 || !(parse.GetValue(seconds) > 0))
            {
                Console.Error.WriteLine($"mw bench gemm: {error ?? "need --trials >= 1 and --seconds > 0"}");
                return 2;
            }
            bool asJson = parse.GetValue(json);
            var peaks = BenchPeaks.Measure(threadList);
            if (!asJson)
            {
                foreach (var line in peaks.Lines()) Console.WriteLine(line);
                Console.WriteLine($"GEMM dispatch (auto): {Gemm.Describe()}");
            }
            var savedThreads = Par.Setting;
            try
            {
                foreach (var s in shapeList)
                    foreach (var b in backendList)
                        foreach (int t in threadList)
                        {
                            Par.Use(new ThreadSetting(t, $"mw bench gemm --threads {t}"));
                            var row = Measure(s, b, t, parse.GetValue(trials), parse.GetValue(seconds), peaks, asJson);
                            Console.WriteLine(asJson ? JsonSerializer.Serialize(row) : Describe(row));
                        }
            }
            finally { Par.Use(savedThreads); }
            return 0;
        });
        return command;
    }

    private static bool TryParse(string shapes, string backends, string threads, out Shape[] shapeList, out GemmBackend[] backendList, out int[] threadList, out string? error)
    {
        (shapeList, backendList, threadList, error) = ([], [], [], null);
        var names = shapes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.FirstOrDefault(n => n != "all" && Shapes.All(s => s.Name != n)) is string badShape)
        {
            error = $"unknown shape '{badShape}' in --shapes (expected {string.Join(", ", Shapes.Select(s => s.Name))} or all)";
            return false;
        }
        shapeList = names.Contains("all") ? Shapes : [.. Shapes.Where(s => names.Contains(s.Name))];
        var wanted = backends.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var list = new List<GemmBackend>();
        foreach (var w in wanted)
        {
            if (w == "all")
            {
                list.AddRange(Gemm.SupportedBackends.Where(b => b != GemmBackend.Scalar));
                continue;
            }
            try { list.Add(Gemm.ParseBackend(w, "--backends")); }
            catch (ArgumentException e) { error = e.Message; return false; }
            if (list[^1] is GemmBackend.Auto or GemmBackend.Managed) { error = $"--backends: '{w}' is a dispatch rule, not a backend (name avx512, avx2, openblas or scalar)"; return false; }
        }
        backendList = [.. list.Distinct()];
        try { threadList = [.. ThreadSetting.ParseList(threads, "--threads")]; }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
        if (shapeList.Length == 0 || backendList.Length == 0) error = "nothing to measure";
        return error is null;
    }

    private static unsafe Dictionary<string, object> Measure(Shape s, GemmBackend b, int threads, int trials, double minSeconds, BenchPeaks peaks, bool quietOutput)
    {
        var rng = new Random(2048);
        var a = new float[(long)s.M * s.K];
        var bm = new float[(long)s.K * s.N];
        var c = new float[(long)s.M * s.N];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
        for (int i = 0; i < bm.Length; i++) bm[i] = (float)rng.NextDouble() - 0.5f;
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        double flop = 2.0 * s.M * s.N * s.K;
        var all = new List<double>();
        var quiet = new List<double>();
        fixed (float* pa = a, pb = bm, pc = c)
        {
            Gemm.Run(b, s.TransA, s.TransB, s.M, s.N, s.K, 1f, pa, lda, pb, ldb, 0f, pc, s.N); // warm-up
            for (int trial = 0; trial < trials; trial++)
            {
                var (busy0, total0) = BenchCommand.ReadProcStat();
                long own0 = BenchCommand.OwnCpuTicks();
                var sw = Stopwatch.StartNew();
                long calls = 0;
                do
                {
                    Gemm.Run(b, s.TransA, s.TransB, s.M, s.N, s.K, 1f, pa, lda, pb, ldb, 0f, pc, s.N);
                    calls++;
                } while (sw.Elapsed.TotalSeconds < minSeconds);
                double gflops = flop * calls / sw.Elapsed.TotalSeconds / 1e9;
                var (busy1, total1) = BenchCommand.ReadProcStat();
                double others = total1 > total0 ? Math.Max(0, (busy1 - busy0) - (BenchCommand.OwnCpuTicks() - own0)) / (double)(total1 - total0) : 0;
                all.Add(gflops);
                if (others < 0.05) quiet.Add(gflops);
                if (!quietOutput) Console.Error.Write($"\r  {s.Name} {Gemm.Name(b)} {threads} thr trial {trial + 1}/{trials}: {gflops:F1} GFLOP/s{(others >= 0.05 ? $" contended {others:P0}" : "")}      ");
            }
        }
        if (!quietOutput) Console.Error.Write("\r" + new string(' ', 90) + "\r");
        var basis = quiet.Count > 0 ? quiet : all;
        double median = BenchCommand.Median(basis), peak = peaks.Peak(BenchPeaks.WidthOf(b), threads);
        return new Dictionary<string, object>
        {
            ["shape"] = s.Name, ["m"] = s.M, ["n"] = s.N, ["k"] = s.K, ["trans_a"] = s.TransA, ["trans_b"] = s.TransB, ["what"] = s.What,
            ["backend"] = Gemm.Name(b), ["threads"] = threads, ["trials"] = trials, ["quiet_trials"] = quiet.Count,
            ["gflops"] = Math.Round(median, 1), ["gflops_min"] = Math.Round(basis.Min(), 1), ["gflops_max"] = Math.Round(basis.Max(), 1),
            ["peak_isa"] = BenchPeaks.WidthOf(b) == 512 ? "avx512" : "avx2", ["peak_gflops"] = Math.Round(peak, 1),
            ["percent_of_peak"] = peak > 0 ? Math.Round(100 * median / peak, 1) : 0.0, ["cpu"] = CpuInfo.Current.ToString(),
        };
    }

    private static string Describe(Dictionary<string, object> r) => string.Create(CultureInfo.InvariantCulture,
        $"{r["shape"],-8} {r["m"]}x{r["n"]}x{r["k"]}{(r["trans_a"] is true ? " tA" : "")}{(r["trans_b"] is true ? " tB" : "")} {r["backend"],-8} {r["threads"]} thr: " +
        $"{r["gflops"]:F1} GFLOP/s (min {r["gflops_min"]:F1}, max {r["gflops_max"]:F1}; {r["quiet_trials"]}/{r["trials"]} quiet), " +
        $"{r["percent_of_peak"]:F1} % of the {(r["peak_isa"] is "avx512" ? "AVX-512" : "AVX2")} peak {r["peak_gflops"]:F1}");
}

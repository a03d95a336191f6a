using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Kernels;
using MotionWorkbench.Tensors.Optim;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw bench</c>: times one full training step (zero grad, forward, loss, backward, Adam) of the peer benchmark's
/// models (ViT-Tiny b64, ViT-Small b32, CLIP = ViT-Tiny + 4-layer text tower b64, minilm-clip = ViT-Tiny + the MiniLM-L6 text tower b64) and prints samples/s, achieved
/// GFLOP/s (analytic FLOPs as in perf-anchors.md), peak RSS and GC bytes allocated per step. Each step is flagged
/// "contended" when other processes used ≥ 5 % of the CPUs during it (/proc/stat minus this process); the headline is
/// the median of the quiet steps (of all steps when none was quiet).
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] Models = ["vit-tiny", "vit-small", "clip-tiny", "lex-tiny", "lex-tiny-captions", "resnet18-clip", "minilm-clip"];
    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "vit-tiny, vit-small, clip-tiny, lex-tiny (the CLIP towers with Lex lexical heads), lex-tiny-captions (the same heads over 3,053 of the 30,522 ids, as lex.vocabulary = captions), resnet18-clip (torchvision's resnet18 over 3 x 224 x 80 + the text tower), minilm-clip (ViT-Tiny + the MiniLM-L6 text tower of model.textKind = minilm-l6) or all", DefaultValueFactory = _ => "all" };
        var batch = new Option<int?>("--batch") { Description = "batch size (default 64, 32 for vit-small)" };
        var dropout = new Option<float>("--dropout") { Description = "dropout probability", DefaultValueFactory = _ => 0.1f };
        var threads = new Option<string?>("--threads") { Description = "engine threads: a count, or a comma-separated list for a scaling table (e.g. 1,2,4,8,16: samples/s, speed-up and parallel efficiency per model; the counts run smallest first); default: the engine setting ($MW_THREADS, else the cores this process may use)" };
        var steps = new Option<int>("--steps") { Description = "timed steps per model", DefaultValueFactory = _ => 8 };
        var warmup = new Option<int>("--warmup") { Description = "untimed warm-up steps", DefaultValueFactory = _ => 2 };
        var json = new Option<bool>("--json") { Description = "one JSON object per model on stdout" };
        var managed = new Option<bool>("--managed-gemm") { Description = "use the managed SIMD GEMM even when OpenBLAS loads" };
        var conv = new Option<string?>("--conv") { Description = "convolution algorithm: auto (= winograd2-4: 3x3 stride-1 convolutions by Winograd, F(2x2, 3x3) forward and F(4x4, 3x3) in the gradient passes; im2col + GEMM for the others), winograd2, winograd4 (fastest, least precise) or im2col (default: $MW_CONV, else auto)" };
        var gemm = new Option<string?>("--gemm") { Description = "GEMM backend: auto (the dispatch rule), managed, avx512, avx2, openblas or scalar (default: $MW_GEMM, else auto)" };
        var blasThreads = new Option<int>("--blas-threads") { Description = "0 (default): one pool, the engine threads split each GEMM and OpenBLAS runs 1 thread per call; N: OpenBLAS's own N threads instead", DefaultValueFactory = _ => 0 };
        var poison = new Option<bool>("--poison") { Description = "debug: fill uncleared pool buffers with NaN" };
        var profile = new Option<int>("--profile") { Description = "own engine: after the timed steps, run N more with per-op timing and print where a step's time goes (forward/backward per op kind, Adam)", DefaultValueFactory = _ => 0 };
        var inference = new Option<bool>("--inference") { Description = "time eval-mode forward passes under NoGrad instead of training steps" };
        var engine = new Option<string>("--engine") { Description = "mw (the own engine) or torch (TorchSharp 0.107 / LibTorch 2.10: the same models written the natural TorchSharp way)", DefaultValueFactory = _ => "mw" };
        var device = new Option<string>("--device") { Description = "torch engine: cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var command = new Command("bench", "Time one training step (forward, backward, Adam) of ViT-Tiny, ViT-Small and a CLIP model.");
        foreach (var o in new Option[] { model, batch, dropout, threads, steps, warmup, json, managed, gemm, conv, blasThreads, inference, engine, device, poison, profile }) command.Options.Add(o);
        command.Subcommands.Add(BenchRetrievalCommand.Create());
        command.Subcommands.Add(BenchIndexCommand.Create());
        command.Subcommands.Add(BenchGemmCommand.Create());
        command.SetAction(parse =>
        {
            var which = parse.GetValue(model) ?? "all";
            var list = which == "all" ? Models : [which];
            if (list.Any(m => !Models.Contains(m)))
            {
                Console.Error.WriteLine($"mw bench: unknown --model '{which}' (expected {string.Join(", ", Models)} or all)");
                return 2;
            }
            string dev = parse.GetValue(device) ?? "cpu";
            var eng = TrainingEngine.Of(parse.GetValue(engine) ?? TrainingEngine.Mw.Name);
            if (!Choice.IsKnown(eng))
            {
                Console.Error.WriteLine($"mw bench: unknown --engine '{eng}' ({Choice.Names<TrainingEngine>()})");
                return 2;
            }
            if (eng == TrainingEngine.Mw && parse.GetResult(device) is { Implicit: false })
            {
                Console.Error.WriteLine($"mw bench: --device {dev} is for --engine torch (the own engine runs on the CPU)");
                return 2;
            }
            if (eng == TrainingEngine.Torch)
            {
                if (Torch.TorchRuntime.UnavailableReason is string why)
                {
                    Console.Error.WriteLine($"mw bench --engine torch: {why}");
                    return 1;
                }
                if (list.FirstOrDefault(m => !Torch.TorchBenchCase.Models.Contains(m)) is string missing)
                {
                    if (which != "all")
                    {
                        Console.Error.WriteLine($"mw bench --engine torch: no TorchSharp model '{missing}' ({string.Join(", ", Torch.TorchBenchCase.Models)})");
                        return 2;
                    }
                    list = [.. list.Where(Torch.TorchBenchCase.Models.Contains)];
                }
            }
            float p = parse.GetValue(dropout);
            int n = parse.GetValue(steps), w = parse.GetValue(warmup);
            if (p < 0 || p >= 1 || n < 1 || w < 0)
            {
                Console.Error.WriteLine("mw bench: need 0 <= --dropout < 1, --steps >= 1, --warmup >= 0");
                return 2;
            }
            IReadOnlyList<int> counts;
            try { counts = parse.GetValue(threads) is { } given ? [.. ThreadSetting.ParseList(given, "--threads").Order()] : [Par.Threads]; }
            catch (ArgumentException e)
            {
                return CliErrors.Report("mw bench", e);
            }
            var setting = Par.Setting;
            if (parse.GetValue(managed)) Gemm.Backend = GemmBackend.Managed;
            if (parse.GetValue(blasThreads) > 0) Gemm.UseOpenBlasThreads(parse.GetValue(blasThreads));
            if (parse.GetValue(conv) is string algorithm)
            {
                try { Winograd.UseSetting(algorithm, "--conv"); }
                catch (ArgumentException e)
                {
                    return CliErrors.Report("mw bench", e);
                }
            }
            if (parse.GetValue(gemm) is string forced)
            {
                try { Gemm.UseSetting(forced, "--gemm"); }
                catch (ArgumentException e)
                {
                    return CliErrors.Report("mw bench", e);
                }
            }
            var peaks = BenchPeaks.Measure(counts); // this CPU's FP32 peak, to judge every figure below against
            if (!parse.GetValue(json)) foreach (var line in peaks.Lines()) Console.WriteLine(line);
            bool infer = parse.GetValue(inference);
            BufferPool.PoisonUncleared = parse.GetValue(poison);
            bool asJson = parse.GetValue(json);
            string threadText = counts.Count == 1 && parse.GetValue(threads) is null ? $"{setting}" : $"{string.Join(",", counts)} threads";
            if (!asJson) Console.WriteLine(eng == TrainingEngine.Torch
                ? $"engine: TorchSharp {Torch.TorchRuntime.TorchSharpVersion} on {dev}; {threadText}; dropout {p}; {w} warm-up + {n} timed steps"
                : $"GEMM: {Gemm.Describe()}; convolutions: {Winograd.Describe()}; engine threads {threadText}; dropout {p}; {w} warm-up + {n} timed steps");
            try
            {
                foreach (var m in list)
                {
                    int b = parse.GetValue(batch) ?? (m == "vit-small" ? 32 : 64);
                    var scaling = new BenchScaling(m);
                    foreach (int t in counts) // one model's counts side by side, so that a change of load affects them alike
                    {
                        Par.Use(t == setting.Count ? setting : new ThreadSetting(t, $"mw bench --threads {t}"));
                        var result = RunModel(m, b, p, t, w, n, asJson, infer, eng, dev, eng == TrainingEngine.Mw ? parse.GetValue(profile) : 0);
                        peaks.Annotate(result, t);
                        if (counts.Count > 1) scaling.Add(result);
                        if (asJson) Console.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
                        else Console.WriteLine(Describe(result) + BenchPeaks.Suffix(result) + scaling.Suffix());
                    }
                    if (!asJson) foreach (var line in scaling.Table()) Console.WriteLine(line);
                }
            }
            finally { Par.Use(setting); }
            return 0;
        });
        return command;
    }

    private static string Describe(Dictionary<string, object> r) => string.Create(CultureInfo.InvariantCulture,
        $"{r["model"],-10} {r["mode"]} b{r["batch"]} p={r["dropout"]}: {r["ms_per_step"]:F0} ms/{(r["mode"] is "train" ? "step" : "batch")} (min {r["ms_min"]:F0}, max {r["ms_max"]:F0}; {r["quiet_steps"]}/{r["steps"]} quiet), " +
        $"{r["samples_per_s"]:F1} samples/s, {r["gflops"]:F1} GFLOP/s ({r["gflop_per_step"]:F1} GFLOP/step), peak RSS {r["peak_rss_mib"]} MiB, GC {r["gc_alloc_bytes_per_step"]} B/step, CPU {r["cpu_ms_per_step"]} ms/step, {r["minor_faults_per_step"]} page faults/step");

    private static Dictionary<string, object> RunModel(string name, int B, float p, int threads, int warmup, int steps, bool quietOutput, bool inference,
        TrainingEngine? engine = null, string device = "cpu", int profileSteps = 0)
    {
        GC.Collect();
        BufferPool.Trim();
        GC.Collect();
        ResetPeakRss();
        if (engine == TrainingEngine.Torch)
        {
            using var bench = Torch.TorchBenchCase.Create(name, B, p, threads, device);
            double torchFlops = (inference ? 1 : 3) * ForwardFlops(name, B);
            var r = Time(name, B, p, threads, warmup, steps, quietOutput, inference, inference ? bench.Infer : bench.TrainStep, torchFlops);
            r["gemm"] = "libtorch";
            r["conv"] = "libtorch";
            r["engine"] = $"TorchSharp {Torch.TorchRuntime.TorchSharpVersion} (LibTorch {Torch.TorchRuntime.LibTorchVersion}) on {bench.Device}";
            return r;
        }
        var rng = new Random(1234);
        Func<Tensor> lossFn;
        Func<Tensor[]> forwardFn;
        ParameterStore store;
        Tensors.Nn.Module root;
        double flopsPerStep;
        if (name is "lex-tiny" or "lex-tiny-captions")
        {
            // lex-tiny-captions: every 10th id (3,053 of 30,522), about the word pieces HumanML3D's captions use
            int[]? active = name == "lex-tiny-captions" ? Enumerable.Range(0, BenchText.Vocab).Where(i => i % 10 == 0).ToArray() : null;
            var model = new BenchLex(p, 7, active);
            Init.Timm(model, rng);
            InitTokens(model.Motion.ClassToken, model.Motion.PosEmbed, rng);
            InitTokens(null, model.Text.PosEmbed, rng);
            model.Text.TokenEmbed.Weight.Data.CopyTo(model.MotionVocab.Data); // the motion head starts as a copy of the text head
            store = new ParameterStore(model);
            var patches = Random(rng, B, BenchVit.Patches, BenchVit.PatchValues);
            var (ids, pad) = RandomCaptions(rng, B);
            lossFn = () => model.Loss(patches, ids, pad, B);
            forwardFn = () => [model.MotionLexical(patches), model.TextLexical(ids, pad, B)];
            root = model;
            flopsPerStep = (inference ? 1 : 3) * (VitForwardFlops(B, 192, 12, 768) + EncoderFlops(B, BenchText.Tokens, 256, 1024, 4)
                + 2.0 * B * ((BenchVit.Patches + 1) * 192 + BenchText.Tokens * 256) * 256 + 2.0 * B * (BenchVit.Patches + 1 + BenchText.Tokens) * 256.0 * (active?.Length ?? BenchText.Vocab));
        }
        else if (name == "resnet18-clip")
        {
            var model = new BenchResNetClip(p, 7);
            Init.Timm(model.Head, rng);
            Init.Timm(model.Text, rng);
            InitTokens(null, model.Text.PosEmbed, rng);
            store = new ParameterStore(model);
            var images = Random(rng, B, 3, BenchResNetClip.Frames, BenchResNetClip.Width);
            var (ids, pad) = RandomCaptions(rng, B);
            lossFn = () => Ops.ClipLoss(model.Forward(images), model.Text.Forward(ids, pad, B), model.LogitScale);
            forwardFn = () => [model.Forward(images), model.Text.Forward(ids, pad, B)];
            root = model;
            flopsPerStep = (inference ? 1 : 3) * ForwardFlops(name, B);
        }
        else if (name == "minilm-clip")
        {
            var model = new BenchMiniLmClip(p, 7);
            Init.Timm(model.Motion, rng);
            InitTokens(model.Motion.ClassToken, model.Motion.PosEmbed, rng);
            store = new ParameterStore(model);
            var patches = Random(rng, B, BenchVit.Patches, BenchVit.PatchValues);
            var (ids, pad) = RandomCaptions(rng, B);
            var mask = Array.ConvertAll(pad, x => x ? 0 : 1);
            lossFn = () => Ops.ClipLoss(model.Motion.Forward(patches), model.TextForward(ids, mask, B, BenchText.Tokens), model.LogitScale);
            forwardFn = () => [model.Motion.Forward(patches), model.TextForward(ids, mask, B, BenchText.Tokens)];
            root = model;
            flopsPerStep = (inference ? 1 : 3) * ForwardFlops(name, B);
        }
        else if (name == "clip-tiny")
        {
            var model = new BenchClip(p, 7);
            Init.Timm(model, rng);
            InitTokens(model.Motion.ClassToken, model.Motion.PosEmbed, rng);
            InitTokens(null, model.Text.PosEmbed, rng);
            store = new ParameterStore(model);
            var patches = Random(rng, B, BenchVit.Patches, BenchVit.PatchValues);
            var (ids, pad) = RandomCaptions(rng, B);
            lossFn = () => Ops.ClipLoss(model.Motion.Forward(patches), model.Text.Forward(ids, pad, B), model.LogitScale);
            forwardFn = () => [model.Motion.Forward(patches), model.Text.Forward(ids, pad, B)];
            root = model;
            flopsPerStep = (inference ? 1 : 3) * (VitForwardFlops(B, 192, 12, 768) + EncoderFlops(B, BenchText.Tokens, 256, 1024, 4) + 2.0 * B * 256 * 256 + 2.0 * B * B * 256);
        }
        else
        {
            var (C, depth, heads, hidden) = name == "vit-tiny" ? (192, 12, 3, 768) : (384, 12, 6, 1536);
            var model = new BenchVit(C, depth, heads, hidden, p, 7);
            Init.Timm(model, rng);
            InitTokens(model.ClassToken, model.PosEmbed, rng);
            store = new ParameterStore(model);
            var patches = Random(rng, B, BenchVit.Patches, BenchVit.PatchValues);
            var target = Random(rng, B, 256);
            lossFn = () => Ops.MseLoss(model.Forward(patches), target);
            forwardFn = () => [model.Forward(patches)];
            root = model;
            flopsPerStep = (inference ? 1 : 3) * VitForwardFlops(B, C, depth, hidden);
        }
        var opt = new Adam(store, 1e-4f);
        root.Train(!inference);
        float OwnStep()
        {
            if (inference)
            {
                using var noGrad = Autograd.NoGrad();
                using var scope = TensorScope.Begin();
                return forwardFn()[0].Data[0];
            }
            opt.ZeroGrad();
            var loss = lossFn();
            loss.Backward();
            opt.Step();
            float value = loss.Item();
            loss.Release();
            return value;
        }
        var result = Time(name, B, p, threads, warmup, steps, quietOutput, inference, OwnStep, flopsPerStep);
        if (profileSteps > 0) BenchProfile.Run(name, profileSteps, inference ? () => OwnStep() : () =>
        {
            opt.ZeroGrad();
            var loss = lossFn();
            loss.Backward();
            double adam = OpProfile.Active?.Now() ?? 0;
            opt.Step();
            OpProfile.Active?.Since("adam", adam);
            loss.Release();
        });
        result["conv"] = Winograd.Name;
        result["gemm"] = Gemm.UsingBlas && !Gemm.SplitOverEngineThreads ? $"openblas-{Gemm.BlasThreads}-threads" : Gemm.Name(Gemm.Active);
        result["engine"] = "MotionWorkbench.Tensors";
        return result;
    }

    /// <summary>The analytic forward FLOPs of a benchmark model (perf-anchors.md), as the own engine's cases count them.</summary>
    private static double ForwardFlops(string name, int B) => name switch
    {
        "lex-tiny" => VitForwardFlops(B, 192, 12, 768) + EncoderFlops(B, BenchText.Tokens, 256, 1024, 4)
            + 2.0 * B * ((BenchVit.Patches + 1) * 192 + BenchText.Tokens * 256) * 256 + 2.0 * B * (BenchVit.Patches + 1 + BenchText.Tokens) * 256.0 * BenchText.Vocab,
        "clip-tiny" => VitForwardFlops(B, 192, 12, 768) + EncoderFlops(B, BenchText.Tokens, 256, 1024, 4) + 2.0 * B * 256 * 256 + 2.0 * B * B * 256,
        "resnet18-clip" => 2.0 * B * (BenchResNetClip.Config.MultiplyAdds() + 512 * 256) + EncoderFlops(B, BenchText.Tokens, 256, 1024, 4) + 2.0 * B * 256 * 256 + 2.0 * B * B * 256,
        "minilm-clip" => VitForwardFlops(B, 192, 12, 768) + EncoderFlops(B, BenchText.Tokens, 384, 1536, 6) + 2.0 * B * 384 * 256 + 2.0 * B * B * 256,
        "vit-tiny" => VitForwardFlops(B, 192, 12, 768),
        "vit-small" => VitForwardFlops(B, 384, 12, 1536),
        _ => throw new ArgumentException($"no FLOP count for '{name}'"),
    };

    /// <summary>Times <paramref name="step"/> (one training step or one inference batch; returns its loss/output) after the
    /// warm-up, flags contended steps and reports the figures every engine's case prints.</summary>
    private static Dictionary<string, object> Time(string name, int B, float p, int threads, int warmup, int steps, bool quietOutput, bool inference,
        Func<float> step, double flopsPerStep)
    {
        var times = new List<double>();
        var quiet = new List<double>();
        var cpu = new List<double>();
        long faultsBefore = 0;
        long allocBefore = 0;
        float lastLoss = 0;
        for (int s = 0; s < warmup + steps; s++)
        {
            if (s == warmup)
            {
                allocBefore = GC.GetTotalAllocatedBytes(precise: true);
                faultsBefore = MinorFaults();
            }
            var (busy0, total0) = ReadProcStat();
            long own0 = OwnCpuTicks();
            var sw = Stopwatch.StartNew();
            lastLoss = step();
            sw.Stop();
            var (busy1, total1) = ReadProcStat();
            long own1 = OwnCpuTicks();
            double others = total1 > total0 ? Math.Max(0, (busy1 - busy0) - (own1 - own0)) / (double)(total1 - total0) : 0;
            if (!quietOutput) Console.Error.Write($"\r  {name} step {s + 1}/{warmup + steps}: {sw.Elapsed.TotalMilliseconds:F0} ms{(s < warmup ? " (warm-up)" : "")}{(others >= 0.05 ? $" contended {others:P0}" : "")}   ");
            if (!float.IsFinite(lastLoss)) Console.Error.WriteLine($"\n  {name}: loss is {lastLoss} at step {s + 1}");
            if (s < warmup) continue;
            times.Add(sw.Elapsed.TotalMilliseconds);
            cpu.Add((own1 - own0) * 10.0); // clock ticks of 10 ms
            if (others < 0.05) quiet.Add(sw.Elapsed.TotalMilliseconds);
        }
        if (!quietOutput) Console.Error.WriteLine();
        long allocPerStep = (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / steps;
        long faultsPerStep = (MinorFaults() - faultsBefore) / steps;
        var basis = quiet.Count > 0 ? quiet : times;
        double median = Median(basis);
        return new Dictionary<string, object>
        {
            ["model"] = name, ["batch"] = B, ["dropout"] = p, ["threads"] = threads, ["steps"] = steps, ["quiet_steps"] = quiet.Count,
            ["ms_per_step"] = Math.Round(median, 1), ["ms_min"] = Math.Round(basis.Min(), 1), ["ms_max"] = Math.Round(basis.Max(), 1),
            ["samples_per_s"] = Math.Round(B / (median / 1000), 2), ["gflop_per_step"] = Math.Round(flopsPerStep / 1e9, 2),
            ["gflops"] = Math.Round(flopsPerStep / 1e9 / (median / 1000), 1), ["peak_rss_mib"] = PeakRssMib(),
            ["gc_alloc_bytes_per_step"] = allocPerStep, ["cpu_ms_per_step"] = Math.Round(Median(cpu), 0), ["minor_faults_per_step"] = faultsPerStep, ["loss"] = lastLoss,
            ["mode"] = inference ? "inference" : "train",
        };
    }

    /// <summary>Random token ids (lengths 8..24, padding id 0) and the padding flags, as bench_torch.py draws them.</summary>
    private static (int[] Ids, bool[] Pad) RandomCaptions(Random rng, int B)
    {
        var ids = new int[B * BenchText.Tokens];
        var pad = new bool[B * BenchText.Tokens];
        for (int b = 0; b < B; b++)
        {
            int len = rng.Next(8, BenchText.Tokens + 1);
            for (int l = 0; l < BenchText.Tokens; l++)
            {
                ids[b * BenchText.Tokens + l] = l < len ? rng.Next(1, BenchText.Vocab) : 0;
                pad[b * BenchText.Tokens + l] = l >= len;
            }
        }
        return (ids, pad);
    }

    /// <summary>Per layer per token: 2·(4C² + 2·C·ff) + 2·(2·L·C).</summary>
    private static double EncoderFlops(int B, int L, int C, int ff, int depth) => (double)B * L * depth * (2.0 * (4.0 * C * C + 2.0 * C * ff) + 2.0 * (2.0 * L * C));

    private static double VitForwardFlops(int B, int C, int depth, int ff) =>
        EncoderFlops(B, BenchVit.Patches + 1, C, ff, depth) + 2.0 * B * BenchVit.Patches * BenchVit.PatchValues * C + 2.0 * B * C * 256;

    private static void InitTokens(Tensor? cls, Tensor pos, Random rng)
    {
        if (cls is not null) Init.Normal(cls, 1e-6f, rng);
        Init.TruncatedNormal(pos, 0.02f, rng);
    }

    private static Tensor Random(Random rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    internal static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    internal static (long Busy, long Total) ReadProcStat()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            long total = v.Take(8).Sum(), idle = v[3] + v[4];
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return (0, 0); }
    }

    private static long MinorFaults() => StatField(7);

    internal static long OwnCpuTicks() => StatField(11) + StatField(12);

    /// <summary>Field of /proc/self/stat counted from the state field (0): 7 = minflt, 11 = utime, 12 = stime.</summary>
    private static long StatField(int index)
    {
        try
        {
            var s = File.ReadAllText("/proc/self/stat");
            return long.Parse(s[(s.LastIndexOf(')') + 2)..].Split(' ')[index], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return 0; }
    }

    private static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static long PeakRssMib()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) return -1;
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return -1; }
    }
}

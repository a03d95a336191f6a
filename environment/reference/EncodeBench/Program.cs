// Inference throughput of the workbench's encode paths against ONNX Runtime running the package's original graph on
// the same weights and inputs, median of the timed batches, and the largest difference of their outputs:
//   text (`mw encode text --checkpoint NAME`: WordPiece, the own engine's TextEncoder, pooling, eval mode, no grad):
//     B captions of L tokens ([CLS] + words + [SEP]) against ORT's last hidden states;
//   resnet18-imagenet (`mw encode resnet --checkpoint resnet18-imagenet`: ResNetEncoder in eval mode, global average
//     pooling): B seeded images of 3 x H x W in the network's input space against ORT on ResNet18.onnx made size-free by
//     environment/reference/resnet_onnx_any_size.py (the original graph is fixed at 1 x 3 x 224 x 224).
//
//   dotnet run -c Release --project environment/reference/EncodeBench -- [--model minilm-l6|arctic-xs] [--batch 64]
//       [--tokens 16] [--threads N] [--steps 20] [--warmup 3]
//   /usr/bin/python3 environment/reference/resnet_onnx_any_size.py --out /tmp/resnet18-any.onnx
//   dotnet run -c Release --project environment/reference/EncodeBench -- --model resnet18-imagenet --onnx /tmp/resnet18-any.onnx
//       [--batch 64] [--height 224] [--width 80] [--threads N] [--steps 5] [--warmup 1]
//
// Prints one line per engine and a JSON object.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MotionWorkbench.Models;
using MotionWorkbench.Pretrained;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;
using MotionWorkbench.Training;

var options = new Dictionary<string, string> { ["--model"] = "minilm-l6", ["--batch"] = "64", ["--tokens"] = "16", ["--threads"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), ["--steps"] = "20", ["--warmup"] = "3", ["--onnx"] = "", ["--height"] = "224", ["--width"] = "80" };
for (int i = 0; i < args.Length; i++)
{
    if (!options.ContainsKey(args[i]) || i + 1 >= args.Length) { Console.Error.WriteLine($"EncodeBench: unknown option or missing value '{args[i]}' (options: {string.Join(", ", options.Keys)})"); return 2; }
    options[args[i]] = args[++i];
}
string name = options["--model"];
int B = int.Parse(options["--batch"], CultureInfo.InvariantCulture), L = int.Parse(options["--tokens"], CultureInfo.InvariantCulture);
int threads = int.Parse(options["--threads"], CultureInfo.InvariantCulture), steps = int.Parse(options["--steps"], CultureInfo.InvariantCulture), warmup = int.Parse(options["--warmup"], CultureInfo.InvariantCulture);
if (B < 1 || L < 3 || threads < 1 || steps < 1 || warmup < 0) { Console.Error.WriteLine("EncodeBench: need --batch >= 1, --tokens >= 3, --threads >= 1, --steps >= 1, --warmup >= 0"); return 2; }
Par.Use(new ThreadSetting(threads, "EncodeBench --threads"));
MotionWorkbench.Tensors.Kernels.Gemm.UseSetting(Environment.GetEnvironmentVariable("MW_GEMM"), "MW_GEMM");
MotionWorkbench.Tensors.Kernels.Winograd.UseSetting(Environment.GetEnvironmentVariable("MW_CONV"), "MW_CONV");

double Median(List<double> xs) { xs.Sort(); int n = xs.Count; return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2; }
List<double> Time(Action step)
{
    var ms = new List<double>();
    for (int s = 0; s < warmup + steps; s++)
    {
        var sw = Stopwatch.StartNew();
        step();
        if (s >= warmup) ms.Add(sw.Elapsed.TotalMilliseconds);
    }
    return ms;
}

var store = new PretrainedStore();
if (name == PretrainedCatalog.ResNet18ImageNet.Name) return ResNetBench();
var encoder = SentenceEncoder.FromStore(name, store);
var source = PretrainedCatalog.All.Single(s => s.Name == name);

// B captions of exactly L word pieces: L - 2 whole words of the vocabulary (each its own word piece), deterministic.
var vocab = encoder.Tokenizer.Vocabulary;
var words = Enumerable.Range(1996, vocab.Count - 1996).Select(vocab.TokenOf).Where(w => w.All(char.IsAsciiLetterLower) && w.Length > 2).ToArray();
var rng = new Random(1234);
var captions = Enumerable.Range(0, B).Select(_ => string.Join(' ', Enumerable.Range(0, L - 2).Select(_ => words[rng.Next(words.Length)]))).ToList();
var batch = encoder.Tokenizer.EncodeBatch(captions);
if (batch.Length != L) { Console.Error.WriteLine($"EncodeBench: the captions tokenise to {batch.Length} positions, not {L}"); return 1; }

float[] own = [];
var ownMs = Time(() => own = encoder.Encode(captions).Hidden);

using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var session = new InferenceSession(store.ReadModelBytes(source), sessionOptions);
long[] shape = [B, L];
float[] ort = [];
var ortMs = Time(() =>
{
    using var ids = OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(batch.InputIds, v => (long)v), shape);
    using var mask = OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(batch.AttentionMask, v => (long)v), shape);
    using var types = OrtValue.CreateTensorValueFromMemory(new long[B * L], shape);
    using var runOptions = new RunOptions();
    using var outputs = session.Run(runOptions, new Dictionary<string, OrtValue> { ["input_ids"] = ids, ["attention_mask"] = mask, ["token_type_ids"] = types }, ["last_hidden_state"]);
    ort = outputs[0].GetTensorDataAsSpan<float>().ToArray();
});
double maxDiff = own.Zip(ort, (a, b) => Math.Abs(a - b)).Max();

double ownMed = Median(ownMs), ortMed = Median(ortMs);
Console.WriteLine($"{name}: {B} captions x {L} tokens, {threads} threads, {warmup} warm-up + {steps} timed batches; max |own - ORT| over the hidden states {maxDiff:E2}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  mw encode text path (tokenize + own engine + pool): {ownMed:F1} ms/batch, {B / (ownMed / 1000):F0} captions/s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ONNX Runtime {OrtEnv.Instance().GetVersionString()} (ORT_ENABLE_ALL, ids given): {ortMed:F1} ms/batch, {B / (ortMed / 1000):F0} captions/s; own / ORT time {ownMed / ortMed:F2}"));
Console.WriteLine(JsonSerializer.Serialize(new { model = name, batch = B, tokens = L, threads, steps, own_ms = Math.Round(ownMed, 2), ort_ms = Math.Round(ortMed, 2), own_captions_per_s = Math.Round(B / (ownMed / 1000), 1), ort_captions_per_s = Math.Round(B / (ortMed / 1000), 1), max_abs_diff = maxDiff }));
return maxDiff <= 1e-3 ? 0 : 1;

// The ResNet-18 ImageNet encoder (stages [2, 2, 2, 3]) on B images of 3 x H x W: the own engine against ORT.
int ResNetBench()
{
    string onnxPath = options["--onnx"];
    int H = int.Parse(options["--height"], CultureInfo.InvariantCulture), W = int.Parse(options["--width"], CultureInfo.InvariantCulture);
    if (onnxPath.Length == 0 || !File.Exists(onnxPath))
    {
        Console.Error.WriteLine("EncodeBench: resnet18-imagenet needs --onnx PATH, the size-free graph written by environment/reference/resnet_onnx_any_size.py");
        return 2;
    }
    var weights = EncoderWeights.Resolve(name, "--model", store);
    var (tensors, _) = MotionWorkbench.Tensors.IO.Safetensors.Read(weights.Path);
    var encoder = new ResNetEncoder(new ResNetConfig([2, 2, 2, 3], 64, Input: ResNetInput.Network, Frames: H, ImageWidth: W), 0);
    ResNetCheckpoint.Load(encoder, tensors, weights.Path);
    encoder.Eval();
    var rng = new Random(1234);
    var images = new float[B * 3 * H * W];
    for (int i = 0; i < images.Length; i++) images[i] = (float)(rng.NextDouble() * 255) - ResNetInputMapping.ChannelMeansBgr[i / (H * W) % 3];

    float[] ownFeatures = [];
    var ownTimes = Time(() =>
    {
        using var _ = Autograd.NoGrad();
        using var scope = TensorScope.Begin();
        var map = encoder.ForwardFeatureMap(Tensor.FromArray(images, B, 3, H, W));
        ownFeatures = ResNetEncoder.Pool(map).ToArray();
    });

    using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    using var session = new InferenceSession(File.ReadAllBytes(onnxPath), sessionOptions);
    float[] ortFeatures = [];
    var ortTimes = Time(() =>
    {
        using var x = OrtValue.CreateTensorValueFromMemory(images, [B, 3, H, W]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new Dictionary<string, OrtValue> { ["Input247"] = x }, ["Pooling395_Output_0"]);
        ortFeatures = outputs[0].GetTensorDataAsSpan<float>().ToArray();   // (B, 512, 1, 1)
    });
    if (ortFeatures.Length != ownFeatures.Length) { Console.Error.WriteLine($"EncodeBench: ORT gave {ortFeatures.Length} features, the own engine {ownFeatures.Length}"); return 1; }
    double diff = ownFeatures.Zip(ortFeatures, (a, b) => Math.Abs(a - b)).Max(), largest = ortFeatures.Max(Math.Abs);
    double ownMs = Median(ownTimes), ortMs = Median(ortTimes);
    Console.WriteLine($"resnet18-imagenet: {B} images of 3 x {H} x {W}, {threads} threads, {warmup} warm-up + {steps} timed batches; convolutions {MotionWorkbench.Tensors.Kernels.Winograd.Describe()}; max |own - ORT| over the pooled features {diff:E2} (largest {largest:F2})");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  mw encode resnet path (own engine, eval, no grad): {ownMs:F1} ms/batch, {B / (ownMs / 1000):F1} images/s"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ONNX Runtime {OrtEnv.Instance().GetVersionString()} (ORT_ENABLE_ALL): {ortMs:F1} ms/batch, {B / (ortMs / 1000):F1} images/s; own / ORT time {ownMs / ortMs:F2}"));
    Console.WriteLine(JsonSerializer.Serialize(new { model = name, batch = B, height = H, width = W, threads, steps, conv = MotionWorkbench.Tensors.Kernels.Winograd.Name, own_ms = Math.Round(ownMs, 2), ort_ms = Math.Round(ortMs, 2), max_abs_diff = diff }));
    return diff <= 1e-3 * Math.Max(1, largest) ? 0 : 1;
}

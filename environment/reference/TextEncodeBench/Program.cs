// Text-embedding throughput of `mw encode text --checkpoint NAME` (SentenceEncoder: WordPiece, the own engine's
// TextEncoder, pooling, eval mode, no grad) against ONNX Runtime running the package's original graph on the same
// weights and token ids, inference only: B captions of L tokens ([CLS] + words + [SEP]), median of the timed batches.
//
//   dotnet run -c Release --project environment/reference/TextEncodeBench -- [--model minilm-l6|arctic-xs] [--batch 64]
//       [--tokens 16] [--threads N] [--steps 20] [--warmup 3]
//
// Prints one line per engine and a JSON object; checks that both give the same last hidden states (max |diff|).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MotionWorkbench.Pretrained;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;
using MotionWorkbench.Training;

var options = new Dictionary<string, string> { ["--model"] = "minilm-l6", ["--batch"] = "64", ["--tokens"] = "16", ["--threads"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), ["--steps"] = "20", ["--warmup"] = "3" };
for (int i = 0; i < args.Length; i++)
{
    if (!options.ContainsKey(args[i]) || i + 1 >= args.Length) { Console.Error.WriteLine($"TextEncodeBench: unknown option or missing value '{args[i]}' (options: {string.Join(", ", options.Keys)})"); return 2; }
    options[args[i]] = args[++i];
}
string name = options["--model"];
int B = int.Parse(options["--batch"], CultureInfo.InvariantCulture), L = int.Parse(options["--tokens"], CultureInfo.InvariantCulture);
int threads = int.Parse(options["--threads"], CultureInfo.InvariantCulture), steps = int.Parse(options["--steps"], CultureInfo.InvariantCulture), warmup = int.Parse(options["--warmup"], CultureInfo.InvariantCulture);
if (B < 1 || L < 3 || threads < 1 || steps < 1 || warmup < 0) { Console.Error.WriteLine("TextEncodeBench: need --batch >= 1, --tokens >= 3, --threads >= 1, --steps >= 1, --warmup >= 0"); return 2; }
Par.Use(new ThreadSetting(threads, "TextEncodeBench --threads"));

var store = new PretrainedStore();
var encoder = SentenceEncoder.FromStore(name, store);
var source = PretrainedCatalog.All.Single(s => s.Name == name);

// B captions of exactly L word pieces: L - 2 whole words of the vocabulary (each its own word piece), deterministic.
var vocab = encoder.Tokenizer.Vocabulary;
var words = Enumerable.Range(1996, vocab.Count - 1996).Select(vocab.TokenOf).Where(w => w.All(char.IsAsciiLetterLower) && w.Length > 2).ToArray();
var rng = new Random(1234);
var captions = Enumerable.Range(0, B).Select(_ => string.Join(' ', Enumerable.Range(0, L - 2).Select(_ => words[rng.Next(words.Length)]))).ToList();
var batch = encoder.Tokenizer.EncodeBatch(captions);
if (batch.Length != L) { Console.Error.WriteLine($"TextEncodeBench: the captions tokenise to {batch.Length} positions, not {L}"); return 1; }

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

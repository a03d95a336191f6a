using MotionWorkbench.IO;

namespace MotionWorkbench.Cli.Tests;

/// <summary>
/// mw encode text with a weights-store name, a converted store file and a run, through the built tool (the store converts
/// into the test process's temp MW_CACHE_DIR); refused commands leave no file behind.
/// </summary>
public class EncodeTextCommandTests
{
    private static readonly string[] Texts = ["a person walks forward", "someone jumps twice and waves with both hands"];

    [Fact]
    public void Store_name_gives_masked_mean_sentence_embeddings_and_every_token()
    {
        string dir = NewDir();
        try
        {
            string raw = Path.Combine(dir, "raw.npy"), unit = Path.Combine(dir, "unit.npy"), cls = Path.Combine(dir, "cls.npy");
            var r = Mw.Run(["encode", "text", "--checkpoint", "minilm-l6", "--text", Texts[0], "--text", Texts[1], "--out", raw, "--tokens"]);
            Assert.True(r.ExitCode == 0, r.All);
            Assert.Contains("minilm-l6 (sentence-transformers/all-MiniLM-L6-v2), attention-mask mean pooling", r.Stdout);
            var pooled = Npy.Read(raw);
            var tokens = Npy.Read(Path.Combine(dir, "raw.tokens.npy"));
            var mask = Npy.Read(Path.Combine(dir, "raw.mask.npy"));
            Assert.Equal([2, 384], pooled.Shape);
            int L = tokens.Shape[1];
            Assert.Equal([2, L, 384], tokens.Shape);
            Assert.Equal([2, L], mask.Shape);
            Assert.Contains(0f, mask.Data); // the shorter text is padded
            // the pooled row is the attention-mask mean of the token rows
            for (int b = 0; b < 2; b++)
            {
                int n = 0;
                var mean = new double[384];
                for (int t = 0; t < L; t++)
                {
                    if (mask.Data[b * L + t] == 0) continue;
                    n++;
                    for (int c = 0; c < 384; c++) mean[c] += tokens.Data[(b * L + t) * 384 + c];
                }
                for (int c = 0; c < 384; c++) Assert.True(Math.Abs(mean[c] / n - pooled.Data[b * 384 + c]) < 1e-5, $"row {b}, channel {c}");
            }

            var n2 = Mw.Run(["encode", "text", "--checkpoint", "MiniLM-L6", "--text", Texts[0], "--text", Texts[1], "--out", unit, "--normalize"]);
            Assert.True(n2.ExitCode == 0, n2.All);
            var normalised = Npy.Read(unit);
            for (int b = 0; b < 2; b++)
            {
                double norm = Math.Sqrt(Enumerable.Range(0, 384).Sum(c => (double)pooled.Data[b * 384 + c] * pooled.Data[b * 384 + c]));
                for (int c = 0; c < 384; c++) Assert.True(Math.Abs(pooled.Data[b * 384 + c] / norm - normalised.Data[b * 384 + c]) < 1e-6);
            }

            var c2 = Mw.Run(["encode", "text", "--checkpoint", "minilm-l6", "--pooling", "cls", "--text", Texts[0], "--out", cls]);
            Assert.True(c2.ExitCode == 0, c2.All);
            Assert.Contains("[CLS] pooling", c2.Stdout);
            // the first token's row (of the same text encoded alone: no padding, so equal within float rounding)
            var first = Npy.Read(cls).Data;
            for (int c = 0; c < 384; c++) Assert.True(Math.Abs(first[c] - tokens.Data[c]) < 1e-4, $"--pooling cls: channel {c} is {first[c]}, the [CLS] token's {tokens.Data[c]}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_converted_store_file_with_the_store_vocabulary_gives_the_same_features()
    {
        string dir = NewDir();
        try
        {
            string weights = Path.Combine(dir, "minilm.safetensors"), a = Path.Combine(dir, "a.npy"), b = Path.Combine(dir, "b.npy");
            Assert.True(Mw.Run("weights", "export", "minilm-l6", "--out", weights) is { ExitCode: 0 } e, "export");
            var vocab = Directory.GetFiles(Path.Combine(Environment.GetEnvironmentVariable("MW_CACHE_DIR")!, "pretrained"), "minilm-l6-*.vocab.txt").Single();
            var byName = Mw.Run(["encode", "text", "--checkpoint", "minilm-l6", "--text", Texts[1], "--out", a]);
            var byFile = Mw.Run(["encode", "text", "--checkpoint", weights, "--vocab", vocab, "--text", Texts[1], "--out", b]);
            Assert.True(byName.ExitCode == 0 && byFile.ExitCode == 0, byName.All + byFile.All);
            Assert.Contains("the converted text encoder", byFile.Stderr);
            Assert.Equal(Npy.Read(a).Data, Npy.Read(b).Data);

            var noVocab = Mw.Run(["encode", "text", "--checkpoint", weights, "--text", Texts[1], "--out", Path.Combine(dir, "c.npy")]);
            Assert.Equal(2, noVocab.ExitCode);
            Assert.Contains("--vocab is required with", noVocab.Stderr);
            Assert.False(File.Exists(Path.Combine(dir, "c.npy")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData(new[] { "--checkpoint", "minilm-l6", "--vocab", "vocab.txt" }, "--vocab with --checkpoint minilm-l6: a store entry brings its own vocabulary")]
    [InlineData(new[] { "--checkpoint", "minilm-l7" }, "--checkpoint minilm-l7: neither a weights-store name (minilm-l6, arctic-xs) nor an existing file or run folder")]
    [InlineData(new[] { "--checkpoint", "minilm-l6", "--pooling", "max" }, "--pooling must be cls or mean, got 'max'")]
    [InlineData(new[] { "--checkpoint", "arctic-xs", "--config", "config.json" }, "--config with --checkpoint arctic-xs: a store entry brings its own architecture")]
    public void Bad_input_is_one_error_and_no_file(string[] args, string message)
    {
        string dir = NewDir();
        try
        {
            string output = Path.Combine(dir, "f.npy");
            var r = Mw.Run(["encode", "text", .. args, "--text", "a person walks", "--out", output, "--tokens"]);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(message, r.Stderr);
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_run_with_a_MiniLm_tower_encodes_with_its_own_text_encoder_and_vocabulary()
    {
        string dir = NewDir();
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run"), output = Path.Combine(dir, "f.npy");
            Assert.True(Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "5") is { ExitCode: 0 }, "synth");
            var train = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", run, "--set", "model.textKind=minilm-l6",
                "--set", "train.epochs=1", "--set", "train.batchSize=8", "--set", "data.maxTrainClips=16", "--set", "data.maxEvalClips=16");
            Assert.True(train.ExitCode == 0, train.All);
            Assert.Equal(30522, File.ReadAllLines(Path.Combine(run, "vocab.txt")).Length);
            var r = Mw.Run(["encode", "text", "--checkpoint", run, "--text", Texts[0], "--out", output]);
            Assert.True(r.ExitCode == 0, r.All);
            Assert.Contains("the text encoder of the run checkpoint", r.Stderr);
            Assert.Contains("attention-mask mean pooling", r.Stdout);
            Assert.Equal([1, 384], Npy.Read(output).Shape);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static string NewDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-encode-text-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

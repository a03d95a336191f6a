using System.Text.Json.Nodes;
using MotionWorkbench.IO;

namespace MotionWorkbench.Cli.Tests;

/// <summary>A Lex run end to end through the CLI: train, eval (sparsity figures), explain, encode --lexical.</summary>
public class LexCommandTests
{
    [Fact]
    public void Lex_run_trains_evaluates_with_sparsity_explains_and_encodes_lexical_vectors()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-lex-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "lex"), dense = Path.Combine(dir, "dense");
            Assert.True(Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "3") is { ExitCode: 0 } s, "synth");
            var train = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", run, "--set", "model.architecture=lex", "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(train.ExitCode == 0, train.All);

            var eval = Mw.Run("eval", "--run", run, "--split", "test", "--protocol", "all", "--json");
            Assert.True(eval.ExitCode == 0, eval.All);
            var sparsity = eval.Stdout.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("{\"sparsity\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!["sparsity"]!).Single();
            int vocab = File.ReadAllLines(Path.Combine(run, "vocab.txt")).Length;
            Assert.Equal(vocab, sparsity["vocabularySize"]!.GetValue<int>());
            double nnzMotion = sparsity["meanNonZerosMotion"]!.GetValue<double>();
            Assert.InRange(nnzMotion, 1, vocab);
            Assert.InRange(sparsity["flops"]!.GetValue<double>(), 0, vocab);

            var text = Mw.Run("explain", "--run", run, "--text", "a person walks forward", "--k", "5", "--json");
            Assert.True(text.ExitCode == 0, text.All);
            var words = JsonNode.Parse(text.Stdout)!.AsArray();
            Assert.InRange(words.Count, 1, 5);
            var weights = words.Select(w => w!["weight"]!.GetValue<double>()).ToList();
            Assert.Equal(weights.OrderByDescending(w => w), weights);
            string id = File.ReadAllLines(Path.Combine(data, "test.txt")).First(l => l.Trim().Length > 0).Trim();
            var motion = Mw.Run("explain", "--run", run, "--motion", id, "--k", "8");
            Assert.True(motion.ExitCode == 0, motion.All);
            Assert.Contains($"motion {id}", motion.Stdout);
            // the action-word measure over the test split (synthetic sets carry actions.json)
            var actions = Mw.Run("explain", "--run", run, "--actions", "--json");
            Assert.True(actions.ExitCode == 0, actions.All);
            var measure = JsonNode.Parse(actions.Stdout)!;
            Assert.Equal(10, measure["k"]!.GetValue<int>());
            Assert.True(measure["motions"]!.GetValue<int>() > 1);
            Assert.InRange(measure["hit"]!.GetValue<double>(), 0, 1);
            Assert.InRange(measure["shuffledHit"]!.GetValue<double>(), 0, 1);
            Assert.Contains("top-3 lexical words", Mw.Run("explain", "--run", run, "--actions", "--k", "3").Stdout);
            var both = Mw.Run("explain", "--run", run, "--actions", "--text", "a person walks");
            Assert.Equal(2, both.ExitCode);
            Assert.Contains("give one of", both.Stderr);

            string output = Path.Combine(dir, "t.npy");
            var enc = Mw.Run("encode", "text", "--lexical", "--checkpoint", Path.Combine(run, "last.safetensors"), "--vocab", Path.Combine(run, "vocab.txt"), "--text", "a person walks", "--text", "someone jumps", "--out", output);
            Assert.True(enc.ExitCode == 0, enc.All);
            var arr = Npy.Read(output);
            Assert.Equal([2, vocab], arr.Shape);
            Assert.True(arr.Data.All(v => v >= 0));
            var vocabLines = File.ReadAllLines(Path.Combine(run, "vocab.txt"));
            foreach (var special in new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" })
            {
                int j = Array.IndexOf(vocabLines, special);
                Assert.True(j >= 0 && arr.Data[j] == 0 && arr.Data[vocab + j] == 0, $"{special} (id {j}) has weight in a lexical vector");
            }
            string patches = Path.Combine(dir, "p.npy"), mout = Path.Combine(dir, "m.npy");
            Npy.Write(patches, new float[2 * 3 * 64 * 80], 2, 3, 64, 80);
            var encv = Mw.Run("encode", "vit", "--lexical", "--checkpoint", Path.Combine(run, "last.safetensors"), "--input", patches, "--out", mout);
            Assert.True(encv.ExitCode == 0, encv.All);
            Assert.Equal([2, vocab], Npy.Read(mout).Shape);

            // a dense run: explain and --lexical refuse it, naming what is missing
            var denseTrain = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", dense, "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(denseTrain.ExitCode == 0, denseTrain.All);
            var bad = Mw.Run("explain", "--run", dense, "--text", "a person walks");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("needs a Lex run", bad.Stderr);
            var badEnc = Mw.Run("encode", "text", "--lexical", "--checkpoint", Path.Combine(dense, "last.safetensors"), "--vocab", Path.Combine(dense, "vocab.txt"), "--text", "a person walks", "--out", output);
            Assert.Equal(2, badEnc.ExitCode);
            Assert.Contains("needs a Lex run", badEnc.Stderr);
            var noCk = Mw.Run("encode", "text", "--lexical", "--vocab", Path.Combine(run, "vocab.txt"), "--text", "a person walks", "--out", output);
            Assert.Equal(2, noCk.ExitCode);
            Assert.Contains("--lexical needs --checkpoint", noCk.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Lex_pretrain_runs_the_phases_into_one_folder_and_a_second_call_resumes_nothing_left()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-lexp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data"), out_ = Path.Combine(dir, "lex");
            Assert.True(Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "3").ExitCode == 0);
            var r = Mw.Run("lex", "pretrain", "--preset", "Smoke", "--data", data, "--out", out_, "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(r.ExitCode == 0, r.All);
            foreach (var phase in new[] { "1-lexmlm", "2-cmmm", "3-lexmmm", "4-lexcmlp" }) Assert.True(File.Exists(Path.Combine(out_, phase, "last.safetensors")), phase);
            Assert.Contains("mw eval --run", r.Stdout);
            var again = Mw.Run("lex", "pretrain", "--preset", "Smoke", "--data", data, "--out", out_, "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(again.ExitCode == 0, again.All);
            Assert.Contains("LexCMLP: already complete", again.Stdout);
            var bad = Mw.Run("lex", "pretrain", "--out", out_, "--phases", "mlm,mae");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("unknown Lex phase 'mae'", bad.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("lex-tiny")]
    [InlineData("lex-tiny-captions")]
    public void Bench_lex_tiny_runs_a_training_step_of_the_lexical_model(string model)
    {
        var r = Mw.Run("bench", "--model", model, "--batch", "2", "--steps", "1", "--warmup", "0", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        var json = JsonNode.Parse(r.Stdout.Trim().Split('\n')[^1])!;
        Assert.Equal(model, json["model"]!.GetValue<string>());
        Assert.True(json["samples_per_s"]!.GetValue<double>() > 0);
        Assert.True(double.IsFinite(json["loss"]!.GetValue<double>()));
    }
}

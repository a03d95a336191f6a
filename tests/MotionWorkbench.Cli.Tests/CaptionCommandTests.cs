using System.Text.Json;

namespace MotionWorkbench.Cli.Tests;

/// <summary>A tiny retrieval run and a caption run trained from it, shared by <see cref="CaptionCommandTests"/>.</summary>
public sealed class TinyCaptionRunFixture : IDisposable
{
    public TinyCaptionRunFixture()
    {
        Dir = Path.Combine(Path.GetTempPath(), "mw-cli-caption-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        Data = Path.Combine(Dir, "data");
        Retrieval = Path.Combine(Dir, "vit");
        Caption = Path.Combine(Dir, "caption");
        var synth = Mw.Run("data", "synth", "--out", Data, "--count", "40", "--seed", "5");
        Problem = synth.ExitCode != 0 ? "synth: " + synth.All : null;
        if (Problem is null)
        {
            var train = Mw.Run("train", "--preset", "Smoke", "--data", Data, "--out", Retrieval, "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            if (train.ExitCode != 0) Problem = "train vit: " + train.All;
        }
        if (Problem is null)
        {
            var train = Mw.Run("train", "--preset", "Smoke", "--data", Data, "--out", Caption, "--set", "model.architecture=caption", "--set", $"train.initFrom={Retrieval}",
                "--set", "model.captionFreezeEncoder=true", "--set", "train.epochs=2", "--set", "data.maxTrainClips=32");
            if (train.ExitCode != 0) Problem = "train caption: " + train.All;
        }
    }

    public string Dir { get; }
    public string Data { get; }
    public string Retrieval { get; }
    public string Caption { get; }
    public string? Problem { get; }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>mw caption on a tiny caption run: a split with its scores and the nearest-caption baseline, single motions, errors.</summary>
public class CaptionCommandTests(TinyCaptionRunFixture fx) : IClassFixture<TinyCaptionRunFixture>
{
    [Fact]
    public void Split_prints_captions_with_scores_and_the_nearest_caption_baseline()
    {
        Assert.True(fx.Problem is null, fx.Problem);
        var r = Mw.Run("caption", "--run", fx.Caption, "--split", "test", "--beam", "2", "--max-length", "8", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        var captions = root.GetProperty("captions").EnumerateArray().ToList();
        int testClips = File.ReadAllLines(Path.Combine(fx.Data, "test.txt")).Count(l => l.Trim().Length > 0);
        Assert.Equal(testClips, captions.Count);
        Assert.All(captions, c =>
        {
            Assert.False(string.IsNullOrEmpty(c.GetProperty("id").GetString()));
            Assert.True(c.GetProperty("references").GetArrayLength() >= 1);
            Assert.True(c.GetProperty("caption").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 8);
        });
        var scores = root.GetProperty("scores");
        Assert.Equal(testClips, scores.GetProperty("count").GetInt32());
        Assert.InRange(scores.GetProperty("bleu1").GetDouble(), 0, 100);
        Assert.Equal(JsonValueKind.Null, scores.GetProperty("bertScore").ValueKind);
        Assert.Equal(2, root.GetProperty("search").GetProperty("beam").GetInt32());
        var baseline = root.GetProperty("baseline");
        Assert.Equal(fx.Retrieval, baseline.GetProperty("run").GetString()); // the caption run's train.initFrom
        Assert.InRange(baseline.GetProperty("scores").GetProperty("ciderD").GetDouble(), 0, 1000);
        Assert.Contains("not obtainable", root.GetProperty("bertScore").GetString());

        // deterministic: the same command gives the same captions
        var again = Mw.Run("caption", "--run", fx.Caption, "--split", "test", "--beam", "2", "--max-length", "8", "--json");
        Assert.Equal(r.Stdout, again.Stdout);

        var text = Mw.Run("caption", "--run", fx.Caption, "--split", "test", "--limit", "3", "--beam", "1");
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains("    ref: ", text.Stdout);
        Assert.Contains("caption decoder", text.Stdout);
        Assert.Contains("nearest training caption", text.Stdout);
        Assert.Contains("3 motions, beam 1", text.Stdout);
        Assert.Matches("generated captions (beat|do NOT beat) the nearest-caption floor", text.Stdout);
    }

    [Fact]
    public void Motion_prints_its_caption_and_references()
    {
        Assert.True(fx.Problem is null, fx.Problem);
        var id = File.ReadAllLines(Path.Combine(fx.Data, "test.txt")).First(l => l.Trim().Length > 0).Trim();
        var r = Mw.Run("caption", "--run", fx.Caption, "--motion", id, "--json");
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout);
        var c = Assert.Single(doc.RootElement.GetProperty("captions").EnumerateArray());
        Assert.Equal(id, c.GetProperty("id").GetString());
        Assert.Equal(4, doc.RootElement.GetProperty("search").GetProperty("beam").GetInt32());
        Assert.True(c.GetProperty("logProb").GetDouble() <= 0);
        var caption = File.ReadAllLines(Path.Combine(fx.Data, "texts", id + ".txt"))[0].Split('#')[0];
        Assert.Contains(caption, c.GetProperty("references").EnumerateArray().Select(x => x.GetString()));
        var text = Mw.Run("caption", "--run", fx.Caption, "--motion", id);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.StartsWith(id + ": ", text.Stdout);
        Assert.Contains("    ref: " + caption, text.Stdout);
    }

    [Fact]
    public void Bad_input_is_one_clear_error()
    {
        Assert.True(fx.Problem is null, fx.Problem);
        var notCaption = Mw.Run("caption", "--run", fx.Retrieval, "--split", "test");
        Assert.Equal(2, notCaption.ExitCode);
        Assert.Contains("not a caption model", notCaption.Stderr);
        var beam = Mw.Run("caption", "--run", fx.Caption, "--beam", "0");
        Assert.Equal(2, beam.ExitCode);
        Assert.Contains("beam width must be 1 to 1024, got 0", beam.Stderr);
        var huge = Mw.Run("caption", "--run", fx.Caption, "--beam", "2147483647"); // overflowed 2 x beam before issue 28
        Assert.Equal(2, huge.ExitCode);
        Assert.Contains("beam width must be 1 to 1024, got 2147483647", huge.Stderr);
        Assert.DoesNotContain("   at ", huge.All);
        var missing = Mw.Run("caption", "--run", fx.Caption, "--motion", "no-such-motion");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no motion 'no-such-motion'", missing.Stderr);
        var noRun = Mw.Run("caption", "--run", Path.Combine(fx.Dir, "absent"));
        Assert.Equal(2, noRun.ExitCode);
        Assert.Contains("run folder not found", noRun.Stderr);
        var limitWithMotion = Mw.Run("caption", "--run", fx.Caption, "--motion", "x", "--limit", "2");
        Assert.Equal(2, limitWithMotion.ExitCode);
        Assert.Contains("--limit and --baseline-run apply to --split", limitWithMotion.Stderr);
    }

    [Fact]
    public void Lex_prefix_words_are_printed_and_in_the_json()
    {
        Assert.True(fx.Problem is null, fx.Problem);
        var lex = Path.Combine(fx.Dir, "lex-for-prefix");
        var lexTrain = Mw.Run("train", "--preset", "Smoke", "--data", fx.Data, "--out", lex, "--set", "model.architecture=lex", "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
        Assert.True(lexTrain.ExitCode == 0, lexTrain.All);
        // a relative model.captionLexRun resolves from the working directory, as train.initFrom; mw caption then runs from elsewhere
        var prefixed = Path.Combine(fx.Dir, "caption-lex");
        var train = Mw.RunIn(fx.Dir, "train", "--preset", "Smoke", "--data", fx.Data, "--out", prefixed, "--set", "model.architecture=caption", "--set", $"train.initFrom={fx.Retrieval}",
            "--set", "model.captionFreezeEncoder=true", "--set", "train.epochs=1", "--set", "data.maxTrainClips=32",
            "--set", "model.captionLexRun=lex-for-prefix", "--set", "model.captionLexWords=4");
        Assert.True(train.ExitCode == 0, train.All);
        Assert.True(File.Exists(Path.Combine(prefixed, "lex-prefix.json")));
        Assert.Contains("Lex words dropped", File.ReadAllText(Path.Combine(prefixed, "train.log")));
        // --resume from another working directory finds the Lex run through lex-prefix.json
        var resume = Mw.Run("train", "--resume", "--out", prefixed);
        Assert.True(resume.ExitCode == 0, resume.All);
        Assert.Contains("named by lex-prefix.json", File.ReadAllText(Path.Combine(prefixed, "train.log")));

        var id = File.ReadAllLines(Path.Combine(fx.Data, "test.txt")).First(l => l.Trim().Length > 0).Trim();
        var r = Mw.Run("caption", "--run", prefixed, "--motion", id, "--beam", "1", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout);
        var words = Assert.Single(doc.RootElement.GetProperty("captions").EnumerateArray()).GetProperty("lexWords").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.InRange(words.Count, 1, 4);
        var text = Mw.Run("caption", "--run", prefixed, "--motion", id, "--beam", "1");
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains("    lex: " + string.Join(" ", words), text.Stdout);
        var split = Mw.Run("caption", "--run", prefixed, "--split", "test", "--limit", "2", "--beam", "1", "--json");
        Assert.True(split.ExitCode == 0, split.All);
        using var splitDoc = JsonDocument.Parse(split.Stdout);
        Assert.All(splitDoc.RootElement.GetProperty("captions").EnumerateArray(), c => Assert.True(c.GetProperty("lexWords").GetArrayLength() <= 4));
        // a run without the prefix has no lexWords
        var plain = Mw.Run("caption", "--run", fx.Caption, "--motion", id, "--beam", "1", "--json");
        Assert.DoesNotContain("lexWords", plain.Stdout);

        // a model.captionLexRun that is not a Lex run: one line naming the key and the run
        var bad = Mw.Run("train", "--preset", "Smoke", "--data", fx.Data, "--out", Path.Combine(fx.Dir, "caption-bad-lex"), "--set", "model.architecture=caption",
            "--set", $"model.captionLexRun={fx.Retrieval}", "--set", "model.captionLexWords=4");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains($"model.captionLexRun: {fx.Retrieval} is a 'vit' run, not a Lex run", bad.Stderr);
    }
}

using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Evaluation.Captioning;
using MotionWorkbench.Experiments;
using MotionWorkbench.Training;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>The nearest-caption baseline on a tiny trained run, its random control, Lex Table 3's rows and the caption table helper.</summary>
public sealed class CaptionBaselineTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-caption-baseline-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public void NearestCaption_BeatsARandomTrainingCaption()
    {
        var data = Path.Combine(root, "data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 160, Seed = 42 });
        var config = PaperData.Config("Smoke", data, "caption-baseline", c => c with
        {
            Model = c.Model with { Architecture = "bag", EmbeddingDim = 32 },
            Train = c.Train with { Epochs = 20, BatchSize = 16, MotionLr = 3e-3f, TextLr = 3e-3f, HeadLr = 3e-3f, WarmupSteps = 0 },
            Data = c.Data with { Workers = 1 },
        });
        var run = Path.Combine(root, "run");
        new Trainer(config, run) { LogSteps = false }.Run();

        var nearest = CaptionBaseline.Run(run);
        var random = CaptionBaseline.RandomCaptions(run, seed: 3);
        var testIds = RunData.ForRun(run).EvalSamples("test").Select(s => s.Id).ToArray();
        Assert.Equal(testIds, nearest.Motions.Select(m => m.Id));
        Assert.Equal(testIds, random.Motions.Select(m => m.Id));
        Assert.Equal(testIds.Length, nearest.Scores.Count);
        // Synthetic clips carry three whole-motion captions each: all three are the references.
        Assert.All(nearest.Motions, m => Assert.Equal(3, m.References.Count));
        Assert.All(nearest.Motions, m => Assert.InRange(m.Score, -1.0001, 1.0001));
        Assert.All(random.Motions, m => Assert.True(double.IsNaN(m.Score)));
        // Every chosen caption is a training caption, never one of the motion's own test captions by construction.
        var train = RunData.ForRun(run).TrainSamples("train").SelectMany(s => s.Captions).ToHashSet(StringComparer.Ordinal);
        Assert.All(nearest.Motions, m => Assert.Contains(m.Caption, train));
        Assert.True(nearest.TrainingCaptions > 100, $"{nearest.TrainingCaptions} training captions");
        // The scores are those of the metrics on the listed captions.
        Assert.Equal(CaptionMetrics.Score(nearest.Candidates, nearest.References), nearest.Scores);
        // The floor of issue 17: retrieval picks better captions than chance on every metric, against five random draws.
        foreach (var seed in new[] { 1, 2, 3, 4, 5 })
        {
            var r = seed == 3 ? random : CaptionBaseline.RandomCaptions(run, seed: seed);
            Assert.True(nearest.Scores.Bleu1 > r.Scores.Bleu1, $"BLEU@1: {nearest} vs {r}");
            Assert.True(nearest.Scores.Bleu4 > r.Scores.Bleu4, $"BLEU@4: {nearest} vs {r}");
            Assert.True(nearest.Scores.RougeL > r.Scores.RougeL, $"ROUGE-L: {nearest} vs {r}");
            Assert.True(nearest.Scores.CiderD > r.Scores.CiderD, $"CIDEr-D: {nearest} vs {r}");
        }

        var e = Assert.Throws<ArgumentException>(() => CaptionBaseline.Run(run, "train", "train"));
        Assert.Contains("both 'train'", e.Message);
        Assert.Contains("no split 'nope'", Assert.Throws<ArgumentException>(() => CaptionBaseline.Run(run, "nope")).Message);

        var table = CaptionTables.LexTable3("HumanML3D", [("nearest caption", nearest.Scores), ("random caption", random.Scores)], "synthetic SMPL-22, Smoke");
        Assert.Equal(["nearest caption", "random caption", "TM2T (paper)", "MotionGPT (paper)", "Lex (paper)"], table.Rows.Select(r => r.Label));
        Assert.Equal(nearest.Scores.CiderD, table.Rows[0].Ours[3]);
        Assert.Null(table.Rows[0].Ours[4]);
        Assert.Equal(53.1, table.Rows[4].Published[3]);
        Assert.Contains("BERTScore not computed", table.Note);
        Assert.Contains("Table 3", table.Note);
    }

    [Fact]
    public void CaptionTraining_NeverReplacesAFolderThatIsNotACaptionRun()
    {
        var retrieval = Path.Combine(root, "retrieval");
        Directory.CreateDirectory(retrieval);
        RunConfig.Smoke.Save(retrieval);                                   // a 'vit' run's configuration
        File.WriteAllText(Path.Combine(retrieval, "keep.txt"), "mine");
        var caption = RunConfig.Smoke with { Model = RunConfig.Smoke.Model with { Architecture = "caption" } };
        var e = Assert.Throws<InvalidOperationException>(() => Captioning.Train("caption", caption, retrieval));
        Assert.Contains(retrieval, e.Message);
        Assert.Contains("a 'vit' run", e.Message);
        Assert.True(File.Exists(Path.Combine(retrieval, "keep.txt")));
        var other = Path.Combine(root, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.md"), "x");
        Assert.Contains("files but no caption run", Assert.Throws<InvalidOperationException>(() => Captioning.Train("caption", caption, other)).Message);
        Assert.True(File.Exists(Path.Combine(other, "notes.md")));
    }

    [Fact]
    public void MissingRunFolder_NamesIt()
    {
        var dir = Path.Combine(root, "absent");
        Assert.Contains(dir, Assert.Throws<DirectoryNotFoundException>(() => CaptionBaseline.Run(dir)).Message);
    }

    [Fact]
    public void LexTable3_RowsMatchTheCaptioningColumns()
    {
        Assert.Equal(5, Published.LexTable3.Count);
        Assert.All(Published.LexTable3.Values, r => Assert.Equal(Columns.Captioning.Count, r.Length));
        Assert.Equal([49.7, 13.62, 39.2, 53.1, 33.1], Published.Row(Published.LexTable3, "HumanML3D|Lex"));
        Assert.Equal([35.1, 6.2, 28.7, 28.9, 30.4], Published.Row(Published.LexTable3, "KIT-ML|TM2T"));
        Assert.Contains("Table 3", Published.LexCaptioningSource);
        Assert.Contains("HumanML3D|MotionGPT", Assert.Throws<KeyNotFoundException>(() => Published.Row(Published.LexTable3, "KIT-ML|MotionGPT")).Message);
    }

    [Fact]
    public void CaptionTables_PutScoresInTable3Order()
    {
        var scores = new CaptionScores(50, 30, 20, 10, 40, 60, 7);
        var t = CaptionTables.Create("t").AddCaptioning("ours", scores, Published.LexTable3["KIT-ML|Lex"]);
        Assert.Equal([50, 10, 40, 60, null], t.Rows[0].Ours);
        Assert.Equal([43.4, 8.9, 35.2, 65.3, 31.2], t.Rows[0].Published);
        Assert.Equal("label,BLEU@1 (ours),BLEU@1 (paper),BLEU@4 (ours),BLEU@4 (paper),ROUGE (ours),ROUGE (paper),CIDEr (ours),CIDEr (paper),BERTScore (ours),BERTScore (paper)",
            t.ToCsv().Split('\n')[0]);
        Assert.Equal("ours,50,43.4,10,8.9,40,35.2,60,65.3,,31.2", t.ToCsv().Split('\n')[1]);
        Assert.Contains("not computed", t.Note);
        var wrong = new MotionWorkbench.Render.Views.MetricTable("r", Columns.Short);
        Assert.Contains("not the captioning columns", Assert.Throws<ArgumentException>(() => wrong.AddCaptioning("x", scores)).Message);
        Assert.Contains("KIT-ML", Assert.Throws<KeyNotFoundException>(() => CaptionTables.LexTable3("BABEL", [])).Message);
    }
}

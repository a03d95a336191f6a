using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Experiments;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Training;

namespace MotionWorkbench.Workflow.Tests;

public sealed class ExperimentsTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mw-experiments-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A seconds-long Smoke run of the bag model on <paramref name="data"/>.</summary>
    private static RunConfig BagConfig(string data) => PaperData.Config("Smoke", data, "t", c => c with
    {
        Model = c.Model with { Architecture = "bag", EmbeddingDim = 16 },
        Train = c.Train with { Epochs = 1, BatchSize = 8 },
        Data = c.Data with { Workers = 1 },
    });

    [Fact]
    public void Published_RowsMatchTheirColumns()
    {
        Assert.All(Published.Table2.Values.Concat(Published.Table3.Values), r => Assert.Equal(Columns.Full.Count, r.Length));
        foreach (var t in new[] { Published.Table4, Published.Table5, Published.Table7, Published.Table8, Published.Table11 })
            Assert.All(t.Values, r => Assert.Equal(Columns.Short.Count, r.Length));
        Assert.All(Published.Table10.Values, r => Assert.Equal(Columns.Short.Count, r.Length));
        Assert.Equal(10.80, Published.Row(Published.Table2, "all|MP")[0]);
        Assert.Equal(19.00, Published.Row(Published.Table2, "all|MP")[5]);
        var e = Assert.Throws<KeyNotFoundException>(() => Published.Row(Published.Table4, "HumanML3D|maybe|yes"));
        Assert.Contains("HumanML3D|no|yes", e.Message);
    }

    [Fact]
    public void Findings_SayWhetherTheRunAgreesDiffersOrTies()
    {
        Assert.EndsWith("This differs from the paper's finding.", Findings.Best("t2m R@1", [("8x8", 12, 9.8), ("16x16", 10, 10.8)]));
        Assert.EndsWith("This agrees with the paper's finding.", Findings.Best("t2m R@1", [("8x8", 9, 9.8), ("16x16", 10, 10.8)]));
        Assert.Contains("neither confirms nor contradicts", Findings.Best("t2m R@1", [("8x8", 10, 9.8), ("16x16", 10, 10.8)]));
        Assert.Contains("8x8 is best on MedR (3)", Findings.Best("MedR", [("8x8", 3, 20), ("16x16", 5, 19)], lowerIsBetter: true));
        Assert.Contains("too few of these rows", Findings.Best("t2m R@1", [("a", 1, null), ("b", 2, null)]));
    }

    [Fact]
    public void RunFolder_WritesAtomicallyUnderNotebookAndPreset()
    {
        var run = RunFolder.Create(root, "03-retrieval", "Smoke");
        Assert.EndsWith("03-retrieval-smoke", run.Dir);
        var table = new MetricTable("t", ["R@1"]).Add("ours", [1.5], [2.0]);
        Assert.Equal("label,R@1 (ours),R@1 (paper)", File.ReadAllLines(run.Save(table, "table"))[0]);
        run.SaveJson("x", new { A = 1 });
        Assert.Equal(["table.csv", "x.json"], run.Files());
        Assert.Contains("\"a\": 1", File.ReadAllText(run.PathOf("x.json")));
        Assert.Equal("kit-21--synthetic-", RunFolder.Safe("KIT-21 (synthetic)"));
        Assert.StartsWith(Path.Combine(run.Dir, "runs"), run.Sub("a b"));
    }

    [Fact]
    public void Grids_ScaleToThePreset()
    {
        var (smoke, left) = Grids.Backbones(RunConfig.Smoke);
        Assert.Equal(["Tiny", "Small"], smoke.Select(r => r.Size));
        Assert.All(smoke, r => Assert.Equal(RunConfig.Smoke.Model.VitDepth, r.Config.Model.VitDepth));
        Assert.Equal(2, left.Count);
        var (paper, none) = Grids.Backbones(RunConfig.Paper);
        Assert.Equal(4, paper.Count);
        Assert.Empty(none);
        Assert.Equal(24, paper[3].Config.Model.VitDepth);
        Assert.All(paper, r => r.Config.Validate());
        foreach (var preset in new[] { RunConfig.Smoke, RunConfig.Laptop, RunConfig.Paper })
        {
            var sizes = Grids.PatchSizes(preset);
            Assert.Equal([8, 16, 32], sizes.Select(s => s.PatchSize));
            Assert.All(sizes, s => { Assert.Equal(0, s.Config.Model.MaxFrames % 32); s.Config.Validate(); });
        }
    }

    [Fact]
    public void TrainAndEvaluate_ReusesAFinishedRunAndRetrainsWhenTheConfigChanges()
    {
        var data = Path.Combine(root, "data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 160, Seed = 42 });
        var config = BagConfig(data);
        var dir = Path.Combine(root, "run");
        var first = Experiment.TrainAndEvaluate("bag", config, dir);
        Assert.False(first.Reused);
        Assert.Equal(["all", "small-batches"], first.Results.Select(r => r.Protocol));
        Assert.Equal(Columns.Short.Count, first.Short().Length);
        Assert.Equal(Columns.Full.Count, first.Full("small-batches").Length);
        var again = Experiment.TrainAndEvaluate("bag again", config, dir);
        Assert.True(again.Reused);
        Assert.Equal("bag again", again.Label);
        Assert.Equal(first.Full(), again.Full());
        var changed = Experiment.TrainAndEvaluate("bag", config with { Train = config.Train with { Seed = 7 } }, dir);
        Assert.False(changed.Reused);
        Assert.NotEmpty(first.LossCurve().Values);
        var e = Assert.Throws<KeyNotFoundException>(() => first.Protocol("tmr-guo"));
        Assert.Contains("all, small-batches", e.Message);
    }

    [Fact]
    public void TrainAndEvaluate_AskedForAnotherProtocol_EvaluatesOnlyThatAndKeepsTheTraining()
    {
        var data = Path.Combine(root, "data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 160, Seed = 42 });
        var config = BagConfig(data);
        var dir = Path.Combine(root, "run");
        var first = Experiment.TrainAndEvaluate("bag", config, dir);
        var trained = File.GetLastWriteTimeUtc(Path.Combine(dir, Checkpoint.LastFileName));
        var more = Experiment.TrainAndEvaluate("bag", config, dir, ["all", "small-batches", "tmr-normal"]);
        Assert.True(more.Reused);
        Assert.Equal(["all", "small-batches", "tmr-normal"], more.Results.Select(r => r.Protocol));
        Assert.Equal(first.Full(), more.Full());
        Assert.Equal(trained, File.GetLastWriteTimeUtc(Path.Combine(dir, Checkpoint.LastFileName)));
        Assert.Equal(3, Experiment.TrainAndEvaluate("bag", config, dir, ["tmr-normal"]).Results.Count); // the evaluation was saved
    }

    [Fact]
    public void Baselines_WithAPretrainedTextTower_HaveTheirOwnFolders()
    {
        Assert.EndsWith("baseline-smpl-smoke-minilm-l6", RunFolder.Baseline(root, "smpl", "Smoke", text: "minilm-l6"));
        Assert.EndsWith("baseline-kit-laptop-torch-arctic-xs", RunFolder.Baseline(root, "kit", "Laptop", "torch", text: "arctic-xs"));
        Assert.EndsWith("baseline-smpl-smoke", RunFolder.Baseline(root, "smpl", "Smoke"));
        Assert.EndsWith("dagger-smpl-smoke-minilm-l6", RunFolder.LexPipeline(root, "smpl", "Smoke", "dagger", text: "minilm-l6"));
        var e = Assert.Throws<ArgumentException>(() => RunFolder.Baseline(root, "smpl", "Smoke", text: "bert"));
        Assert.Contains("a pretrained one (minilm-l6, arctic-xs) or none", e.Message);
    }

    [Fact]
    public void ZeroShotWordings_CoverEveryActionLabel_InWordsTheCaptionsNeverUse()
    {
        var data = Path.Combine(root, "data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 800, Seed = 42 });
        var dataset = MotionWorkbench.Data.MotionDataset.Load(data);
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var split in dataset.SplitNames) words.UnionWith(ZeroShotWordings.CaptionWords(dataset, split));
        Assert.Contains("walks", words); // the check sees the captions
        Assert.Equal(SyntheticMotions.ActionLabels.Order(), ZeroShotWordings.Unseen.Keys.Order());
        string[] functionWords = ["a", "an", "the", "on", "with", "in", "to", "into", "from", "and", "of", "by"];
        foreach (var label in SyntheticMotions.ActionLabels)
        {
            var prompt = ZeroShotWordings.UnseenPrompt(label);
            Assert.StartsWith("Footage of somebody who ", prompt);
            var seen = ZeroShotWordings.SeenWords(prompt, words).Except(functionWords).ToList();
            Assert.True(seen.Count == 0, $"'{prompt}' ({label}) uses caption words: {string.Join(", ", seen)}");
            Assert.Empty(ZeroShotWordings.SeenWords(prompt.Split(' ')[4], words)); // the verb itself is never a caption word
        }
        Assert.Throws<ArgumentException>(() => ZeroShotWordings.UnseenPrompt("dance"));
    }

    [Fact]
    public void RunProbe_FindsWhatTheRunsRetrievalIndexFinds_AndTheClipsOfItsHits()
    {
        var data = Path.Combine(root, "data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 60, Seed = 3 });
        var config = BagConfig(data);
        var run = Experiment.TrainAndEvaluate("bag", config, Path.Combine(root, "probe-run"), protocols: ["all"]);
        var probe = new RunProbe(run.RunDir);
        var index = RetrievalIndex.Open(run.RunDir, split: "test");
        const string query = "a person walks forward";
        List<SearchHit> hits = probe.TextToMotion(query, "test", k: 4);
        Assert.Equal(index.SearchMotions(query, k: 4), hits);
        Assert.Equal([1, 2, 3, 4], hits.Select(h => h.Rank));
        Assert.Equal(hits[0].Id, probe.Clip(hits[0]).Id);
        string id = index.Embeddings.Ids[0];
        Assert.Equal(index.SearchCaptions(id, k: 3), probe.MotionToText(id, "test", k: 3));
        Assert.Contains("motion 'nope' is not in split 'test'", Assert.Throws<KeyNotFoundException>(() => probe.MotionToText("nope", "test")).Message);
        Assert.Contains("motion 'nope' is not in", Assert.Throws<KeyNotFoundException>(() => probe.Clip(hits[0] with { Id = "nope" })).Message);
        Assert.Contains("<td style=\"padding:2px 8px\">1</td>", HitsView.Table("t", hits).ToHtml());
    }

    [Fact]
    public void MotionExamples_SkipMissingSourcesWithTheReason()
    {
        var data = Path.Combine(root, "kit");
        SyntheticMotions.Write(data, new SynthOptions { Skeleton = "kit", Count = 4, Seed = 1, Mirrors = false });
        var examples = new MotionExamples()
            .AddFolder("absent", Path.Combine(root, "nowhere"), 2, PatchOptions.Reference, "not here")
            .AddFolder("none", null, 2, PatchOptions.Reference, "no path")
            .AddFolder("kit", data, 2, new PatchOptions(16, 64));
        Assert.Equal(2, examples.Items.Count);
        Assert.All(examples.Items, e => Assert.Equal([3, 64, 80], e.Patch.Shape));
        Assert.Equal(2, examples.Skipped.Count);
        Assert.StartsWith("absent: not here (", examples.Skipped[0]);
        Assert.Equal("none: no path", examples.Skipped[1]);
        Assert.Contains("kit21 (21 joints): right leg = root-R_hip", Assert.Single(examples.ChainSummary()));
        Assert.Contains("mw-motion-figure", examples.Items[0].View().ToHtml());
    }

    [Fact]
    public void AttentionProbe_CapturesEveryLayerAsRowStochasticMaps()
    {
        var config = RunConfig.Smoke;
        var vit = AttentionProbe.Fresh(config);
        var patch = new MotionPatch("m", new float[3 * 64 * 80], 64, 16, 64, 0, 64);
        var capture = AttentionProbe.Capture(vit, patch);
        Assert.Equal(config.Model.VitDepth, capture.Layers);
        Assert.Equal(config.Model.VitHeads, capture.Heads);
        Assert.Equal(1 + 4 * 5, capture.Tokens);
        for (int row = 0; row < capture.Tokens; row++)
            Assert.Equal(1.0, capture.Probabilities.AsSpan(row * capture.Tokens, capture.Tokens).ToArray().Sum(), 4);
        Assert.All(capture.ClassTokenPerLayer(), l => Assert.Equal(20, l.Length));
        var wrong = new MotionPatch("w", new float[3 * 32 * 40], 32, 8, 32, 0, 32);
        Assert.Contains("the ViT expects 64 frames with N = 16", Assert.Throws<ArgumentException>(() => AttentionProbe.Capture(vit, wrong)).Message);
    }
}

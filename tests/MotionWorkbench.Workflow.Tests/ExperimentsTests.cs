using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
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
    public void PaperData_Bandai_NamesDatasetsOneAndTwo_AndIsNullWithoutTheArchive()
    {
        Directory.CreateDirectory(root);
        Assert.Null(PaperData.BandaiArchive(root, 2));
        Assert.Null(PaperData.Bandai(root, Path.Combine(root, "import"), dataset: 2));
        File.WriteAllBytes(Path.Combine(root, "Bandai-Namco-Research-Motiondataset-2.tar.xz"), [0]);
        Assert.Equal(Path.Combine(root, "Bandai-Namco-Research-Motiondataset-2.tar.xz"), PaperData.BandaiArchive(root, 2));
        Assert.Null(PaperData.BandaiArchive(root, 1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PaperData.BandaiArchive(root, 3));
        Assert.Contains("datasets 1 and 2, got 3", e.Message);
    }

    [Fact]
    public void ProbeStudy_Select_KeepsOnlyAndLeavesOutSkip_AndNamesAPartThatMatchesNothing()
    {
        var models = ProbeStudy.Models("Smoke", Path.Combine(root, "data"), Path.Combine(root, "runs"));
        var (all, none) = ProbeStudy.Select(models, "", null);
        Assert.Equal(models.Select(m => m.Label), all.Select(m => m.Label));
        Assert.Empty(none);
        var (kept, leftOut) = ProbeStudy.Select(models, null, "resnet");
        Assert.Equal(["ResNet-18, ImageNet", "ResNet-18, scratch"], leftOut);
        Assert.Equal(models.Count - 2, kept.Count);
        var (lex, _) = ProbeStudy.Select(models, "Lex, bag", "four");
        Assert.Equal(["bag-of-patches", "Lex †"], lex.Select(m => m.Label));
        Assert.Contains("skip: 'transformer' names none of the models (bag-of-patches;", Assert.Throws<ArgumentException>(() => ProbeStudy.Select(models, "", "transformer")).Message);
        Assert.Contains("leave no model", Assert.Throws<ArgumentException>(() => ProbeStudy.Select(models, "bag", "bag")).Message);
        Assert.False(Directory.Exists(Path.Combine(root, "runs")), "listing and selecting the models wrote a folder");
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
    public void TrainAndEvaluate_ResumesAnUnfinishedRunOfTheSameConfiguration_AndReplacesAnyOther()
    {
        var data = Path.Combine(root, "data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 160, Seed = 42 });
        var config = BagConfig(data) with { Train = BagConfig(data).Train with { Epochs = 2 } };
        var whole = Experiment.TrainAndEvaluate("bag", config, Path.Combine(root, "whole"), protocols: ["all"]);

        // a notebook stopped in the middle of the first epoch leaves config.json and a 'last' checkpoint
        var dir = Path.Combine(root, "stopped");
        int steps = 0;
        Assert.False(new Trainer(config, dir) { LogSteps = false, StepCallback = _ => ++steps < 3 }.Run().Completed);
        var log = new StringWriter();
        var resumed = Experiment.TrainAndEvaluate("bag", config, dir, protocols: ["all"], log: log);
        Assert.False(resumed.Reused);
        Assert.Contains("resuming the unfinished bag run", log.ToString());
        Assert.Contains("resuming run", File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
        Assert.Equal(whole.Full(), resumed.Full());   // the same weights as the run trained in one go
        Assert.True(resumed.TrainSeconds > 0);

        // a stopped run of another configuration is replaced, not resumed
        var other = Path.Combine(root, "other");
        steps = 0;
        new Trainer(config with { Train = config.Train with { Seed = 7 } }, other) { LogSteps = false, StepCallback = _ => ++steps < 3 }.Run();
        log = new StringWriter();
        var retrained = Experiment.TrainAndEvaluate("bag", config, other, protocols: ["all"], log: log);
        Assert.DoesNotContain("resuming", log.ToString());
        Assert.DoesNotContain("resuming run", File.ReadAllText(Path.Combine(other, Trainer.LogFileName)));
        Assert.Equal(whole.Full(), retrained.Full());
    }

    [Fact]
    public void LexPipeline_StoppedPartWay_ResumesKeepingItsFinishedPhases()
    {
        var data = Path.Combine(root, "data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 160, Seed = 42 });
        var config = LexExperiment.Config("Smoke", data, "t", c => c with
        {
            Train = c.Train with { Epochs = 1, BatchSize = 8 },
            Data = c.Data with { Workers = 1 },
        });
        string[] phases = ["mlm", "cmlp"];
        var whole = LexExperiment.Pipeline("lex", config, Path.Combine(root, "whole"), phases, ["all"]);

        // stopped after the first step of its second phase
        var dir = Path.Combine(root, "stopped");
        int steps = 0;
        var part = LexPipeline.Run(config, dir, phases, (c, d) => new Trainer(c, d) { LogSteps = false, StepCallback = _ => !(c.Model.LexPhase == "cmlp" && ++steps == 1) });
        Assert.False(part[^1].Result!.Completed);
        string firstPhase = Path.Combine(part[0].RunDir, Checkpoint.LastFileName);
        var firstWritten = File.GetLastWriteTimeUtc(firstPhase);
        var log = new StringWriter();
        var resumed = LexExperiment.Pipeline("lex", config, dir, phases, ["all"], log);
        Assert.False(resumed.Reused);
        Assert.Contains("resuming the unfinished pipeline", log.ToString());
        Assert.Contains("LexMLM: already complete", log.ToString());
        Assert.Contains("LexCMLP: resuming", log.ToString());
        Assert.Equal(firstWritten, File.GetLastWriteTimeUtc(firstPhase));
        Assert.Equal(whole.Full(), resumed.Full());
        Assert.True(LexExperiment.Pipeline("lex", config, dir, phases, ["all"]).Reused);

        // a folder with anything else in it (here: another pipeline's phase) is replaced
        var mixed = Path.Combine(root, "mixed");
        steps = 0;
        LexPipeline.Run(config, mixed, phases, (c, d) => new Trainer(c, d) { LogSteps = false, StepCallback = _ => !(c.Model.LexPhase == "cmlp" && ++steps == 1) });
        Directory.CreateDirectory(Path.Combine(mixed, "2-cmmm"));
        log = new StringWriter();
        LexExperiment.Pipeline("lex", config, mixed, phases, ["all"], log);
        Assert.DoesNotContain("resuming", log.ToString());
        Assert.False(Directory.Exists(Path.Combine(mixed, "2-cmmm")));
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
    /// <summary>An experiment result with a given t2m R@1 (protocol all) whose run folder's metrics.jsonl marks <paramref name="bestEpoch"/> best.</summary>
    private ExperimentResult Fake(string name, double r1, int bestEpoch, RunConfig config)
    {
        var dir = Path.Combine(root, "fake", name);
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, Trainer.MetricsFileName), Enumerable.Range(1, 4).Select(e =>
            $"{{\"type\":\"epoch\",\"epoch\":{e},\"step\":{e},\"trainLoss\":1,\"best\":{(e <= bestEpoch ? "true" : "false")}}}"));
        string Direction(double v) => FormattableString.Invariant($"{{\"R@1\":{v},\"R@2\":{v},\"R@3\":{v},\"R@5\":{v + 1},\"R@10\":{v + 2},\"MedR\":5}}");
        var result = RetrievalResult.FromJson($"{{\"protocol\":\"all\",\"n\":100,\"t2m\":{Direction(r1)},\"m2t\":{Direction(r1 / 2)}}}");
        return new ExperimentResult(name, dir, config, "data", "test", [result], 1, Reused: false);
    }

    [Fact]
    public void ResNetRows_NameInitialisationPolicyAndSeed_AverageSeeds_AndSayWhetherADifferenceIsBeyondTheSpread()
    {
        var preset = RunConfig.Smoke;
        var imagenet = ResNetRows.Config(preset, imagenet: true);
        var scratch = ResNetRows.Config(preset, imagenet: false, seedOffset: 2);
        var frozen = ResNetRows.Config(preset, imagenet: true, batchNorm: "frozen");
        Assert.Equal(Architecture.Resnet, imagenet.Model.Architecture);
        Assert.Equal(("2,2,2,3", 64), (imagenet.Model.ResnetStages, imagenet.Model.ResnetWidth));
        Assert.Equal("resnet18-imagenet", imagenet.Train.InitMotionEncoder);
        Assert.Null(scratch.Train.InitMotionEncoder);
        Assert.Equal(preset.Train.Seed + 2, scratch.Train.Seed);
        Assert.Equal("frozen", frozen.Model.ResnetBatchNorm);
        Assert.Equal(3, new[] { imagenet.Name, scratch.Name, frozen.Name }.Distinct().Count());
        Assert.Equal((3, 1), (ResNetRows.Seeds("Laptop"), ResNetRows.Seeds("Smoke")));
        // frozen statistics from scratch are refused by the configuration's own rule
        Assert.Contains("resnetBatchNorm = frozen", Assert.ThrowsAny<Exception>(() => ResNetRows.Config(preset, imagenet: false, batchNorm: "frozen")).Message);
        // both towers pretrained: the ImageNet ResNet with the store's MiniLM-L6 text tower, as the ViT's MiniLM baseline sets it
        var both = ResNetRows.Config(preset, imagenet: true, text: TextKind.MiniLmL6);
        Assert.Equal("resnet18-imagenet-minilm-l6-seed" + preset.Train.Seed, both.Name);
        Assert.Equal(("resnet18-imagenet", Architecture.Resnet), (both.Train.InitMotionEncoder, both.Model.Architecture));
        Assert.Equal(preset.WithTextTower(TextKind.MiniLmL6).Model with { Architecture = Architecture.Resnet, ResnetStages = "2,2,2,3", ResnetWidth = 64, ResnetBatchNorm = "train" }, both.Model);
        Assert.Contains("pretrained", Assert.Throws<ArgumentException>(() => ResNetRows.Config(preset, imagenet: true, text: TextKind.Bert)).Message);

        var a = new[] { Fake("a1", 10, 2, imagenet), Fake("a2", 12, 2, imagenet), Fake("a3", 11, 3, imagenet) };
        var b = new[] { Fake("b1", 5, 4, scratch), Fake("b2", 6, 4, scratch), Fake("b3", 7, 4, scratch) };
        Assert.Equal(11, ResNetRows.Mean(a)[0]!.Value, 9);
        Assert.Equal(5.5, ResNetRows.Mean(a)[4]!.Value, 9);   // m2t R@1
        var r1 = ResNetRows.R1(a);
        Assert.Equal((11.0, 1.0, 10.0, 12.0, 3), (r1.Mean, r1.Sd, r1.Min, r1.Max, r1.Seeds));
        Assert.Equal(3, ResNetRows.BestEpoch(a[2]));
        var beyond = ResNetRows.Compare("SMPL", a, b);
        Assert.Contains("+5.00 points", beyond);
        Assert.Contains("ImageNet initialisation helps", beyond);
        Assert.Contains("Best validation epoch (mean): ImageNet 2.3, scratch 4 of", beyond);
        Assert.Contains("within the spread over seeds", ResNetRows.Compare("SMPL", a, [Fake("c1", 9, 1, scratch), Fake("c2", 12.5, 1, scratch)]));
        Assert.Contains("one seed per row", ResNetRows.Compare("SMPL", [a[0]], [b[0]]));
    }

    [Fact]
    public void ClassActivationProbe_MapsTheScoresGradientOverTheLastFeatureMap()
    {
        var spec = RunConfig.Smoke.Model with { Architecture = Architecture.Resnet, ResnetStages = "1,1,1,1", ResnetWidth = 4 };
        var model = MotionTextModel.Create(TransformerModel.ToModelConfig(spec, vocabularySize: 8), 5);
        var rng = new Random(4);
        var data = Enumerable.Range(0, 3 * 64 * 80).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var patch = new MotionPatch("m", data, 64, 16, 64, 0, 64);
        var text = Enumerable.Range(0, model.Config.EmbeddingDim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float norm = MathF.Sqrt(text.Sum(v => v * v));
        text = [.. text.Select(v => v / norm)];
        var up = ClassActivationProbe.Capture(model, patch, "a person walks", text);
        var down = ClassActivationProbe.Capture(model, patch, "a person walks", [.. text.Select(v => -v)]);
        Assert.Equal((2, 3), (up.Rows, up.Cols));   // 64 x 80 -> a 2 x 3 final map
        Assert.Equal(-up.Score, down.Score, 5);
        Assert.InRange(up.Score, -1, 1);
        // Grad-CAM is linear in the score before its ReLU: the caption's opposite lights exactly the other cells
        for (int i = 0; i < 6; i++)
        {
            Assert.True(up.Map[i] >= 0 && down.Map[i] >= 0);
            Assert.Equal(0f, up.Map[i] * down.Map[i]);
        }
        Assert.True(up.Map.Sum() + down.Map.Sum() > 0);
        Assert.All(model.MotionHead.Parameters(), p => Assert.False(p.HasGrad, "the probe left a gradient on a head parameter"));
        Assert.True(model.Training);   // the mode is restored
        Assert.Contains("\"heatmap\"", up.Figure().ToJson());

        var vit = MotionTextModel.Create(TransformerModel.ToModelConfig(RunConfig.Smoke.Model, vocabularySize: 8), 5);
        Assert.Contains("needs a ResNet motion encoder", Assert.Throws<ArgumentException>(() => ClassActivationProbe.Capture(vit, patch, "x", text)).Message);
        var wrong = new MotionPatch("w", new float[3 * 32 * 40], 32, 8, 32, 0, 32);
        Assert.Contains("the ResNet expects 64 x 80", Assert.Throws<ArgumentException>(() => ClassActivationProbe.Capture(model, wrong, "x", text)).Message);
    }
}

using System.Text.Json.Nodes;
using MotionWorkbench.Data;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

[Collection("synth")]
public sealed class PipelineTests(SynthFixture fx)
{
    [Fact]
    public void Evaluation_search_classification_and_summary_work_on_a_trained_run()
    {
        var dir = fx.NewRunDir("pipeline");
        var config = fx.Tiny(epochs: 2) with { Data = fx.Tiny().Data with { TestSplit = "test", MaxEvalClips = 64 } };
        new Trainer(config, dir) { LogSteps = true }.Run();

        var ev = RunEvaluation.Run(dir, split: "train");
        Assert.Equal(RetrievalProtocols.Names, ev.Results.Select(r => r.Protocol));
        Assert.Equal(64, ev.N);
        Assert.Equal(Checkpoint.BestFileName, ev.Checkpoint);
        Assert.Contains("validation", ev.Selection);
        Assert.False(ev.FromCache);
        Assert.True(RunEvaluation.Run(dir, split: "train").FromCache);
        var json = ev.ToJson();
        Assert.Equal(4, json["results"]!.AsArray().Count);
        Assert.NotNull(json["results"]![0]!["t2m"]!["R@1"]);

        var index = RetrievalIndex.Open(dir, split: "train");
        var hits = index.SearchMotions("a person walks forward", 5);
        Assert.Equal(5, hits.Count);
        Assert.Equal([1, 2, 3, 4, 5], hits.Select(h => h.Rank));
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        Assert.All(hits, h => Assert.InRange(h.Score, -1.0001, 1.0001));
        var caps = index.SearchCaptions(index.Embeddings.Ids[0], 3);
        Assert.Equal(3, caps.Count);
        Assert.Throws<ArgumentException>(() => index.SearchCaptions("no-such-motion", 3));

        var zs = ZeroShot.Classify(dir, fx.DataDir, "train");
        Assert.Equal(SyntheticActions(), zs.Classes.Count);
        Assert.Equal(zs.Classes.Count, zs.Prompts.Count);
        Assert.StartsWith("A person ", zs.Prompts[0]);
        Assert.Equal(zs.Samples, zs.Metrics.Confusion.Sum(r => r.Sum()));
        Assert.InRange(zs.Metrics.Top1, 0, zs.Metrics.Top5);

        var summary = RunSummary.Write(dir, [RunEvaluation.Run(dir, split: "train", protocols: [RetrievalProtocols.All, RetrievalProtocols.SmallBatches])], index, examples: 3);
        var html = File.ReadAllText(summary);
        Assert.Contains("<svg", html);
        Assert.Contains("chance (gallery of 64)", html);
        Assert.Contains("chance (gallery of 32)", html);
        Assert.Contains("Text → motion examples", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
    }

    [Fact]
    public void Test_set_selection_is_labelled_as_such()
    {
        var dir = fx.NewRunDir("testsel");
        var tiny = fx.Tiny(epochs: 1);
        var config = tiny with { Data = tiny.Data with { TestSplit = "test" }, Train = tiny.Train with { Selection = "test" } };
        var result = new Trainer(config, dir) { LogSteps = false }.Run();
        Assert.Equal("test", (string?)result.EpochMetrics[0]["selectionSplit"]);
        Assert.Contains("test-set selection", (string?)result.EpochMetrics[0]["selection"]);
        Assert.Contains("test-set selection", RunEvaluation.Run(dir, split: "test", protocols: [RetrievalProtocols.All]).Selection);
    }

    [Fact]
    public void Segment_captions_become_their_own_training_entries_and_the_first_caption_drives_evaluation()
    {
        var dir = fx.NewRunDir("segments");
        var data = RunData.ForTraining(fx.Tiny(), dir);
        var clip = data.Dataset.Clips.First(c => c.Frames > 40);
        var withSegment = new MotionClip("seg-test", clip.Skeleton, clip.Fps, clip.Positions,
            [new Caption("a person does a segment", 0.5f, 1.5f), new Caption("whole one"), new Caption("whole two")]);
        var ds = new MotionDataset("seg", clip.Skeleton, clip.Fps, [withSegment], new Dictionary<string, IReadOnlyList<string>> { ["train"] = ["seg-test"] });
        var samples = RunData.SamplesOf(ds, "train", firstCaptionOnly: false, max: null, skipped: []);
        Assert.Equal(2, samples.Count);
        var whole = samples.Single(s => s.Id == "seg-test");
        Assert.Equal(["whole one", "whole two"], whole.Captions);
        var seg = samples.Single(s => s.Id != "seg-test");
        Assert.Equal((int)(1.5f * clip.Fps) - (int)(0.5f * clip.Fps), seg.Clip.Frames);
        var eval = RunData.EvalSamplesOf(ds, "train", max: null, skipped: []);
        Assert.Single(eval);
        Assert.Equal("a person does a segment", eval[0].Captions[0]);
        Assert.Equal(seg.Clip.Frames, eval[0].Clip.Frames);
    }

    private static int SyntheticActions() => MotionWorkbench.Data.Synthetic.SyntheticMotions.ActionLabels.Count;
}

using MotionWorkbench.Evaluation;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

public sealed class SummaryAnalysisTests
{
    private static float[] Unit(params float[] v)
    {
        float n = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / n).ToArray();
    }

    private static float[] Axis(int i, int d = 8, float off = 0f)
    {
        var v = new float[d];
        v[i] = 1f;
        if (off != 0) v[(i + 1) % d] = off;
        return Unit(v);
    }

    /// <summary>
    /// Six items: 0 and 1 are a clip and its mirror (left/right captions), 2 and 3 two captions with left and right
    /// swapped (not M pairs); text 0 retrieves motion 1 first, text 2 retrieves motion 3 first, text 4 retrieves motion 5
    /// first (not a mirror) and its own motion last.
    /// </summary>
    private static SplitEmbeddings Embeddings()
    {
        string[] ids = ["000001", "M000001", "000002", "000003", "000004", "000005"];
        string[] caps = ["a person waves the left hand", "a person waves the right hand", "kicks with the right leg", "kicks with the left leg", "walks forward", "jumps twice"];
        var motions = Enumerable.Range(0, 6).Select(i => Axis(i)).ToArray();
        var texts = new[]
        {
            Unit(0.5f, 0.8f, 0, 0, 0, 0, 0, 0),         // closest to motion 1 (the mirror), then its own
            Axis(1),
            Unit(0, 0, 0.5f, 0.8f, 0, 0, 0, 0),         // closest to motion 3 (left/right swapped caption)
            Axis(3),
            Unit(0, 0.1f, 0.2f, 0.3f, -0.5f, 0.9f, 0, 0), // 5, 3, 2, 1, 0, then its own motion (rank 6)
            Axis(5),
        };
        return new SplitEmbeddings("test", ids, caps, texts, motions, FromCache: false);
    }

    [Fact]
    public void Ground_truth_rank_and_examples_follow_the_similarity_order()
    {
        var e = Embeddings();
        Assert.Equal([1, 0, 2, 3, 4, 5], SummaryAnalysis.Order(e.Motions, e.Texts[0]));
        Assert.Equal(2, SummaryAnalysis.GroundTruthRank(e.Motions, e.Texts[0], e.Captions, e.Captions[0]));
        Assert.Equal(6, SummaryAnalysis.GroundTruthRank(e.Motions, e.Texts[4], e.Captions, e.Captions[4]));
        var t2m = SummaryAnalysis.TextToMotionExamples(e, 6);
        Assert.Equal(6, t2m.Count);
        Assert.Equal(["000005", "000003", "000002"], t2m[4].Top.Select(h => h.Id));
        Assert.Equal([1, 2, 3], t2m[4].Top.Select(h => h.Rank));
        Assert.Equal(6, t2m[4].GroundTruthRank);
        Assert.Equal(6, t2m[4].GallerySize);
        Assert.Equal(1, t2m[1].GroundTruthRank);
        // Motion -> text: motion 0's best caption is text 0's (0.5) vs text 4's (-0.5): its own at rank 1.
        var m2t = SummaryAnalysis.MotionToTextExamples(e, 2);
        Assert.Equal(2, m2t.Count);
        Assert.Equal([0, 3], m2t.Select(x => x.Query));
        Assert.Equal(1, m2t[0].GroundTruthRank);
        Assert.Equal("000001", m2t[0].Top[0].Id);
    }

    [Fact]
    public void Confusions_count_top1_errors_and_flag_left_right_mirrors()
    {
        var c = SummaryAnalysis.TextToMotionConfusions(Embeddings());
        Assert.Equal(6, c.Queries);
        Assert.Equal(3, c.Errors);        // texts 0, 2 and 4
        Assert.Equal(2, c.MirrorErrors);  // 0 -> M000001 (mirror ids), 2 -> 3 (captions swapped)
        Assert.Equal(3, c.Top.Count);
        Assert.Contains(c.Top, x => x.QueryCaption == "a person waves the left hand" && x.RetrievedCaption == "a person waves the right hand" && x.Mirror && x.Count == 1);
        Assert.Contains(c.Top, x => x.QueryCaption == "kicks with the right leg" && x.Mirror);
        Assert.Contains(c.Top, x => x.QueryCaption == "walks forward" && x.RetrievedCaption == "jumps twice" && !x.Mirror);
    }

    [Fact]
    public void Left_right_swaps_and_mirror_ids()
    {
        Assert.Equal("Right foot, then the left arm", SummaryAnalysis.SwapLeftRight("Left foot, then the right arm"));
        Assert.Equal("a person leftovers", SummaryAnalysis.SwapLeftRight("a person leftovers")); // whole words only
        Assert.True(SummaryAnalysis.IsLeftRightSwap("turns left", "Turns right"));
        Assert.False(SummaryAnalysis.IsLeftRightSwap("walks", "walks"));
        Assert.False(SummaryAnalysis.IsLeftRightSwap("turns left", "turns left twice"));
        Assert.True(SummaryAnalysis.IsMirrorPair("M000123", "000123"));
        Assert.True(SummaryAnalysis.IsMirrorPair("000123", "M000123"));
        Assert.False(SummaryAnalysis.IsMirrorPair("000123", "000124"));
    }

    [Fact]
    public void Learning_rates_per_step_and_chance_loss()
    {
        string path = Path.Combine(Path.GetTempPath(), "mw-lr-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            File.WriteAllLines(path,
            [
                """{"type":"step","epoch":1,"step":1,"loss":2.7,"lr":0.001}""",
                """{"type":"step","epoch":1,"step":2,"loss":2.6,"lr":0.0009}""",
                """{"type":"epoch","epoch":1,"step":2,"lr":{"motion":0.0009}}""",
                """{"type":"step","epoch":2,"step":2,"loss":2.6,"lr":0.0009}""",
                """{"type":"step","epoch":2,"step":3,"loss":2.5,"lr":0.0007}""",
            ]);
            Assert.Equal([(1, 0.001), (2, 0.0009), (3, 0.0007)], SummaryAnalysis.ReadStepLearningRates(path));
        }
        finally { File.Delete(path); }
        Assert.Equal(Math.Log(16), SummaryAnalysis.ChanceLoss(RunConfig.Smoke)!.Value, 12);
        Assert.Null(SummaryAnalysis.ChanceLoss(RunConfig.Smoke with { Model = RunConfig.Smoke.Model with { Architecture = "lex", LexPhase = "mlm" } }));
        Assert.Contains(RetrievalProtocols.TmrNormal, Quickstart.QuickstartProtocols);
        Assert.Contains(RetrievalProtocols.TmrGuo, Quickstart.QuickstartProtocols);
    }

    [Fact]
    public void Loss_curve_draws_the_chance_line()
    {
        var svg = RunSummary.LossCurve([(1, 2.0), (2, 1.5), (3, 1.0)], chance: Math.Log(16));
        Assert.Contains("class=\"chance\"", svg);
        Assert.Contains("chance ln B = 2.773", svg);
        Assert.DoesNotContain("class=\"chance\"", RunSummary.LossCurve([(1, 2.0), (2, 1.5)]));
    }
}

[Collection("synth")]
public sealed class SummaryPageTests(SynthFixture fx)
{
    [Fact]
    public void Summary_has_schedule_per_epoch_validation_examples_both_ways_confusions_and_tmr_protocols()
    {
        var dir = fx.NewRunDir("summary");
        var tiny = fx.Tiny(epochs: 3);
        // The fixture's val/test splits are smaller than the batched protocols' 32: select and evaluate on 64 train pairs.
        var config = tiny with { Train = tiny.Train with { EvalEvery = 1, WarmupSteps = 2 } };
        new Trainer(config, dir).Run();
        var index = RetrievalIndex.Open(dir, fx.DataDir, "train");
        var evaluation = RunEvaluation.Run(dir, split: "train", protocols: Quickstart.QuickstartProtocols);
        var html = File.ReadAllText(RunSummary.Write(dir, [evaluation], index, examples: 4));

        Assert.Contains("class=\"chance\"", html);                    // chance line on the loss curve and the epoch chart
        Assert.Contains($"ln 16 = {Math.Log(16):0.000}", html);
        Assert.Contains("<h2>Learning-rate schedule</h2>", html);
        Assert.Contains("linear warm-up over 2 steps", html);
        Assert.Contains(">train loss</text>", html);                  // per-epoch loss series (selection split = train here)
        Assert.Contains(">train motion→text R@1</text>", html);       // per-epoch selection R@1 series
        Assert.Contains(">train text→motion R@1</text>", html);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(html, "<tr><td>[123]</td><td>[0-9.]+e-?[0-9]+</td>").Count); // a row per epoch with its LR
        Assert.Contains("<h2>Motion → text examples</h2>", html);
        Assert.Contains("<h2>Most common confusions</h2>", html);
        Assert.Contains("TMR normal", html);
        Assert.Contains("TMR guo", html);

        // The ground-truth rank lines agree with the analysis on the same embeddings.
        var examples = SummaryAnalysis.TextToMotionExamples(index.Embeddings, 4).Concat(SummaryAnalysis.MotionToTextExamples(index.Embeddings, 4)).ToList();
        foreach (var ex in examples.Where(x => x.GroundTruthRank > 3))
            Assert.Contains($"at rank {ex.GroundTruthRank} of {ex.GallerySize}", html);
        int lines = System.Text.RegularExpressions.Regex.Matches(html, "class=\"gt\"").Count;
        Assert.Equal(examples.Count(x => x.GroundTruthRank > 3), lines);
        // A patch thumbnail (inline PNG) per example, 4 each way.
        Assert.Equal(8, System.Text.RegularExpressions.Regex.Matches(html, "<img class=\"thumb\" src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}\"").Count);
        Assert.DoesNotContain("<script", html);
    }
}

using System.Text.Json.Nodes;
using MotionWorkbench.Data;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Probes;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

[Collection("synth")]
public sealed class ProbeEvaluationTests(SynthFixture fx)
{
    private string Probes(string name, ProbeOptions options)
    {
        var dir = Path.Combine(fx.Root, "probes-" + name);
        if (!File.Exists(Path.Combine(dir, ProbeSet.FileName))) SyntheticProbes.Write(dir, options);
        return dir;
    }

    /// <summary>A bag-of-patches run whose window (112 frames) holds every probe motion whole.</summary>
    private string BagRun(string name, string dataDir, int epochs)
    {
        var dir = fx.NewRunDir(name);
        var tiny = fx.Tiny(epochs);
        var config = tiny with
        {
            Model = tiny.Model with { MaxFrames = 112, PatchSize = 16 },
            Data = tiny.Data with { Dir = dataDir, MaxTrainClips = null, ValSplit = "val", TestSplit = "test" },
        };
        new Trainer(config, dir) { LogSteps = false }.Run();
        return dir;
    }

    [Fact]
    public void BagModel_OrderPairsOnWholeWindows_Scores50PercentUpToTies()
    {
        // The bag model averages GELU(Linear(patch)) + a position bias over all patch tokens: the bias averages to a
        // constant, and the two motions of an order pair are the same whole-window blocks swapped (the generator renders
        // each action in its own block of whole 16-frame windows), so their tokens are a permutation of each other and
        // their embeddings equal up to float rounding. Every text->motion trial is then a tie, and motion->text gets one
        // trial of each pair right: 50 % exactly, whatever the weights.
        var probes = Probes("order-side", new ProbeOptions { PairsPerAttribute = 12, Seed = 3, Attributes = [ProbeAttributes.Order, ProbeAttributes.Side] });
        var run = BagRun("bag-order", fx.DataDir, epochs: 2);
        var result = ProbeEvaluation.Run(run, probes);
        Assert.Equal(0, result.Cropped);
        var order = result.Attributes.Single(a => a.Attribute == ProbeAttributes.Order);
        Assert.Equal(12, order.Pairs);
        Assert.Equal(24, order.TextToMotion.Ties);
        Assert.Equal(50.0, order.TextToMotion.Accuracy);
        Assert.Equal(50.0, order.MotionToText.Accuracy);
        Assert.Equal(0.0, order.MeanMargin, 6);
        // The same model does tell the two motions of a side pair apart (they are not permutations of each other).
        var side = result.Attributes.Single(a => a.Attribute == ProbeAttributes.Side);
        Assert.Equal(0, side.TextToMotion.Ties);
    }

    [Fact]
    public void Run_LexicalRun_ScoresItsVocabularySpaceVectorsLikeADenseRun()
    {
        // Lex runs embed into the vocabulary (sparse, non-negative); mw probe scores them through the same Embedder as mw eval.
        var probes = Probes("order-side", new ProbeOptions { PairsPerAttribute = 12, Seed = 3, Attributes = [ProbeAttributes.Order, ProbeAttributes.Side] });
        var dir = fx.NewRunDir("lex-probe");
        var tiny = fx.Tiny(1);
        var config = tiny with
        {
            Name = "lex",
            Model = SynthFixture.TinyModelOf("lex", m => m with { MaxFrames = 112, PatchSize = 16, TextDropout = 0f }),
            Data = tiny.Data with { MaxTrainClips = null, ValSplit = "val", TestSplit = "test" },
        };
        new Trainer(config, dir) { LogSteps = false }.Run();
        var result = ProbeEvaluation.Run(dir, probes);
        Assert.Equal("lex", result.Architecture);
        var data = RunData.ForRun(dir, probes, allClips: true);
        var emb = Embedder.Embed(RunModels.Load(dir), data, ProbeFolder.Split, 64);
        Assert.Equal(data.Tokenizer.Vocabulary.Count, emb.Motions[0].Length);
        Assert.All(emb.Motions, m => Assert.All(m, v => Assert.True(v >= 0)));
        var row = emb.Ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var direct = ProbeScoring.Score(ProbeSet.Load(probes).Pairs.Select(p => new ProbeItem(p.Attribute, row[p.MotionA], row[p.MotionB])).ToList(), emb.Texts, emb.Motions);
        Assert.Equal(direct.Select(d => d.ToJson().ToJsonString()).Order(), result.Attributes.Select(a => a.ToJson().ToJsonString()).Order());
    }

    [Fact]
    public void Run_CaptionsShuffledAcrossMotions_ScoresNearChance()
    {
        // Train on data whose captions were dealt to the wrong motions: nothing links a caption to its motion, so every
        // attribute's pair accuracy must be consistent with chance (50 % inside the 95 % interval over all trials).
        var shuffled = Path.Combine(fx.Root, "data-shuffled");
        if (!Directory.Exists(shuffled))
        {
            CopyDirectory(fx.NoMirrorDir, shuffled);
            var ids = File.ReadAllLines(Path.Combine(fx.NoMirrorDir, "all.txt")).Where(l => l.Length > 0).ToArray();
            var texts = ids.Select(id => File.ReadAllText(Path.Combine(fx.NoMirrorDir, "texts", id + ".txt"))).ToArray();
            var order = Enumerable.Range(0, ids.Length).ToArray();
            new Random(5).Shuffle(order);
            for (int i = 0; i < ids.Length; i++) File.WriteAllText(Path.Combine(shuffled, "texts", ids[i] + ".txt"), texts[order[i]]);
        }
        var run = BagRun("bag-shuffled", shuffled, epochs: 15);
        var probes = Probes("all", new ProbeOptions { PairsPerAttribute = 20, Seed = 4 });
        var result = ProbeEvaluation.Run(run, probes);
        Assert.Equal(ProbeAttributes.All, result.Attributes.Select(a => a.Attribute));
        // The trials are not independent draws: one shuffle's spurious caption-motion links are shared by every pair of
        // an attribute, so the pooled accuracy is held to a band around chance, not to a Wilson interval over trials.
        string table = string.Join("; ", result.Attributes.Select(a => $"{a.Attribute} {a.TextToMotion.Accuracy:F1}/{a.MotionToText.Accuracy:F1}"));
        double right = 0;
        int trials = 0;
        foreach (var a in result.Attributes)
            foreach (var d in new[] { a.TextToMotion, a.MotionToText })
            {
                right += d.Accuracy / 100 * d.Trials;
                trials += d.Trials;
                Assert.True(d.Accuracy is >= 25 and <= 75, $"{a.Attribute}: {d.Accuracy:F1} % is far from chance ({table})");
            }
        double pooled = 100 * right / trials;
        Assert.True(pooled is >= 40 and <= 60, $"pooled accuracy {pooled:F1} % is far from chance ({table})");
    }

    [Fact]
    public void TruthSeeingScorer_OnAProbeFolder_IsRightOnEveryTrial()
    {
        // Embeddings that know each motion's true caption (regenerated from the pair's seed, attribute and index) and
        // each caption's text: one-hot by caption. Through the folder's files, every pair must come out right.
        var options = new ProbeOptions { PairsPerAttribute = 3, Seed = 8 };
        var dir = Probes("truth", options);
        var set = ProbeSet.Load(dir);
        var ds = MotionDataset.Load(dir);
        var ids = ds.Split(ProbeFolder.Split);
        var captions = ids.Select(id => ds.Get(id).Captions[0].Text).Distinct().ToList();
        float[] OneHot(string caption) { var v = new float[captions.Count]; v[captions.IndexOf(caption)] = 1; return v; }
        var truth = new Dictionary<string, string>();
        foreach (var p in set.Pairs)
        {
            var (attribute, index) = (p.Attribute, int.Parse(p.Id[(p.Id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            var regenerated = SyntheticProbes.MakePair(options, attribute, ProbeAttributes.Rank(attribute), index);
            Assert.Equal(regenerated.ClipA.Positions, ds.Get(p.MotionA).Positions);
            truth[p.MotionA] = regenerated.Pair.CaptionA;
            truth[p.MotionB] = regenerated.Pair.CaptionB;
        }
        var texts = ids.Select(id => OneHot(ds.Get(id).Captions[0].Text)).ToArray();
        var motions = ids.Select(id => OneHot(truth[id])).ToArray();
        var row = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var results = ProbeScoring.Score(set.Pairs.Select(p => new ProbeItem(p.Attribute, row[p.MotionA], row[p.MotionB])).ToList(), texts, motions);
        Assert.Equal(ProbeAttributes.All.Count, results.Count);
        Assert.All(results, r => Assert.Equal((100.0, 100.0), (r.TextToMotion.Accuracy, r.MotionToText.Accuracy)));
    }

    [Fact]
    public void Json_HasTheDocumentedSchema_AndRoundTrips()
    {
        var probes = Probes("order-side", new ProbeOptions { PairsPerAttribute = 12, Seed = 3, Attributes = [ProbeAttributes.Order, ProbeAttributes.Side] });
        var run = BagRun("bag-json", fx.DataDir, epochs: 1);
        var result = ProbeEvaluation.Run(run, probes, Checkpoint.LastFileName);
        var json = result.ToJson();
        foreach (var key in new[] { "version", "run", "checkpoint", "architecture", "probes", "source", "skeleton", "statistics", "statisticsNote", "motions", "cropped", "maxFrames", "chance", "tieTolerance", "attributes", "contrasts" })
            Assert.True(json.ContainsKey(key), $"missing \"{key}\"");
        Assert.Equal(("last.safetensors", "bag", "synthetic", "run", 48, 50.0), ((string)json["checkpoint"]!, (string)json["architecture"]!, (string)json["source"]!,
            (string)json["statistics"]!, (int)json["motions"]!, (double)json["chance"]!));
        var attribute = json["attributes"]![0]!.AsObject();
        Assert.Equal(["attribute", "pairs", "chance", "t2m", "m2t", "meanMargin"], attribute.Select(kv => kv.Key));
        Assert.Equal(["accuracy", "ci95", "right", "ties", "trials"], attribute["t2m"]!.AsObject().Select(kv => kv.Key));
        var ci = attribute["t2m"]!["ci95"]!.AsArray();
        Assert.InRange((double)attribute["t2m"]!["accuracy"]!, (double)ci[0]!, (double)ci[1]!);
        var back = ProbeEvaluation.FromJson(JsonNode.Parse(json.ToJsonString())!, "test");
        Assert.Equal(json.ToJsonString(), back.ToJson().ToJsonString());
        Assert.Contains("chance", result.ToText());
        Assert.Contains("class=\"chance\"", result.ToHtml());
    }

    [Fact]
    public void Run_BadInput_IsOneErrorNamingWhatIsWrong()
    {
        var probes = Probes("order-side", new ProbeOptions { PairsPerAttribute = 12, Seed = 3, Attributes = [ProbeAttributes.Order, ProbeAttributes.Side] });
        var run = BagRun("bag-errors", fx.DataDir, epochs: 1);
        // a texts file that no longer matches probes.json
        var edited = Path.Combine(fx.Root, "probes-edited");
        CopyDirectory(probes, edited);
        var set = ProbeSet.Load(edited);
        HumanMLText.Write(Path.Combine(edited, "texts", set.Pairs[0].MotionA + ".txt"), [new Caption("a person does something else.")]);
        var e = Assert.Throws<InvalidDataException>(() => ProbeEvaluation.Run(run, edited));
        Assert.Contains($"pair '{set.Pairs[0].Id}'", e.Message);
        Assert.Contains("a person does something else.", e.Message);
        Assert.Contains("mw data probes", Assert.Throws<FileNotFoundException>(() => ProbeEvaluation.Run(run, fx.DataDir)).Message);
        Assert.Contains("not found", Assert.Throws<FileNotFoundException>(() => ProbeEvaluation.Run(run, probes, "nope.safetensors")).Message);
    }

    [Fact]
    public void Run_ProbesOfAnotherSkeleton_UseTheProbeSetsStatistics()
    {
        var kit = Probes("kit", new ProbeOptions { Skeleton = "kit", PairsPerAttribute = 3, Seed = 2, Attributes = [ProbeAttributes.Side] });
        var run = BagRun("bag-kit", fx.DataDir, epochs: 1);
        var result = ProbeEvaluation.Run(run, kit);
        Assert.Equal("probes", result.Statistics);
        Assert.Contains("zero-shot across skeletons", result.StatisticsNote);
        Assert.Equal("run", ProbeEvaluation.Run(run, Probes("order-side", new ProbeOptions { PairsPerAttribute = 12, Seed = 3, Attributes = [ProbeAttributes.Order, ProbeAttributes.Side] })).Statistics);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(d.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(f, f.Replace(from, to), overwrite: true);
    }
}

using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>Architecture "caption": a caption decoder on the ViT, trained by the one trainer as an ordinary run.</summary>
[Collection("synth")]
public sealed class CaptionModelTests(SynthFixture fx)
{
    private RunConfig Caption(int epochs = 6) => fx.Tiny(epochs) with
    {
        Name = "caption",
        Model = SynthFixture.TinyModelOf("caption", m => m with { CaptionDepth = 1, CaptionDropout = 0.1f }),
    };

    [Fact]
    public void Caption_run_loss_falls_and_the_run_captions_its_motions()
    {
        var dir = fx.NewRunDir("caption");
        var result = new Trainer(Caption(8), dir).Run();
        Assert.True(result.Completed);
        var losses = Trainer.ReadStepLosses(Path.Combine(dir, Trainer.MetricsFileName)).Select(s => s.Loss).ToList();
        double first = losses.Take(4).Average(), last = losses.TakeLast(4).Average();
        Assert.True(last < 0.75 * first, $"caption loss {first:F3} -> {last:F3}");
        Assert.Contains("training loss: caption", File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
        // the per-epoch retrieval evaluation still runs (the towers are there)
        Assert.Contains(result.EpochMetrics, e => e["train"] is not null && e["train"]!["m2t"] is not null);
        var model = Assert.IsType<CaptionModel>(RunModels.Load(dir, Checkpoint.LastFileName));
        var data = RunData.ForRun(dir);
        var batch = data.EvalBatch(data.EvalSamples("train"), 0, 5);
        var captions = model.Generate(batch.Motion.RequirePatches("test"), new CaptionSearchOptions(Beam: 2, MaxLength: 12), data.Tokenizer.Vocabulary);
        Assert.Equal(5, captions.Count);
        var vocab = data.Tokenizer.Vocabulary;
        Assert.All(captions, c =>
        {
            Assert.InRange(c.Tokens.Length, 0, 12);
            Assert.DoesNotContain(vocab.PaddingId, c.Tokens);
            Assert.DoesNotContain(vocab.ClassifierId, c.Tokens);
            Assert.DoesNotContain(vocab.SeparatorId, c.Tokens);
            Assert.True(double.IsFinite(c.LogProb) && c.LogProb <= 0);
        });
        // the captions decode to words
        var words = captions.SelectMany(c => data.Tokenizer.Decode(c.Tokens).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.NotEmpty(words);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // with the lexical prefix: the resume reads the same lex-prefix.json
    public void Caption_run_stopped_mid_epoch_and_resumed_ends_with_the_same_weights(bool lexPrefix)
    {
        var config = Caption(3) with { Model = Caption().Model with { CaptionContrastiveWeight = 0.5f, HeadDropout = 0.2f, TextDropout = 0.1f } };
        if (lexPrefix) config = config with { Model = config.Model with { CaptionLexRun = LexRun(), CaptionLexWords = 4 } };
        var straight = fx.NewRunDir("caption-straight");
        new Trainer(config, straight).Run();
        var resumed = fx.NewRunDir("caption-resumed");
        int calls = 0;
        var first = new Trainer(config, resumed) { StepCallback = s => ++calls < 6 }.Run();
        Assert.False(first.Completed);
        Assert.Equal(6, first.State.GlobalStep);
        Assert.True(new Trainer(RunConfig.Load(resumed), resumed).Run(resume: true).Completed);
        var a = Checkpoint.Read(Path.Combine(straight, Checkpoint.LastFileName));
        var b = Checkpoint.Read(Path.Combine(resumed, Checkpoint.LastFileName));
        Assert.Contains(a.Model.Keys, k => k.StartsWith(CaptionNetwork.DecoderPrefix, StringComparison.Ordinal));
        foreach (var (name, t) in a.Model)
            Assert.True(t.Data.SequenceEqual(b.Model[name].Data), $"parameter {name} differs after resume");
        Assert.True(a.M!.AsSpan().SequenceEqual(b.M!), "Adam first moments differ after resume");
        Assert.Equal(Trainer.ReadStepLosses(Path.Combine(straight, Trainer.MetricsFileName)), Trainer.ReadStepLosses(Path.Combine(resumed, Trainer.MetricsFileName)));
        Assert.Equal(lexPrefix, a.Model.ContainsKey(CaptionNetwork.DecoderPrefix + "prefix_type"));
        if (lexPrefix) Assert.Contains($"motions from {CaptionLexPrefix.FileName}", File.ReadAllText(Path.Combine(resumed, Trainer.LogFileName))); // the resume reused the cache
    }

    [Fact]
    public void InitFrom_a_retrieval_run_loads_the_encoders_and_a_frozen_encoder_stays_fixed()
    {
        var vitConfig = fx.Tiny(1) with { Model = SynthFixture.TinyModelOf("vit") };
        var vitDir = fx.NewRunDir("caption-source");
        new Trainer(vitConfig, vitDir) { LogSteps = false }.Run();
        var source = Checkpoint.Read(RunModels.DefaultCheckpoint(vitDir)).Model;

        var dir = fx.NewRunDir("caption-frozen");
        var config = Caption(2) with { Model = Caption().Model with { CaptionFreezeEncoder = true }, Train = Caption(2).Train with { InitFrom = vitDir } };
        new Trainer(config, dir) { LogSteps = false }.Run();
        var after = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName)).Model;
        // the retrieval run's every tensor was loaded; the frozen ViT is not updated, and with no contrastive term the
        // text tower and heads get no gradient either: all stay exactly as the source; the decoder learnt
        Assert.Equal(source.Count, after.Keys.Count(k => !k.StartsWith(CaptionNetwork.DecoderPrefix, StringComparison.Ordinal)));
        foreach (var (name, t) in source)
            Assert.True(t.Data.SequenceEqual(after[name].Data), $"{name} differs from the retrieval run's");
        var fresh = ((CaptionModel)ModelFactory.Create(config.Model, RunData.ForRun(dir).Tokenizer.Vocabulary.Count, (ulong)config.Train.Seed)).Network.StateDict();
        Assert.Contains(after, kv => kv.Key.StartsWith(CaptionNetwork.DecoderPrefix, StringComparison.Ordinal) && !kv.Value.Data.SequenceEqual(fresh[kv.Key].Data));
        // a frozen encoder is not in the optimiser
        var model = Assert.IsType<CaptionModel>(ModelFactory.Create(config.Model, 60, 1));
        Assert.DoesNotContain(model.ParameterGroups(), g => g.Group == "motion");
        Assert.Contains(model.Network.Decoder.Parameters().First(), model.ParameterGroups().Single(g => g.Group == "heads").Parameters);

        // another ViT shape is named
        var wrong = config with { Model = config.Model with { VitWidth = 48, VitHeads = 2 } };
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(wrong, fx.NewRunDir("caption-wrong")) { LogSteps = false }.Run());
        Assert.Contains("does not fit this caption model's encoders", e.Message);
    }

    [Fact]
    public void Caption_settings_are_validated()
    {
        var c = Caption();
        var e = Assert.Throws<ArgumentException>(() => (c with { Model = c.Model with { CaptionDepth = 0, CaptionDropout = 1f, CaptionContrastiveWeight = -1 } }).Validate());
        Assert.Contains("model.captionDepth must be at least 1", e.Message);
        Assert.Contains("model.captionDropout", e.Message);
        Assert.Contains("model.captionContrastiveWeight", e.Message);
        e = Assert.Throws<ArgumentException>(() => (c with { Model = c.Model with { CaptionWidth = 30, CaptionHeads = 4 } }).Validate());
        Assert.Contains("width (30) must be divisible by its heads (4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => (c with { Train = c.Train with { MlmEpochs = 1 } }).Validate());
        Assert.Contains("train.mlmEpochs", e.Message);
        var set = c.WithOverrides(["model.captionFreezeEncoder=true", "model.captionContrastiveWeight=0.25"]);
        Assert.True(set.Model.CaptionFreezeEncoder);
        Assert.Equal(0.25f, set.Model.CaptionContrastiveWeight);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The optional prefix of the motion's top lexical words (model.captionLexRun, model.captionLexWords)

    private static readonly Dictionary<string, string> LexRuns = [];

    /// <summary>A tiny Lex run (ViT, 1 epoch) on the fixture's data, trained once per fixture.</summary>
    private string LexRun()
    {
        lock (LexRuns)
        {
            if (LexRuns.TryGetValue(fx.Root, out var dir)) return dir;
            dir = fx.NewRunDir("caption-lex-source");
            var config = fx.Tiny(1) with { Name = "lex", Model = SynthFixture.TinyModelOf("lex", m => m with { TextDropout = 0f }) };
            Assert.True(new Trainer(config, dir) { LogSteps = false }.Run().Completed);
            LexRuns[fx.Root] = dir;
            return dir;
        }
    }

    private RunConfig Prefixed(int epochs, int k = 4) => Caption(epochs) with { Model = Caption().Model with { CaptionLexRun = LexRun(), CaptionLexWords = k } };

    [Fact]
    public void Lex_prefix_off_leaves_the_caption_model_as_it_was()
    {
        var plain = Assert.IsType<CaptionModel>(ModelFactory.Create(Caption().Model, 60, 3));
        Assert.Equal(0, plain.PrefixWords);
        Assert.DoesNotContain(plain.Network.NamedParameters(), p => p.Name.Contains("prefix", StringComparison.Ordinal));
        Assert.Null(plain.PrefixIds([]));
        var prefixed = Assert.IsType<CaptionModel>(ModelFactory.Create(Caption().Model with { CaptionLexRun = "x", CaptionLexWords = 4 }, 60, 3));
        var before = plain.Network.StateDict();
        var after = prefixed.Network.StateDict();
        Assert.Equal([.. before.Keys, CaptionNetwork.DecoderPrefix + "prefix_type"], after.Keys.ToList());
        foreach (var (name, t) in before) Assert.True(t.Data.SequenceEqual(after[name].Data), $"{name} differs");
        Assert.Equal("", RunConfig.Smoke.Model.CaptionLexRun);
        Assert.Equal(0, RunConfig.Smoke.Model.CaptionLexWords);
    }

    [Fact]
    public void Lex_prefix_cache_holds_the_lex_models_top_words_and_captioning_reads_them()
    {
        const int K = 4;
        var lexDir = LexRun();
        var dir = fx.NewRunDir("caption-lex");
        Assert.True(new Trainer(Prefixed(2), dir) { LogSteps = false }.Run().Completed);
        var log = File.ReadAllText(Path.Combine(dir, Trainer.LogFileName));
        Assert.Contains("lexical prefix: top-4 words of", log);
        Assert.Contains("Lex words dropped (not in the caption vocabulary)", log);

        var cache = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, CaptionLexPrefix.FileName)))!;
        Assert.Equal(Path.GetFullPath(lexDir), cache["lexRun"]!.GetValue<string>());
        Assert.Equal(K, cache["k"]!.GetValue<int>());
        Assert.Equal(Checkpoint.Hash(RunModels.DefaultCheckpoint(lexDir)), cache["checkpointSha256"]!.GetValue<string>());
        var cached = CaptionLexPrefix.Cached(dir)!;
        var data = RunData.ForRun(dir);
        var vocab = data.Tokenizer.Vocabulary;
        Assert.True(cached.Count >= data.EvalSamples("train").Count);
        Assert.All(cached.Values, w =>
        {
            Assert.InRange(w.Ids.Count, 0, K);
            Assert.All(w.Weights, x => Assert.True(x > 0));
            for (int j = 0; j < w.Ids.Count; j++)
            {
                Assert.True(vocab.TryGetId(w.Words[j], out int id) && id == w.Ids[j], $"'{w.Words[j]}' is not caption id {w.Ids[j]}");
                Assert.False(vocab.IsSpecialId(id));
                if (j > 0) Assert.True(w.Weights[j] <= w.Weights[j - 1]);
            }
        });
        Assert.Contains(cached.Values, w => w.Ids.Count > 0);

        // the same words as the Lex model's top-K computed here directly (best checkpoint, eval mode, no grad)
        var lex = Assert.IsType<LexicalRetrievalModel>(RunModels.Load(lexDir));
        var lexData = RunData.ForRun(lexDir, fx.DataDir);
        var samples = lexData.EvalSamples("train").Take(12).ToList();
        var batch = lexData.EvalBatch(samples, 0, samples.Count);
        float[] vectors;
        using (Autograd.NoGrad()) vectors = lex.Model.MotionLexical(new MotionInput(Tensor.Wrap(batch.Motion.Patches!.Data, batch.Motion.Patches.Shape))).ToArray();
        int V = lexData.Tokenizer.Vocabulary.Count;
        for (int i = 0; i < samples.Count; i++)
        {
            var top = LexicalWords.Top(vectors.AsSpan(i * V, V).ToArray(), lexData.Tokenizer.Vocabulary, K).Where(t => vocab.Contains(t.Word)).ToList();
            var got = cached[samples[i].Id];
            Assert.Equal(top.Select(t => t.Word), got.Words);
            for (int j = 0; j < top.Count; j++) Assert.Equal(top[j].Weight, got.Weights[j], 5);
        }

        // captioning reads the words: the same motions' captions with the words and with none differ in log P
        var run = CaptionRun.Open(dir);
        Assert.Empty(run.LexPrefix!.Notes);
        var own = data.EvalSamples("train").Take(6).ToList();
        var generated = run.CaptionMotions(own.Select(s => s.Id).ToList(), new CaptionSearchOptions(Beam: 1, MaxLength: 8), "train");
        Assert.All(generated, g => Assert.Equal(cached[g.Id].Words, g.LexWords));
        var eval = run.Data.EvalBatch(own, 0, own.Count);
        var patches = eval.Motion.RequirePatches("test");
        var with = run.Model.Generate(patches, new CaptionSearchOptions(Beam: 1, MaxLength: 8), vocab, run.Model.PrefixIds(own));
        var none = run.Model.Generate(patches, new CaptionSearchOptions(Beam: 1, MaxLength: 8), vocab, Enumerable.Repeat(-1, own.Count * K).ToArray());
        Assert.Contains(Enumerable.Range(0, own.Count), i => Math.Abs(with[i].LogProb - none[i].LogProb) > 1e-6);
        Assert.Equal(generated.Select(g => g.Tokens.ToArray()), with.Select(h => h.Tokens));

        // a motion the cache lacks is computed on the fly (the same words); a stale cache is recomputed with a log line
        var cacheFile = Path.Combine(dir, CaptionLexPrefix.FileName);
        var original = File.ReadAllText(cacheFile);
        var edited = System.Text.Json.Nodes.JsonNode.Parse(original)!;
        edited["words"]!.AsObject().Remove(own[0].Id);
        File.WriteAllText(cacheFile, edited.ToJsonString());
        var reopened = CaptionRun.Open(dir);
        Assert.False(reopened.LexPrefix!.Motions.ContainsKey(own[0].Id));
        Assert.Equal(cached[own[0].Id].Words, reopened.CaptionMotions([own[0].Id], new CaptionSearchOptions(Beam: 1, MaxLength: 8), "train")[0].LexWords);
        edited["k"] = 3;
        File.WriteAllText(cacheFile, edited.ToJsonString());
        var lines = new List<string>();
        var recomputed = CaptionLexPrefix.Prepare(RunConfig.Load(dir), dir, data, lines.Add);
        Assert.Contains(lines, l => l.Contains("is stale (K 3 -> 4); recomputing"));
        Assert.Equal(cached.Count, recomputed.Motions.Count);
        Assert.Equal(cached[own[0].Id].Words, recomputed.Motions[own[0].Id].Words);
        Assert.Contains("\"k\": 4", File.ReadAllText(cacheFile));

        // train.initFrom a prefixed caption run: every parameter, prefix_type included; without a prefix it is refused by name
        var next = fx.NewRunDir("caption-lex-next");
        var fromPrefixed = Prefixed(1) with { Train = Prefixed(1).Train with { InitFrom = dir } };
        Assert.True(new Trainer(fromPrefixed, next) { LogSteps = false }.Run().Completed);
        var fresh = (CaptionModel)ModelFactory.Create(fromPrefixed.Model, vocab.Count, 1);
        var init = InitSource.Resolve(dir);
        Assert.Equal("every parameter (a caption run)", fresh.LoadInit(Checkpoint.Read(init.Checkpoint).Model, init.SourceConfig.Model, init.Checkpoint));
        Assert.Equal(Checkpoint.Read(init.Checkpoint).Model[CaptionNetwork.DecoderPrefix + "prefix_type"].ToArray(), fresh.Network.Decoder.PrefixType!.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(Caption(1) with { Train = Caption(1).Train with { InitFrom = dir } }, fx.NewRunDir("caption-lex-plain")) { LogSteps = false }.Run());
        Assert.Contains("model.captionLexWords", e.Message);
    }

    [Fact]
    public void Lex_prefix_settings_and_a_bad_lex_run_are_one_line_errors_naming_the_key()
    {
        var c = Caption(1);
        foreach (var (model, expected) in new[]
        {
            (c.Model with { CaptionLexWords = 4 }, "model.captionLexWords = 4 needs model.captionLexRun"),
            (c.Model with { CaptionLexRun = "runs/lex" }, "model.captionLexRun = runs/lex needs model.captionLexWords > 0"),
            (c.Model with { CaptionLexRun = "runs/lex", CaptionLexWords = 65 }, "model.captionLexWords must be 0 (no prefix) to 64 words, got 65"),
            (c.Model with { CaptionLexRun = "runs/lex", CaptionLexWords = -1 }, "model.captionLexWords must be 0 (no prefix) to 64 words, got -1"),
            (fx.Tiny().Model with { CaptionLexRun = "runs/lex", CaptionLexWords = 4 }, "model.architecture 'bag' has none"),
        })
            Assert.Contains(expected, Assert.Throws<ArgumentException>(() => (c with { Model = model }).Validate()).Message);
        var set = c.WithOverrides(["model.captionLexRun=runs/lex", "model.captionLexWords=8"]);
        Assert.Equal(("runs/lex", 8), (set.Model.CaptionLexRun, set.Model.CaptionLexWords));

        // a missing folder, a run that is not Lex, a Lex run over raw frames: errors naming the key and the path, before any training
        var missing = Path.Combine(fx.Root, "no-such-lex-run");
        var bag = fx.NewRunDir("caption-lex-bag");
        new Trainer(fx.Tiny(1), bag) { LogSteps = false }.Run();
        var raw = fx.NewRunDir("caption-lex-raw");
        Directory.CreateDirectory(raw);
        var lexConfig = RunConfig.Load(LexRun());
        (lexConfig with { Model = lexConfig.Model with { LexMotionEncoder = "raw" } }).Save(raw);
        foreach (var (lexRun, expected) in new[] { (missing, "run folder not found"), (bag, "is a 'bag' run, not a Lex run"), (raw, "is a Lex run over raw frames") })
        {
            var dir = fx.NewRunDir("caption-lex-bad");
            var e = Assert.ThrowsAny<Exception>(() => new Trainer(c with { Model = c.Model with { CaptionLexRun = lexRun, CaptionLexWords = 4 } }, dir) { LogSteps = false }.Run());
            Assert.True(e is IOException or InvalidDataException, e.GetType().Name);
            Assert.StartsWith($"model.captionLexRun: {lexRun}", e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(File.Exists(Path.Combine(dir, Checkpoint.LastFileName)));
        }
    }
}

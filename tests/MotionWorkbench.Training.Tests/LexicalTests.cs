using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>The Lex architecture ("lex"): lexical heads on the ViT / raw encoders, trained by the one trainer.</summary>
[Collection("synth")]
public sealed class LexicalTests(SynthFixture fx)
{
    private RunConfig Lex(int epochs = 2, string motion = "vit") => fx.Tiny(epochs) with
    {
        Name = "lex",
        Model = SynthFixture.TinyModelOf("lex", m => m with { LexMotionEncoder = motion, TextDropout = 0f }),
    };

    [Fact]
    public void Motion_head_starts_as_a_copy_of_the_text_head_and_text_head_is_tied_to_the_word_embeddings()
    {
        var model = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(Lex().Model, 50, 3)).Model;
        Assert.Same(model.TextEncoder.Embeddings.WordEmbeddings.Weight, model.TextLex.Projection);
        Assert.Null(model.TextLex.OwnWeight);
        Assert.NotNull(model.MotionLex.OwnWeight);
        Assert.Equal(model.TextLex.Projection.ToArray(), model.MotionLex.Projection.ToArray());
        Assert.Equal(model.TextLex.Bias.ToArray(), model.MotionLex.Bias.ToArray());
        Assert.NotSame(model.TextLex.Projection, model.MotionLex.Projection);
        // the ViT is 32 wide like the text here, so the transform is copied too; a wider ViT gets a bridging transform
        Assert.Equal(model.TextLex.Transform.Weight.ToArray(), model.MotionLex.Transform.Weight.ToArray());
        var wide = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(Lex().Model with { VitWidth = 48, VitHeads = 2 }, 50, 3)).Model;
        Assert.Equal([32, 48], wide.MotionLex.Transform.Weight.Shape);
        Assert.Equal(wide.TextLex.Projection.ToArray(), wide.MotionLex.Projection.ToArray());
        // the word embeddings are trained once, in the "text" group; the heads group holds both heads' own parameters
        var groups = model.ParameterGroups().ToDictionary(g => g.Group, g => g.Parameters);
        Assert.Contains(model.TextLex.Projection, groups["text"]);
        Assert.DoesNotContain(model.TextLex.Projection, groups["heads"]);
        Assert.Contains(model.MotionLex.OwnWeight!, groups["heads"]);
        Assert.Equal(model.Parameters().Count(), groups.Values.Sum(g => g.Count));
    }

    [Theory]
    [InlineData("vit")]
    [InlineData("raw")]
    public void Lexical_model_trains_evaluates_and_reloads_with_sparse_non_negative_vocabulary_vectors(string motion)
    {
        var dir = fx.NewRunDir("lex-" + motion);
        var result = new Trainer(Lex(2, motion), dir) { LogSteps = false }.Run();
        Assert.True(result.Completed);
        var data = RunData.ForRun(dir);
        var model = Assert.IsType<LexicalRetrievalModel>(RunModels.Load(dir));
        Assert.Equal(motion == "raw" ? MotionRepresentation.RawSequence : MotionRepresentation.Patches, model.Representation);
        var emb = Embedder.Embed(model, data, "train", 32);
        int V = data.Tokenizer.Vocabulary.Count;
        Assert.All(emb.Motions, m => Assert.Equal(V, m.Length));
        Assert.All(emb.Texts.Concat(emb.Motions), v =>
        {
            Assert.True(v.All(x => x >= 0 && float.IsFinite(x)));
            Assert.True(Math.Abs(v.Sum(x => x * x) - 1f) < 1e-4f);
        });
        var all = emb.Evaluate([RetrievalProtocols.All])[0];
        Assert.Equal(64, all.N);
        // model.lexVocabulary = full: every word piece, never a special token ([CLS]/[SEP] are in every caption)
        var vocabulary = data.Tokenizer.Vocabulary;
        var specials = Enumerable.Range(0, V).Where(vocabulary.IsSpecialId).ToArray();
        Assert.Equal(5, specials.Length);
        Assert.All(emb.Texts.Concat(emb.Motions), v => Assert.All(specials, j => Assert.Equal(0f, v[j])));
        Assert.Equal(V - 5, model.Model.TextLex.ActiveWords!.Length);
    }

    [Fact]
    public void Lexical_loss_adds_the_weighted_flops_of_both_towers_to_the_infonce()
    {
        var spec = Lex().Model;
        var with = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(spec, 20, 1));
        var without = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(spec with { LexFlopsWeight = 0 }, 20, 1));
        var rng = new Random(2);
        Tensor Rows() { var t = Tensor.Zeros(4, 20); for (int i = 0; i < t.Size; i++) t.Data[i] = rng.NextSingle() < 0.3f ? rng.NextSingle() : 0; return Ops.L2Normalize(t); }
        var (a, b) = (Rows(), Rows());
        double flops = Ops.FlopsRegularizer(a).Item() + Ops.FlopsRegularizer(b).Item();
        double infoNce = Contrastive.Loss(a, b, 1f / 0.05f).Item();
        Assert.Equal(infoNce, without.ContrastiveLoss(a, b).Item(), 4);
        Assert.Equal(infoNce + 0.002 * flops, with.ContrastiveLoss(a, b).Item(), 4);

        // SPLADE's quadratic warm-up of the FLOPS weight: (t/T)² of it at step t, all of it from step T on
        var ramped = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(spec with { LexFlopsWarmupSteps = 10 }, 20, 1));
        Assert.Equal(10, ramped.FlopsWarmupSteps);
        IRetrievalModel asModel = ramped;
        asModel.BeginStep(0);
        Assert.Equal(infoNce + 0.002 * 0.01 * flops, ramped.ContrastiveLoss(a, b).Item(), 5);
        asModel.BeginStep(4);
        Assert.Equal(0.25f, ramped.Model.FlopsWeightScale, 6);
        asModel.BeginStep(9);
        Assert.Equal(infoNce + 0.002 * flops, ramped.ContrastiveLoss(a, b).Item(), 4);
        asModel.BeginStep(500);
        Assert.Equal(1f, ramped.Model.FlopsWeightScale);
        Assert.Equal(1f, LexicalRetrievalModel.FlopsRamp(0, 0));
        Assert.Contains("lexFlopsWarmupSteps", Assert.Throws<ArgumentException>(() => (Lex() with { Model = spec with { LexFlopsWarmupSteps = -1 } }).Validate()).Message);
    }

    [Fact]
    public void Lexical_settings_are_validated()
    {
        var c = Lex();
        Assert.Contains("model.lexMotionEncoder", Assert.Throws<ArgumentException>(() => (c with { Model = c.Model with { LexMotionEncoder = "cnn" } }).Validate()).Message);
        Assert.Contains("model.lexTemperature", Assert.Throws<ArgumentException>(() => (c with { Model = c.Model with { LexTemperature = 0 } }).Validate()).Message);
        Assert.Contains("model.lexFlopsWeight", Assert.Throws<ArgumentException>(() => (c with { Model = c.Model with { LexFlopsWeight = -1 } }).Validate()).Message);
    }

    [Fact]
    public void Lexical_model_overfits_64_pairs_to_R1_100()
    {
        var dir = fx.NewRunDir("lex-overfit");
        var tiny = Lex();
        var config = tiny with
        {
            Model = tiny.Model with { MaxFrames = 224, PatchSize = 32 },
            Data = tiny.Data with { Dir = fx.NoMirrorDir, FirstCaptionOnly = true },
            Train = tiny.Train with { Epochs = 60, EvalEvery = 60, BatchSize = 64, MotionLr = 1e-3f, TextLr = 1e-3f, HeadLr = 1e-3f },
        };
        Assert.True(new Trainer(config, dir) { LogSteps = false }.Run().Completed);
        var emb = Embedder.Embed(RunModels.Load(dir, Checkpoint.LastFileName), RunData.ForRun(dir), "train", 64);
        var all = emb.Evaluate([RetrievalProtocols.All])[0];
        Assert.Equal(100.0, all.TextToMotion.R1);
        Assert.Equal(100.0, all.MotionToText.R1);
    }
}

/// <summary>The Lex bottleneck phases: inclusive caption masking and the phase chain through train.initFrom.</summary>
[Collection("synth")]
public sealed class LexicalPhaseTests(SynthFixture fx)
{
    private RunConfig Phase(string phase, string? from = null, int epochs = 1) => fx.Tiny(epochs) with
    {
        Name = "lex-" + phase,
        Model = SynthFixture.TinyModelOf("lex", m => m with { LexPhase = phase, TextDropout = 0f }),
        Train = fx.Tiny(epochs).Train with { InitFrom = from },
    };

    [Fact]
    public void Caption_masks_are_inclusive_seeded_and_never_touch_special_tokens()
    {
        // two captions: 12 and 5 real tokens ([CLS] w1..w10 [SEP], [CLS] w1 w2 w3 [SEP]), padded to 14
        int L = 14;
        var ids = new int[2 * L]; var att = new int[2 * L];
        for (int t = 0; t < 12; t++) { ids[t] = t == 0 ? 2 : t == 11 ? 3 : 10 + t; att[t] = 1; }
        for (int t = 0; t < 5; t++) { ids[L + t] = t == 0 ? 2 : t == 4 ? 3 : 30 + t; att[L + t] = 1; }
        var batch = new MotionWorkbench.Text.EncodedBatch(ids, att, 2, L);
        var m = CaptionMasks.Make(batch, maskId: 4, vocabularySize: 60, firstWordId: 5, seed: 9);
        Assert.Equal(CaptionMasks.Make(batch, 4, 60, 5, 9), m, new MasksComparer());
        Assert.Subset(m.DecoderRows.ToHashSet(), m.EncoderRows.ToHashSet());                  // decoder mask ⊇ encoder mask
        Assert.Equal(3 + 1, m.EncoderRows.Length);                                             // round(10·0.3) + max(1, round(3·0.3))
        Assert.Equal(5 + 2, m.DecoderRows.Length);                                             // round(10·0.5) + round(3·0.5)
        foreach (var r in m.DecoderRows)
        {
            int t = r % L, row = r / L;
            Assert.InRange(t, 1, row == 0 ? 10 : 3);                                           // never [CLS], [SEP] or padding
            Assert.Equal(ids[r], m.DecoderLabels[Array.IndexOf(m.DecoderRows, r)]);
        }
        Assert.True(m.DecoderRows.Count(r => m.DecoderIds[r] == 4) >= 3);                      // mostly [MASK] (80 %)
        Assert.NotEqual(m.DecoderRows, CaptionMasks.Make(batch, 4, 60, 5, 10).DecoderRows);    // another seed, another mask
    }

    private sealed class MasksComparer : IEqualityComparer<CaptionMasks>
    {
        public bool Equals(CaptionMasks? a, CaptionMasks? b) => a!.EncoderIds.SequenceEqual(b!.EncoderIds) && a.DecoderIds.SequenceEqual(b.DecoderIds) && a.DecoderRows.SequenceEqual(b.DecoderRows);
        public int GetHashCode(CaptionMasks m) => 0;
    }

    [Fact]
    public void Phases_chain_through_initFrom_and_each_trains_what_the_spec_says()
    {
        string mlm = fx.NewRunDir("lex-mlm"), mmm = fx.NewRunDir("lex-mmm"), cmlp = fx.NewRunDir("lex-cmlp");
        var r1 = new Trainer(Phase("mlm"), mlm) { LogSteps = false }.Run();
        Assert.True(r1.Completed);
        Assert.Null(r1.Warning); // no "did not learn" check against ln(batch) for a non-contrastive loss
        Assert.Contains("training loss: LexMLM", File.ReadAllText(Path.Combine(mlm, Trainer.LogFileName)));
        Assert.True(new Trainer(Phase("mmm", mlm), mmm) { LogSteps = false }.Run().Completed);
        Assert.True(new Trainer(Phase("cmlp", mmm), cmlp) { LogSteps = false }.Run().Completed);

        var init = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(Phase("mlm").Model, RunData.ForRun(mlm).Tokenizer.Vocabulary.Count, (ulong)Phase("mlm").Train.Seed)).Model.StateDict();
        var after1 = Checkpoint.Read(Path.Combine(mlm, Checkpoint.LastFileName)).Model;
        var after3 = Checkpoint.Read(Path.Combine(mmm, Checkpoint.LastFileName)).Model;
        var after4 = Checkpoint.Read(Path.Combine(cmlp, Checkpoint.LastFileName)).Model;
        static bool Same(Tensor a, Tensor b) => a.Data.SequenceEqual(b.Data);
        string motionW = after1.Keys.First(k => k.StartsWith("motion_encoder.", StringComparison.Ordinal) && k.EndsWith("weight", StringComparison.Ordinal) && !k.Contains("norm", StringComparison.Ordinal));
        string decoderW = after1.Keys.First(k => k.StartsWith("decoder.", StringComparison.Ordinal) && k.EndsWith("weight", StringComparison.Ordinal));
        string words = after1.Keys.First(k => k.Contains("word_embeddings", StringComparison.Ordinal));
        // phase 1 trains the text tower and the decoder, not the motion tower
        Assert.True(Same(init[motionW], after1[motionW]));
        Assert.True(Same(init["motion_lex.weight"], after1["motion_lex.weight"]));
        Assert.False(Same(init[decoderW], after1[decoderW]));
        Assert.False(Same(init[words], after1[words]));
        // phase 3 moves the motion tower and its head (the motion bottleneck feeds the decoder)
        Assert.False(Same(after1[motionW], after3[motionW]));
        Assert.False(Same(after1["motion_lex.weight"], after3["motion_lex.weight"]));
        // phase 4 (contrastive) moves both towers and leaves the decoder where phase 3 left it
        Assert.False(Same(after3[motionW], after4[motionW]));
        Assert.True(Same(after3[decoderW], after4[decoderW]));
    }

    [Fact]
    public void Cmmm_trains_only_the_motion_tower_and_its_reconstruction_loss_falls()
    {
        var config = Phase("cmmm", epochs: 30) with { Train = Phase("cmmm", epochs: 30).Train with { EvalEvery = 30, MotionLr = 1e-3f, HeadLr = 1e-3f } };
        string dir = fx.NewRunDir("lex-cmmm");
        var result = new Trainer(config, dir) { LogSteps = false }.Run();
        Assert.True(result.Completed);
        Assert.Null(result.Warning);
        // on a fixed batch and fixed masks, the trained model reconstructs better than its initialisation
        var data = RunData.ForRun(dir);
        var initModel = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(config.Model, data.Tokenizer.Vocabulary.Count, (ulong)config.Train.Seed));
        var trained = Assert.IsType<LexicalRetrievalModel>(RunModels.Load(dir, Checkpoint.LastFileName));
        initModel.Module.Eval();
        var batch = data.EvalBatch(data.EvalSamples("train"), 0, 32);
        double Loss(LexicalRetrievalModel m) { using (Autograd.NoGrad()) return m.Model.CmmmLoss(new MotionInput(Tensor.Wrap(batch.Motion.RequirePatches("test").Data, batch.Motion.RequirePatches("test").Shape)), 5).Item(); }
        double before = Loss(initModel), afterLoss = Loss(trained);
        Assert.True(afterLoss < 0.9 * before, $"CMMM loss on a fixed batch: {before:F3} before, {afterLoss:F3} after training");
        var init = initModel.Model.StateDict();
        var after = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName)).Model;
        static bool Same(Tensor a, Tensor b) => a.Data.SequenceEqual(b.Data);
        Assert.False(Same(init["motion_encoder.patch_embed.proj.weight"], after["motion_encoder.patch_embed.proj.weight"]));
        Assert.False(Same(init["mae.pred.weight"], after["mae.pred.weight"]));
        foreach (var k in after.Keys.Where(k => k.StartsWith("text_encoder.", StringComparison.Ordinal) || k.StartsWith("text_lex.", StringComparison.Ordinal) || k.StartsWith("decoder.", StringComparison.Ordinal)))
            Assert.True(Same(init[k], after[k]), $"{k} changed in CMMM (motions only)");
        var raw = config with { Model = config.Model with { LexMotionEncoder = "raw" } };
        Assert.Contains("lexMotionEncoder = vit", Assert.Throws<ArgumentException>(() => raw.Validate()).Message);
    }

    [Fact]
    public void After_LexMLM_and_LexCMLP_a_motions_top_words_are_its_captions_words_more_than_a_shuffled_captions()
    {
        // LexMLM puts each caption's vector on its own word pieces; LexCMLP then aligns every motion with its caption, so
        // the motion's heaviest words should be its caption's words (shuffled control: another motion's caption)
        string mlm = fx.NewRunDir("interp-mlm"), cmlp = fx.NewRunDir("interp-cmlp");
        RunConfig On64(RunConfig c, int epochs, int batch) => c with
        {
            Model = c.Model with { MaxFrames = 224, PatchSize = 32 },
            Data = c.Data with { Dir = fx.NoMirrorDir, FirstCaptionOnly = true },
            Train = c.Train with { Epochs = epochs, EvalEvery = epochs, BatchSize = batch, MotionLr = 1e-3f, TextLr = 1e-3f, HeadLr = 1e-3f },
        };
        Assert.True(new Trainer(On64(Phase("mlm"), 60, 16), mlm) { LogSteps = false }.Run().Completed);
        {
            var d1 = RunData.ForRun(mlm);
            var e1 = Embedder.Embed(RunModels.Load(mlm, Checkpoint.LastFileName), d1, "train", 64);
            double t1 = Enumerable.Range(0, e1.Count).Average(i => LexicalWords.Top(e1.Texts[i], d1.Tokenizer.Vocabulary, 10).Count(w => d1.Tokenizer.Tokenize(e1.Captions[i]).Contains(w.Word)) / 10.0);
            Assert.True(t1 >= 0.4, $"after LexMLM only {t1:P0} of a caption's top words are its own; caption 0 top: {string.Join(" ", LexicalWords.Top(e1.Texts[0], d1.Tokenizer.Vocabulary, 10).Select(w => w.Word))}");
        }
        Assert.True(new Trainer(On64(Phase("cmlp", Path.Combine(mlm, Checkpoint.LastFileName)), 60, 64), cmlp) { LogSteps = false }.Run().Completed);
        var data = RunData.ForRun(cmlp);
        var emb = Embedder.Embed(RunModels.Load(cmlp, Checkpoint.LastFileName), data, "train", 64);
        HashSet<string> Words(string caption) => data.Tokenizer.Tokenize(caption).ToHashSet();
        double own = 0, shuffled = 0;
        for (int i = 0; i < emb.Count; i++)
        {
            var top = LexicalWords.Top(emb.Motions[i], data.Tokenizer.Vocabulary, 10).Select(w => w.Word).ToList();
            own += top.Count(Words(emb.Captions[i]).Contains) / 10.0;
            shuffled += top.Count(Words(emb.Captions[(i + 17) % emb.Count]).Contains) / 10.0;
        }
        own /= emb.Count; shuffled /= emb.Count;
        double textOwn = Enumerable.Range(0, emb.Count).Average(i => LexicalWords.Top(emb.Texts[i], data.Tokenizer.Vocabulary, 10).Count(w => Words(emb.Captions[i]).Contains(w.Word)) / 10.0);
        // the issue's measure: top-10 motion words that name the motion's action (actions.json), against shuffled labels
        var actions = MotionWorkbench.Data.ActionLabelSet.Load(Path.Combine(fx.NoMirrorDir, MotionWorkbench.Data.ActionLabelSet.FileName)).LabelsByClip();
        var hits = LexicalInterpretability.Measure(emb, data.Tokenizer.Vocabulary, actions, k: 10);
        Assert.True(hits.Hit >= 1.3 * hits.ShuffledHit && hits.Hit > hits.ShuffledHit + 0.06, hits + "; examples: " + string.Join(" | ", hits.Examples.Select(x => $"{string.Join("+", x.Actions)}: {string.Join(" ", x.TopWords)}")));
        Assert.True(own > shuffled + 0.05 && own >= 1.5 * shuffled, $"captions' own words in their top 10 {textOwn:P0}; " + $"top-10 motion words found in the own caption {own:P0}, in a shuffled caption {shuffled:P0}; motion 0: {string.Join(" ", LexicalWords.Top(emb.Motions[0], data.Tokenizer.Vocabulary, 10).Select(w => w.Word))} / caption: {emb.Captions[0]}");
    }

    [Fact]
    public void Action_words_match_inflections_and_the_control_pairs_motions_of_different_actions()
    {
        Assert.Equal(["jumping", "jacks"], LexicalInterpretability.ActionWords(["jumping jacks"]));
        Assert.Equal(["raise"], LexicalInterpretability.ActionWords(["raise arm", "stand up"]).Where(w => w != "stand").ToArray());
        Assert.True(LexicalInterpretability.Names("kicks", ["kick"]));
        Assert.True(LexicalInterpretability.Names("jump", ["jumping", "jacks"]));
        Assert.True(LexicalInterpretability.Names("running", ["run"]));
        Assert.False(LexicalInterpretability.Names("##s", ["squat"]));
        Assert.False(LexicalInterpretability.Names("person", ["walk"]));
        Assert.False(LexicalInterpretability.Names("ju", ["jump"]));
        // two motions per action; the top words of each motion are its own action's: hit 100 %, shuffled control 0 %
        string[] actions = ["kick", "kick", "wave", "wave", "squat", "squat"];
        var vocab = MotionWorkbench.Text.WordPieceVocabulary.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "kicks", "waves", "squats", "person"]);
        float[] Vec(string action) { var v = new float[9]; v[action switch { "kick" => 5, "wave" => 6, _ => 7 }] = 0.9f; v[8] = 0.4f; return v; }
        var emb = new SplitEmbeddings("test", actions.Select((_, i) => $"m{i}").ToArray(), actions.Select(a => $"a person {a}s").ToArray(),
            actions.Select(Vec).ToArray(), actions.Select(Vec).ToArray(), FromCache: false);
        var labels = actions.Select((a, i) => ($"m{i}", new[] { a })).ToDictionary(x => x.Item1, x => x.Item2);
        var hits = LexicalInterpretability.Measure(emb, vocab, labels, k: 2);
        Assert.Equal(6, hits.Motions);
        Assert.Equal(1.0, hits.Hit);
        Assert.Equal(0.0, hits.ShuffledHit);
        Assert.Contains("100%", hits.ToString().Replace(" ", ""));
        Assert.Throws<InvalidDataException>(() => LexicalInterpretability.Measure(emb, vocab, new Dictionary<string, string[]> { ["m0"] = ["kick"] }));
    }

    [Fact]
    public void A_phase_started_from_a_dense_run_names_the_run_and_what_is_missing()
    {
        var dense = fx.NewRunDir("dense");
        var vit = fx.Tiny(1) with { Model = SynthFixture.TinyModelOf("vit") };
        Assert.True(new Trainer(vit, dense) { LogSteps = false }.Run().Completed);
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(Phase("cmlp", dense), fx.NewRunDir("from-dense")) { LogSteps = false }.Run());
        Assert.Contains(dense, e.Message);
        Assert.Contains("'vit'", e.Message);
        Assert.Contains("lexical heads", e.Message);
    }
    [Fact]
    public void Captions_vocabulary_scores_only_the_training_captions_word_pieces_and_every_phase_inherits_it()
    {
        // a WordPiece vocabulary larger than the captions need (as BERT's 30,522 is): the captions' words + 300 others
        var captions = MotionWorkbench.Data.MotionDataset.Load(fx.DataDir).ClipsOf("train").SelectMany(c => c.Captions.Select(x => x.Text)).ToList();
        var words = CaptionVocabulary.Build(captions);
        var vocabPath = Path.Combine(fx.Root, "vocab-with-extras-" + Guid.NewGuid().ToString("N")[..6] + ".txt");
        File.WriteAllLines(vocabPath, Enumerable.Range(0, words.Count).Select(words.TokenOf).Concat(Enumerable.Range(0, 300).Select(i => $"unusedword{i}")));
        RunConfig On(RunConfig c, string vocabulary) => c with { Model = c.Model with { LexVocabulary = vocabulary }, Data = c.Data with { VocabPath = vocabPath } };

        string mlm = fx.NewRunDir("lexvoc-mlm"), cmlp = fx.NewRunDir("lexvoc-cmlp");
        Assert.True(new Trainer(On(Phase("mlm"), "captions"), mlm) { LogSteps = false }.Run().Completed);
        var file = Path.Combine(mlm, LexicalVocabulary.FileName);
        Assert.True(File.Exists(file));
        var data = RunData.ForRun(mlm);
        int V = data.Tokenizer.Vocabulary.Count;
        Assert.Equal(words.Count + 300, V);
        var active = LexicalVocabulary.Read(file, data.Tokenizer.Vocabulary);
        var expected = LexicalVocabulary.FromCaptions(data.TrainSamples("train").SelectMany(x => x.Captions), data.Tokenizer);
        Assert.Equal(expected, active);
        Assert.DoesNotContain(active, id => data.Tokenizer.Vocabulary.IsSpecialId(id) || data.Tokenizer.Vocabulary.TokenOf(id).StartsWith("unusedword", StringComparison.Ordinal));
        Assert.Contains($"lexical vocabulary: {active.Length:N0} of {V:N0} word pieces", File.ReadAllText(Path.Combine(mlm, Trainer.LogFileName)));

        // phase 4 from phase 1 inherits the subset; its vectors are |V| wide and zero outside it
        Assert.True(new Trainer(On(Phase("cmlp", mlm), "captions"), cmlp) { LogSteps = false }.Run().Completed);
        Assert.Equal(File.ReadAllLines(file), File.ReadAllLines(Path.Combine(cmlp, LexicalVocabulary.FileName)));
        var model = Assert.IsType<LexicalRetrievalModel>(RunModels.Load(cmlp));
        Assert.Equal(active, model.Model.MotionLex.ActiveWords);
        Assert.Equal(active, model.Model.TextLex.ActiveWords);
        var emb = Embedder.Embed(model, RunData.ForRun(cmlp), "train", 32);
        var outside = Enumerable.Range(0, V).Except(active).ToArray();
        Assert.All(emb.Texts.Concat(emb.Motions), v =>
        {
            Assert.Equal(V, v.Length);
            Assert.All(outside, j => Assert.Equal(0f, v[j]));
            Assert.True(Math.Abs(v.Sum(x => x * x) - 1f) < 1e-4f);
        });
        var eval = RunEvaluation.Run(cmlp, split: "train", protocols: ["all"]);
        Assert.Equal(active.Length, eval.Sparsity!.ActiveWords);
        Assert.Contains("captions", eval.Sparsity.VocabularyName);

        // a phase over the full vocabulary from a captions phase: the vocabularies differ between phases
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(On(Phase("cmlp", mlm), "full"), fx.NewRunDir("lexvoc-full")) { LogSteps = false }.Run());
        Assert.Contains("vocabularies differ between phases", e.Message);
        Assert.Contains(mlm, e.Message);
        // a lexical vocabulary file that does not belong to the run's vocabulary names its file and line
        File.WriteAllLines(file, [data.Tokenizer.Vocabulary.TokenOf(active[0]), "notaword"]);
        var bad = Assert.Throws<InvalidDataException>(() => LexicalVocabulary.Read(file, data.Tokenizer.Vocabulary));
        Assert.Contains($"{file}:2", bad.Message);
        Assert.Contains("model.lexVocabulary must be", Assert.Throws<ArgumentException>(() => On(Phase("cmlp"), "bert").Validate()).Message);
    }
}

/// <summary>The Lex pipeline: phases into one folder, chained, resumable.</summary>
[Collection("synth")]
public sealed class LexPipelineTests(SynthFixture fx)
{
    [Fact]
    public void Pipeline_chains_the_phases_and_resumes_where_it_stopped()
    {
        var config = fx.Tiny(1) with { Model = SynthFixture.TinyModelOf("lex", m => m with { TextDropout = 0f }) };
        string dir = fx.NewRunDir("lex-pipeline");
        // stop phase 3 after its first step
        int steps = 0;
        var first = LexPipeline.Run(config, dir, null, (c, d) => new Trainer(c, d)
        {
            LogSteps = false,
            StepCallback = _ => !(c.Model.LexPhase == "mmm" && ++steps == 1),
        });
        Assert.Equal(["mlm", "cmmm", "mmm"], first.Select(r => r.Phase));
        Assert.True(first[0].Result!.Completed && first[1].Result!.Completed);
        Assert.False(first[2].Result!.Completed);
        Assert.Equal(Path.GetFullPath(Path.Combine(dir, "2-cmmm", Checkpoint.LastFileName)), RunConfig.Load(first[2].RunDir).Train.InitFrom is string f ? InitSource.Resolve(f).Checkpoint : null);

        var log = new List<string>();
        var second = LexPipeline.Run(config, dir, null, (c, d) => new Trainer(c, d) { LogSteps = false }, log.Add);
        Assert.Equal(["mlm", "cmmm", "mmm", "cmlp"], second.Select(r => r.Phase));
        Assert.True(second[0].AlreadyComplete && second[1].AlreadyComplete);
        Assert.Contains(log, l => l.StartsWith("LexMMM: resuming", StringComparison.Ordinal));
        Assert.True(second[2].Result!.Completed && second[3].Result!.Completed);
        Assert.Equal("cmlp", RunConfig.Load(second[3].RunDir).Model.LexPhase);
        Assert.Equal(Path.Combine(dir, "3-lexmmm", Checkpoint.LastFileName), RunConfig.Load(second[3].RunDir).Train.InitFrom);
        Assert.Contains("\"completed\": true", File.ReadAllText(Path.Combine(dir, LexPipeline.SummaryFileName)));
        // a third run has nothing left to do
        Assert.All(LexPipeline.Run(config, dir), r => Assert.True(r.AlreadyComplete));
    }

    [Fact]
    public void Phase_lists_are_validated_and_ordered()
    {
        Assert.Equal(["mlm", "cmlp"], LexPipeline.ParsePhases("mlm, cmlp"));
        Assert.Contains("in pipeline order", Assert.Throws<ArgumentException>(() => LexPipeline.ParsePhases("cmlp, mlm")).Message); // issue 28: not reordered without a word
        Assert.Equal(["mlm", "cmmm", "mmm", "cmlp"], LexPipeline.ParsePhases(null));
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => LexPipeline.ParsePhases("mlm,mlm")).Message);
        Assert.Contains("unknown Lex phase 'mae'", Assert.Throws<ArgumentException>(() => LexPipeline.ParsePhases("mae")).Message);
    }

}

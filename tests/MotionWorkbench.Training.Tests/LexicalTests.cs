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
        Model = fx.Tiny().Model with { Architecture = "lex", LexMotionEncoder = motion, HeadDropout = 0f, TextDropout = 0f },
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

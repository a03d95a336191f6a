using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models.Tests;

public class TorchParityTests
{
    [Fact]
    public void Bicubic_antialias_weights_match_the_facts_table_and_torch()
    {
        double[,] table =
        {
            { 0.304708, 0.383763, 0.271441, 0.087218, -0.016441, -0.025647, -0.005042, 0, 0, 0, 0, 0, 0, 0 },
            { -0.026117, 0.007178, 0.146166, 0.306053, 0.343449, 0.215715, 0.051005, -0.021262, -0.020378, -0.001809, 0, 0, 0, 0 },
            { 0, -0.000220, -0.016746, -0.025132, 0.026695, 0.183413, 0.331990, 0.331990, 0.183413, 0.026695, -0.025132, -0.016746, -0.000220, 0 },
        };
        var w = PositionEmbeddingResampler.Weights(14, 5);
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 14; k++)
            {
                Assert.Equal(table[c, k], w[c, k], 6);
                Assert.Equal(table[c, k], w[4 - c, 13 - k], 6); // c3, c4 mirror c1, c0
            }
        var f = Fixture.Load("bicubic_aa");
        foreach (var (i, o) in new[] { (14, 5), (14, 4), (14, 7), (5, 14), (14, 28), (7, 3) })
        {
            var mine = PositionEmbeddingResampler.Weights(i, o);
            var torch = f.Data($"w_{i}_{o}");
            for (int r = 0; r < o; r++)
                for (int k = 0; k < i; k++)
                    Assert.True(Math.Abs(torch[r * i + k] - mine[r, k]) < 2e-6, $"{i} -> {o}: W[{r}, {k}] torch {torch[r * i + k]} vs {mine[r, k]}");
        }
        var resized = PositionEmbeddingResampler.Resample(Tensor.FromArray(f.Data("pos_in"), f.Shape("pos_in")), 14, 14, 4, 5);
        Assert.Equal(f.Shape("pos_4x5"), resized.Shape);
        Fixture.Close(f.Data("pos_4x5"), resized.Data, 2e-6, 1e-5, "14x14 -> 4x5 position embedding");
    }

    [Fact]
    public void Vit_imported_from_a_timm_checkpoint_matches_pytorch()
    {
        var f = Fixture.Load("vit_tiny_timm");
        var config = new VitConfig(f.Int("width"), f.Int("depth"), f.Int("heads"), f.Int("mlp"), f.Int("patch"), f.Int("frames"), f.Int("parts"));
        var vit = new VisionTransformer(config, seed: 1);
        var report = VitCheckpoint.Load(vit, Fixture.PathOf("vit_tiny_timm.safetensors"));
        Assert.Equal(["fc_norm.weight", "fc_norm.bias"], report.KeptFresh);
        Assert.Equal(4, report.Dropped.Count); // head.weight, head.bias, norm.weight, norm.bias
        Assert.All(report.Dropped, d => Assert.True(d.StartsWith("head.", StringComparison.Ordinal) || d.StartsWith("norm.", StringComparison.Ordinal), d));
        Assert.Equal(1f, vit.FinalNorm.Weight.Data[0]);
        Fixture.Close(f.Data("pos_embed_resampled"), vit.PositionEmbedding.Data, 1e-6, 1e-5, "resampled pos_embed");
        vit.Eval();
        vit.KeepAttention = true;
        var x = new MotionInput(Fixture.FormulaInput(2, 3, 224, 80));
        using var _ = Autograd.NoGrad();
        var pooled = vit.Forward(x);
        Assert.Equal(f.Shape("pooled"), pooled.Shape);
        Fixture.Close(f.Data("pooled"), pooled.Data, 2e-4, 1e-4, "ViT pooled output");
        var attention = vit.AttentionMaps()[0];
        int L = 71;
        Fixture.Close(f.Data("attention_block0_b0_h1"), attention.Probabilities.AsSpan(1 * L * L, L * L), 1e-5, 1e-4, "block 0 attention, batch 0, head 1");
        var tokens = vit.ForwardTokens(x);
        Assert.Equal(f.Shape("tokens"), tokens.Shape);
        Fixture.Close(f.Data("tokens"), tokens.Data, 2e-4, 1e-4, "ViT tokens");
    }

    [Theory]
    [InlineData("distilbert_tiny", TextEncoderKind.DistilBert)]
    [InlineData("bert_tiny", TextEncoderKind.Bert)]
    public void Text_encoder_and_mlm_head_imported_from_hf_names_match_pytorch(string name, TextEncoderKind kind)
    {
        var f = Fixture.Load(name);
        var config = new TextEncoderConfig(kind, f.Int("dim"), f.Int("depth"), f.Int("heads"), f.Int("hidden"), f.Int("vocab"), f.Int("maxpos"), Dropout: 0f);
        var mlm = new MaskedLanguageModel(config, seed: 2);
        var report = TextCheckpoint.Load(mlm.Encoder, Fixture.PathOf(name + ".safetensors"), mlm.Head);
        Assert.Empty(report.KeptFresh);
        mlm.Eval();
        var ids = f.Ints("input_ids");
        var mask = f.Ints("attention_mask");
        var batch = new EncodedBatch(ids, mask, 3, 7);
        using var _ = Autograd.NoGrad();
        var h = mlm.Encoder.ForwardTokens(batch);
        // padded positions attend like HF (masked keys); compare every position
        Fixture.Close(f.Data("last_hidden_state"), h.Data, 2e-4, 1e-4, name + " last_hidden_state");
        var logits = mlm.Logits(new MaskedLanguageModelBatch(ids, mask, new int[ids.Length], 3, 7));
        Fixture.Close(f.Data("mlm_logits"), logits.Data, 3e-4, 1e-4, name + " MLM logits");
        var pooled = mlm.Encoder.Forward(batch);
        for (int b = 0; b < 3; b++) Fixture.Close(f.Data("last_hidden_state").AsSpan(b * 7 * 32, 32), pooled.Data.Slice(b * 32, 32), 2e-4, 1e-4, "CLS pooling");

        // without a head, the MLM keys are dropped and listed
        var encoderOnly = new TextEncoder(config, 3);
        var report2 = TextCheckpoint.Load(encoderOnly, Fixture.PathOf(name + ".safetensors"));
        Assert.Contains(report2.Dropped, d => d.Contains("MLM head", StringComparison.Ordinal));
    }

    [Fact]
    public void Projection_head_matches_pytorch()
    {
        var f = Fixture.Load("projection_head");
        var head = new ProjectionHead(32, 16, 0.5f, 1);
        Safetensors.Load(head, Fixture.PathOf("projection_head.safetensors"));
        head.Eval();
        var y = head.Forward(Tensor.FromArray(f.Data("x"), f.Shape("x")));
        Fixture.Close(f.Data("y"), y.Data, 1e-5, 1e-5, "projection head");
    }

    [Fact]
    public void Tiny_clip_model_loss_and_gradients_match_pytorch()
    {
        var f = Fixture.Load("clip_tiny");
        var config = new MotionTextModelConfig(
            new VitConfig(32, 1, 2, 64, 16, f.Int("frames"), 5),
            new TextEncoderConfig(TextEncoderKind.DistilBert, 32, 1, 2, 64, 50, 16, Dropout: 0f),
            EmbeddingDim: 16, HeadDropout: 0f);
        var model = MotionTextModel.Create(config, 5);
        Safetensors.Load(model, Fixture.PathOf("clip_tiny.safetensors"));
        var input = new MotionInput(Fixture.FormulaInput(3, 3, f.Int("frames"), 80));
        var batch = new EncodedBatch(f.Ints("input_ids"), f.Ints("attention_mask"), 3, 7);
        using (Autograd.NoGrad())
        {
            var motion = model.EncodeMotion(input);
            var text = model.EncodeText(batch);
            Fixture.Close(f.Data("motion"), motion.Data, 2e-5, 1e-4, "motion embeddings");
            Fixture.Close(f.Data("text"), text.Data, 2e-5, 1e-4, "text embeddings");
        }
        float loss = TestModels.Backward(model, () => model.ContrastiveLoss(model.EncodeText(batch), model.EncodeMotion(input)));
        Assert.Equal(f.Data("loss")[0], loss, 4);
        var parameters = model.StateDict();
        int checkedCount = 0;
        foreach (var key in new[] { "motion_encoder.patch_embed.proj.bias", "motion_encoder.blocks.0.attn.qkv.weight", "motion_encoder.pos_embed",
                     "motion_encoder.cls_token", "motion_encoder.fc_norm.weight", "text_encoder.embeddings.word_embeddings.weight",
                     "text_encoder.transformer.layer.0.attention.q_lin.weight", "motion_head.projection.weight", "text_head.layer_norm.bias" })
        {
            var expected = f.Data("grad." + key);
            double scale = expected.Max(v => Math.Abs(v));
            Fixture.Close(expected, parameters[key].Grad, 1e-3 * scale + 1e-6, 1e-3, "gradient of " + key);
            checkedCount++;
        }
        Assert.Equal(9, checkedCount);
    }

    [Fact]
    public void Tiny_lexical_clip_vectors_loss_and_gradients_match_pytorch()
    {
        // lex_fixtures' naive reference materialises the (B, L, V) logits; ours fuses the projection with the max
        var f = Fixture.Load("lex_tiny");
        var model = new LexicalModel(new VitConfig(32, 1, 2, 64, 16, f.Int("frames"), 5),
            new TextEncoderConfig(TextEncoderKind.DistilBert, 32, 1, 2, 64, 50, 16, Dropout: 0f), new LexicalOptions(0.05f, 0.002f), 5);
        var report = Safetensors.Load(model, Fixture.PathOf("lex_tiny.safetensors"), strict: false);
        Assert.Empty(report.Unexpected);
        Assert.All(report.Missing, k => Assert.True(k.StartsWith("decoder.", StringComparison.Ordinal) || k.StartsWith("mae.", StringComparison.Ordinal), k)); // not in the reference
        var input = new MotionInput(Fixture.FormulaInput(3, 3, f.Int("frames"), 80));
        var batch = new EncodedBatch(f.Ints("input_ids"), f.Ints("attention_mask"), 3, 7);
        using (Autograd.NoGrad())
        {
            Fixture.Close(f.Data("motion"), model.EncodeMotion(input).Data, 2e-5, 1e-4, "motion lexical vectors");
            Fixture.Close(f.Data("text"), model.EncodeText(batch).Data, 2e-5, 1e-4, "text lexical vectors");
        }
        float loss = TestModels.Backward(model, () => model.ContrastiveLoss(model.EncodeText(batch), model.EncodeMotion(input)));
        Assert.Equal(f.Data("loss")[0], loss, 4);
        var parameters = model.StateDict();
        foreach (var key in new[] { "motion_encoder.blocks.0.attn.qkv.weight", "motion_encoder.patch_embed.proj.bias", "text_encoder.embeddings.word_embeddings.weight",
                     "text_encoder.transformer.layer.0.attention.q_lin.weight", "text_lex.transform.weight", "text_lex.layer_norm.bias", "text_lex.bias",
                     "motion_lex.weight", "motion_lex.transform.weight", "motion_lex.bias" })
        {
            var expected = f.Data("grad." + key);
            double scale = expected.Max(v => Math.Abs(v));
            Fixture.Close(expected, parameters[key].Grad, 1e-3 * scale + 1e-6, 1e-3, "gradient of " + key);
        }
    }
}

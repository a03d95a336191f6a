using MotionWorkbench.Models;
using MotionWorkbench.Models.Tests;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Training;
using TorchSharp;

namespace MotionWorkbench.Torch.Tests;

/// <summary>
/// The PyTorch reference fixtures of environment/reference/models_fixtures.py (the ones the Models tests check the own
/// engine against), run through the TorchSharp modules: weights imported by the own engine's loaders, then copied.
/// </summary>
public sealed class FixtureTests
{
    private static float[] Values(torch.Tensor t) => t.ToWorkbench().ToArray();

    [TorchFact]
    public void Vit_imported_from_a_timm_checkpoint_matches_pytorch()
    {
        var f = Fixture.Load("vit_tiny_timm");
        var config = new VitConfig(f.Int("width"), f.Int("depth"), f.Int("heads"), f.Int("mlp"), f.Int("patch"), f.Int("frames"), f.Int("parts"));
        var vit = new VisionTransformer(config, seed: 1);
        VitCheckpoint.Load(vit, Fixture.PathOf("vit_tiny_timm.safetensors"));
        using var scope = torch.NewDisposeScope();
        using var model = new TorchMotionEncoderModel(vit, torch.CPU);
        model.Eval();
        var x = new TorchMotionInput(Fixture.FormulaInput(2, 3, 224, 80).ToTorch());
        using var _ = torch.no_grad();
        var pooled = model.Forward(x);
        Assert.Equal(f.Shape("pooled").Select(d => (long)d), pooled.shape);
        Fixture.Close(f.Data("pooled"), Values(pooled), 2e-4, 1e-4, "ViT pooled output");
        var tokens = model.ForwardTokens(x);
        Assert.Equal(f.Shape("tokens").Select(d => (long)d), tokens.shape);
        Fixture.Close(f.Data("tokens"), Values(tokens), 2e-4, 1e-4, "ViT tokens");
    }

    [TorchTheory]
    [InlineData("distilbert_tiny", TextEncoderKind.DistilBert)]
    [InlineData("bert_tiny", TextEncoderKind.Bert)]
    public void Text_encoder_and_mlm_head_imported_from_hf_names_match_pytorch(string name, TextEncoderKind kind)
    {
        var f = Fixture.Load(name);
        var config = new TextEncoderConfig(kind, f.Int("dim"), f.Int("depth"), f.Int("heads"), f.Int("hidden"), f.Int("vocab"), f.Int("maxpos"), Dropout: 0f);
        var mlm = new MaskedLanguageModel(config, seed: 2);
        TextCheckpoint.Load(mlm.Encoder, Fixture.PathOf(name + ".safetensors"), mlm.Head);
        using var scope = torch.NewDisposeScope();
        using var model = new TorchMaskedLanguageModel(mlm, torch.CPU);
        model.Eval();
        var ids = torch.tensor(Array.ConvertAll(f.Ints("input_ids"), v => (long)v), [3, 7]);
        var mask = torch.tensor(Array.ConvertAll(f.Ints("attention_mask"), v => (long)v), [3, 7]);
        using var _ = torch.no_grad();
        Fixture.Close(f.Data("last_hidden_state"), Values(model.Encoder.ForwardTokens(ids, mask)), 2e-4, 1e-4, name + " last_hidden_state");
        Fixture.Close(f.Data("mlm_logits"), Values(model.Logits(ids, mask)), 3e-4, 1e-4, name + " MLM logits");
        var pooled = Values(model.Encoder.Forward(ids, mask));
        for (int b = 0; b < 3; b++) Fixture.Close(f.Data("last_hidden_state").AsSpan(b * 7 * 32, 32), pooled.AsSpan(b * 32, 32), 2e-4, 1e-4, "CLS pooling");
    }

    [TorchFact]
    public void Projection_head_matches_pytorch()
    {
        var f = Fixture.Load("projection_head");
        var head = new ProjectionHead(32, 16, 0.5f, 1);
        Safetensors.Load(head, Fixture.PathOf("projection_head.safetensors"));
        using var scope = torch.NewDisposeScope();
        using var model = new TorchProjectionHeadModel(head, torch.CPU);
        model.Eval();
        var y = model.Forward(Tensor.FromArray(f.Data("x"), f.Shape("x")).ToTorch());
        Fixture.Close(f.Data("y"), Values(y), 1e-5, 1e-5, "projection head");
    }

    [TorchFact]
    public void Tiny_clip_model_loss_and_gradients_match_pytorch()
    {
        var f = Fixture.Load("clip_tiny");
        var config = new MotionTextModelConfig(
            new VitConfig(32, 1, 2, 64, 16, f.Int("frames"), 5),
            new TextEncoderConfig(TextEncoderKind.DistilBert, 32, 1, 2, 64, 50, 16, Dropout: 0f),
            EmbeddingDim: 16, HeadDropout: 0f);
        var own = MotionTextModel.Create(config, 5);
        Safetensors.Load(own, Fixture.PathOf("clip_tiny.safetensors"));
        using var scope = torch.NewDisposeScope();
        using var model = TorchModels.Create(new TransformerModel(own), torch.CPU);
        var input = new TorchMotionInput(Fixture.FormulaInput(3, 3, f.Int("frames"), 80).ToTorch());
        var ids = torch.tensor(Array.ConvertAll(f.Ints("input_ids"), v => (long)v), [3, 7]);
        var mask = torch.tensor(Array.ConvertAll(f.Ints("attention_mask"), v => (long)v), [3, 7]);
        var motion = model.EncodeMotion(input);
        var text = model.EncodeText(ids, mask);
        Fixture.Close(f.Data("motion"), Values(motion), 2e-5, 1e-4, "motion embeddings");
        Fixture.Close(f.Data("text"), Values(text), 2e-5, 1e-4, "text embeddings");
        var loss = model.ContrastiveLoss(text, motion);
        loss.backward();
        Assert.Equal(f.Data("loss")[0], loss.ToWorkbench().Item(), 4);
        CheckGradients(f, model, "motion_encoder.patch_embed.proj.bias", "motion_encoder.blocks.0.attn.qkv.weight", "motion_encoder.pos_embed",
            "motion_encoder.cls_token", "motion_encoder.fc_norm.weight", "text_encoder.embeddings.word_embeddings.weight",
            "text_encoder.transformer.layer.0.attention.q_lin.weight", "motion_head.projection.weight", "text_head.layer_norm.bias");
    }

    [TorchFact]
    public void Tiny_lexical_clip_vectors_loss_and_gradients_match_pytorch()
    {
        var f = Fixture.Load("lex_tiny");
        var own = new LexicalModel(new VitConfig(32, 1, 2, 64, 16, f.Int("frames"), 5),
            new TextEncoderConfig(TextEncoderKind.DistilBert, 32, 1, 2, 64, 50, 16, Dropout: 0f), new LexicalOptions(0.05f, 0.002f), 5);
        Safetensors.Load(own, Fixture.PathOf("lex_tiny.safetensors"), strict: false);
        using var scope = torch.NewDisposeScope();
        using var model = TorchModels.Create(new LexicalRetrievalModel(own), torch.CPU);
        var input = new TorchMotionInput(Fixture.FormulaInput(3, 3, f.Int("frames"), 80).ToTorch());
        var ids = torch.tensor(Array.ConvertAll(f.Ints("input_ids"), v => (long)v), [3, 7]);
        var mask = torch.tensor(Array.ConvertAll(f.Ints("attention_mask"), v => (long)v), [3, 7]);
        var motion = model.EncodeMotion(input);
        var text = model.EncodeText(ids, mask);
        Fixture.Close(f.Data("motion"), Values(motion), 2e-5, 1e-4, "motion lexical vectors");
        Fixture.Close(f.Data("text"), Values(text), 2e-5, 1e-4, "text lexical vectors");
        var loss = model.ContrastiveLoss(text, motion);
        loss.backward();
        Assert.Equal(f.Data("loss")[0], loss.ToWorkbench().Item(), 4);
        CheckGradients(f, model, "motion_encoder.blocks.0.attn.qkv.weight", "motion_encoder.patch_embed.proj.bias", "text_encoder.embeddings.word_embeddings.weight",
            "text_encoder.transformer.layer.0.attention.q_lin.weight", "text_lex.transform.weight", "text_lex.layer_norm.bias", "text_lex.bias",
            "motion_lex.weight", "motion_lex.transform.weight", "motion_lex.bias");
    }

    private static void CheckGradients(Fixture f, TorchModel model, params string[] keys)
    {
        foreach (var key in keys)
        {
            var expected = f.Data("grad." + key);
            double scale = expected.Max(v => Math.Abs(v));
            var grad = model.Get(key).grad ?? throw new InvalidOperationException($"{key} has no gradient");
            Fixture.Close(expected, Values(grad), 1e-3 * scale + 1e-6, 1e-3, "gradient of " + key);
        }
    }
}

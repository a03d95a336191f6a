using MotionWorkbench.Testing;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Models.Tests;

public class ImportErrorTests
{
    private static VisionTransformer FixtureVit() => new(new VitConfig(32, 2, 2, 64, 16, 224, 5), 1);

    private static Dictionary<string, Tensor> Vit() => Safetensors.Read(Fixture.PathOf("vit_tiny_timm.safetensors")).Tensors;

    [Fact]
    public void Wrong_shape_names_the_key_and_both_shapes()
    {
        var ckpt = Vit();
        ckpt["blocks.1.mlp.fc1.weight"] = Tensor.Zeros(65, 32);
        var e = Assert.Throws<InvalidDataException>(() => VitCheckpoint.Load(FixtureVit(), ckpt, "vit.safetensors"));
        Assert.Contains("vit.safetensors", e.Message);
        Assert.Contains("blocks.1.mlp.fc1.weight: the checkpoint has (65, 32), the model's blocks.1.mlp.fc1.weight expects (64, 32)", e.Message);
    }

    [Fact]
    public void Missing_and_unexpected_keys_are_all_listed()
    {
        var ckpt = Vit();
        ckpt.Remove("blocks.0.attn.qkv.bias");
        ckpt.Remove("cls_token");
        ckpt["blocks.0.ls1.gamma"] = Tensor.Zeros(32);
        var e = Assert.Throws<InvalidDataException>(() => VitCheckpoint.Load(FixtureVit(), ckpt));
        Assert.Contains("missing keys: cls_token, blocks.0.attn.qkv.bias", e.Message);
        Assert.Contains("unexpected keys: blocks.0.ls1.gamma", e.Message);
    }

    [Fact]
    public void A_failed_import_leaves_the_model_unchanged()
    {
        var vit = FixtureVit();
        var before = vit.ClassToken.ToArray();
        var ckpt = Vit();
        ckpt.Remove("blocks.1.norm2.bias");
        Assert.Throws<InvalidDataException>(() => VitCheckpoint.Load(vit, ckpt));
        Assert.Equal(before, vit.ClassToken.ToArray());
    }

    [Fact]
    public void Other_patch_size_and_non_square_grids_are_errors()
    {
        var vit8 = new VisionTransformer(new VitConfig(32, 2, 2, 64, 8, 224, 5), 1);
        var e = Assert.Throws<InvalidDataException>(() => VitCheckpoint.Load(vit8, Vit()));
        Assert.Contains("patch_embed.proj.weight: the checkpoint has (32, 3, 16, 16), the model's patch_embed.proj.weight expects (32, 3, 8, 8)", e.Message);
        var ckpt = Vit();
        ckpt["pos_embed"] = Tensor.Zeros(1, 1 + 15, 32);
        e = Assert.Throws<InvalidDataException>(() => VitCheckpoint.Load(FixtureVit(), ckpt));
        Assert.Contains("pos_embed", e.Message);
        Assert.Contains("not a square grid", e.Message);
    }

    [Fact]
    public void Class_token_pooling_loads_the_final_norm()
    {
        var vit = new VisionTransformer(new VitConfig(32, 2, 2, 64, 16, 224, 5, VitPooling.ClassToken), 1);
        var ckpt = Vit();
        var report = VitCheckpoint.Load(vit, ckpt);
        Assert.Contains("norm.weight", report.Loaded);
        Assert.Equal(ckpt["norm.weight"].ToArray(), vit.FinalNorm.Weight.ToArray());
        Assert.Equal(2, report.Dropped.Count);
    }

    [Fact]
    public void Text_checkpoint_errors_name_keys_and_unknown_keys_are_reported()
    {
        var config = new TextEncoderConfig(TextEncoderKind.Bert, 32, 2, 2, 64, 50, 16, Dropout: 0f);
        var ckpt = Safetensors.Read(Fixture.PathOf("bert_tiny.safetensors")).Tensors;
        ckpt["bert.encoder.layer.1.output.dense.weight"] = Tensor.Zeros(32, 63);
        ckpt["bert.encoder.layer.0.attention.self.rotary.weight"] = Tensor.Zeros(2);
        ckpt.Remove("bert.embeddings.token_type_embeddings.weight");
        var e = Assert.Throws<InvalidDataException>(() => TextCheckpoint.Load(new TextEncoder(config, 1), ckpt, "bert.safetensors"));
        Assert.Contains("encoder.layer.1.output.dense.weight: the checkpoint has (32, 63), the model's transformer.layer.1.ffn.lin2.weight expects (32, 64)", e.Message);
        Assert.Contains("missing keys: embeddings.token_type_embeddings.weight", e.Message);
        Assert.Contains("unexpected keys: encoder.layer.0.attention.self.rotary.weight", e.Message);
    }

    [Fact]
    public void Distilbert_checkpoint_without_prefix_or_head_loads_and_keeps_a_given_head_fresh()
    {
        var config = new TextEncoderConfig(TextEncoderKind.DistilBert, 32, 2, 2, 64, 50, 16, Dropout: 0f);
        var ckpt = Safetensors.Read(Fixture.PathOf("distilbert_tiny.safetensors")).Tensors
            .Where(kv => kv.Key.StartsWith("distilbert.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["distilbert.".Length..], kv => kv.Value);
        var mlm = new MaskedLanguageModel(config, 1);
        var report = TextCheckpoint.Load(mlm.Encoder, ckpt, "encoder-only", mlm.Head);
        Assert.Equal(5, report.KeptFresh.Count);
        Assert.Equal(ckpt["embeddings.word_embeddings.weight"].ToArray(), mlm.Encoder.Embeddings.WordEmbeddings.Weight.ToArray());
        // a BERT checkpoint into a DistilBERT encoder is a clear error
        var bert = Safetensors.Read(Fixture.PathOf("bert_tiny.safetensors")).Tensors;
        var e = Assert.Throws<InvalidDataException>(() => TextCheckpoint.Load(new TextEncoder(config, 1), bert, "bert_tiny"));
        Assert.Contains("missing keys: embeddings.word_embeddings.weight", e.Message);
        Assert.Contains("transformer.layer.0.attention.q_lin.weight", e.Message);
        Assert.Contains("unexpected keys: bert.embeddings.LayerNorm.bias", e.Message);
    }

    [Fact]
    public void Saved_model_with_a_missing_tensor_fails_naming_it()
    {
        var model = MotionTextModel.Create(TestModels.TinyModel(), 1);
        var dir = Directory.CreateTempSubdirectory("mw-models-");
        try
        {
            var path = Path.Combine(dir.FullName, "m.safetensors");
            model.Save(path);
            var (tensors, meta) = Safetensors.Read(path);
            tensors.Remove("text_head.fc.bias");
            var broken = Path.Combine(dir.FullName, "broken.safetensors");
            Safetensors.Write(broken, tensors.Select(kv => (kv.Key, kv.Value)), meta);
            var e = Assert.Throws<InvalidDataException>(() => MotionTextModel.Load(broken));
            Assert.Contains("text_head.fc.bias", e.Message);
            Assert.Contains(broken, e.Message);
            var plain = Path.Combine(dir.FullName, "plain.safetensors");
            Safetensors.Write(plain, tensors.Select(kv => (kv.Key, kv.Value)));
            e = Assert.Throws<InvalidDataException>(() => MotionTextModel.Load(plain));
            Assert.Contains("not a MotionWorkbench.MotionTextModel file", e.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Bad_configs_are_clear_errors()
    {
        Assert.Contains("patch size", Assert.Throws<ArgumentException>(() => new VisionTransformer(VitConfig.Tiny(12), 1)).Message);
        Assert.Contains("divisible", Assert.Throws<ArgumentException>(() => new TextEncoder(TextEncoderConfig.BertTiny with { Heads = 3 }, 1)).Message);
        Assert.Contains("unknown ViT preset", Assert.Throws<ArgumentException>(() => VitConfig.Preset("huge")).Message);
        var vit = new VisionTransformer(TestModels.TinyVit(), 1);
        Assert.Contains("(B, 3, 64, 80)", Assert.Throws<ArgumentException>(() => vit.Forward(new MotionInput(Tensor.Zeros(1, 3, 64, 64)))).Message);
    }

    [SharedDataFact]
    public void Hugging_face_configs_give_the_presets()
    {
        Assert.Equal(TextEncoderConfig.BertMini, TextEncoderConfig.FromHuggingFaceConfig(MotionWorkbench.Testing.SharedData.PathOf("vocab", "bert-mini-config.json")));
        Assert.Equal(TextEncoderConfig.BertTiny, TextEncoderConfig.FromHuggingFaceConfig(MotionWorkbench.Testing.SharedData.PathOf("vocab", "bert-tiny-config.json")));
    }
}

using MotionWorkbench.Tensors;

namespace MotionWorkbench.Models.Tests;

public class MotionTextModelTests
{
    [Fact]
    public void Encode_gives_unit_rows_and_the_loss_backpropagates_to_every_group()
    {
        var model = MotionTextModel.Create(TestModels.TinyModel(learnable: true, headDropout: 0.5f), seed: 3);
        TestModels.ZeroGrads(model);
        var motion = model.EncodeMotion(new MotionInput(TestModels.Random(1, 3, 3, 64, 80)));
        var text = model.EncodeText(TestModels.Batch(2, 3, 6));
        Assert.Equal([3, 16], motion.Shape);
        Assert.Equal([3, 16], text.Shape);
        for (int b = 0; b < 3; b++)
        {
            double n = 0;
            for (int e = 0; e < 16; e++) n += motion.Data[b * 16 + e] * motion.Data[b * 16 + e];
            Assert.Equal(1.0, n, 4);
        }
        var loss = model.ContrastiveLoss(text, motion);
        Assert.Equal([1], loss.Shape);
        Assert.True(loss.Item() > 0 && float.IsFinite(loss.Item()));
        loss.Backward();
        var groups = model.ParameterGroups();
        Assert.Equal(["motion", "text", "heads", "temperature"], groups.Select(g => g.Group));
        Assert.Equal(model.Parameters().Count(), groups.Sum(g => g.Parameters.Count));
        foreach (var (name, ps) in groups)
            Assert.True(ps.Any(p => p.HasGrad && p.Grad.ToArray().Any(v => v != 0)), $"group {name} received no gradient");
    }

    [Fact]
    public void Loss_matches_a_direct_computation()
    {
        int N = 4, E = 3;
        var t = TestModels.Random(7, N, E);
        var m = TestModels.Random(8, N, E);
        var model = MotionTextModel.Create(TestModels.TinyModel(), seed: 1);
        float loss = model.ContrastiveLoss(Ops.L2Normalize(t), Ops.L2Normalize(m)).Item();
        var tn = Ops.L2Normalize(t).ToArray();
        var mn = Ops.L2Normalize(m).ToArray();
        double s = 1 / 0.07, total = 0;
        var logits = new double[N, N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
            {
                double dot = 0;
                for (int e = 0; e < E; e++) dot += tn[i * E + e] * mn[j * E + e];
                logits[i, j] = s * dot;
            }
        for (int i = 0; i < N; i++)
        {
            double row = 0, col = 0;
            for (int j = 0; j < N; j++) { row += Math.Exp(logits[i, j]); col += Math.Exp(logits[j, i]); }
            total += (Math.Log(row) - logits[i, i]) + (Math.Log(col) - logits[i, i]);
        }
        Assert.Equal(total / (2 * N), loss, 4);
    }

    [Fact]
    public void Fixed_temperature_has_no_temperature_group()
    {
        var model = MotionTextModel.Create(TestModels.TinyModel(), seed: 1);
        Assert.Equal(["motion", "text", "heads"], model.ParameterGroups().Select(g => g.Group));
        Assert.Equal(1 / 0.07f, model.Scale, 3);
    }

    [Fact]
    public void Save_and_load_rebuild_the_model_from_its_file_alone()
    {
        var config = TestModels.TinyModel(learnable: true) with { Motion = TestModels.TinyVit(pooling: VitPooling.ClassToken) };
        var model = MotionTextModel.Create(config, seed: 9);
        model.Eval();
        var input = new MotionInput(TestModels.Random(1, 2, 3, 64, 80));
        var batch = TestModels.Batch(2, 2, 5);
        var m1 = model.EncodeMotion(input).ToArray();
        var t1 = model.EncodeText(batch).ToArray();
        var dir = Directory.CreateTempSubdirectory("mw-models-");
        try
        {
            var path = Path.Combine(dir.FullName, "model.safetensors");
            model.Save(path);
            var loaded = MotionTextModel.Load(path);
            loaded.Eval();
            Assert.Equal(config, loaded.Config);
            Assert.Equal(m1, loaded.EncodeMotion(input).ToArray());
            Assert.Equal(t1, loaded.EncodeText(batch).ToArray());
            Assert.Equal(config, MotionTextModel.ReadConfig(path));
            Assert.Throws<InvalidDataException>(() => InteractionModel.Load(path));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Config_json_round_trips_both_motion_encoders()
    {
        foreach (var config in new[]
        {
            MotionTextModelConfig.Reference,
            new MotionTextModelConfig(new RawSequenceConfig(66), TextEncoderConfig.BertMini with { Pooling = TextPooling.MaskedMean }, HeadDropout: 0f, LearnableTemperature: true),
        })
        {
            var json = config.ToJson();
            Assert.Equal(config, MotionTextModelConfig.FromJson(json));
        }
        Assert.Contains("\"kind\": \"vit\"", MotionTextModelConfig.Reference.ToJson());
        Assert.Contains("\"MeanPatchTokens\"", MotionTextModelConfig.Reference.ToJson());
    }

    [Fact]
    public void Same_seed_gives_the_same_model()
    {
        var a = MotionTextModel.Create(TestModels.TinyModel(), 4).NamedParameters().Select(p => p.Tensor.ToArray()).ToList();
        var b = MotionTextModel.Create(TestModels.TinyModel(), 4).NamedParameters().Select(p => p.Tensor.ToArray()).ToList();
        var c = MotionTextModel.Create(TestModels.TinyModel(), 5).NamedParameters().Select(p => p.Tensor.ToArray()).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Raw_sequence_model_respects_the_padding_mask()
    {
        var config = new MotionTextModelConfig(new RawSequenceConfig(6, Width: 16, Depth: 1, Heads: 2, MlpDim: 32, MaxFrames: 10, Dropout: 0f), TestModels.TinyText(), EmbeddingDim: 8, HeadDropout: 0f);
        var model = MotionTextModel.Create(config, 2);
        var x = TestModels.Random(3, 2, 5, 6);
        var mask = new bool[10];
        mask[3] = mask[4] = true; // item 0: frames 3, 4 padded
        var e1 = model.EncodeMotion(new MotionInput(x, mask)).ToArray();
        var x2 = x.Detach();
        for (int f = 3; f < 5; f++) for (int j = 0; j < 6; j++) x2.Data[f * 6 + j] = 100f; // change only the padded frames
        var e2 = model.EncodeMotion(new MotionInput(x2, mask)).ToArray();
        for (int i = 0; i < e1.Length; i++) Assert.Equal(e1[i], e2[i], 5);
    }

    [Fact]
    public void Interaction_model_shares_one_encoder_and_saves()
    {
        var model = InteractionModel.Create(TestModels.TinyModel(), 6);
        Assert.Equal(64, model.MotionHead.Projection.InFeatures);
        var p1 = new MotionInput(TestModels.Random(1, 2, 3, 64, 80));
        var p2 = new MotionInput(TestModels.Random(2, 2, 3, 64, 80));
        model.Eval();
        var m = model.EncodeMotion(p1, p2);
        var swapped = model.EncodeMotion(p2, p1);
        Assert.Equal([2, 16], m.Shape);
        Assert.NotEqual(m.ToArray(), swapped.ToArray());
        var t = model.EncodeText(TestModels.Batch(1, 2, 4));
        var loss = model.ContrastiveLoss(t, m);
        Assert.True(float.IsFinite(loss.Item()));
        var dir = Directory.CreateTempSubdirectory("mw-models-");
        try
        {
            var path = Path.Combine(dir.FullName, "inter.safetensors");
            model.Save(path);
            var loaded = InteractionModel.Load(path);
            loaded.Eval();
            Assert.Equal(m.ToArray(), loaded.EncodeMotion(p1, p2).ToArray());
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Attention_maps_of_every_layer_are_kept()
    {
        var model = MotionTextModel.Create(TestModels.TinyModel(), 1);
        Assert.Throws<InvalidOperationException>(() => model.MotionAttentionMaps());
        model.MotionEncoder.KeepAttention = true;
        using (Autograd.NoGrad()) model.EncodeMotion(new MotionInput(TestModels.Random(1, 2, 3, 64, 80)));
        var maps = model.MotionAttentionMaps();
        Assert.Equal(2, maps.Count);
        int L = 1 + 4 * 5;
        Assert.Equal([2, 2, L, L], maps[0].Shape);
        for (int r = 0; r < L; r++) Assert.Equal(1.0, maps[1].Probabilities.AsSpan(r * L, L).ToArray().Sum(), 4);
    }
}

public class EncoderTests
{
    [Fact]
    public void Vit_features_depend_on_the_input()
    {
        var vit = new VisionTransformer(TestModels.TinyVit(), 6);
        vit.Eval();
        using var _ = Autograd.NoGrad();
        var a = vit.Forward(new MotionInput(TestModels.Random(1, 2, 3, 64, 80))).ToArray();
        var b = vit.Forward(new MotionInput(TestModels.Random(2, 2, 3, 64, 80))).ToArray();
        Assert.NotEqual(a, b);
    }
}

public class PretrainingTests
{
    [Fact]
    public void Mlm_model_saves_and_its_encoder_moves_into_a_motion_text_model()
    {
        var text = TestModels.TinyText();
        var mlm = new MaskedLanguageModel(text, 11);
        var batch = TestModels.Batch(3, 2, 6);
        var labels = Enumerable.Repeat(MotionWorkbench.Text.MaskedLanguageModelMasker.IgnoreLabel, 12).ToArray();
        labels[2] = 5; labels[7] = 9;
        var mb = new MotionWorkbench.Text.MaskedLanguageModelBatch(batch.InputIds, batch.AttentionMask, labels, 2, 6);
        float before;
        using (Autograd.NoGrad()) before = mlm.Loss(mb).Item();
        var dir = Directory.CreateTempSubdirectory("mw-models-");
        try
        {
            var path = Path.Combine(dir.FullName, "mlm.safetensors");
            mlm.Save(path);
            var loaded = MaskedLanguageModel.Load(path);
            using (Autograd.NoGrad()) Assert.Equal(before, loaded.Loss(mb).Item());
            var model = MotionTextModel.Create(TestModels.TinyModel(), 1);
            var report = model.LoadPretrainedTextEncoder(path);
            Assert.Equal(mlm.Encoder.Parameters().Count(), report.Loaded.Count);
            Assert.Equal(mlm.Encoder.Embeddings.WordEmbeddings.Weight.ToArray(), model.TextEncoder.Embeddings.WordEmbeddings.Weight.ToArray());
            var other = MotionTextModel.Create(TestModels.TinyModel() with { Text = TestModels.TinyText(depth: 1) }, 1);
            Assert.Throws<InvalidDataException>(() => other.LoadPretrainedTextEncoder(path));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Pretrained_imports_go_through_the_composite_model()
    {
        var model = MotionTextModel.Create(new MotionTextModelConfig(new VitConfig(32, 2, 2, 64, 16, 224, 5), TestModels.TinyText(), EmbeddingDim: 16), 1);
        var report = model.LoadPretrainedMotionEncoder(Fixture.PathOf("vit_tiny_timm.safetensors"));
        Assert.Equal(2, report.KeptFresh.Count);
        var textReport = model.LoadPretrainedTextEncoder(Fixture.PathOf("distilbert_tiny.safetensors"));
        Assert.Contains(textReport.Dropped, d => d.StartsWith("vocab_transform.weight", StringComparison.Ordinal));
    }
}

public class PoolingTests
{
    [Theory]
    [InlineData(17)]
    [InlineData(23)]
    public void First_forward_of_a_new_large_shape_equals_the_second(int batch)
    {
        // pooled outputs above 2 KB: fresh (uninitialised) pool buffers must never leak into the result
        var vit = new VisionTransformer(new VitConfig(96, 1, 2, 32, 8, 16, 2), 1);
        var raw = new RawSequenceEncoder(new RawSequenceConfig(6, Width: 96, Depth: 1, Heads: 2, MlpDim: 32, MaxFrames: 4, Dropout: 0f), 1);
        vit.Eval();
        raw.Eval();
        var x = TestModels.Random(1, batch, 3, 16, 16);
        var s = TestModels.Random(2, batch, 3, 6);
        var mask = new bool[batch * 3];
        mask[2] = true;
        using var _ = Autograd.NoGrad();
        var a = vit.Forward(new MotionInput(x)).ToArray();
        var b = vit.Forward(new MotionInput(x)).ToArray();
        Assert.Equal(a, b);
        var c = raw.Forward(new MotionInput(s, mask)).ToArray();
        var d = raw.Forward(new MotionInput(s, mask)).ToArray();
        Assert.Equal(c, d);
    }
}

public class PresetTests
{
    [Fact]
    public void Vit_tiny_has_timms_parameter_count_without_head_on_the_motion_grid()
    {
        // timm vit_tiny_patch16_224: 5,717,416 parameters with a 1000-class head and 197 positions;
        // minus the head (192·1000 + 1000) and the 126 positions the 14 x 5 grid does not have (126·192)
        var vit = new VisionTransformer(VitConfig.Tiny(), 1);
        Assert.Equal(5_717_416 - 193_000 - 126 * 192, vit.ParameterCount());
        Assert.Equal(70, VitConfig.Tiny().PatchCount);
        Assert.Equal(28 * 5, VitConfig.Tiny(8).PatchCount);  // 224/8 time rows x 5 parts (width 5·8)
        Assert.Equal(7, VitConfig.Tiny(32).GridRows);
        Assert.Equal(5, VitConfig.Tiny(32).GridColumns);
        Assert.Equal((768, 12, 12, 3072), (VitConfig.Base().Width, VitConfig.Base().Depth, VitConfig.Base().Heads, VitConfig.Base().MlpDim));
        Assert.Equal((1024, 24, 16, 4096), (VitConfig.Large().Width, VitConfig.Large().Depth, VitConfig.Large().Heads, VitConfig.Large().MlpDim));
        Assert.Equal((384, 12, 6, 1536), (VitConfig.Small().Width, VitConfig.Small().Depth, VitConfig.Small().Heads, VitConfig.Small().MlpDim));
    }

    [Fact]
    public void Bert_tiny_has_hfs_parameter_count_without_pooler()
    {
        // HF google/bert_uncased_L-2_H-128_A-2 BertModel: 4,385,920 parameters including the pooler (128·128 + 128)
        Assert.Equal(4_385_920 - 16_512, new TextEncoder(TextEncoderConfig.BertTiny, 1).ParameterCount());
        Assert.Equal((TextEncoderKind.DistilBert, 768, 6, 12, 3072), (TextEncoderConfig.DistilBertBase.Kind, TextEncoderConfig.DistilBertBase.Width,
            TextEncoderConfig.DistilBertBase.Depth, TextEncoderConfig.DistilBertBase.Heads, TextEncoderConfig.DistilBertBase.MlpDim));
        Assert.Equal(TextEncoderConfig.BertMini, TextEncoderConfig.Preset("bert-mini"));
    }
}

public class TextPaddingTests
{
    [Theory]
    [InlineData(TextEncoderKind.DistilBert, TextPooling.Cls)]
    [InlineData(TextEncoderKind.Bert, TextPooling.MaskedMean)]
    public void A_padded_row_encodes_as_it_does_alone(TextEncoderKind kind, TextPooling pooling)
    {
        var encoder = new TextEncoder(TestModels.TinyText(kind, pooling: pooling), 4);
        encoder.Eval();
        var batch = TestModels.Batch(5, 3, 7); // row 2 has 5 real tokens and 2 pads
        int len = batch.RowLength(2);
        Assert.Equal(5, len);
        var alone = new MotionWorkbench.Text.EncodedBatch(batch.Row(2)[..len].ToArray(), Enumerable.Repeat(1, len).ToArray(), 1, len);
        using var _ = Autograd.NoGrad();
        var all = encoder.Forward(batch).ToArray();
        var one = encoder.Forward(alone).ToArray();
        for (int c = 0; c < 32; c++) Assert.Equal(one[c], all[2 * 32 + c], 4);
    }
}

using MotionWorkbench.Models.Tests.Support;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models.Tests;

public class GradCheckTests
{
    private static void Perturb(MotionWorkbench.Tensors.Nn.Module module, int seed)
    {
        // move LayerNorm weights and zero biases away from their trivial init so every path carries gradient
        var rng = new Random(seed);
        foreach (var p in module.Parameters())
        {
            var d = p.Data;
            for (int i = 0; i < d.Length; i++) d[i] += (float)(rng.NextDouble() - 0.5) * 0.2f;
        }
    }

    [Theory]
    [InlineData(VitPooling.MeanPatchTokens)]
    [InlineData(VitPooling.ClassToken)]
    public void One_layer_vit_gradients_match_finite_differences(VitPooling pooling)
    {
        var config = new VitConfig(Width: 8, Depth: 1, Heads: 2, MlpDim: 16, PatchSize: 8, Frames: 16, Parts: 2, Pooling: pooling);
        var vit = new VisionTransformer(config, 3);
        Perturb(vit, 4);
        var x = TestModels.Random(5, 2, 3, 16, 16);
        var inputs = vit.NamedParameters().ToList();
        inputs.Add(("input", x));
        GradCheck.Run(() => vit.Forward(new MotionInput(x)), inputs);
    }

    [Theory]
    [InlineData(TextEncoderKind.DistilBert, TextPooling.Cls)]
    [InlineData(TextEncoderKind.Bert, TextPooling.MaskedMean)]
    public void One_layer_text_encoder_gradients_match_finite_differences(TextEncoderKind kind, TextPooling pooling)
    {
        var config = new TextEncoderConfig(kind, Width: 8, Depth: 1, Heads: 2, MlpDim: 16, VocabSize: 12, MaxPositions: 6, Dropout: 0f, Pooling: pooling);
        var encoder = new TextEncoder(config, 3);
        Perturb(encoder, 6);
        var batch = TestModels.Batch(7, 2, 5, vocab: 12);
        GradCheck.Run(() => encoder.Forward(batch), encoder.NamedParameters().ToList());
    }

    [Fact]
    public void Raw_sequence_encoder_gradients_match_finite_differences()
    {
        var encoder = new RawSequenceEncoder(new RawSequenceConfig(6, Width: 8, Depth: 1, Heads: 2, MlpDim: 16, MaxFrames: 8, Dropout: 0f), 2);
        Perturb(encoder, 3);
        var x = TestModels.Random(4, 2, 4, 6);
        var mask = new bool[8];
        mask[6] = mask[7] = true;
        var inputs = encoder.NamedParameters().ToList();
        inputs.Add(("input", x));
        GradCheck.Run(() => encoder.Forward(new MotionInput(x, mask)), inputs);
    }

    [Fact]
    public void Mlm_loss_gradients_match_finite_differences()
    {
        var config = new TextEncoderConfig(TextEncoderKind.DistilBert, Width: 8, Depth: 1, Heads: 2, MlpDim: 16, VocabSize: 12, MaxPositions: 6, Dropout: 0f);
        var mlm = new MaskedLanguageModel(config, 3);
        Perturb(mlm, 8);
        var batch = TestModels.Batch(9, 2, 5, vocab: 12);
        var labels = Enumerable.Repeat(MaskedLanguageModelMasker.IgnoreLabel, 10).ToArray();
        labels[1] = 4; labels[3] = 7; labels[6] = 11;
        var mb = new MaskedLanguageModelBatch(batch.InputIds, batch.AttentionMask, labels, 2, 5);
        var names = mlm.NamedParameters().ToList();
        Assert.DoesNotContain(names, n => n.Name.Contains("decoder", StringComparison.Ordinal)); // tied, not a parameter
        GradCheck.Run(() => mlm.Loss(mb), names);
    }
}

using MotionWorkbench.Models;
using MotionWorkbench.Pretrained.Tests.Support;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;
using MotionWorkbench.Torch;
using MotionWorkbench.Training;
using Xunit.Abstractions;

namespace MotionWorkbench.Pretrained.Tests;

/// <summary>
/// The ONNX Runtime oracle on the path a run takes: <c>model.textKind = minilm-l6 | arctic-xs</c> in a configuration ->
/// <see cref="RunConfig.Validate"/> -> <see cref="ModelFactory.Create"/> (each architecture with a text tower) ->
/// <see cref="TextTowerInit"/> from the store -> the model's text encoder, on the own engine and on its TorchSharp twin
/// (<see cref="TorchModels.Create(ModelSpec, IRetrievalModel, TorchSharp.torch.Device)"/>): last hidden states within 1e-4
/// and L2-normalised pooled embeddings within 1e-5 of ORT on the original graph, the pooling the configuration chose.
/// </summary>
[Collection(ConvertedStoreCollection.Name)]
public class ConfiguredTextTowerOracleTests(ConvertedStore store, ITestOutputHelper output)
{
    [Theory]
    [InlineData("minilm-l6", "vit")]
    [InlineData("minilm-l6", "raw")]
    [InlineData("minilm-l6", "interaction")]
    [InlineData("minilm-l6", "lex")]
    [InlineData("minilm-l6", "caption")]
    [InlineData("arctic-xs", "vit")]
    public void ConfiguredTower_OnBothEngines_MatchesOnnxRuntime(string kind, string architecture)
    {
        string[] settings = architecture == "lex" // lex-only settings on other runs are refused
            ? [$"model.textKind={kind}", $"model.architecture={architecture}", "model.lexVocabulary=captions"]
            : [$"model.textKind={kind}", $"model.architecture={architecture}"];
        var config = RunConfig.Laptop.WithOverrides(settings).Validate();
        var init = TextTowerInit.Resolve(config, store.Store)!;
        Assert.Equal(kind, init.Weights.Source!.Name);
        var tokenizer = BertTokenizer.FromVocabularyFile(init.VocabularyPath!, config.Model.TextMaxPositions);
        var model = ModelFactory.Create(config.Model, tokenizer.Vocabulary.Count, 7, jointCount: 22, activeWords: architecture == "lex" ? [1000, 2000, 2003] : null);
        Assert.Contains("tensors loaded", init.Apply(model));
        model.Module.Eval();
        var encoder = ModelTowers.Text(model)!;
        bool mean = kind == "minilm-l6";
        Assert.Equal(mean ? TextPooling.MaskedMean : TextPooling.Cls, encoder.Config.Pooling);

        var batch = tokenizer.EncodeBatch(OnnxRuntimeOracleTests.Captions);
        int B = batch.BatchSize, L = batch.Length, C = encoder.FeatureDim;
        var ort = OnnxRuntimeOracleTests.RunOnnxRuntime(store.Store.ReadModelBytes(init.Weights.Source!), batch);
        var ortEmbedding = Normalize(Pool(ort, batch.AttentionMask, B, L, C, mean), B, C);

        float[] ownHidden, ownPooled;
        using (Autograd.NoGrad())
        {
            var h = encoder.ForwardTokens(batch);
            ownHidden = h.Data.ToArray();
            ownPooled = encoder.Pool(h, batch.AttentionMask).Data.ToArray();
        }
        Check($"{kind}/{architecture} own engine", ownHidden, ownPooled, ort, ortEmbedding, B, C);

        if (!TorchRuntime.IsAvailable)
        {
            output.WriteLine($"the torch twin is not checked here: {TorchRuntime.UnavailableReason}");
            return;
        }
        var twin = TorchModels.Create(config.Model, model, TorchRuntime.Resolve("cpu"));
        using var scope = TorchSharp.torch.NewDisposeScope();
        using (TorchSharp.torch.no_grad())
        {
            var (ids, mask) = TorchInterop.ToTorch(batch, twin.Device);
            var h = twin.TextEncoder.ForwardTokens(ids, mask);
            var pooled = twin.TextEncoder.Pool(h, mask);
            Check($"{kind}/{architecture} torch twin", h.data<float>().ToArray(), pooled.data<float>().ToArray(), ort, ortEmbedding, B, C);
        }
    }

    private void Check(string what, float[] hidden, float[] pooled, float[] ortHidden, double[] ortEmbedding, int B, int C)
    {
        Assert.Equal(ortHidden.Length, hidden.Length);
        double maxHidden = 0;
        for (int i = 0; i < hidden.Length; i++) maxHidden = Math.Max(maxHidden, double.IsNaN(hidden[i]) ? double.PositiveInfinity : Math.Abs(hidden[i] - ortHidden[i]));
        var embedding = Normalize(pooled.Select(v => (double)v).ToArray(), B, C);
        double maxEmbedding = 0;
        for (int i = 0; i < embedding.Length; i++) maxEmbedding = Math.Max(maxEmbedding, double.IsNaN(embedding[i]) ? double.PositiveInfinity : Math.Abs(embedding[i] - ortEmbedding[i]));
        output.WriteLine($"{what}: max |hidden - ORT| = {maxHidden:E2}, max |embedding - ORT| = {maxEmbedding:E2}");
        Assert.True(maxHidden <= 1e-4, $"{what}: last hidden states differ from ONNX Runtime by {maxHidden:E3}");
        Assert.True(maxEmbedding <= 1e-5, $"{what}: normalised embeddings differ from ONNX Runtime by {maxEmbedding:E3}");
    }

    /// <summary>Attention-mask mean or the [CLS] row of ORT's hidden states (B, L, C), in double.</summary>
    private static double[] Pool(float[] h, int[] mask, int B, int L, int C, bool mean)
    {
        var pooled = new double[B * C];
        for (int b = 0; b < B; b++)
        {
            int n = 0;
            for (int t = 0; t < (mean ? L : 1); t++)
            {
                if (mask[b * L + t] == 0) continue;
                n++;
                for (int c = 0; c < C; c++) pooled[b * C + c] += h[(b * L + t) * C + c];
            }
            for (int c = 0; c < C; c++) pooled[b * C + c] /= n;
        }
        return pooled;
    }

    private static double[] Normalize(double[] x, int B, int C)
    {
        var y = new double[x.Length];
        for (int b = 0; b < B; b++)
        {
            double norm = 0;
            for (int c = 0; c < C; c++) norm += x[b * C + c] * x[b * C + c];
            norm = Math.Sqrt(norm);
            for (int c = 0; c < C; c++) y[b * C + c] = x[b * C + c] / norm;
        }
        return y;
    }
}

using Microsoft.ML.OnnxRuntime;
using MotionWorkbench.Models;
using MotionWorkbench.Pretrained.Tests.Support;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;
using Xunit.Abstractions;

namespace MotionWorkbench.Pretrained.Tests;

/// <summary>
/// The independent oracle: ONNX Runtime runs the packages' original graphs (no graph optimisation) on fixed captions
/// tokenised by the workbench's WordPiece tokenizer with the package vocabulary; the own engine's <see cref="TextEncoder"/>
/// loaded with the converted weights must give the same last hidden states (every position, padding included) within
/// 1e-4 and the same L2-normalised sentence embeddings within 1e-5 (MiniLM: attention-mask mean; Arctic-xs: [CLS]),
/// the pooling of the ORT side computed here in double.
/// </summary>
[Collection(ConvertedStoreCollection.Name)]
public class OnnxRuntimeOracleTests(ConvertedStore store, ITestOutputHelper output)
{
    internal static readonly string[] Captions =
    [
        "A person walks forward, then turns left and waves with the right hand.",
        "someone jumps twice",
        "The man is doing a cartwheel!",
        "a figure stumbles backwards; regains balance after 3 steps",
        "Person kicks with the LEFT leg, slowly.",
        "a dancer spins in a circle while raising both arms over the head and then crouches down low",
    ];

    [Theory]
    [InlineData("minilm-l6", true)]
    [InlineData("arctic-xs", false)]
    public void OwnTextEncoder_MatchesOnnxRuntime_OnFixedCaptions(string name, bool meanPooling)
    {
        var weights = store.Resolve(name);
        var tokenizer = BertTokenizer.FromVocabularyFile(weights.VocabularyPath!, 512);
        var batch = tokenizer.EncodeBatch(Captions);
        int B = batch.BatchSize, L = batch.Length;
        Assert.Contains(0, batch.AttentionMask); // the batch has padding, so the mask is exercised

        var encoder = PretrainedStore.LoadTextEncoder(weights.WeightsPath);
        Assert.Equal(meanPooling ? TextPooling.MaskedMean : TextPooling.Cls, encoder.Config.Pooling);
        encoder.Eval();
        float[] ownHidden, ownPooled;
        using (Autograd.NoGrad())
        {
            var h = encoder.ForwardTokens(batch);
            ownHidden = h.Data.ToArray();
            ownPooled = encoder.Pool(h, batch.AttentionMask).Data.ToArray();
        }

        var ortHidden = RunOnnxRuntime(store.Store.ReadModelBytes(weights.Source), batch);
        int C = encoder.FeatureDim;
        Assert.Equal(B * L * C, ortHidden.Length);
        double maxHidden = MaxAbsDiff(ownHidden, ortHidden, out int at);
        double maxReal = 0;
        for (int i = 0; i < ownHidden.Length; i++)
            if (batch.AttentionMask[i / C] != 0) maxReal = Math.Max(maxReal, Math.Abs(ownHidden[i] - ortHidden[i]));
        output.WriteLine($"{name}: ({B}, {L}, {C}) hidden states, max |own - ORT| = {maxHidden:E2} at (b {at / (L * C)}, token {at / C % L}, channel {at % C}); over real tokens {maxReal:E2}");
        Assert.True(maxHidden <= 1e-4, $"{name}: last hidden states differ from ONNX Runtime by {maxHidden:E3} at (b {at / (L * C)}, token {at / C % L}, channel {at % C})");

        var ortEmbedding = Normalize(Pool(ortHidden, batch.AttentionMask, B, L, C, meanPooling), B, C);
        var ownEmbedding = Normalize(ownPooled.Select(v => (double)v).ToArray(), B, C);
        double maxEmbedding = MaxAbsDiff(ownEmbedding, ortEmbedding, out at);
        output.WriteLine($"{name}: L2-normalised sentence embeddings, max |own - ORT| = {maxEmbedding:E2}");
        Assert.True(maxEmbedding <= 1e-5, $"{name}: sentence embeddings differ from ONNX Runtime by {maxEmbedding:E3} at (b {at / C}, channel {at % C})");

        // the oracle is not trivially satisfied: different captions give clearly different embeddings
        double cosine = 0;
        for (int c = 0; c < C; c++) cosine += ortEmbedding[c] * ortEmbedding[C + c];
        Assert.InRange(cosine, -0.99, 0.95);
    }

    /// <summary>ONNX Runtime on the original graph, every optimisation off: last_hidden_state (B, L, C).</summary>
    internal static float[] RunOnnxRuntime(byte[] model, EncodedBatch batch)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        long[] shape = [batch.BatchSize, batch.Length];
        using var ids = OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(batch.InputIds, v => (long)v), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(batch.AttentionMask, v => (long)v), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[batch.InputIds.Length], shape);
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = ids, ["attention_mask"] = mask, ["token_type_ids"] = types };
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, ["last_hidden_state"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Attention-mask mean (sentence-transformers) or the [CLS] row, in double.</summary>
    private static double[] Pool(float[] h, int[] mask, int B, int L, int C, bool mean)
    {
        var pooled = new double[B * C];
        for (int b = 0; b < B; b++)
        {
            if (!mean) { for (int c = 0; c < C; c++) pooled[b * C + c] = h[b * L * C + c]; continue; }
            int n = 0;
            for (int t = 0; t < L; t++)
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
            double norm = Math.Sqrt(x.AsSpan(b * C, C).ToArray().Sum(v => v * v));
            for (int c = 0; c < C; c++) y[b * C + c] = x[b * C + c] / norm;
        }
        return y;
    }

    private static double MaxAbsDiff(float[] a, float[] b, out int at) => MaxAbsDiff(a.Select(v => (double)v).ToArray(), b.Select(v => (double)v).ToArray(), out at);

    private static double MaxAbsDiff(double[] a, double[] b, out int at)
    {
        double max = -1;
        at = -1;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]);
            if (double.IsNaN(d)) { at = i; return double.PositiveInfinity; }
            if (d > max) { max = d; at = i; }
        }
        return max;
    }
}

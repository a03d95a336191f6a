using System.Security.Cryptography;
using System.Text;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Pretrained;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Training;

/// <summary>
/// TMR's "threshold" protocol on a run's split (<see cref="RetrievalProtocols.EvaluateTmrThreshold"/>): which captions
/// count as the same is decided by sentence embeddings. TMR uses sentence-transformers/all-mpnet-base-v2, which cannot be
/// had here; MiniLM-L6 (sentence-transformers/all-MiniLM-L6-v2, from the weights store, attention-mask mean,
/// L2-normalised) stands in for it, and every result says so (<see cref="EncoderLabel"/>). The captions' embeddings are
/// kept in <c>runDir/cache/sentences-minilm-l6-KEY.safetensors</c> (KEY = hash of the captions and the weights' SHA-256).
/// </summary>
public static class ThresholdProtocol
{
    /// <summary>The store entry whose sentence embeddings decide the similar captions.</summary>
    public const string EncoderName = "minilm-l6";

    /// <summary>How every printed or saved result names the stand-in.</summary>
    public const string EncoderLabel = "minilm-l6 (all-MiniLM-L6-v2) sentence embeddings standing in for TMR's all-mpnet-base-v2";

    /// <summary>The protocol on a split's embeddings; <paramref name="runDir"/> (when given) holds the captions' embedding cache.</summary>
    public static RetrievalResult Evaluate(SplitEmbeddings embeddings, string? runDir, PretrainedStore? store = null, IProgress<(int Done, int Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        var sentences = SentenceEmbeddings(embeddings.Captions, runDir, store, progress);
        return RetrievalProtocols.EvaluateTmrThreshold(embeddings.Similarity(), sentences, EncoderLabel);
    }

    /// <summary>MiniLM-L6's L2-normalised sentence embedding of every caption, from the run's cache when it holds them.</summary>
    public static float[][] SentenceEmbeddings(IReadOnlyList<string> captions, string? runDir, PretrainedStore? store = null, IProgress<(int Done, int Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(captions);
        var source = PretrainedCatalog.Find(EncoderName);
        string? path = runDir is null ? null : Path.Combine(runDir, "cache", $"sentences-{EncoderName}-{Key(captions, source.Sha256)}.safetensors");
        if (path is not null && File.Exists(path))
        {
            try
            {
                var (tensors, _) = Safetensors.Read(path);
                var t = tensors["embeddings"];
                if (t.Rank == 2 && t.Shape[0] == captions.Count) return Rows(t);
            }
            catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or IOException)
            {
                // a damaged cache file is recomputed and replaced
            }
        }
        var rows = SentenceEncoder.FromStore(EncoderName, store).Embed(captions, progress);
        if (path is not null && rows.Length > 0)
        {
            int C = rows[0].Length;
            var t = Tensor.Zeros(rows.Length, C);
            for (int i = 0; i < rows.Length; i++) rows[i].CopyTo(t.Data.Slice(i * C, C));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Safetensors.Write(path, [("embeddings", t)], new Dictionary<string, string> { ["encoder"] = EncoderLabel, ["sha256"] = source.Sha256 });
        }
        return rows;
    }

    private static string Key(IReadOnlyList<string> captions, string sha)
    {
        var text = new StringBuilder(sha).Append('\n');
        foreach (var c in captions) text.Append(c).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static float[][] Rows(Tensor t)
    {
        int n = t.Shape[0], d = t.Shape[1];
        var rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = t.Data.Slice(i * d, d).ToArray();
        return rows;
    }
}

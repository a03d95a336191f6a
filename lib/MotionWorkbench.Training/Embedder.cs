using System.Text.Json;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Training;

/// <summary>The embeddings of an evaluation split: row i is sample i's first caption (text) and its motion.</summary>
public sealed record SplitEmbeddings(string Split, IReadOnlyList<string> Ids, IReadOnlyList<string> Captions, float[][] Texts, float[][] Motions, bool FromCache)
{
    public int Count => Ids.Count;

    /// <summary>S = text · motionᵀ (rows text, columns motion); the embeddings are already L2-normalised. On the engine's threads (<see cref="Par.Threads"/>).</summary>
    public SimilarityMatrix Similarity() => MotionWorkbench.Evaluation.Similarity.Compute(Texts, Motions, threads: Par.Threads);

    /// <summary>The named retrieval protocols (default: all four) on these embeddings, on the engine's threads.</summary>
    public List<RetrievalResult> Evaluate(IEnumerable<string>? protocols = null, int smallBatchSeed = 0) =>
        RetrievalProtocols.Evaluate(Similarity(), Captions, Ids, protocols, smallBatchSeed, Par.Threads);
}

/// <summary>
/// Embeds splits batched, in eval mode with no autograd tape. <see cref="EmbedCached"/> keeps the result in
/// <c>runDir/cache/embed-SPLIT-KEY.safetensors</c>, KEY = hash(checkpoint file SHA-256, data fingerprint), so
/// evaluating the same checkpoint on the same data again reads the file instead of running the model.
/// </summary>
public static class Embedder
{
    public static SplitEmbeddings Embed(IRetrievalModel model, RunData data, string split, int batchSize, IProgress<(int Done, int Total)>? progress = null)
    {
        var samples = data.EvalSamples(split);
        var texts = new float[samples.Count][];
        var motions = new float[samples.Count][];
        bool wasTraining = model.Module.Training;
        model.Module.Eval();
        try
        {
            using (Autograd.NoGrad())
            {
                for (int start = 0; start < samples.Count; start += batchSize)
                {
                    int n = Math.Min(batchSize, samples.Count - start);
                    var batch = data.EvalBatch(samples, start, n);
                    using var scope = TensorScope.Begin();
                    var t = model.EncodeText(batch.Text);      // (n, D)
                    var m = model.EncodeMotion(batch.Motion);  // (n, D)
                    int D = t.Shape[1];
                    for (int i = 0; i < n; i++)
                    {
                        texts[start + i] = t.Data.Slice(i * D, D).ToArray();
                        motions[start + i] = m.Data.Slice(i * D, D).ToArray();
                    }
                    progress?.Report((start + n, samples.Count));
                }
            }
        }
        finally
        {
            model.Module.Train(wasTraining);
        }
        return new SplitEmbeddings(split, samples.Select(s => s.Id).ToArray(), samples.Select(s => s.Captions[0]).ToArray(), texts, motions, FromCache: false);
    }

    /// <summary>The cache file for a checkpoint and a split of the data.</summary>
    public static string CachePath(string runDir, string checkpointPath, RunData data, string split)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Checkpoint.Hash(checkpointPath) + "|" + data.Fingerprint(split))))[..24].ToLowerInvariant();
        return Path.Combine(runDir, "cache", $"embed-{split}-{key}.safetensors");
    }

    /// <summary>
    /// Embeddings from the cache when present; otherwise <paramref name="loadModel"/> is called (only then), the split
    /// is embedded and the cache written atomically.
    /// </summary>
    public static SplitEmbeddings EmbedCached(string runDir, string checkpointPath, RunData data, string split, Func<IRetrievalModel> loadModel,
        int batchSize, IProgress<(int Done, int Total)>? progress = null)
    {
        var path = CachePath(runDir, checkpointPath, data, split);
        var samples = data.EvalSamples(split);
        if (File.Exists(path))
        {
            try
            {
                var (tensors, meta) = Safetensors.Read(path);
                var ids = JsonSerializer.Deserialize<string[]>(meta["ids"])!;
                if (ids.SequenceEqual(samples.Select(s => s.Id)))
                    return new SplitEmbeddings(split, ids, samples.Select(s => s.Captions[0]).ToArray(), Rows(tensors["text"]), Rows(tensors["motion"]), FromCache: true);
            }
            catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or JsonException or IOException)
            {
                // A damaged cache file is recomputed and replaced.
            }
        }
        var result = Embed(loadModel(), data, split, batchSize, progress);
        int D = result.Texts.Length == 0 ? 0 : result.Texts[0].Length;
        var text = Tensor.Zeros(result.Count, D);
        var motion = Tensor.Zeros(result.Count, D);
        for (int i = 0; i < result.Count; i++)
        {
            result.Texts[i].CopyTo(text.Data.Slice(i * D, D));
            result.Motions[i].CopyTo(motion.Data.Slice(i * D, D));
        }
        Safetensors.Write(path, [("text", text), ("motion", motion)], new Dictionary<string, string>
        {
            ["ids"] = JsonSerializer.Serialize(result.Ids),
            ["checkpoint"] = Path.GetFileName(checkpointPath),
        });
        return result;
    }

    private static float[][] Rows(Tensor t)
    {
        int n = t.Shape[0], d = t.Shape[1];
        var rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = t.Data.Slice(i * d, d).ToArray();
        return rows;
    }
}

using System.Diagnostics;

namespace MotionWorkbench.Evaluation;

/// <summary>
/// The evaluation benchmark (wired into <c>mw bench</c> by the CLI): synthetic L2-normalised embeddings where
/// motion i is text i plus noise, captions with duplicates (every third item shares its caption with the next),
/// then the similarity matrix and all four protocols, each timed. The target is ranking 4,384 x 4,384 (HumanML3D's
/// test split) for all protocols in under 2 s, excluding encoding.
/// </summary>
public static class RetrievalBenchmark
{
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static RetrievalBenchmarkResult Run(int n = 4384, int dim = 256, int seed = 0, int threads = 0)
    {
        if (n < 32) throw new ArgumentOutOfRangeException(nameof(n), n, "the batch protocols need at least 32 items");
        var random = new Random(seed);
        var texts = new float[n][];
        var motions = new float[n][];
        for (int i = 0; i < n; i++)
        {
            texts[i] = new float[dim];
            motions[i] = new float[dim];
            for (int d = 0; d < dim; d++)
            {
                float t = Gaussian(random);
                texts[i][d] = t;
                motions[i][d] = t + 6f * Gaussian(random);
            }
        }
        var captions = Enumerable.Range(0, n).Select(i => $"caption {(i % 3 == 0 ? i + 1 : i)}").ToList();
        var keyIds = Enumerable.Range(0, n).Select(i => (i % 2 == 0 ? "" : "M") + (i / 2).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var clock = Stopwatch.StartNew();
        var s = Similarity.Compute(texts, motions, threads: threads);
        double similarity = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var transposed = s.Transpose(threads);
        double transpose = clock.Elapsed.TotalSeconds;

        var seconds = new Dictionary<string, double>();
        var results = new List<RetrievalResult>();
        foreach (var name in RetrievalProtocols.Names)
        {
            clock.Restart();
            results.Add(name switch
            {
                RetrievalProtocols.All => RetrievalProtocols.EvaluateAll(s, captions, transposed, threads),
                RetrievalProtocols.SmallBatches => RetrievalProtocols.EvaluateSmallBatches(s, captions, threads: threads),
                RetrievalProtocols.TmrNormal => RetrievalProtocols.EvaluateTmrNormal(s, transposed, threads),
                _ => RetrievalProtocols.EvaluateTmrGuo(s, keyIds, threads: threads),
            });
            seconds[name] = clock.Elapsed.TotalSeconds;
        }
        return new RetrievalBenchmarkResult(n, dim, similarity, transpose, seconds, results);
    }

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}

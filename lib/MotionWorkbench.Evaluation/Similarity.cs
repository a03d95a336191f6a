using System.Numerics.Tensors;

namespace MotionWorkbench.Evaluation;

/// <summary>
/// Cosine similarities between text and motion embeddings: S[i, j] = t̂_i · m̂_j with t̂ and m̂ L2-normalised here
/// (pass <c>normalize: false</c> when the caller has already normalised them). Rows are computed in parallel, in
/// tiles of 64 texts x 64 motions so that both tiles stay in cache, each entry one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
/// </summary>
public static class Similarity
{
    private const int Tile = 64;

    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static SimilarityMatrix Compute(IReadOnlyList<float[]> texts, IReadOnlyList<float[]> motions, bool normalize = true, int threads = 0)
    {
        var (t, nt, dt) = Flatten(texts, "text", normalize);
        var (m, nm, dm) = Flatten(motions, "motion", normalize);
        if (dt != dm) throw new ArgumentException($"text embeddings have {dt} dimensions, motion embeddings {dm}");
        return Compute(t, nt, m, nm, dt, threads);
    }

    /// <summary>Row-major (Nt, D) texts against (Nm, D) motions, used as given (no normalisation).</summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static SimilarityMatrix Compute(float[] texts, int textCount, float[] motions, int motionCount, int dim, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(motions);
        if (texts.Length != (long)textCount * dim) throw new ArgumentException($"texts hold {texts.Length} values, {textCount} x {dim} needs {(long)textCount * dim}", nameof(texts));
        if (motions.Length != (long)motionCount * dim) throw new ArgumentException($"motions hold {motions.Length} values, {motionCount} x {dim} needs {(long)motionCount * dim}", nameof(motions));
        var s = new float[textCount * motionCount];
        int D = dim;
        Parallel.For(0, (textCount + Tile - 1) / Tile, EvaluationParallelism.Options(threads), tb =>
        {
            int t0 = tb * Tile, t1 = Math.Min(textCount, t0 + Tile);
            for (int m0 = 0; m0 < motionCount; m0 += Tile)
            {
                int m1 = Math.Min(motionCount, m0 + Tile);
                for (int i = t0; i < t1; i++)
                {
                    var ti = texts.AsSpan(i * D, D);
                    var row = s.AsSpan(i * motionCount, motionCount);
                    for (int j = m0; j < m1; j++) row[j] = TensorPrimitives.Dot(ti, motions.AsSpan(j * D, D));
                }
            }
        });
        return new SimilarityMatrix(s, textCount, motionCount);
    }

    /// <summary>L2-normalised copies of the rows; a zero or non-finite row is an error naming its index.</summary>
    public static float[][] L2Normalize(IReadOnlyList<float[]> rows, string what = "embedding")
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new float[rows.Count][];
        for (int i = 0; i < rows.Count; i++)
        {
            var norm = TensorPrimitives.Norm(rows[i]);
            if (!(norm > 0) || !float.IsFinite(norm))
                throw new ArgumentException($"{what} {i} has norm {norm} and cannot be L2-normalised");
            result[i] = new float[rows[i].Length];
            TensorPrimitives.Divide(rows[i], norm, result[i]);
        }
        return result;
    }

    private static (float[] Data, int Count, int Dim) Flatten(IReadOnlyList<float[]> rows, string what, bool normalize)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException($"no {what} embeddings were given");
        var source = normalize ? L2Normalize(rows, what + " embedding") : rows;
        int dim = source[0].Length;
        var data = new float[source.Count * dim];
        for (int i = 0; i < source.Count; i++)
        {
            if (source[i].Length != dim) throw new ArgumentException($"{what} embedding {i} has {source[i].Length} dimensions, embedding 0 has {dim}");
            source[i].CopyTo(data, i * dim);
        }
        return (data, source.Count, dim);
    }
}

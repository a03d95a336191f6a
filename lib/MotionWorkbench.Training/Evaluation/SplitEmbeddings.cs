using MotionWorkbench.Evaluation;
using MotionWorkbench.Tensors;

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

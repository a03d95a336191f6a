namespace MotionWorkbench.Evaluation;

/// <summary>Timings of one benchmark run (seconds, wall clock).</summary>
public sealed record RetrievalBenchmarkResult(int N, int Dim, double SimilaritySeconds, double TransposeSeconds,
    IReadOnlyDictionary<string, double> ProtocolSeconds, IReadOnlyList<RetrievalResult> Results)
{
    /// <summary>Ranking time of all protocols together (the transpose they share included, the similarity excluded).</summary>
    public double RankingSeconds => TransposeSeconds + ProtocolSeconds.Values.Sum();

    public override string ToString() =>
        $"retrieval {N} x {N} x {Dim}: similarity {SimilaritySeconds:F3} s; ranking, all protocols {RankingSeconds:F3} s (" +
        string.Join(", ", ProtocolSeconds.Select(p => $"{p.Key} {p.Value:F3} s")) + $", transpose {TransposeSeconds:F3} s)";
}

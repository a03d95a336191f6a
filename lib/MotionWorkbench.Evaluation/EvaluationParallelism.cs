namespace MotionWorkbench.Evaluation;

/// <summary>
/// How many threads the similarity, transpose and ranking loops of this library use: the <c>threads</c> argument (the
/// workbench passes its engine thread setting, <c>Par.Threads</c>), or, at 0, as many as .NET reports processors
/// (<see cref="Environment.ProcessorCount"/>: the affinity mask and the container quota). Results do not depend on it.
/// </summary>
internal static class EvaluationParallelism
{
    public static ParallelOptions Options(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        return new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Math.Max(1, Environment.ProcessorCount) };
    }
}

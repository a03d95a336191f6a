namespace MotionWorkbench.Data;

/// <summary>
/// How many threads the loaders, importers and generators of this library use: the <c>Threads</c> of their options
/// (the workbench passes its engine thread setting, <c>Par.Threads</c>), or, at 0, as many as .NET reports processors
/// (<see cref="Environment.ProcessorCount"/>: the affinity mask and the container quota). This library reads no setting itself.
/// </summary>
internal static class DataParallelism
{
    public static ParallelOptions Options(int threads) => new() { MaxDegreeOfParallelism = threads > 0 ? threads : Math.Max(1, Environment.ProcessorCount) };
}

using MotionWorkbench.Tensors;

namespace MotionWorkbench.Training;

/// <summary>
/// The engine threads a training run uses and records. Results are reproducible per thread count (kernels split their
/// work, and their partial sums, by it), so a run writes the count it used into <c>config.json</c>
/// (<c>train.threads</c>) and <c>train.log</c>, and a resumed run keeps it. A fresh run uses <c>train.threads</c> when
/// it is set (&gt; 0), else the process's setting (<see cref="Par.Setting"/>: mw's <c>--threads</c> or
/// <c>MW_THREADS</c>, a notebook's <c>threads</c>, else the cores this process may use). A resume may ask for another
/// count (the <c>train.threads</c> of the configuration it passes, which mw sets from <c>--threads</c>): allowed, with a
/// warning that the results will then differ from an uninterrupted run.
/// </summary>
public static class RunThreads
{
    /// <summary>The count a fresh run of <paramref name="config"/> uses, and why.</summary>
    public static ThreadSetting ForRun(RunConfig config) =>
        config.Train.Threads > 0 && config.Train.Threads != Par.Setting.Count
            ? new ThreadSetting(config.Train.Threads, $"train.threads = {config.Train.Threads}")
            : Par.Setting;

    /// <summary>
    /// The count a resume of the run saved as <paramref name="saved"/> uses, and the notes to show (and log) about it:
    /// a warning when <paramref name="requested"/> asks for another count than the run's, a note when the run keeps a
    /// count this process would not otherwise use (another machine, another setting), or that an older run recorded none.
    /// </summary>
    public static (ThreadSetting Use, IReadOnlyList<string> Notes) ForResume(RunConfig saved, RunConfig requested)
    {
        int recorded = saved.Train.Threads, asked = requested.Train.Threads;
        var process = Par.Setting;
        if (asked > 0 && asked != recorded)
        {
            var use = asked == process.Count ? process : new ThreadSetting(asked, $"train.threads = {asked}");
            return (use, [recorded > 0
                ? $"WARNING: resuming on {asked} engine threads ({use.Reason}); the run was trained on {recorded} until now, so its results will differ (in float rounding) from an uninterrupted run"
                : $"resuming on {use} (the run's config.json records no thread count)"]);
        }
        if (recorded <= 0)
            return (process, [$"the run's config.json records no thread count (written before train.threads existed); resuming on {process}"]);
        var keep = new ThreadSetting(recorded, $"the run's count, config.json train.threads = {recorded}");
        return (keep, recorded == process.Count ? [] :
            [$"the run keeps the {recorded} engine threads it was trained with (results are reproducible per thread count); this process would otherwise use {process}; --threads {process.Count} changes it (the results then differ from an uninterrupted run)"]);
    }
}

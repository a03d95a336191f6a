using System.CommandLine;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Cli;

/// <summary><c>--threads N</c> of the verbs that compute (one type, so that mw's start finds and applies it before the verb runs).</summary>
internal sealed class ThreadsOption() : Option<string?>("--threads")
{
    public static ThreadsOption Create(string? description = null) => new()
    {
        Description = description ?? "Engine threads for everything this verb computes (default: $MW_THREADS, else the cores this process may use; mw info shows the count and why)",
    };
}

/// <summary>
/// The engine thread setting at mw's edge: <c>MW_THREADS</c> (read once at start; library code reads no environment
/// variables) and a verb's <c>--threads</c> (which wins), applied to <see cref="Par"/> before the verb runs. Verbs that
/// save a configuration read <see cref="CommandLine"/> (<c>--threads</c> &gt; <c>--set train.threads</c> &gt;
/// <c>MW_THREADS</c> &gt; the default); the notebook verbs pass the count to the kernel process as <c>MW_THREADS</c>.
/// </summary>
internal static class EngineThreads
{
    public const string Variable = "MW_THREADS";

    /// <summary>The count of <c>MW_THREADS</c>, null when it is unset or blank.</summary>
    public static int? Environment { get; private set; }

    /// <summary>The count of the running verb's <c>--threads</c>, null when it was not given.</summary>
    public static int? CommandLine { get; private set; }

    /// <summary>Reads <c>MW_THREADS</c>'s value (a bad one is an <see cref="ArgumentException"/> naming it) and uses it.</summary>
    public static void FromEnvironment(string? value)
    {
        Environment = ThreadSetting.Parse(value, Variable);
        if (Environment is int n) Par.Use(new ThreadSetting(n, $"{Variable}={n}"));
    }

    /// <summary>
    /// Applies the parsed verb's <c>--threads</c> when it has one and it was given (a bad value is an
    /// <see cref="ArgumentException"/> naming it).
    /// </summary>
    public static void FromCommandLine(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command.Options.OfType<ThreadsOption>().FirstOrDefault() is { } option && parse.GetResult(option) is { Implicit: false })
        {
            int n = ThreadSetting.Parse(parse.GetValue(option), "--threads") ?? throw new ArgumentException("--threads: needs a thread count (a whole number from 1 to " + ThreadSetting.Max + ")");
            CommandLine = n;
            Par.Use(new ThreadSetting(n, $"--threads {n}"));
        }
    }

    /// <summary>
    /// A fresh run's configuration with the thread precedence applied: <c>--threads</c> (written into train.threads) &gt;
    /// <c>--set train.threads</c> (also used for the rest of the verb, e.g. quickstart's evaluation) &gt; <c>MW_THREADS</c>
    /// &gt; the default (both already in <see cref="Par"/>; train.threads stays 0 and the run records what it used).
    /// </summary>
    public static Training.RunConfig ForNewRun(Training.RunConfig config)
    {
        if (CommandLine is int n) return config with { Train = config.Train with { Threads = n } };
        if (config.Train.Threads > 0) Par.Use(new ThreadSetting(config.Train.Threads, $"train.threads = {config.Train.Threads} (--set)"));
        return config;
    }

    /// <summary>A resumed run's saved configuration, with <c>--threads</c> when given (a count other than the run's
    /// is allowed, with a warning; <see cref="Training.RunThreads.ForResume"/>).</summary>
    public static Training.RunConfig ForResume(Training.RunConfig saved) =>
        CommandLine is int n ? saved with { Train = saved.Train with { Threads = n } } : saved;

    /// <summary>A line for stderr when the setting asks for more threads than the cores this process may use, else null.</summary>
    public static string? OversubscriptionNote()
    {
        var machine = ThreadSetting.Default();
        var used = Par.Setting;
        return used.Count > machine.Count
            ? $"note: {used.Count} engine threads ({used.Reason}) on {machine.Count} ({machine.Reason}): results are correct, but more threads than cores only add switching"
            : null;
    }

    /// <summary>The parsed verb's name for messages ("mw index build").</summary>
    public static string VerbName(ParseResult parse)
    {
        var result = parse.CommandResult;
        var names = new List<string>();
        for (System.CommandLine.Parsing.CommandResult? r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult) names.Add(r.Command.Name);
        names.Reverse();
        names[0] = "mw";
        return string.Join(" ", names);
    }
}

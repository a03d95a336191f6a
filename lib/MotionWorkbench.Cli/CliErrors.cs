using System.Text.Json;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli;

/// <summary>
/// The one rule for how a failed command ends (the exit codes every verb documents): 2 for bad usage or bad input (a
/// setting, an option, a file that is missing, unreadable or malformed), 1 for work that failed on good input (a
/// diverged run, an I/O failure, a bug), 130 for an interrupted command. The message is one line; an exception no verb
/// expected says so with its type, and <c>MW_DEBUG=1</c> adds its stack.
/// </summary>
internal static class CliErrors
{
    public const int Ok = 0, Failed = 1, BadInput = 2, Interrupted = 130;

    /// <summary>The exit code of a command that ended with <paramref name="e"/>.</summary>
    public static int ExitCode(Exception e) => e switch
    {
        OperationCanceledException => Interrupted,
        ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or KeyNotFoundException
            or FormatException or JsonException or NotSupportedException or MotionWorkbench.IO.UnwritablePathException => BadInput,
        _ when e.GetType().Name is "NotebookFormatException" or "NotebookExportException" => BadInput,
        _ => Failed,
    };

    /// <summary>Prints "<paramref name="verb"/>: message" (one line) and returns the exit code.</summary>
    public static int Report(string verb, Exception e)
    {
        Console.Error.WriteLine($"{verb}: {OneLine(e.Message)}");
        Debug(e);
        return ExitCode(e);
    }

    /// <summary>An exception that escaped every verb: one line naming its type (it is a bug to report), the stack with MW_DEBUG=1.</summary>
    public static int Unexpected(string verb, Exception e)
    {
        bool expectedKind = ExitCode(e) != Failed || e is IOException or UnauthorizedAccessException or InvalidOperationException or TrainingDivergedException;
        Console.Error.WriteLine(expectedKind
            ? $"{verb}: {OneLine(e.Message)}"
            : $"{verb}: unexpected error ({e.GetType().Name}): {OneLine(e.Message)}" + (DebugOn ? "" : " (set MW_DEBUG=1 for the stack trace; please report it)"));
        Debug(e);
        return ExitCode(e);
    }

    private static bool DebugOn => Environment.GetEnvironmentVariable("MW_DEBUG") is "1" or "true";

    private static void Debug(Exception e)
    {
        if (DebugOn) Console.Error.WriteLine(e.ToString());
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

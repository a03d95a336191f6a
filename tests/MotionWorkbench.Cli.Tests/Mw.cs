using System.Diagnostics;

namespace MotionWorkbench.Cli.Tests;

/// <summary>Runs the built <c>mw</c> tool (mw.dll beside the tests) as a child process and captures what a user sees.</summary>
public static class Mw
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
    }

    public static Result Run(params string[] args) => RunIn(null, args);

    public static Result RunIn(string? workingDirectory, params string[] args) => RunWith(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Runs mw with extra environment variables (e.g. MW_GEMM) set for the child process.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string> environment, params string[] args) => RunWith(null, environment, args);

    private static Result RunWith(string? workingDirectory, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "mw.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll}: the mw tool was not built beside the tests");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        psi.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"mw {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}

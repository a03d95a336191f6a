using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MotionWorkbench.Workflow.Tests;

/// <summary>
/// The official .NET Interactive Jupyter kernel as a user's VS Code (Jupyter extension) or JupyterLab starts it: Debian's
/// <c>jupyter nbconvert --execute</c> (nbclient) launches the <c>.net-csharp</c> kernelspec that <c>dotnet interactive
/// jupyter install</c> wrote, i.e. <c>dotnet interactive jupyter ... {connection_file}</c> from the dotnet-interactive global
/// tool. <see cref="Problem"/> says what is missing (environment/jupyter.sh and setup.sh install it).
/// </summary>
public static class JupyterKernel
{
    public const string KernelName = ".net-csharp";
    public const string ToolVersion = "1.0.712001";

    private static readonly Lazy<(string? Jupyter, string? ToolsDir, string? Problem)> Probe = new(Find);

    /// <summary>Null when Jupyter, nbconvert, the kernelspec and the tool are all there; otherwise what is missing.</summary>
    public static string? Problem => Probe.Value.Problem;

    /// <summary>
    /// Executes <paramref name="notebook"/> in its own folder (the kernel's working directory, as in VS Code) with the kernel its
    /// metadata names, every cell in order, stopping at the first error; the executed notebook goes to <paramref name="output"/>.
    /// </summary>
    public static (int ExitCode, string Log, TimeSpan Elapsed) Execute(string notebook, string output, TimeSpan timeout)
    {
        if (Problem is not null) throw new InvalidOperationException(Problem);
        var psi = Start(Probe.Value.Jupyter!, "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=900",
            "--output-dir", Path.GetDirectoryName(output)!, "--output", Path.GetFileNameWithoutExtension(output), notebook);
        psi.WorkingDirectory = Path.GetDirectoryName(notebook)!;
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Run(psi, timeout);
        return (code, stdout + stderr, clock.Elapsed);
    }

    private static (string?, string?, string?) Find()
    {
        string? jupyter = OnPath("jupyter");
        if (jupyter is null)
            return (null, null, "jupyter is not installed (apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel; environment/setup.sh does it as root)");
        string home = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") is { Length: > 0 } cliHome ? cliHome : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? tool = OnPath("dotnet-interactive") ?? (File.Exists(Path.Combine(home, ".dotnet", "tools", "dotnet-interactive")) ? Path.Combine(home, ".dotnet", "tools", "dotnet-interactive") : null);
        if (tool is null)
            return (jupyter, null, $"the dotnet-interactive tool is not installed (dotnet tool install -g Microsoft.dotnet-interactive --version {ToolVersion}; environment/jupyter.sh does it)");
        string tools = Path.GetDirectoryName(tool)!;
        try
        {
            var (nbCode, nbOut, nbErr) = Run(Start(jupyter, "nbconvert", "--version"), TimeSpan.FromMinutes(1), tools);
            if (nbCode != 0) return (jupyter, tools, $"jupyter nbconvert does not run (exit {nbCode}: {Last(nbOut + nbErr)}); apt-get install jupyter-nbconvert python3-nbclient");
            var (ksCode, ksOut, _) = Run(Start(jupyter, "kernelspec", "list", "--json"), TimeSpan.FromMinutes(1), tools);
            var specs = ksCode == 0 ? JsonNode.Parse(ksOut)?["kernelspecs"] as JsonObject : null;
            if (specs is null || !specs.ContainsKey(KernelName))
                return (jupyter, tools, $"Jupyter has no '{KernelName}' kernelspec (mkdir -p ~/.local/share/jupyter/kernels && dotnet interactive jupyter install; environment/jupyter.sh does it)");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or System.Text.Json.JsonException)
        {
            return (jupyter, tools, $"probing Jupyter failed: {e.Message}");
        }
        return (jupyter, tools, null);
    }

    private static ProcessStartInfo Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs a process with the tool folder on PATH (the kernelspec starts <c>dotnet interactive</c>, which needs it).</summary>
    private static (int Code, string Stdout, string Stderr) Run(ProcessStartInfo psi, TimeSpan timeout, string? tools = null)
    {
        tools ??= Probe.Value.ToolsDir;
        psi.Environment["PATH"] = (Environment.GetEnvironmentVariable("PATH") ?? "") + (tools is null ? "" : Path.PathSeparator + tools);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish in {timeout.TotalMinutes:0} minutes");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? OnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static string Last(string log) => log.Trim().Split('\n')[^1];
}

/// <summary>A fact that needs the official Jupyter kernel (<see cref="JupyterKernel"/>); skipped with what is missing otherwise.</summary>
public sealed class JupyterFactAttribute : FactAttribute
{
    public JupyterFactAttribute()
    {
        if (JupyterKernel.Problem is { } problem) Skip = "the official .NET Interactive Jupyter kernel is not set up: " + problem;
    }
}

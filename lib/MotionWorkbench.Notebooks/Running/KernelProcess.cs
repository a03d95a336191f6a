using System.Diagnostics;
using System.Reflection;

namespace MotionWorkbench.Notebooks.Running;

/// <summary>How to start the kernel process: <c>dotnet exec [--runtimeconfig ...] MotionWorkbench.Notebooks.dll kernel JOB</c>.</summary>
internal static class KernelProcess
{
    public static ProcessStartInfo StartInfo(string jobPath, string workingDirectory)
    {
        string dll = typeof(Kernel.KernelHost).Assembly.Location;
        if (string.IsNullOrEmpty(dll) || !File.Exists(dll)) throw new InvalidOperationException("cannot locate MotionWorkbench.Notebooks.dll to start the kernel process");
        string dir = Path.GetDirectoryName(dll)!;
        var psi = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        psi.ArgumentList.Add("exec");
        string ownConfig = Path.Combine(dir, "MotionWorkbench.Notebooks.runtimeconfig.json");
        string? entry = Assembly.GetEntryAssembly()?.Location;
        string? config = File.Exists(ownConfig) ? ownConfig : Sibling(entry, ".runtimeconfig.json");
        if (config is not null) { psi.ArgumentList.Add("--runtimeconfig"); psi.ArgumentList.Add(config); }
        string ownDeps = Path.Combine(dir, "MotionWorkbench.Notebooks.deps.json");
        string? deps = File.Exists(ownDeps) ? ownDeps : Sibling(entry, ".deps.json");
        if (deps is not null && Path.GetDirectoryName(deps) == dir) { psi.ArgumentList.Add("--depsfile"); psi.ArgumentList.Add(deps); }
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("kernel");
        psi.ArgumentList.Add(jobPath);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return psi;
    }

    private static string? Sibling(string? assembly, string suffix)
    {
        if (string.IsNullOrEmpty(assembly)) return null;
        string path = Path.Combine(Path.GetDirectoryName(assembly)!, Path.GetFileNameWithoutExtension(assembly) + suffix);
        return File.Exists(path) ? path : null;
    }

    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
        string? fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}

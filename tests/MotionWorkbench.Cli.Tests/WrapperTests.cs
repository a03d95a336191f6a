using System.Diagnostics;

namespace MotionWorkbench.Cli.Tests;

/// <summary>
/// environment/mw, the wrapper the README's commands use: it builds the tool quietly when its sources changed and not
/// otherwise (regenerated obj files, as any solution build leaves, are not source changes).
/// </summary>
public class WrapperTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MotionWorkbench.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"MotionWorkbench.sln not found above {AppContext.BaseDirectory}");
    }

    private static Mw.Result Wrapper(string root, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(root, "environment", "mw"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8))) { p.Kill(entireProcessTree: true); throw new TimeoutException("environment/mw did not finish in 8 minutes"); }
        return new Mw.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Wrapper_builds_quietly_when_needed_and_not_after_regenerated_obj_files()
    {
        string root = RepoRoot();
        string stamp = Path.Combine(root, "lib", "MotionWorkbench.Cli", "bin", "Release", ".mw-built");
        if (File.Exists(stamp)) File.Delete(stamp);                        // forces the wrapper's build step
        var first = Wrapper(root, "--help");
        Assert.True(first.ExitCode == 0, first.All);
        Assert.True(File.Exists(stamp), $"{stamp}: not written after a build");
        foreach (var banner in new[] { "Microsoft (R)", "Build succeeded", "Time Elapsed", "Determining projects to restore" })
            Assert.DoesNotContain(banner, first.All);
        Assert.Contains("mw", first.Stdout);

        var built = File.GetLastWriteTimeUtc(stamp);
        var generated = Directory.GetFiles(Path.Combine(root, "lib", "MotionWorkbench.Cli", "obj"), "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(generated);
        var later = built.AddSeconds(5);
        foreach (var f in generated) File.SetLastWriteTimeUtc(f, later);   // what a solution build leaves behind
        var second = Wrapper(root, "--help");
        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal(built, File.GetLastWriteTimeUtc(stamp));               // no rebuild
    }
}

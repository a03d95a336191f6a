using System.Diagnostics;
using System.Security.Cryptography;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Torch.Tests;

/// <summary>
/// environment/torchsharp/fix_libtorchsharp.py (run by the build on every output copy of libLibTorchSharp.so): fixes a
/// copy only where the system libstdc++ lacks GLIBCXX_3.4.32, is idempotent, refuses the NuGet cache's file and never
/// changes it.
/// </summary>
public sealed class NativeFixTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mw-torch-fix-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Script => Path.Combine(SharedData.RepoRoot, "environment", "torchsharp", "fix_libtorchsharp.py");

    private static string? CachedLibrary()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", TorchRuntime.TorchSharpVersion, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void A_copy_is_fixed_only_when_needed_idempotently_and_the_nuget_cache_is_never_touched()
    {
        if (!OperatingSystem.IsLinux()) return; // the fix is for Linux's libstdc++ only
        var cached = CachedLibrary();
        Assert.True(cached is not null, "the TorchSharp package is restored for this test project, so its libLibTorchSharp.so must be in the NuGet cache");
        var before = Hash(cached!);

        var refused = Run(cached!);
        Assert.Equal(1, refused.Code);
        Assert.Contains("NuGet cache", refused.Output, StringComparison.Ordinal);

        var copy = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(cached!, copy);
        var check = Run("--check", copy);
        Assert.Equal(0, check.Code);
        bool needed = check.Output.Contains("needs the fix", StringComparison.Ordinal);
        Assert.True(needed || check.Output.Contains("nothing to do", StringComparison.Ordinal), check.Output);

        var first = Run(copy);
        Assert.Equal(0, first.Code);
        var second = Run(copy);
        Assert.Equal(0, second.Code);
        if (needed)
        {
            Assert.Contains("fixed for", first.Output, StringComparison.Ordinal);
            Assert.Contains("already fixed", second.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir, "libMwIosBaseInit.so")), "the shim is built next to the fixed copy");
            Assert.NotEqual(before, Hash(copy));
            Assert.Equal(new FileInfo(cached!).Length, new FileInfo(copy).Length); // edited in place of existing bytes
        }
        else
        {
            Assert.Contains("nothing to do", first.Output, StringComparison.Ordinal);
            Assert.Equal(before, Hash(copy));
        }
        Assert.Equal(before, Hash(cached!));
    }

    [Fact]
    public void The_output_copy_next_to_this_test_loads_or_says_why()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(output)) return;
        var check = Run("--check", output);
        Assert.Equal(0, check.Code);
        Assert.DoesNotContain("needs the fix", check.Output, StringComparison.Ordinal); // the build fixed it (or nothing was needed)
        Assert.True(TorchRuntime.IsAvailable, TorchRuntime.UnavailableReason);
    }

    [Fact]
    public void A_file_that_is_not_elf_is_a_clear_error()
    {
        var bad = Path.Combine(dir, "libLibTorchSharp.so");
        File.WriteAllText(bad, "not a shared object");
        var r = Run(bad);
        Assert.Equal(1, r.Code);
        Assert.Contains("not a little-endian 64-bit ELF file", r.Output, StringComparison.Ordinal);
        Assert.Contains("error MWTORCH1", r.Output, StringComparison.Ordinal);
    }
}

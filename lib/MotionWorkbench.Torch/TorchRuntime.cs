using TorchSharp;

namespace MotionWorkbench.Torch;

/// <summary>
/// Whether TorchSharp's native libraries load in this process, which devices it sees, and device-name resolution
/// ("cpu", "cuda", "cuda:N", "auto"). Loading is tried once, on first use; a failure is kept as
/// <see cref="UnavailableReason"/> rather than thrown, so callers (tests, <c>mw info</c>) can report it.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<string?> LoadError = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The TorchSharp package version this library is built against (LibTorch 2.10).</summary>
    public const string TorchSharpVersion = "0.107.0";

    /// <summary>True when TorchSharp's native wrapper and LibTorch load in this process.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    /// <summary>Why TorchSharp cannot load (the loader's message and what to do), or null when it loads.</summary>
    public static string? UnavailableReason => LoadError.Value;

    /// <summary>The loaded LibTorch's version (torch.__version__, e.g. "2.10.0+cpu"); needs TorchSharp to load.</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>Throws <see cref="InvalidOperationException"/> with <see cref="UnavailableReason"/> when TorchSharp cannot load;
    /// otherwise sets LibTorch's intra-op threads to the engine's (<c>Par.Threads</c>), so torch work follows the same setting.</summary>
    public static void EnsureAvailable()
    {
        if (LoadError.Value is { } reason) throw new InvalidOperationException(reason);
        int threads = MotionWorkbench.Tensors.Par.Threads;
        if (torch.get_num_threads() != threads) torch.set_num_threads(threads);
    }

    /// <summary>Whether TorchSharp sees a CUDA device (false when it cannot load or the package is the CPU build).</summary>
    public static bool CudaAvailable => IsAvailable && torch.cuda.is_available();

    /// <summary>"cpu", then "cuda:0", "cuda:1", ... for each CUDA device TorchSharp sees; empty when TorchSharp cannot load.</summary>
    public static IReadOnlyList<string> Devices
    {
        get
        {
            if (!IsAvailable) return [];
            var devices = new List<string> { "cpu" };
            if (torch.cuda.is_available())
                for (int i = 0; i < torch.cuda.device_count(); i++) devices.Add($"cuda:{i}");
            return devices;
        }
    }

    /// <summary>
    /// The device a name means: "cpu"; "cuda" (device 0) or "cuda:N"; "auto" (the first CUDA device when one is seen,
    /// else the CPU). A CUDA name where TorchSharp sees no CUDA device, or an unknown name, is an error that says so.
    /// </summary>
    public static torch.Device Resolve(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        EnsureAvailable();
        var name = device.Trim().ToLowerInvariant();
        if (name == "cpu") return torch.CPU;
        if (name == "auto") return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (name == "cuda" || name.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (name.Length > 4 && (!int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)))
                throw new ArgumentException($"device '{device}': expected cuda or cuda:N with N a device number");
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{device}': TorchSharp sees no CUDA device (this build uses the {Package} package; a CUDA machine needs " +
                                            "TorchSharp-cuda-linux, see the README's TorchSharp section); use cpu or auto");
            int count = torch.cuda.device_count();
            if (index >= count) throw new ArgumentException($"device '{device}': TorchSharp sees {count} CUDA device(s) (cuda:0..cuda:{count - 1})");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"device '{device}': expected cpu, cuda, cuda:N or auto");
    }

    /// <summary>The LibTorch package this build restores: libtorch-cpu-linux-x64 (Linux) or TorchSharp-cpu, or TorchSharp-cuda-linux with the CUDA build switch.</summary>
    public static string Package =>
#if MW_TORCH_CUDA
        "TorchSharp-cuda-linux";
#else
        OperatingSystem.IsLinux() ? "libtorch-cpu-linux-x64" : "TorchSharp-cpu";
#endif

    /// <summary>One line for <c>mw info</c>: the version and devices, or why TorchSharp cannot load.</summary>
    public static string Describe() => IsAvailable
        ? $"TorchSharp {TorchSharpVersion} ({Package}, LibTorch {torch.__version__}): devices {string.Join(", ", Devices)}"
        : $"TorchSharp {TorchSharpVersion} ({Package}): unavailable: {UnavailableReason}";

    /// <summary>TorchSharp's loader hides the system loader's reason; loading the output copy of the wrapper directly tells it (e.g. a missing GLIBCXX version).</summary>
    private static string? NativeLoaderError()
    {
        var name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        var dirs = new[] { Path.GetDirectoryName(typeof(torch).Assembly.Location), AppContext.BaseDirectory }.Where(d => !string.IsNullOrEmpty(d)).Distinct();
        foreach (var path in dirs.SelectMany(d => new[] { Path.Combine(d!, "runtimes", rid, "native", name), Path.Combine(d!, "runtimes", "linux-x64", "native", name), Path.Combine(d!, name) }))
        {
            if (!File.Exists(path)) continue;
            try
            {
                System.Runtime.InteropServices.NativeLibrary.Free(System.Runtime.InteropServices.NativeLibrary.Load(path));
                return null;
            }
#pragma warning disable CA1031 // the loader's message is the diagnosis
            catch (Exception e)
#pragma warning restore CA1031
            {
                // .NET's message says "Unable to load ... consider LD_DEBUG:" and then the system loader's own line
                var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return $"loading {path}: {(lines.Length > 0 ? lines[^1] : e.Message)}";
            }
        }
        return null;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static string? TryLoad()
    {
        try
        {
            using var t = torch.zeros(1);
            return null;
        }
#pragma warning disable CA1031 // any loader failure means "unavailable", reported with its message
        catch (Exception e)
#pragma warning restore CA1031
        {
            var chain = new List<string>();
            for (Exception? x = e; x is not null; x = x.InnerException)
                if (FirstLine(x.Message) is { Length: > 0 } line && !chain.Contains(line)) chain.Add(line); // TorchSharp appends its loader trace
            if (NativeLoaderError() is { } native) chain.Add(native);
            var message = string.Join(" <- ", chain);
            var hint = message.Contains("GLIBCXX", StringComparison.Ordinal)
                ? " The system libstdc++ is older than the one TorchSharp's native wrapper was built with: rebuild the project so that " +
                  "environment/torchsharp/fix_libtorchsharp.py fixes the output copy of libLibTorchSharp.so, or install a newer libstdc++6."
                : " Rebuild the project (the native files come from the TorchSharp and LibTorch packages' runtimes/RID/native folders) and check that the output folder holds libLibTorchSharp.so and libtorch*.so.";
            return $"TorchSharp {TorchSharpVersion} cannot load its native libraries: {message}.{hint}";
        }
    }
}

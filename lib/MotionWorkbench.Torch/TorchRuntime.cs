using TorchSharp;

namespace MotionWorkbench.Torch;

/// <summary>Whether TorchSharp's native libraries load here, which devices it sees, and device-name resolution.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<string?> LoadError = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The TorchSharp package version this library is built against.</summary>
    public const string TorchSharpVersion = "0.107.0";

    /// <summary>True when TorchSharp's native wrapper and LibTorch load in this process.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    /// <summary>Why TorchSharp cannot load (the loader's message and what to do), or null when it loads.</summary>
    public static string? UnavailableReason => LoadError.Value;

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
            return $"TorchSharp {TorchSharpVersion} cannot load its native libraries: {e.GetBaseException().Message}";
        }
    }
}

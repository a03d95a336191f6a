using MotionWorkbench.Torch;

namespace MotionWorkbench.Torch.Tests;

/// <summary>A fact that is skipped, with the loader's reason, where TorchSharp's native libraries cannot load.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (!TorchRuntime.IsAvailable) Skip = TorchRuntime.UnavailableReason;
    }
}

/// <summary>A theory that is skipped, with the loader's reason, where TorchSharp's native libraries cannot load.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    public TorchTheoryAttribute()
    {
        if (!TorchRuntime.IsAvailable) Skip = TorchRuntime.UnavailableReason;
    }
}

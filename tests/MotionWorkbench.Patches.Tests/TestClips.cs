using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Patches.Tests;

/// <summary>Hand-made motions with known values.</summary>
internal static class TestClips
{
    /// <summary>Value at (t, j, c): distinct per frame, joint and axis, smooth in t.</summary>
    public static float Value(int t, int j, int c) => 0.01f * t + 0.1f * j + c + 0.05f * MathF.Sin(0.3f * t + j + 2 * c);

    public static MotionClip Make(int frames, Skeleton? skeleton = null, float fps = 20f, string id = "clip", Func<int, int, int, float>? value = null)
    {
        skeleton ??= Skeleton.Smpl22;
        value ??= Value;
        int J = skeleton.JointCount;
        var pos = new float[frames * J * 3];
        for (int t = 0; t < frames; t++)
            for (int j = 0; j < J; j++)
                for (int c = 0; c < 3; c++)
                    pos[(t * J + j) * 3 + c] = value(t, j, c);
        return new MotionClip(id, skeleton, fps, pos, [new Caption("a person walks forward")]);
    }

    /// <summary>Statistics with mean 0 and std 1 everywhere, so z-scores equal positions.</summary>
    public static MotionStatistics Identity(int joints) => new(new float[joints * 3], Enumerable.Repeat(1f, joints * 3).ToArray());

    /// <summary>Statistics with a distinct mean and std per joint axis.</summary>
    public static MotionStatistics Varied(int joints)
    {
        var mean = new float[joints * 3];
        var std = new float[joints * 3];
        for (int i = 0; i < mean.Length; i++) { mean[i] = 0.3f * i - 2f; std[i] = 0.5f + 0.07f * i; }
        return new MotionStatistics(mean, std);
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mw-patches-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data;

/// <summary>
/// A caption. Start and End are in seconds; both 0 means the caption describes the whole motion
/// (HumanML3D's <c>caption#tokens#0.0#0.0</c>).
/// </summary>
public sealed record Caption(string Text, float Start = 0f, float End = 0f)
{
    public bool IsWholeMotion => Start == 0f && End == 0f;
}

/// <summary>
/// One motion: world joint positions (T x J x 3, row-major, metres, Y up), its frame rate, skeleton,
/// captions and action labels. The constructor rejects a wrong length and non-finite values, naming
/// the clip and the first bad frame.
/// </summary>
public sealed class MotionClip
{
    public MotionClip(
        string id,
        Skeleton skeleton,
        float fps,
        float[] positions,
        IReadOnlyList<Caption>? captions = null,
        IReadOnlyList<string>? labels = null,
        string? sourcePath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(skeleton);
        ArgumentNullException.ThrowIfNull(positions);
        string where = sourcePath is null ? $"motion '{id}'" : $"motion '{id}' ({sourcePath})";
        if (!(fps > 0) || float.IsInfinity(fps)) throw new ArgumentException($"{where}: frame rate must be positive, got {fps}");
        int stride = skeleton.JointCount * 3;
        if (positions.Length == 0 || positions.Length % stride != 0)
            throw new ArgumentException($"{where}: {positions.Length} values is not a whole number of frames of {skeleton.JointCount} joints x 3");
        for (int i = 0; i < positions.Length; i++)
            if (!float.IsFinite(positions[i]))
                throw new ArgumentException($"{where}: non-finite value {positions[i]} at frame {i / stride}, joint {i % stride / 3}, axis {"xyz"[i % 3]}");
        Id = id;
        Skeleton = skeleton;
        Fps = fps;
        Positions = positions;
        Frames = positions.Length / stride;
        Captions = captions ?? [];
        Labels = labels ?? [];
        SourcePath = sourcePath;
    }

    public string Id { get; }
    public Skeleton Skeleton { get; }
    public float Fps { get; }

    /// <summary>(T, J, 3) row-major.</summary>
    public float[] Positions { get; }

    public int Frames { get; }
    public int JointCount => Skeleton.JointCount;
    public float DurationSeconds => Frames / Fps;
    public IReadOnlyList<Caption> Captions { get; }
    public IReadOnlyList<string> Labels { get; }
    public string? SourcePath { get; }

    /// <summary>The J x 3 positions of frame t.</summary>
    public ReadOnlySpan<float> Frame(int t) => Positions.AsSpan(t * JointCount * 3, JointCount * 3);

    public override string ToString() => $"{Id}: {Frames} frames @ {Fps} fps, {Skeleton.Name}, {Captions.Count} caption(s)";
}

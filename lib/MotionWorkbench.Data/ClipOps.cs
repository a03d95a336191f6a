using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Data.Synthetic;

namespace MotionWorkbench.Data;

/// <summary>Small operations on clips: segment crops (as Motion Patches cuts segment captions) and frame access.</summary>
public static class ClipOps
{
    /// <summary>
    /// Frames [int(start * fps), int(end * fps)) of the clip (Motion Patches' segment cut, fps 20 for HumanML3D and 12.5
    /// for KIT), as a new clip with the given id and captions. A 0/0 span returns the whole clip.
    /// </summary>
    public static MotionClip Crop(MotionClip clip, float start, float end, string? id = null, IReadOnlyList<Caption>? captions = null)
    {
        if (start == 0 && end == 0) return clip;
        int a = Math.Clamp((int)(start * clip.Fps), 0, clip.Frames), b = Math.Clamp((int)(end * clip.Fps), 0, clip.Frames);
        if (b <= a)
            throw new ArgumentException($"clip '{clip.Id}': segment {start}-{end} s is empty at {clip.Fps} fps ({clip.Frames} frames, {clip.DurationSeconds:F2} s)");
        int stride = clip.JointCount * 3;
        return new MotionClip(id ?? $"{clip.Id}@{start:0.##}-{end:0.##}", clip.Skeleton, clip.Fps, clip.Positions[(a * stride)..(b * stride)],
            captions ?? clip.Captions.Where(c => c.Start == start && c.End == end).Select(c => c with { Start = 0, End = 0 }).ToArray(), clip.Labels, clip.SourcePath);
    }

    /// <summary>Positions of one joint over time (T x 3).</summary>
    public static float[] Trajectory(MotionClip clip, int joint)
    {
        var r = new float[clip.Frames * 3];
        for (int t = 0; t < clip.Frames; t++)
            clip.Positions.AsSpan((t * clip.JointCount + joint) * 3, 3).CopyTo(r.AsSpan(t * 3));
        return r;
    }
}

/// <summary>The default data: the synthetic dataset written once into a folder and loaded from there afterwards.</summary>
public static class DefaultData
{
    private const string StampFile = "synth-stamp.txt";

    /// <summary>
    /// Loads the synthetic dataset from <paramref name="dir"/>, writing it first when the folder is missing or was made
    /// with other options (a stamp file records skeleton, count, seed and mirrors).
    /// </summary>
    public static MotionDataset LoadOrCreate(string dir, SynthOptions? options = null, Action<string, int, int>? progress = null)
    {
        options ??= new SynthOptions();
        string stamp = $"synthetic v1 skeleton={(options.IsKit ? "kit" : "smpl")} count={options.Count} seed={options.Seed} mirrors={options.Mirrors} first={options.FirstId}";
        string stampPath = Path.Combine(dir, StampFile);
        if (!(File.Exists(stampPath) && File.ReadAllText(stampPath).Trim() == stamp && Directory.Exists(Path.Combine(dir, "new_joints"))))
        {
            if (Directory.Exists(Path.Combine(dir, "new_joints"))) Directory.Delete(Path.Combine(dir, "new_joints"), true);
            if (Directory.Exists(Path.Combine(dir, "texts"))) Directory.Delete(Path.Combine(dir, "texts"), true);
            SyntheticMotions.Write(dir, options, progress);
            AtomicFile.WriteAllText(stampPath, stamp + "\n");
        }
        return MotionDataset.Load(dir, new DatasetLoadOptions { Threads = options.Threads });
    }

    /// <summary>The built-in skeleton by name: smpl / smpl22 / kit / kit21.</summary>
    public static Skeleton SkeletonByName(string name) => name.ToLowerInvariant() switch
    {
        "smpl" or "smpl22" or "humanml3d" => Skeleton.Smpl22,
        "kit" or "kit21" or "kit-ml" or "kitml" => Skeleton.Kit21,
        _ => throw new ArgumentException($"unknown skeleton '{name}' (built in: smpl, kit)"),
    };
}

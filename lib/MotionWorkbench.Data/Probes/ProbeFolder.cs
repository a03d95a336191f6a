using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data.Probes;

/// <summary>
/// Writes a probe set as a dataset folder every loader and run reads (HumanML3D layout): <c>new_joints/ID.npy</c>,
/// <c>texts/ID.txt</c> (the pair's caption of that motion, one line), <c>test.txt</c> and <c>all.txt</c> (every probe
/// motion, in pair order), <c>skeleton.json</c> and <c>probes.json</c>. The folder is built beside the target and moved
/// into place at the end, so a failure leaves nothing behind; an existing probe folder is replaced, any other
/// non-empty folder is refused.
/// </summary>
public static class ProbeFolder
{
    public const string Split = "test";

    public static void Write(string outDir, ProbeSet set, IReadOnlyDictionary<string, MotionClip> clips, Skeleton skeleton, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(clips);
        outDir = Path.GetFullPath(outDir.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        CheckTarget(outDir);
        ProbeSet.Validate(set, $"{outDir}/{ProbeSet.FileName}");
        var ids = set.MotionIds();
        foreach (var id in ids)
            if (!clips.ContainsKey(id)) throw new ArgumentException($"{outDir}: probe motion '{id}' has no clip");
        var captionOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in set.Pairs) { captionOf[p.MotionA] = p.CaptionA; captionOf[p.MotionB] = p.CaptionB; }

        string parent = Path.GetDirectoryName(outDir) ?? ".";
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(outDir)}.tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Combine(temp, "new_joints"));
            Directory.CreateDirectory(Path.Combine(temp, "texts"));
            int done = 0;
            foreach (var id in ids)
            {
                var c = clips[id];
                if (c.JointCount != skeleton.JointCount)
                    throw new ArgumentException($"{outDir}: probe motion '{id}' has {c.JointCount} joints, the probe set's skeleton '{skeleton.Name}' {skeleton.JointCount}");
                Npy.Write(Path.Combine(temp, "new_joints", id + ".npy"), c.Positions, c.Frames, c.JointCount, 3);
                HumanMLText.Write(Path.Combine(temp, "texts", id + ".txt"), [new Caption(captionOf[id])]);
                progress?.Invoke(++done, ids.Count);
            }
            string list = string.Join("\n", ids) + "\n";
            AtomicFile.WriteAllText(Path.Combine(temp, Split + ".txt"), list);
            AtomicFile.WriteAllText(Path.Combine(temp, "all.txt"), list);
            SkeletonJson.Save(Path.Combine(temp, SkeletonJson.FileName), skeleton, set.Fps);
            set.Save(temp);
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
            Directory.Move(temp, outDir);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>Refuses to write over a folder that holds something other than a probe set.</summary>
    public static void CheckTarget(string outDir)
    {
        if (File.Exists(outDir)) throw new IOException($"{outDir}: is a file; --out must name a folder");
        if (!Directory.Exists(outDir) || !Directory.EnumerateFileSystemEntries(outDir).Any()) return;
        if (!File.Exists(Path.Combine(outDir, ProbeSet.FileName)))
            throw new IOException($"{outDir}: the folder exists and is not a probe set (no {ProbeSet.FileName}); choose an empty or new folder");
    }
}

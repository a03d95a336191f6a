using MotionWorkbench.Data;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.IO;

namespace MotionWorkbench.Patches;

/// <summary>
/// Reads one motion of a HumanML3D/KIT-ML-format folder without loading the whole dataset:
/// <c>new_joints/&lt;id&gt;.npy</c> (T x J x 3), its captions from <c>texts/&lt;id&gt;.txt</c> when present, and the skeleton
/// and frame rate from <c>skeleton.json</c> when present, otherwise by joint count (22 = SMPL at 20 fps,
/// 21 = KIT at 12.5 fps), the same rules as <see cref="MotionDataset.Load"/>.
/// </summary>
public static class DatasetClip
{
    public static MotionClip Load(string dataDir, string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!Directory.Exists(dataDir)) throw new DirectoryNotFoundException($"{dataDir}: dataset folder not found");
        string jointsDir = Path.Combine(dataDir, "new_joints");
        if (!Directory.Exists(jointsDir)) throw new InvalidDataException($"{dataDir}: not a HumanML3D/KIT-ML folder (no new_joints/)");
        if (id.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || id.Contains(".."))
            throw new ArgumentException($"'{id}' is not a motion id (it must be a file name in {jointsDir})");
        string file = Path.Combine(jointsDir, id + ".npy");
        if (!File.Exists(file))
        {
            var near = Directory.EnumerateFiles(jointsDir, "*.npy").Select(Path.GetFileNameWithoutExtension)
                .Where(n => n is not null && (n.Contains(id, StringComparison.OrdinalIgnoreCase) || id.Contains(n, StringComparison.OrdinalIgnoreCase)))
                .Order(StringComparer.Ordinal).Take(5).ToList();
            var some = near.Count > 0 ? near : Directory.EnumerateFiles(jointsDir, "*.npy").Select(Path.GetFileNameWithoutExtension).Take(5).ToList();
            throw new FileNotFoundException($"{file}: no motion '{id}' in {dataDir}; {(near.Count > 0 ? "similar ids" : "some ids")}: {string.Join(", ", some)}", file);
        }
        Skeleton? skeleton = null;
        float? fps = null;
        string skPath = Path.Combine(dataDir, SkeletonJson.FileName);
        if (File.Exists(skPath)) (skeleton, fps) = SkeletonJson.Load(skPath);
        var arr = Npy.Read(file);
        if (arr.Rank != 3 || arr.Shape[2] != 3 || arr.Shape[0] == 0)
            throw new InvalidDataException($"{file}: expected a T x J x 3 array of joint positions, got {arr.ShapeText}");
        skeleton ??= arr.Shape[1] switch
        {
            22 => Skeleton.Smpl22,
            21 => Skeleton.Kit21,
            _ => throw new InvalidDataException($"{file}: {arr.Shape[1]} joints and no {SkeletonJson.FileName} in {dataDir}; built-in skeletons have 22 (SMPL) or 21 (KIT) joints"),
        };
        if (arr.Shape[1] != skeleton.JointCount)
            throw new InvalidDataException($"{file}: {arr.Shape[1]} joints, but skeleton '{skeleton.Name}' has {skeleton.JointCount}");
        MotionDataset.CheckPositions(file, arr.Data, skeleton); // the dataset loader's own check (finite, within 10 km)
        fps ??= skeleton.Name == Skeleton.Kit21.Name ? 12.5f : 20f;
        string txt = Path.Combine(dataDir, "texts", id + ".txt");
        IReadOnlyList<Caption> captions = File.Exists(txt) ? HumanMLText.Read(txt) : [];
        return new MotionClip(id, skeleton, fps.Value, arr.Data, captions, null, file);
    }
}

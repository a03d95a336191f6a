using MotionWorkbench.Data;
using MotionWorkbench.Patches;
using MotionWorkbench.Render;
using MotionWorkbench.Visuals;

namespace MotionWorkbench.Experiments;

/// <summary>One motion shown as the paper's Figure 4: where it comes from, the clip and its motion-patch image.</summary>
public sealed record MotionExample(string Source, MotionClip Clip, MotionPatch Patch, string StatisticsNote)
{
    /// <summary>Caption, skeleton animation (bones coloured by body-part chain) and patch image side by side.</summary>
    public IHtmlView View() => MotionFigure.ToView(Clip, Patch);

    public string Caption => Clip.Captions.Count > 0 ? Clip.Captions[0].Text : "(no caption)";
}

/// <summary>
/// Collects the motions of notebook 02: genuine HumanML3D samples, Bandai clips and synthetic SMPL and KIT motions,
/// each z-scored with its own dataset's statistics and turned into a patch image. Sources that are absent are listed
/// in <see cref="Skipped"/> with the reason instead of failing.
/// </summary>
public sealed class MotionExamples
{
    public List<MotionExample> Items { get; } = [];
    public List<string> Skipped { get; } = [];

    /// <summary>Adds up to <paramref name="count"/> motions of a HumanML3D/KIT-format folder (null or missing: skipped with <paramref name="whenMissing"/>).</summary>
    public MotionExamples AddFolder(string source, string? dataDir, int count, PatchOptions options, string whenMissing = "folder not found",
        IReadOnlyList<string>? ids = null)
    {
        if (dataDir is null || !Directory.Exists(Path.Combine(dataDir, "new_joints")))
        {
            Skipped.Add($"{source}: {whenMissing}{(dataDir is null ? "" : $" ({dataDir})")}");
            return this;
        }
        var dataset = MotionDataset.Load(dataDir, new DatasetLoadOptions { RequireCaptions = false, IncludeMirrors = false, Threads = Tensors.Par.Threads });
        // Statistics over every clip of the folder (for the 7 HumanML3D samples an approximation of the dataset's Mean_raw/Std_raw).
        var statistics = MotionStatistics.Compute(dataset.Clips, source: dataDir);
        string note = $"z-scored with statistics of {dataset.Clips.Count} clips ({statistics.FrameCount} frames) of {Path.GetFileName(dataDir.TrimEnd('/'))}";
        var builder = new MotionPatchBuilder(statistics, options);
        var chosen = ids is null ? dataset.Clips.Where(c => c.Captions.Count > 0).Concat(dataset.Clips.Where(c => c.Captions.Count == 0)).Take(count)
            : ids.Where(dataset.Contains).Select(dataset.Get).Take(count);
        foreach (var clip in chosen)
            Items.Add(new MotionExample(source, clip, builder.Build(clip), note));
        foreach (var skipped in dataset.Report.Skipped) Skipped.Add($"{source}: skipped {skipped.Message}");
        return this;
    }

    /// <summary>The part chains of each distinct skeleton shown (names of joints per chain), as text lines.</summary>
    public IEnumerable<string> ChainSummary() => Items.Select(i => i.Clip.Skeleton).DistinctBy(s => s.Name)
        .Select(s => $"{s.Name} ({s.JointCount} joints): " + string.Join("; ",
            Enumerable.Range(0, PatchOptions.PartCount).Select(p => $"{PatchColours.PartNames[p]} = {string.Join("-", s.Chain((Data.Skeletons.BodyPart)p).Select(j => s.JointNames[j]))}")));
}

using System.Diagnostics;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Import;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Data;
using MotionWorkbench.Render.Images;
using MotionWorkbench.Testing;
using MotionWorkbench.Visuals;

namespace MotionWorkbench.Patches.Tests;

/// <summary>Skips when the shared data or the tar/xz tools to unpack one Bandai clip are missing.</summary>
public sealed class BandaiFactAttribute : FactAttribute
{
    public BandaiFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
        else if (!File.Exists(BandaiTests.Archive)) Skip = $"needs {BandaiTests.Archive}";
        else if (!OnPath("tar") || !OnPath("xz")) Skip = "needs tar and xz on PATH to unpack a Bandai clip";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}

public class BandaiTests
{
    public static string Archive => SharedData.Available
        ? SharedData.PathOf("bandai", "Bandai-Namco-Research-Motiondataset-1.tar.xz") : "bandai/Bandai-Namco-Research-Motiondataset-1.tar.xz";

    private const string Member = "Bandai-Namco-Research-Motiondataset-1/data/dataset-1_walk_normal_001.bvh";

    private static string ExtractOne(string dir)
    {
        var psi = new ProcessStartInfo("tar") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-xJf", Archive, "-C", dir, "--occurrence=1", Member }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tar failed: {err}");
        return Path.Combine(dir, Member);
    }

    [BandaiFact]
    public void BandaiBvhClip_AtItsOwn30fps_GivesFinitePatches()
    {
        using var dir = new TempDir();
        var bvh = Bvh.Read(ExtractOne(dir.Path));
        var sel = bvh.JointIndices();
        var index = sel.Select((j, k) => (j, k)).ToDictionary(x => x.j, x => x.k);
        var names = sel.Select(j => bvh.Joints[j].Name).ToArray();
        var parents = sel.Select(j => bvh.Joints[j].Parent < 0 ? -1 : index[bvh.Joints[j].Parent]).ToArray();
        var skeleton = PartInference.Infer("bandai", names, parents, null, bvh.Path);
        var clip = new MotionClip("walk_normal_001", skeleton, bvh.Fps, bvh.WorldPositions(sel), sourcePath: bvh.Path);

        var stats = MotionStatistics.Compute([clip]);
        var patch = new MotionPatchBuilder(stats).Build(clip, PatchMode.Train, new Random(1));
        Assert.Equal([3, 224, 80], patch.Shape);
        Assert.All(patch.Data, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(FrameRetiming.RetimedLength(clip.Frames, bvh.Fps, 20f), patch.RetimedFrames);
        Assert.Equal(Math.Min(224, patch.RetimedFrames), patch.ValidFrames);
        Assert.Equal(240, Png.Decode(PatchImage.ToPng(patch)).Width);
    }

    [BandaiFact]
    public void BandaiBvhClip_ImportedThenLoaded_GivesFinitePatches()
    {
        using var dir = new TempDir();
        string bvhFile = ExtractOne(dir.Path);
        string input = Path.GetDirectoryName(bvhFile)!;
        string outDir = Path.Combine(dir.Path, "imported");
        var result = BvhImporter.Import(input, outDir, new BvhImportOptions { Format = "generic", Mirrors = false });
        Assert.Equal(1, result.ClipsWritten);
        var id = Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(outDir, "new_joints"), "*.npy").Single());
        var clip = DatasetClip.Load(outDir, id);
        Assert.Equal(5, clip.Skeleton.Chains.Count);

        var stats = StatisticsFiles.LoadOrCompute(outDir, new LoadReport(), out bool computed);
        Assert.True(computed);
        var patch = new MotionPatchBuilder(stats).Build(clip);
        Assert.Equal([3, 224, 80], patch.Shape);
        Assert.All(patch.Data, v => Assert.True(float.IsFinite(v)));
        Assert.Contains("<canvas", MotionFigure.ToHtml(clip, patch));
    }
}

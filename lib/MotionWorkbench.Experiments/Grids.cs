using MotionWorkbench.Evaluation;
using MotionWorkbench.Render.Plots;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>The settings the grid notebooks vary (Tables 8 and 10), scaled to what a preset's budget allows.</summary>
public static class Grids
{
    /// <summary>The ViT widths of Table 8: (name, width, heads, paper depth).</summary>
    public static IReadOnlyList<(string Name, int Width, int Heads, int Depth)> VitSizes { get; } =
        [("Tiny", 192, 3, 12), ("Small", 384, 6, 12), ("Base", 768, 12, 12), ("Large", 1024, 16, 24)];

    /// <summary>
    /// Table 8's backbones for a preset: Smoke runs Tiny and Small widths at the preset's depth, Laptop Tiny and Small
    /// at its depth, Paper all four at their real depths. Returns (row label, config) pairs and the sizes left out.
    /// </summary>
    public static (List<(string Label, string Size, RunConfig Config)> Runs, List<string> LeftOut) Backbones(RunConfig preset)
    {
        bool full = preset.Preset.Equals("Paper", StringComparison.OrdinalIgnoreCase);
        var runs = new List<(string, string, RunConfig)>();
        var left = new List<string>();
        foreach (var (name, width, heads, depth) in VitSizes)
        {
            if (!full && name is "Base" or "Large") { left.Add($"ViT-{name} ({width} wide, {depth} blocks)"); continue; }
            int d = full ? depth : preset.Model.VitDepth;
            var config = preset with { Name = $"vit-{name.ToLowerInvariant()}", Model = preset.Model with { VitWidth = width, VitHeads = heads, VitMlp = 4 * width, VitDepth = d } };
            runs.Add((full ? $"ViT-{name}" : $"ViT-{name} width ({width}, {heads} heads), {d} blocks", name, config));
        }
        return (runs, left);
    }

    /// <summary>Table 10's patch sizes 8, 16 and 32 with one clip length for all (the preset's, rounded up to a multiple of 32).</summary>
    public static List<(int PatchSize, RunConfig Config)> PatchSizes(RunConfig preset)
    {
        int frames = (preset.Model.MaxFrames + 31) / 32 * 32;
        return [.. new[] { 8, 16, 32 }.Select(n => (n, preset with { Name = $"patch-{n}", Model = preset.Model with { PatchSize = n, MaxFrames = frames } }))];
    }

    /// <summary>A confusion-matrix figure of a zero-shot classification (rows: true class, normalised).</summary>
    public static Figure Confusion(ClassificationResult result, IReadOnlyList<string> classes, string title)
    {
        var counts = new int[result.Classes, result.Classes];
        for (int i = 0; i < result.Classes; i++)
            for (int j = 0; j < result.Classes; j++) counts[i, j] = result.Confusion[i][j];
        return Charts.ConfusionMatrix(counts, classes, title);
    }
}

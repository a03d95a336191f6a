using System.CommandLine;
using System.Globalization;
using MotionWorkbench.Data;
using MotionWorkbench.IO;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors;
using MotionWorkbench.Visuals;
using Spectre.Console;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw patches --data DIR --id ID [--patch-size 8|16|32] [--max-frames 224] [--png OUT.png] [--html OUT.html]
/// [--npy OUT.npy] [--stats DIR]</c>: one motion as its evaluation-mode motion-patch image, and
/// <c>mw patches bench</c>: patch-building throughput.
/// </summary>
internal static class PatchesCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dataset folder in HumanML3D/KIT-ML layout (new_joints/<id>.npy, texts/, skeleton.json)" };
        var id = new Option<string>("--id") { Description = "Motion id (file name in new_joints/ without .npy)" };
        var patchSize = PatchSizeOption($"N: points per body part and frames per window ({PatchOptions.PatchSizeList})");
        var maxFrames = new Option<int>("--max-frames") { Description = "T: image height in frames, a multiple of N", DefaultValueFactory = _ => 224 };
        var png = new Option<string?>("--png") { Description = "Write the patch image as PNG (time downward, x->R y->G z->B, +-3 sigma -> 0..255)" };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML page: skeleton animation + caption + patch image" };
        var npy = new Option<string?>("--npy") { Description = "Write the evaluation-mode patch tensor (3 x T x 5N, float32) as .npy" };
        var stats = new Option<string?>("--stats") { Description = "Folder with Mean_raw.npy and Std_raw.npy (J x 3); default: shipped in --data, else computed over all of --data into the user cache ($MW_CACHE_DIR, ~/.cache/motionworkbench)" };
        var zeroStd = new Option<string>("--zero-std")
        {
            Description = "When computing statistics, a joint axis with std 0: keep (error only if a body-part chain uses it), one (std = 1), error",
            DefaultValueFactory = _ => "keep",
        };
        zeroStd.AcceptOnlyFromAmong("keep", "one", "error");
        var scale = new Option<int>("--scale") { Description = "PNG upscaling factor (nearest neighbour); the HTML page picks its own", DefaultValueFactory = _ => 3 };

        var command = new Command("patches", "Turn one motion into its motion-patch image (3 x T x 5N) and show it: PNG, HTML animation, .npy.");
        foreach (var o in new Option[] { data, id, patchSize, maxFrames, png, html, npy, stats, zeroStd, scale, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string? dataDir = parse.GetValue(data), motionId = parse.GetValue(id);
            if (string.IsNullOrWhiteSpace(dataDir) || string.IsNullOrWhiteSpace(motionId))
            {
                Console.Error.WriteLine("mw patches: --data DIR and --id ID are required (or use 'mw patches bench').");
                return 2;
            }
            return Run(dataDir, motionId, parse.GetValue(patchSize), parse.GetValue(maxFrames), parse.GetValue(png), parse.GetValue(html),
                parse.GetValue(npy), parse.GetValue(stats), parse.GetValue(scale), parse.GetValue(zeroStd) switch
                {
                    "one" => ZeroStdPolicy.UseOne,
                    "error" => ZeroStdPolicy.Throw,
                    _ => ZeroStdPolicy.Keep,
                });
        });
        command.Subcommands.Add(CreateBench());
        return command;
    }

    private static int Run(string dataDir, string motionId, int N, int T, string? pngPath, string? htmlPath, string? npyPath, string? statsDir, int scale,
        ZeroStdPolicy zeroStd)
    {
        try
        {
            var options = new PatchOptions(N, T);
            options.Validate();
            var clip = DatasetClip.Load(dataDir, motionId);
            var statistics = LoadStatistics(dataDir, statsDir, clip, zeroStd);
            var patch = new MotionPatchBuilder(statistics, options).Build(clip, PatchMode.Eval);

            var ci = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(ci, $"{clip.Id}: {clip.Frames} frames at {clip.Fps:0.##} fps, {clip.Skeleton.Name} ({clip.JointCount} joints)"));
            if (clip.Captions.Count > 0) Console.WriteLine($"caption: {clip.Captions[0].Text}");
            if (patch.RetimedFrames != clip.Frames) Console.WriteLine($"re-timed to {options.TargetFps} fps: {patch.RetimedFrames} frames");
            Console.WriteLine($"patch: 3 x {patch.Frames} x {patch.Width} (N = {N}), {patch.ValidFrames} motion frames + {patch.Frames - patch.ValidFrames} padding, {options.TokenCount} tokens ({options.Windows} windows x 5 parts)");
            float min = patch.Data.Min(), max = patch.Data.Max();
            Console.WriteLine(string.Create(ci, $"z-scores: min {min:0.###}, max {max:0.###}"));

            if (pngPath is not null)
            {
                AtomicFile.WriteAllBytes(pngPath, PatchImage.ToPng(patch, new PatchImageOptions(Scale: scale)));
                Console.WriteLine($"wrote {pngPath}");
            }
            if (htmlPath is not null)
            {
                AtomicFile.WriteAllText(htmlPath, MotionFigure.ToHtmlDocument(clip, patch));
                Console.WriteLine($"wrote {htmlPath}");
            }
            if (npyPath is not null)
            {
                Npy.Write(npyPath, patch.Data, patch.Shape);
                Console.WriteLine($"wrote {npyPath} (float32 {string.Join(" x ", patch.Shape)})");
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"mw patches: {e.Message}");
            return 1;
        }
    }

    private static MotionStatistics LoadStatistics(string dataDir, string? statsDir, MotionClip clip, ZeroStdPolicy zeroStd)
    {
        MotionStatistics statistics;
        if (statsDir is not null)
        {
            statistics = StatisticsFiles.Load(statsDir);
            Console.WriteLine($"statistics: {Path.Combine(statsDir, MotionStatistics.MeanFileName)}, {MotionStatistics.StdFileName}");
        }
        else
        {
            var report = new LoadReport();
            ResolvedStatistics resolved = null!;
            AnsiConsole.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("statistics over all motions", maxValue: 1.0);
                resolved = StatisticsFiles.Resolve(dataDir, report, zeroStd, clip.Skeleton, new Progress(task));
                task.Value = 1.0;
            });
            statistics = resolved.Statistics;
            Console.WriteLine(resolved.Describe());
            if (report.SkippedCount > 0)
            {
                Console.WriteLine($"  skipped {report.SkippedCount} file(s):");
                foreach (var s in report.Skipped.Take(20)) Console.WriteLine($"    {s.Path}: {s.Reason}");
                if (report.SkippedCount > 20) Console.WriteLine($"    ... and {report.SkippedCount - 20} more");
            }
            foreach (var w in resolved.Warnings) Console.Error.WriteLine($"mw patches: WARNING: {w}");
        }
        statistics.EnsureJointCount(clip.JointCount, $"motion '{clip.Id}'");
        foreach (var (joint, axis) in statistics.ZeroStdAxes)
            Console.WriteLine($"  note: joint {joint} '{clip.Skeleton.JointNames[joint]}' axis {"xyz"[axis]} is constant (std 0); fine unless a body-part chain uses it");
        foreach (var (joint, axis) in statistics.GuardedAxes)
            Console.WriteLine($"  note: joint {joint} '{clip.Skeleton.JointNames[joint]}' axis {"xyz"[axis]} is constant; z-scored with std = 1 (--zero-std one)");
        return statistics;
    }

    private sealed class Progress(ProgressTask task) : IProgress<double>
    {
        public void Report(double value) => task.Value = value;
    }

    /// <summary>--patch-size, accepting only <see cref="PatchOptions.PatchSizes"/> (default 16).</summary>
    private static Option<int> PatchSizeOption(string description)
    {
        var option = new Option<int>("--patch-size") { Description = description, DefaultValueFactory = _ => 16 };
        option.AcceptOnlyFromAmong(PatchOptions.PatchSizes.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        return option;
    }

    private static Command CreateBench()
    {
        var motions = new Option<int>("--motions") { Description = "Number of synthetic motions", DefaultValueFactory = _ => 10_000 };
        var frames = new Option<int>("--frames") { Description = "Frames per motion", DefaultValueFactory = _ => 200 };
        var threads = ThreadsOption.Create("Threads building samples in parallel (default: $MW_THREADS, else the cores this process may use)");
        var batch = new Option<int>("--batch") { Description = "Batch size (one reused (B, 3, T, 5N) buffer)", DefaultValueFactory = _ => 256 };
        var patchSize = PatchSizeOption($"N ({PatchOptions.PatchSizeList})");
        var maxFrames = new Option<int>("--max-frames") { Description = "T", DefaultValueFactory = _ => 224 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic motions and crops", DefaultValueFactory = _ => 1 };
        var command = new Command("bench", "Patch-building throughput: synthetic motions -> (B, 3, T, 5N) batches; prints motions/s (target: 10,000 x 200 frames in < 5 s on 2 cores).");
        foreach (var o in new Option[] { motions, frames, threads, batch, patchSize, maxFrames, seed }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var options = new PatchOptions(parse.GetValue(patchSize), parse.GetValue(maxFrames));
                options.Validate();
                int count = parse.GetValue(motions), T = parse.GetValue(frames), threadCount = Par.Threads, B = parse.GetValue(batch);
                Console.WriteLine($"generating {count} synthetic motions of {T} frames (SMPL-22, not timed) ...");
                var clips = PatchBenchmark.SyntheticMotions(count, T, parse.GetValue(seed), threadCount);
                PatchBenchmarkResult result = null!;
                AnsiConsole.Progress().AutoClear(true).Start(ctx =>
                {
                    var task = ctx.AddTask("building patches", maxValue: 1.0);
                    result = PatchBenchmark.Run(clips, options, threadCount, B, parse.GetValue(seed), new Progress(task));
                });
                var ci = CultureInfo.InvariantCulture;
                Console.WriteLine(string.Create(ci, $"statistics over {count} x {T} frames: {result.StatisticsSeconds:0.000} s"));
                Console.WriteLine(string.Create(ci,
                    $"patches: {count} motions -> (B = {B}, 3, {options.MaxFrames}, {options.Width}) batches on {threadCount} thread(s): {result.Seconds:0.000} s, {result.MotionsPerSecond:0} motions/s"));
                Console.WriteLine(result.Seconds < 5.0 * count / 10_000.0
                    ? "target met (10,000 motions in < 5 s)"
                    : string.Create(ci, $"target missed: {result.Seconds * 10_000.0 / count:0.00} s per 10,000 motions (target < 5 s)"));
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"mw patches bench: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

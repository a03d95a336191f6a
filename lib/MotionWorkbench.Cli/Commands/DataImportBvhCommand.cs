using System.CommandLine;
using System.Globalization;
using MotionWorkbench.Data.Import;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Cli.Commands;

/// <summary><c>mw data import-bvh</c>: a folder of BVH files (or the Bandai .tar.xz archives) to a HumanML3D-format folder.</summary>
internal static class DataImportBvhCommand
{
    public static Command Create()
    {
        var inOpt = new Option<string>("--in") { Description = "Folder searched recursively for .bvh files, or a folder of / a single .tar.xz archive (extracted with the system tar/xz into data/cache).", Required = true };
        var outOpt = new Option<string>("--out") { Description = "Output folder (HumanML3D format).", Required = true };
        var fmtOpt = new Option<string>("--format") { Description = "auto, bandai or generic.", DefaultValueFactory = _ => "auto" };
        fmtOpt.AcceptOnlyFromAmong("auto", "bandai", "generic");
        var fpsOpt = new Option<float>("--fps") { Description = "Output frame rate.", DefaultValueFactory = _ => 20f };
        var partsOpt = new Option<string?>("--parts") { Description = "JSON map of the part chains (right_leg, left_leg, spine, right_arm, left_arm -> joint names)." };
        var scaleOpt = new Option<float?>("--scale") { Description = "Metres per BVH unit (default: guessed from the body size)." };
        var upOpt = new Option<string>("--up") { Description = "Up axis of the files: y (default) or z.", DefaultValueFactory = _ => "y" };
        upOpt.AcceptOnlyFromAmong("y", "z");
        var noMirrorOpt = new Option<bool>("--no-mirrors") { Description = "Do not write M-prefixed mirrors." };
        var cacheOpt = new Option<string?>("--cache") { Description = "Where archives are extracted (default: <out>/../cache)." };
        var seedOpt = new Option<ulong>("--seed") { Description = "Seed of the stratified train/val/test split.", DefaultValueFactory = _ => 42UL };
        var maxOpt = new Option<int?>("--max-files") { Description = "Import only the first N files (sorted by name)." };
        var command = new Command("import-bvh", "Import BVH motion capture into a HumanML3D-format folder (world joint positions in metres, Y up, resampled), with part chains inferred from the joint names.");
        foreach (var o in new Option[] { inOpt, outOpt, fmtOpt, fpsOpt, partsOpt, scaleOpt, upOpt, noMirrorOpt, cacheOpt, seedOpt, maxOpt, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse => DataCommand.Run(() =>
        {
            var options = new BvhImportOptions
            {
                Format = parse.GetValue(fmtOpt)!,
                Fps = parse.GetValue(fpsOpt),
                PartsMap = parse.GetValue(partsOpt),
                Scale = parse.GetValue(scaleOpt),
                UpAxis = parse.GetValue(upOpt)![0],
                Mirrors = !parse.GetValue(noMirrorOpt),
                CacheDir = parse.GetValue(cacheOpt),
                Seed = parse.GetValue(seedOpt),
                MaxFiles = parse.GetValue(maxOpt),
                Parallelism = Par.Threads,
            };
            string input = parse.GetValue(inOpt)!, output = parse.GetValue(outOpt)!;
            var r = DataCommand.WithProgress("import-bvh", p => BvhImporter.Import(input, output, options, p));
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"imported {r.ClipsWritten} clip(s) + {r.MirrorsWritten} mirror(s) ({r.Format}) to {r.OutDir} in {r.Elapsed.TotalSeconds.ToString("F1", inv)} s");
            Console.WriteLine($"skeleton {r.Skeleton.Name}: {r.Skeleton.JointCount} joints, {r.Fps.ToString(inv)} fps, scale {r.Scale.ToString(inv)} m/unit (body extent on the first frame {r.BodySizeMetres.ToString("0.00", inv)} m{(r.BodySizeMetres is < 0.8f or > 2.5f ? ": implausible for a person, check --scale" : "")})");
            string[] parts = ["right leg", "left leg", "spine", "right arm", "left arm"];
            for (int p = 0; p < 5; p++)
                Console.WriteLine($"  {parts[p],-9}: {string.Join(" > ", r.Skeleton.Chains[p].Select(j => r.Skeleton.JointNames[j]))}");
            Console.WriteLine("splits: " + string.Join(", ", r.SplitSizes.Select(kv => $"{kv.Key} {kv.Value}")));
            if (r.Labels is not null) Console.WriteLine($"label set: {r.Labels.Classes.Count} classes ({string.Join(", ", r.Labels.Classes)})");
            foreach (var s in r.Report.Skipped) Console.WriteLine($"skipped {s.Message}");
            foreach (var n in r.Report.Notes) Console.WriteLine($"note: {n}");
            Console.WriteLine(r.Report.Summary("written"));
            return r.Report.Balanced ? 0 : 1;
        }));
        return command;
    }
}

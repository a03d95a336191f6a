using System.CommandLine;
using System.Diagnostics;
using MotionWorkbench.Data.Import;
using MotionWorkbench.Data.Probes;
using MotionWorkbench.Data.Synthetic;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// <c>mw data probes --out DIR [--skeleton smpl|kit] [--pairs N] [--seed S] [--max-seconds S] [--attributes a,b]</c>:
/// a minimal-pair probe set from the synthetic generator; <c>--from-bandai DIR [--split test]</c>: real left/right pairs
/// from an imported Bandai folder. Both write the dataset layout plus probes.json.
/// </summary>
internal static class DataProbesCommand
{
    public static Command Create()
    {
        var outOpt = new Option<string>("--out") { Description = "Output folder (created; an existing probe set there is replaced, any other non-empty folder refused).", Required = true };
        var skOpt = new Option<string>("--skeleton") { Description = "smpl (22 joints, 20 fps) or kit (21 joints, 12.5 fps).", DefaultValueFactory = _ => "smpl" };
        skOpt.AcceptOnlyFromAmong("smpl", "kit");
        var pairsOpt = new Option<int>("--pairs") { Description = "Pairs per attribute.", DefaultValueFactory = _ => 100 };
        var seedOpt = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same files.", DefaultValueFactory = _ => 42UL };
        var secondsOpt = new Option<float>("--max-seconds") { Description = "Longest clip in seconds at 20 fps (5.6 = the Laptop preset's 112 frames).", DefaultValueFactory = _ => 5.6f };
        var attrOpt = new Option<string?>("--attributes") { Description = $"Comma-separated subset of {string.Join(", ", ProbeAttributes.All)} (default: all)." };
        var bandaiOpt = new Option<string?>("--from-bandai") { Description = "An imported Bandai folder (mw data import-bvh): write its real left/right and mirror pairs instead." };
        var splitOpt = new Option<string>("--split") { Description = "With --from-bandai: the split whose clips are paired.", DefaultValueFactory = _ => "test" };
        var command = new Command("probes", "Write a minimal-pair probe set (pairs of motions that differ in one attribute, with their captions) in the dataset layout plus probes.json.");
        foreach (var o in new Option[] { outOpt, skOpt, pairsOpt, seedOpt, secondsOpt, attrOpt, bandaiOpt, splitOpt }) command.Options.Add(o);
        command.SetAction(parse => DataCommand.Run(() =>
        {
            string outDir = parse.GetValue(outOpt)!;
            OutputCheck.Folder(outDir, "--out");
            var sw = Stopwatch.StartNew();
            ProbeSet set;
            if (parse.GetValue(bandaiOpt) is { } bandai)
            {
                foreach (var o in new Option[] { skOpt, pairsOpt, seedOpt, secondsOpt, attrOpt })
                    if (parse.GetResult(o) is { Implicit: false }) throw new ArgumentException($"{o.Name} does not apply to --from-bandai (the pairs are the real clips')");
                set = DataCommand.WithProgress("bandai probes", p => BandaiProbes.Write(bandai, outDir, parse.GetValue(splitOpt)!, (d, t) => p("write", d, t)));
            }
            else
            {
                if (parse.GetResult(splitOpt) is { Implicit: false }) throw new ArgumentException("--split applies to --from-bandai only");
                var attributes = parse.GetValue(attrOpt) is { } list
                    ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : ProbeAttributes.All.ToArray();
                var options = new ProbeOptions
                {
                    Skeleton = parse.GetValue(skOpt)!, PairsPerAttribute = parse.GetValue(pairsOpt), Seed = parse.GetValue(seedOpt),
                    MaxSeconds = parse.GetValue(secondsOpt), Attributes = attributes,
                };
                options.Validate();
                set = DataCommand.WithProgress("probes", p => SyntheticProbes.Write(outDir, options, p));
            }
            Console.WriteLine($"wrote {set.Pairs.Count} pairs ({set.MotionIds().Count} motions, {set.Source}, {set.Skeleton}) to {Path.GetFullPath(outDir)} in {sw.Elapsed.TotalSeconds:F1} s");
            foreach (var a in set.Attributes)
                Console.WriteLine($"  {a,-10} {set.Pairs.Count(p => p.Attribute == a),5} pairs  {ProbeAttributes.Describe(a)}");
            Console.WriteLine($"probe a run with: mw probe --run RUN --probes {outDir}");
            return 0;
        }));
        return command;
    }
}

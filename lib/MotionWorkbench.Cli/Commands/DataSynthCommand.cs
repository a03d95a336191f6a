using System.CommandLine;
using System.Diagnostics;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Cli.Commands;

/// <summary><c>mw data synth</c>: the seeded synthetic motion-language dataset (HumanML3D or InterHuman format).</summary>
internal static class DataSynthCommand
{
    public static Command Create()
    {
        var outOpt = new Option<string>("--out") { Description = "Output folder (created; files are overwritten).", Required = true };
        var skOpt = new Option<string>("--skeleton") { Description = "smpl (22 joints, 20 fps) or kit (21 joints, 12.5 fps).", DefaultValueFactory = _ => "smpl" };
        skOpt.AcceptOnlyFromAmong("smpl", "kit");
        var countOpt = new Option<int>("--count") { Description = "Number of clips (mirrors come on top).", DefaultValueFactory = _ => 4000 };
        var seedOpt = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same files.", DefaultValueFactory = _ => 42UL };
        var interOpt = new Option<bool>("--interactions") { Description = "Write the two-person interaction set in InterHuman format instead." };
        var noMirrorOpt = new Option<bool>("--no-mirrors") { Description = "Do not write the M-prefixed mirrored copies." };
        var command = new Command("synth", "Generate the synthetic motion-language dataset (HumanML3D format, or InterHuman with --interactions).");
        foreach (var o in new Option[] { outOpt, skOpt, countOpt, seedOpt, interOpt, noMirrorOpt, ThreadsOption.Create() }) command.Options.Add(o);
        command.SetAction(parse => DataCommand.Run(() =>
        {
            string outDir = parse.GetValue(outOpt)!;
            int count = parse.GetValue(countOpt);
            if (count < 1) { Console.Error.WriteLine($"error: --count must be at least 1, got {count}"); return 2; }
            var sw = Stopwatch.StartNew();
            if (parse.GetValue(interOpt))
            {
                if (parse.GetValue(skOpt) != "smpl") { Console.Error.WriteLine("error: --interactions uses the SMPL-22 skeleton (InterHuman keeps 22 joints); drop --skeleton kit"); return 2; }
                var io = new InteractionOptions { Count = count, Seed = parse.GetValue(seedOpt), Mirrors = !parse.GetValue(noMirrorOpt), Threads = Par.Threads };
                var (set, rep) = DataCommand.WithProgress("interactions", p => SyntheticInteractions.Write(outDir, io, p));
                Console.WriteLine($"wrote {set.Clips.Count} interactions ({set.Types.Count} types) to {Path.GetFullPath(outDir)} in {sw.Elapsed.TotalSeconds:F1} s");
                Console.WriteLine(rep.Summary("written"));
                return rep.Balanced ? 0 : 1;
            }
            var o = new SynthOptions { Count = count, Seed = parse.GetValue(seedOpt), Skeleton = parse.GetValue(skOpt)!, Mirrors = !parse.GetValue(noMirrorOpt), Threads = Par.Threads };
            var (ds, report) = DataCommand.WithProgress("synth", p => SyntheticMotions.Write(outDir, o, p));
            Console.WriteLine($"wrote {ds.Clips.Count} clips ({count} + mirrors) to {Path.GetFullPath(outDir)} in {sw.Elapsed.TotalSeconds:F1} s");
            Console.Write(ds.Summarize().ToText());
            Console.WriteLine(report.Summary("written"));
            return report.Balanced ? 0 : 1;
        }));
        return command;
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.IO;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Sparse;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Training;

namespace MotionWorkbench.Cli.Tests;

/// <summary>
/// Crash freedom (issue 28): every file format the workbench reads (npy motions, captions, BVH, safetensors, sparse
/// indexes, notebooks, config.json) is corrupted by random bytes, truncation and bit flips (seeded) and fed to its
/// reader in process, then a few of each to the mw verb that takes it. A reader may accept a corruption that is still
/// valid; otherwise it must end with a bad-input exception that names the file, never another exception type; a verb
/// must exit 0 or 2 with no stack trace and no "unexpected error", naming the file when it exits 2. Bounded in time
/// (about 20 s in process and 30 s of mw runs).
/// </summary>
public sealed class CrashFreedomFuzzTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mw-fuzz-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private const string TwoJointBvh = "HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n" +
        "  JOINT Chest\n  {\n    OFFSET 0 10 0\n    CHANNELS 3 Zrotation Xrotation Yrotation\n    End Site\n    {\n      OFFSET 0 2 0\n    }\n  }\n}\n" +
        "MOTION\nFrames: 3\nFrame Time: 0.05\n1 2 3 0 0 0 0 0 0\n1 2 3 10 0 0 5 0 0\n1 2 3 20 0 0 10 0 0\n";

    /// <summary>A valid file of every format, with its in-process reader.</summary>
    private List<(string Format, byte[] Valid, Action<string> Read)> Formats()
    {
        string data = Path.Combine(root, "seed-data");
        SyntheticMotions.Write(data, new SynthOptions { Count = 4, Seed = 3, Mirrors = false });
        string motion = Directory.GetFiles(Path.Combine(data, "new_joints"), "*.npy").Order(StringComparer.Ordinal).First();
        string caption = Path.Combine(data, "texts", Path.GetFileNameWithoutExtension(motion) + ".txt");
        string weights = Path.Combine(root, "seed.safetensors");
        Safetensors.Write(weights, [("fc1.weight", Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)), ("fc1.bias", Tensor.FromArray(new float[] { 1, 2 }, 2))],
            new Dictionary<string, string> { ["format"] = "pt" });
        string index = Path.Combine(root, "seed.mwidx");
        var vectors = Enumerable.Range(0, 30).Select(i => SparseVector.FromPairs([(i % 7, 1f + i), (7 + i % 11, 0.5f)])).ToArray();
        SparseIndex.Build(vectors, 40, VocabularyHash.OfSize(40), vectors.Select((_, i) => $"m{i}").ToArray(), new IndexBuildOptions()).Save(index);
        string notebook = "{\"cells\":[{\"cell_type\":\"code\",\"execution_count\":null,\"id\":\"a1\",\"metadata\":{},\"outputs\":[],\"source\":[\"1 + 1\"]}]," +
            "\"metadata\":{\"kernelspec\":{\"display_name\":\".NET (C#)\",\"language\":\"C#\",\"name\":\".net-csharp\"}},\"nbformat\":4,\"nbformat_minor\":5}";
        return
        [
            ("npy motion", File.ReadAllBytes(motion), p => Npy.Read(p)),
            ("captions", File.ReadAllBytes(caption), p => HumanMLText.Read(p)),
            ("bvh", Encoding.ASCII.GetBytes(TwoJointBvh), p => Bvh.Read(p)),
            ("safetensors", File.ReadAllBytes(weights), p => Safetensors.Read(p)),
            ("index", File.ReadAllBytes(index), p => SparseIndex.Load(p)),
            ("notebook", Encoding.UTF8.GetBytes(notebook), p => Notebook.Load(p)),
            ("config.json", Encoding.UTF8.GetBytes(RunConfig.Smoke.ToJson()), p => RunConfig.Load(Path.GetDirectoryName(p)!)),
        ];
    }

    /// <summary>Random bytes, a truncation, or 1-8 bit flips of <paramref name="valid"/>, by the seeded <paramref name="rng"/>.</summary>
    private static (string Kind, byte[] Bytes) Mutate(byte[] valid, Random rng)
    {
        switch (rng.Next(3))
        {
            case 0:
                var noise = new byte[rng.Next(0, 512)];
                rng.NextBytes(noise);
                return ("random bytes", noise);
            case 1:
                return ("truncation", valid[..rng.Next(0, valid.Length)]);
            default:
                var flipped = (byte[])valid.Clone();
                int flips = rng.Next(1, 9);
                for (int i = 0; i < flips; i++) flipped[rng.Next(flipped.Length)] ^= (byte)(1 << rng.Next(8));
                return ("bit flips", flipped);
        }
    }

    private static bool IsBadInput(Exception e) =>
        e is InvalidDataException or FileNotFoundException or ArgumentException or FormatException or JsonException or KeyNotFoundException or NotebookFormatException;

    [Fact]
    public void Readers_CorruptedFilesOfEveryFormat_GiveABadInputErrorNamingTheFile()
    {
        var rng = new Random(28);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        int cases = 0;
        foreach (var (format, valid, read) in Formats())
        {
            string dir = Path.Combine(root, "in-process-" + format.Replace(' ', '-').Replace('.', '-'));
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, format == "config.json" ? "config.json" : "case" + Extension(format));
            var until = clock.Elapsed + TimeSpan.FromSeconds(3);
            for (int i = 0; i < 400 && clock.Elapsed < until; i++, cases++)
            {
                var (kind, bytes) = Mutate(valid, rng);
                File.WriteAllBytes(path, bytes);
                try { read(path); }
                catch (Exception e) when (IsBadInput(e) && e.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal)) { }
                catch (Exception e)
                {
                    if (failures.Count < 12) failures.Add($"{format} ({kind}, case {i}): {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }
        Assert.True(cases > 100, $"only {cases} cases ran");
        Assert.True(failures.Count == 0, $"{failures.Count} corrupted files escaped as crashes or unnamed errors:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Verbs_CorruptedFiles_ExitCleanlyNamingTheFile()
    {
        var rng = new Random(2028);
        var formats = Formats().ToDictionary(f => f.Format, f => f.Valid);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        int runs = 0;
        for (int round = 0; round < 4 && clock.Elapsed < TimeSpan.FromSeconds(30); round++)
        {
            foreach (var (format, valid) in formats)
            {
                var (kind, bytes) = Mutate(valid, rng);
                string dir = Path.Combine(root, $"verb-{runs}");
                Directory.CreateDirectory(dir);
                var (file, args) = Case(format, dir, bytes);
                var r = Mw.Run(args);
                runs++;
                string label = $"{format} ({kind}) via mw {string.Join(' ', args.Take(2))}";
                if (r.ExitCode is not (0 or 2)) failures.Add($"{label}: exit {r.ExitCode}: {r.Stderr.Trim()}");
                else if (r.All.Contains("   at ", StringComparison.Ordinal) || r.All.Contains("unexpected error", StringComparison.Ordinal)) failures.Add($"{label}: a stack trace or unexpected error: {r.Stderr.Trim()}");
                else if (r.ExitCode == 2 && !r.Stderr.Contains(file, StringComparison.Ordinal) && !r.Stderr.Contains(Path.GetFileName(file), StringComparison.Ordinal))
                    failures.Add($"{label}: exit 2 without naming {file}: {r.Stderr.Trim()}");
            }
        }
        Assert.True(runs >= formats.Count, $"only {runs} verb runs");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Extension(string format) => format switch
    {
        "npy motion" => ".npy", "captions" => ".txt", "bvh" => ".bvh", "safetensors" => ".safetensors", "index" => ".mwidx", "notebook" => ".ipynb", _ => ".json",
    };

    /// <summary>The corrupted file placed where a verb reads it, and that verb's arguments.</summary>
    private (string File, string[] Args) Case(string format, string dir, byte[] bytes)
    {
        switch (format)
        {
            case "npy motion":
            case "captions":
            {
                string data = Path.Combine(dir, "data");
                SyntheticMotions.Write(data, new SynthOptions { Count = 4, Seed = 3, Mirrors = false });
                string id = Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(data, "new_joints"), "*.npy").Order(StringComparer.Ordinal).First());
                string file = format == "captions" ? Path.Combine(data, "texts", id + ".txt") : Path.Combine(data, "new_joints", id + ".npy");
                File.WriteAllBytes(file, bytes);
                return format == "captions" ? (file, ["data", "summary", data]) : (file, ["patches", "--data", data, "--id", id]);
            }
            case "bvh":
            {
                string input = Path.Combine(dir, "bvh");
                Directory.CreateDirectory(input);
                string file = Path.Combine(input, "take.bvh");
                File.WriteAllBytes(file, bytes);
                return (file, ["data", "import-bvh", "--in", input, "--out", Path.Combine(dir, "imported")]);
            }
            case "safetensors":
            {
                string file = Path.Combine(dir, "model.safetensors");
                File.WriteAllBytes(file, bytes);
                string input = Path.Combine(dir, "p.npy");
                Npy.Write(input, new float[3 * 32 * 40], 1, 3, 32, 40);
                return (file, ["encode", "vit", "--checkpoint", file, "--input", input, "--out", Path.Combine(dir, "f.npy")]);
            }
            case "index":
            {
                string file = Path.Combine(dir, "x.mwidx");
                File.WriteAllBytes(file, bytes);
                return (file, ["index", "info", file]);
            }
            case "notebook":
            {
                string file = Path.Combine(dir, "n.ipynb");
                File.WriteAllBytes(file, bytes);
                return (file, ["notebook", "export", file, "--format", "cs", "--out", Path.Combine(dir, "n.cs")]);
            }
            default:
            {
                string run = Path.Combine(dir, "run");
                Directory.CreateDirectory(run);
                string file = Path.Combine(run, "config.json");
                File.WriteAllBytes(file, bytes);
                return (file, ["eval", "--run", run]);
            }
        }
    }
}

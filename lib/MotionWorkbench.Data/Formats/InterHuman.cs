using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data.Formats;

/// <summary>A two-person motion: both people on the same clock and world frame, with captions and an optional type label.</summary>
public sealed class InteractionClip
{
    public InteractionClip(string id, MotionClip person1, MotionClip person2, IReadOnlyList<string> captions, IReadOnlyList<string>? labels = null)
    {
        if (person1.Frames != person2.Frames)
            throw new ArgumentException($"interaction '{id}': person1 has {person1.Frames} frames, person2 {person2.Frames}");
        Id = id;
        Person1 = person1;
        Person2 = person2;
        Captions = captions;
        Labels = labels ?? [];
    }

    public string Id { get; }
    public MotionClip Person1 { get; }
    public MotionClip Person2 { get; }
    public IReadOnlyList<string> Captions { get; }
    public IReadOnlyList<string> Labels { get; }
    public int Frames => Person1.Frames;
    public float Fps => Person1.Fps;
}

/// <summary>
/// InterHuman folders (InterGen layout): <c>motions_processed/person1|person2/&lt;id&gt;.npy</c> (T x F, F &gt;= 66: the
/// first 22 joints' positions, Z up), <c>annots/&lt;id&gt;.txt</c> (one caption per line), <c>train/val/test.txt</c>,
/// <c>ignore_list.txt</c>; 30 fps. Positions are mapped to Y up as InterGen's loader does: (x, y, z) -&gt; (x, z, -y).
/// </summary>
public sealed class InterHumanDataset
{
    public const float DefaultFps = 30f;

    public InterHumanDataset(string name, IReadOnlyList<InteractionClip> clips, IReadOnlyDictionary<string, IReadOnlyList<string>> splits,
        string? root = null, LoadReport? report = null)
    {
        Name = name;
        Clips = clips;
        Root = root;
        _byId = clips.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _splits = new Dictionary<string, IReadOnlyList<string>>(splits, StringComparer.Ordinal);
        if (!_splits.ContainsKey("all")) _splits["all"] = clips.Select(c => c.Id).ToArray();
        Report = report ?? new LoadReport();
    }

    private readonly Dictionary<string, InteractionClip> _byId;
    private readonly Dictionary<string, IReadOnlyList<string>> _splits;

    public string Name { get; }
    public string? Root { get; }
    public IReadOnlyList<InteractionClip> Clips { get; }
    public LoadReport Report { get; }
    public IReadOnlyList<string> SplitNames => _splits.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The interaction types present (labels), sorted.</summary>
    public IReadOnlyList<string> Types => Clips.SelectMany(c => c.Labels).Distinct().Order(StringComparer.Ordinal).ToArray();

    public InteractionClip Get(string id) => _byId.TryGetValue(id, out var c) ? c
        : throw new KeyNotFoundException($"InterHuman set '{Name}' has no clip '{id}' ({_byId.Count} ids exist; nearest: {string.Join(", ", MotionDataset.NearMatches(id, _byId.Keys, 5))})");

    public IReadOnlyList<string> Split(string name) => _splits.TryGetValue(name, out var s) ? s
        : throw new KeyNotFoundException($"InterHuman set '{Name}' has no split '{name}'; its splits are: {string.Join(", ", SplitNames)}");

    /// <summary>Z-up (InterHuman) to Y-up: (x, y, z) -&gt; (x, z, -y).</summary>
    public static void ZUpToYUp(Span<float> xyz)
    {
        for (int i = 0; i + 2 < xyz.Length; i += 3)
        {
            float y = xyz[i + 1], z = xyz[i + 2];
            xyz[i + 1] = z;
            xyz[i + 2] = -y;
        }
    }

    /// <summary>Y-up to Z-up, the inverse of <see cref="ZUpToYUp"/>: (x, y, z) -&gt; (x, -z, y).</summary>
    public static void YUpToZUp(Span<float> xyz)
    {
        for (int i = 0; i + 2 < xyz.Length; i += 3)
        {
            float y = xyz[i + 1], z = xyz[i + 2];
            xyz[i + 1] = -z;
            xyz[i + 2] = y;
        }
    }

    /// <param name="threads">Threads that read the files (1 when <paramref name="strict"/>): 0 = as many as .NET reports processors.</param>
    public static InterHumanDataset Load(string dir, float fps = DefaultFps, bool strict = false, int threads = 0)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: InterHuman folder not found");
        dir = Path.GetFullPath(dir);
        string p1 = Path.Combine(dir, "motions_processed", "person1"), p2 = Path.Combine(dir, "motions_processed", "person2");
        if (!Directory.Exists(p1) || !Directory.Exists(p2))
            throw new InvalidDataException($"{dir}: not an InterHuman folder: needs motions_processed/person1 and motions_processed/person2");
        var ignore = new HashSet<string>(StringComparer.Ordinal);
        string ig = Path.Combine(dir, "ignore_list.txt");
        if (File.Exists(ig)) foreach (var l in File.ReadAllLines(ig)) if (l.Trim().Length > 0) ignore.Add(l.Trim());
        IReadOnlyDictionary<string, string[]>? labels = null;
        string actions = Path.Combine(dir, ActionLabelSet.FileName);
        if (File.Exists(actions)) labels = ActionLabelSet.Load(actions).LabelsByClip();

        var files = Directory.EnumerateFiles(p1, "*.npy").Order(StringComparer.Ordinal).ToList();
        var report = new LoadReport();
        report.CountIn(files.Count);
        var clips = new InteractionClip?[files.Count];
        var sk = Skeleton.Smpl22;
        Parallel.For(0, files.Count, DataParallelism.Options(strict ? 1 : threads), i =>
        {
            string f1 = files[i];
            string id = Path.GetFileNameWithoutExtension(f1);
            if (ignore.Contains(id)) { report.Skip(f1, "listed in ignore_list.txt"); return; }
            try
            {
                var m1 = ReadPerson(f1, id, sk, fps);
                string f2 = Path.Combine(p2, id + ".npy");
                if (!File.Exists(f2)) throw new FileNotFoundException($"{f1}: no person2 file {f2}", f2);
                var m2 = ReadPerson(f2, id, sk, fps);
                if (m1.Frames != m2.Frames) throw new InvalidDataException($"{f2}: person2 has {m2.Frames} frames, person1 {m1.Frames}");
                string txt = Path.Combine(dir, "annots", id + ".txt");
                if (!File.Exists(txt)) throw new FileNotFoundException($"{f1}: no caption file {txt}", txt);
                var lines = File.ReadAllLines(txt).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
                if (lines.Length == 0) throw new InvalidDataException($"{txt}: caption file has no captions");
                clips[i] = new InteractionClip(id, m1, m2, lines, labels is not null && labels.TryGetValue(id, out var lab) ? lab : null);
                report.Ok();
            }
            catch (Exception e) when (!strict && e is InvalidDataException or IOException or ArgumentException)
            {
                report.Skip(f1, e.Message);
            }
        });
        var loaded = clips.Where(c => c is not null).Select(c => c!).ToList();
        var present = loaded.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var splits = MotionDataset.ReadSplits(dir)
            .ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Where(present.Contains).ToArray());
        return new InterHumanDataset(new DirectoryInfo(dir).Name, loaded, splits, dir, report);
    }

    private static MotionClip ReadPerson(string file, string id, Skeleton sk, float fps)
    {
        var a = Npy.Read(file);
        int T, C;
        if (a.Rank == 2) { T = a.Shape[0]; C = a.Shape[1]; }
        else if (a.Rank == 3 && a.Shape[2] == 3) { T = a.Shape[0]; C = a.Shape[1] * 3; }
        else throw new InvalidDataException($"{file}: expected shape (T, C) with C >= 66 or (T, J, 3), got {a.ShapeText}");
        if (C < 66) throw new InvalidDataException($"{file}: {C} columns, InterHuman rows need at least 66 (22 joints x 3), got shape {a.ShapeText}");
        if (T == 0) throw new InvalidDataException($"{file}: motion has 0 frames");
        var pos = new float[T * 66];
        for (int t = 0; t < T; t++)
        {
            var row = a.Data.AsSpan(t * C, 66);
            for (int k = 0; k < 66; k++)
                if (!float.IsFinite(row[k])) throw new InvalidDataException($"{file}: frame {t} has a non-finite value at joint {k / 3}");
            row.CopyTo(pos.AsSpan(t * 66));
        }
        ZUpToYUp(pos);
        return new MotionClip(id, sk, fps, pos, null, null, file);
    }
}

using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data;

/// <summary>Options for <see cref="MotionDataset.Load"/>.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>Load only the ids of this split (e.g. "test"); null loads every motion file.</summary>
    public string? Split { get; init; }

    /// <summary>Stop after this many clips (in id order); null = all.</summary>
    public int? MaxClips { get; init; }

    /// <summary>Override the frame rate (otherwise skeleton.json, else 20 for 22 joints / 12.5 for 21 joints).</summary>
    public float? Fps { get; init; }

    /// <summary>Override the skeleton (otherwise skeleton.json, else Smpl22 / Kit21 by joint count).</summary>
    public Skeleton? Skeleton { get; init; }

    /// <summary>When true (default) a motion without a caption file is skipped and reported; when false it loads without captions.</summary>
    public bool RequireCaptions { get; init; } = true;

    /// <summary>Include M-prefixed mirrors (default true).</summary>
    public bool IncludeMirrors { get; init; } = true;

    /// <summary>Throw on the first bad file instead of skipping and reporting it.</summary>
    public bool Strict { get; init; }

    /// <summary>A name for the dataset (default: the folder name).</summary>
    public string? Name { get; init; }

    /// <summary>Threads that read the motion files (1 when Strict): 0 (default) = as many as .NET reports processors; the workbench passes its engine threads.</summary>
    public int Threads { get; init; }
}

/// <summary>
/// A motion-language dataset in memory: clips (id, joints, fps, skeleton, captions with segments, labels) and named
/// splits. <see cref="Load"/> reads HumanML3D / KIT-ML folders (new_joints/*.npy, texts/*.txt, split files,
/// optional TMR annotations.json and skeleton.json).
/// </summary>
public sealed class MotionDataset
{
    /// <summary>The largest coordinate a joint position (metres) may have; beyond it a clip is skipped as corrupt.</summary>
    public const float MaxAbsPositionMetres = 10_000f;

    private readonly Dictionary<string, MotionClip> _byId;
    private readonly Dictionary<string, IReadOnlyList<string>> _splits;

    public MotionDataset(string name, Skeleton skeleton, float fps, IEnumerable<MotionClip> clips,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? splits = null, string? root = null, LoadReport? report = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Skeleton = skeleton;
        Fps = fps;
        Root = root;
        Clips = clips.ToArray();
        _byId = new Dictionary<string, MotionClip>(StringComparer.Ordinal);
        foreach (var c in Clips)
        {
            if (!_byId.TryAdd(c.Id, c)) throw new ArgumentException($"dataset '{name}': clip id '{c.Id}' appears twice");
            if (c.Skeleton.JointCount != skeleton.JointCount)
                throw new ArgumentException($"dataset '{name}': clip '{c.Id}' has {c.Skeleton.JointCount} joints, the dataset's skeleton {skeleton.JointCount}");
        }
        _splits = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (splits is not null)
            foreach (var kv in splits) _splits[kv.Key] = kv.Value.ToArray();
        if (!_splits.ContainsKey("all")) _splits["all"] = Clips.Select(c => c.Id).ToArray();
        Report = report ?? new LoadReport();
    }

    public string Name { get; }
    public string? Root { get; }
    public Skeleton Skeleton { get; }
    public float Fps { get; }
    public IReadOnlyList<MotionClip> Clips { get; }
    public LoadReport Report { get; }
    public int Count => Clips.Count;

    /// <summary>The action-label set (actions.json beside the data) for zero-shot classification, when there is one.</summary>
    public ActionLabelSet? Actions { get; init; }

    public IReadOnlyList<string> SplitNames => _splits.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

    public bool Contains(string id) => _byId.ContainsKey(id);

    public bool TryGet(string id, out MotionClip clip) => _byId.TryGetValue(id, out clip!);

    public MotionClip Get(string id)
    {
        if (_byId.TryGetValue(id, out var c)) return c;
        var near = NearMatches(id, _byId.Keys, 5);
        throw new KeyNotFoundException(
            $"dataset '{Name}' has no clip '{id}' ({_byId.Count} ids exist{(near.Count > 0 ? "; nearest: " + string.Join(", ", near) : "")})");
    }

    /// <summary>Ids of a split (as listed in its file; ids whose files were skipped are dropped).</summary>
    public IReadOnlyList<string> Split(string name)
    {
        if (_splits.TryGetValue(name, out var ids)) return ids;
        throw new KeyNotFoundException($"dataset '{Name}' has no split '{name}'; its splits are: {string.Join(", ", SplitNames)}");
    }

    /// <summary>The clips of a split.</summary>
    public IReadOnlyList<MotionClip> ClipsOf(string split) => Split(split).Select(Get).ToArray();

    public DatasetSummary Summarize() => DatasetSummary.Compute(this);

    public override string ToString() => $"{Name}: {Clips.Count} clips, {Skeleton.Name}, {Fps} fps";

    internal static List<string> NearMatches(string id, IEnumerable<string> keys, int k)
    {
        return keys
            .Select(key => (key, d: key.Contains(id, StringComparison.OrdinalIgnoreCase) || id.Contains(key, StringComparison.OrdinalIgnoreCase)
                ? Math.Abs(key.Length - id.Length) / 4 : Levenshtein(id, key)))
            .OrderBy(x => x.d).ThenBy(x => x.key, StringComparer.Ordinal)
            .Take(k).Where(x => x.d <= Math.Max(3, id.Length / 2)).Select(x => x.key).ToList();
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    // ------------------------------------------------------------------------------------------------------------
    // Loading

    /// <summary>
    /// Loads a HumanML3D/KIT-ML-format folder: <c>new_joints/&lt;id&gt;.npy</c> (T x J x 3), <c>texts/&lt;id&gt;.txt</c>
    /// or TMR's <c>annotations.json</c>, split files (<c>*.txt</c> in the folder or in <c>splits/</c>), and
    /// <c>skeleton.json</c> when present. Bad files are skipped and listed in <see cref="Report"/>.
    /// </summary>
    public static MotionDataset Load(string dir, DatasetLoadOptions? options = null)
    {
        options ??= new DatasetLoadOptions();
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: dataset folder not found");
        dir = Path.GetFullPath(dir);
        string name = options.Name ?? new DirectoryInfo(dir).Name;
        string jointsDir = Path.Combine(dir, "new_joints");
        if (!Directory.Exists(jointsDir))
        {
            if (Directory.Exists(Path.Combine(dir, "motions_processed")))
                throw new InvalidDataException($"{dir}: this is an InterHuman folder (motions_processed/); load it with InterHumanDataset.Load");
            throw new InvalidDataException($"{dir}: not a HumanML3D/KIT-ML folder: no new_joints/ (found: {string.Join(", ", Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Take(12))})");
        }

        Skeleton? skeleton = options.Skeleton;
        float? fps = options.Fps;
        string skPath = Path.Combine(dir, SkeletonJson.FileName);
        if (File.Exists(skPath))
        {
            var (saved, f) = SkeletonJson.Load(skPath);
            skeleton ??= saved;
            fps ??= f;
        }

        var splits = ReadSplits(dir);
        var report = new LoadReport();
        var files = Directory.EnumerateFiles(jointsDir, "*.npy").Order(StringComparer.Ordinal).ToList();
        if (options.Split is { } split)
        {
            if (!splits.TryGetValue(split, out var ids))
                throw new KeyNotFoundException($"{dir}: no split '{split}'; split files found: {(splits.Count == 0 ? "none" : string.Join(", ", splits.Keys.Order()))}");
            var set = new HashSet<string>(ids, StringComparer.Ordinal);
            files = files.Where(f => set.Contains(Path.GetFileNameWithoutExtension(f))).ToList();
        }
        if (!options.IncludeMirrors) files = files.Where(f => !Path.GetFileName(f).StartsWith('M')).ToList();
        if (options.MaxClips is int max) files = files.Take(max).ToList();

        string annPath = Path.Combine(dir, "annotations.json");
        var tmr = File.Exists(annPath) ? TmrAnnotations.Load(annPath) : null;
        string textsDir = Path.Combine(dir, "texts");

        // Infer the skeleton from the first readable file when there is no skeleton.json.
        if (skeleton is null)
        {
            foreach (var f in files)
            {
                try
                {
                    using var fs = File.OpenRead(f);
                    var (_, _, shape) = Npy.ReadHeader(fs, f);
                    if (shape.Length == 3)
                    {
                        skeleton = shape[1] switch
                        {
                            22 => Skeleton.Smpl22,
                            21 => Skeleton.Kit21,
                            _ => throw new InvalidDataException($"{f}: {shape[1]} joints and no skeleton.json in {dir}; built-in skeletons have 22 (SMPL) or 21 (KIT) joints"),
                        };
                        break;
                    }
                }
                catch (InvalidDataException) when (!options.Strict) { }
            }
            skeleton ??= Skeleton.Smpl22;
        }
        fps ??= skeleton.JointCount == 21 && skeleton.Name == Skeleton.Kit21.Name ? 12.5f : 20f;

        var clips = new MotionClip?[files.Count];
        var sk = skeleton;
        float rate = fps.Value;
        report.CountIn(files.Count);
        try
        {
        Parallel.For(0, files.Count, options.Strict ? DataParallelism.Options(1) : DataParallelism.Options(options.Threads), i =>
        {
            string f = files[i];
            string id = Path.GetFileNameWithoutExtension(f);
            try
            {
                clips[i] = LoadClip(f, id, sk, rate, textsDir, tmr, options.RequireCaptions);
                report.Ok();
            }
            catch (Exception e) when (!options.Strict && e is InvalidDataException or FileNotFoundException or ArgumentException or IOException)
            {
                report.Skip(f, e.Message);
            }
        });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        var loaded = clips.Where(c => c is not null).Select(c => c!).ToList();
        string actionsPath = Path.Combine(dir, ActionLabelSet.FileName);
        ActionLabelSet? actions = null;
        if (File.Exists(actionsPath))
        {
            actions = ActionLabelSet.Load(actionsPath);
            var byClip = actions.LabelsByClip();
            for (int i = 0; i < loaded.Count; i++)
                if (byClip.TryGetValue(loaded[i].Id, out var labels))
                    loaded[i] = new MotionClip(loaded[i].Id, loaded[i].Skeleton, loaded[i].Fps, loaded[i].Positions, loaded[i].Captions, labels, loaded[i].SourcePath);
        }
        var present = new HashSet<string>(loaded.Select(c => c.Id), StringComparer.Ordinal);
        var splitIds = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (sname, ids) in splits)
        {
            var kept = ids.Where(present.Contains).ToArray();
            if (kept.Length < ids.Count && files.Count > 0 && options.Split is null && options.MaxClips is null)
                report.Notes.Add($"split '{sname}': {ids.Count - kept.Length} of {ids.Count} listed ids have no loaded motion");
            splitIds[sname] = kept;
        }
        return new MotionDataset(name, sk, rate, loaded, splitIds, dir, report) { Actions = actions };
    }

    private static MotionClip LoadClip(string file, string id, Skeleton sk, float fps, string textsDir,
        Dictionary<string, TmrEntry>? tmr, bool requireCaptions)
    {
        var arr = Npy.Read(file);
        if (arr.Rank != 3 || arr.Shape[1] != sk.JointCount || arr.Shape[2] != 3)
            throw new InvalidDataException($"{file}: expected shape (T, {sk.JointCount}, 3) for skeleton '{sk.Name}', got {arr.ShapeText}");
        if (arr.Shape[0] == 0) throw new InvalidDataException($"{file}: motion has 0 frames");
        int stride = sk.JointCount * 3;
        for (int i = 0; i < arr.Data.Length; i++)
        {
            if (!float.IsFinite(arr.Data[i]))
                throw new InvalidDataException($"{file}: frame {i / stride} has a non-finite value ({arr.Data[i]}) at joint {i % stride / 3} '{sk.JointNames[i % stride / 3]}'");
            // Positions are metres: a joint 10 km from the origin is corrupt data (or another unit), and would swamp
            // the dataset's statistics.
            if (MathF.Abs(arr.Data[i]) > MaxAbsPositionMetres)
                throw new InvalidDataException($"{file}: frame {i / stride} joint {i % stride / 3} '{sk.JointNames[i % stride / 3]}' is at {arr.Data[i]:G4} m on axis {"xyz"[i % 3]} (more than {MaxAbsPositionMetres:N0} m from the origin: corrupt values or not metres)");
        }
        IReadOnlyList<Caption> captions;
        string txt = Path.Combine(textsDir, id + ".txt");
        if (File.Exists(txt))
        {
            captions = HumanMLText.Read(txt);
            if (captions.Count == 0) throw new InvalidDataException($"{txt}: caption file has no captions");
        }
        else if (tmr is not null && tmr.TryGetValue(id, out var entry))
            captions = entry.Captions;
        else if (requireCaptions)
            throw new FileNotFoundException($"{file}: no caption file {txt}{(tmr is null ? "" : " and no entry in annotations.json")}", txt);
        else captions = [];
        return new MotionClip(id, sk, fps, arr.Data, captions, null, file);
    }

    /// <summary>Split files: <c>train/val/test/all/train_val.txt</c> (and any other id list) in the folder or <c>splits/</c>.</summary>
    public static Dictionary<string, IReadOnlyList<string>> ReadSplits(string dir)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var d in new[] { dir, Path.Combine(dir, "splits") })
        {
            if (!Directory.Exists(d)) continue;
            foreach (var f in Directory.EnumerateFiles(d, "*.txt").Order(StringComparer.Ordinal))
            {
                string n = Path.GetFileNameWithoutExtension(f);
                if (n is "ignore_list" or "README" or "LICENSE" || n.StartsWith("LICENSE", StringComparison.Ordinal)) continue;
                var lines = File.ReadAllLines(f).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
                bool known = n is "train" or "val" or "test" or "all" or "train_val";
                if ((lines.Length == 0 && !known) || lines.Any(l => l.Contains(' ') || l.Contains('#') || l.Contains(','))) continue;
                result.TryAdd(n, lines);
            }
        }
        return result;
    }
}

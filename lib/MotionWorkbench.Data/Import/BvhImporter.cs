using System.Diagnostics;
using System.Text.Json;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data.Import;

/// <summary>Options of <see cref="BvhImporter"/>.</summary>
public sealed record BvhImportOptions
{
    /// <summary>"auto" (Bandai when its file names, JSON labels and cfg/ are found), "bandai" or "generic".</summary>
    public string Format { get; init; } = "auto";
    /// <summary>Output frame rate (linear resampling).</summary>
    public float Fps { get; init; } = 20f;
    /// <summary>A JSON parts map overriding the inferred chains.</summary>
    public string? PartsMap { get; init; }
    /// <summary>Metres per file unit; null = guess from the body size (cm or mm or m).</summary>
    public float? Scale { get; init; }
    /// <summary>'y' (BVH default) or 'z' for Z-up files.</summary>
    public char UpAxis { get; init; } = 'y';
    /// <summary>HumanML3D conventions: floor at y = 0, first-frame root at the XZ origin, facing +Z.</summary>
    public bool Canonicalize { get; init; } = true;
    /// <summary>Also write M-prefixed mirrors (joints swapped, x negated, captions with left/right swapped).</summary>
    public bool Mirrors { get; init; } = true;
    public ulong Seed { get; init; } = 42;
    /// <summary>Where .tar.xz archives are extracted (default: data/cache under the output's parent).</summary>
    public string? CacheDir { get; init; }
    /// <summary>Import at most this many files (after sorting); null = all.</summary>
    public int? MaxFiles { get; init; }
    /// <summary>Threads that convert files: null = as many as .NET reports processors; the workbench passes its engine threads.</summary>
    public int? Parallelism { get; init; }
}

/// <summary>What an import produced.</summary>
public sealed record BvhImportResult(string OutDir, Skeleton Skeleton, float Fps, int ClipsWritten, int MirrorsWritten, LoadReport Report,
    IReadOnlyDictionary<string, int> SplitSizes, ActionLabelSet? Labels, float Scale, TimeSpan Elapsed, string Format, float BodySizeMetres = 0);

/// <summary>
/// Imports a folder of BVH files (searched recursively; .tar.xz archives are extracted first) into a HumanML3D-format
/// folder: new_joints/&lt;id&gt;.npy (T x J x 3, metres, Y up, resampled), texts/&lt;id&gt;.txt, train/val/test/all split files
/// (stratified by label, deterministic), skeleton.json with the inferred part chains, and for labelled data
/// actions.json (content classes) and styles.json. Bad files are skipped and reported.
/// </summary>
public static class BvhImporter
{
    private sealed record Item(string Id, string? Label, string? Style, int Frames, bool Mirrored);

    public static BvhImportResult Import(string input, string outDir, BvhImportOptions? o = null, Action<string, int, int>? progress = null)
    {
        o ??= new BvhImportOptions();
        var sw = Stopwatch.StartNew();
        if (!(o.Fps > 0)) throw new ArgumentException($"--fps must be positive, got {o.Fps}");
        var roots = ResolveInput(input, outDir, o, progress);
        var files = roots.SelectMany(r => Directory.EnumerateFiles(r, "*.bvh", SearchOption.AllDirectories)
                .Select(f => (Root: r, File: f)))
            .OrderBy(x => Path.GetFileName(x.File), StringComparer.Ordinal).ThenBy(x => x.File, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new FileNotFoundException($"{input}: no .bvh files found (searched recursively{(roots.Count > 1 || roots[0] != input ? " in " + string.Join(", ", roots) : "")})");
        if (o.MaxFiles is int max) files = files.Take(max).ToList();

        bool bandai = o.Format switch
        {
            "bandai" => true,
            "generic" => false,
            "auto" => files.All(f => Path.GetFileName(f.File).StartsWith("dataset-", StringComparison.Ordinal)) && BandaiCfg(files[0].File) is not null,
            _ => throw new ArgumentException($"--format must be auto, bandai or generic, got '{o.Format}'"),
        };
        if (bandai && BandaiCfg(files[0].File) is null)
            throw new FileNotFoundException($"{files[0].File}: --format bandai needs cfg/content_label.txt and cfg/style_label.txt beside the data folder");

        // Reference hierarchy, skeleton and unit scale from the first readable file.
        BvhFile? reference = null;
        var unreadable = new List<string>();
        foreach (var f in files)
        {
            try { reference = Bvh.Read(f.File); break; }
            catch (InvalidDataException e) { unreadable.Add(e.Message); }
        }
        if (reference is null)
            throw new InvalidDataException($"{input}: none of the {files.Count} BVH files could be read:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", unreadable));
        int[] sel = reference.JointIndices();
        var names = sel.Select(i => reference.Joints[i].Name).ToArray();
        var selIndex = new Dictionary<int, int>();
        for (int k = 0; k < sel.Length; k++) selIndex[sel[k]] = k;
        var parents = sel.Select(i => reference.Joints[i].Parent < 0 ? -1 : selIndex[reference.Joints[i].Parent]).ToArray();
        string skName = bandai ? "bandai22" : "bvh" + names.Length;
        var skeleton = o.PartsMap is not null
            ? PartInference.ApplyMap(o.PartsMap, skName, names, parents)
            : PartInference.Infer(skName, names, parents, null, reference.Path);
        var firstPositions = reference.WorldPositions(sel);
        float scale = o.Scale ?? GuessScale(firstPositions, names.Length, reference.Frames, parents);
        float bodySize = BodyExtent(firstPositions, names.Length, reference.Frames, parents) * scale;

        // Bandai label lists.
        var labelCache = new Dictionary<string, (string[] Content, string[] Style)>(StringComparer.Ordinal);
        string jointsDir = Path.Combine(outDir, "new_joints"), textsDir = Path.Combine(outDir, "texts");
        Directory.CreateDirectory(jointsDir);
        Directory.CreateDirectory(textsDir);
        var ids = MakeIds(files.Select(f => (f.Root, f.File)).ToList());
        var report = new LoadReport();
        report.CountIn(files.Count);
        var items = new Item?[files.Count];
        var mirrors = new Item?[files.Count];
        int done = 0;
        float[]? restFrame = null;
        var restLock = new object();
        Parallel.For(0, files.Count, DataParallelism.Options(o.Parallelism ?? 0), i =>
        {
            var (_, file) = files[i];
            try
            {
                var bvh = Bvh.Read(file);
                var jsel = bvh.JointIndices();
                if (jsel.Length != names.Length || !jsel.Select(j => bvh.Joints[j].Name).SequenceEqual(names))
                    throw new InvalidDataException($"{file}: hierarchy differs from the dataset's (first file {reference.Path}): joints {string.Join(", ", jsel.Select(j => bvh.Joints[j].Name))}");
                if (bvh.Frames < 2) throw new InvalidDataException($"{file}: only {bvh.Frames} frame(s)");
                var pos = bvh.WorldPositions(jsel);
                int J = names.Length;
                for (int k = 0; k < pos.Length; k++) pos[k] *= scale;
                if (o.UpAxis is 'z' or 'Z') InterHumanDataset.ZUpToYUp(pos);
                var res = Resample(pos, bvh.Frames, J, bvh.Fps, o.Fps);
                if (o.Canonicalize) Canonicalize(res, J, skeleton);
                for (int k = 0; k < res.Length; k++)
                    if (!float.IsFinite(res[k])) throw new InvalidDataException($"{file}: frame {k / (J * 3)} has a non-finite position after forward kinematics");
                int T = res.Length / (J * 3);
                if (restFrame is null) lock (restLock) restFrame ??= res[..(J * 3)];

                string id = ids[i];
                string? label = null, style = null;
                IReadOnlyList<Caption> captions;
                if (bandai)
                {
                    (label, style, captions) = BandaiCaptions(file, labelCache);
                }
                else
                {
                    string txt = Path.ChangeExtension(file, ".txt");
                    captions = File.Exists(txt) ? ReadCaptionFile(txt) : [];
                }
                var clip = new MotionClip(id, skeleton, o.Fps, res, captions, label is null ? null : [label], file);
                Npy.Write(Path.Combine(jointsDir, id + ".npy"), res, T, J, 3);
                if (captions.Count > 0) HumanMLText.Write(Path.Combine(textsDir, id + ".txt"), captions);
                items[i] = new Item(id, label, style, T, false);
                if (o.Mirrors && skeleton.MirrorPairs.Count > 0)
                {
                    var m = Mirroring.Mirror(clip);
                    Npy.Write(Path.Combine(jointsDir, m.Id + ".npy"), m.Positions, T, J, 3);
                    if (m.Captions.Count > 0) HumanMLText.Write(Path.Combine(textsDir, m.Id + ".txt"), m.Captions);
                    mirrors[i] = new Item(m.Id, label is null ? null : Mirroring.MirrorText(label), style, T, true);
                }
                report.Ok();
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or JsonException or KeyNotFoundException)
            {
                report.Skip(file, e.Message);
            }
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d % 16 == 0 || d == files.Count)) progress("import", d, files.Count);
        });

        var written = items.Where(x => x is not null).Select(x => x!).ToList();
        if (written.Count == 0)
            throw new InvalidDataException($"{input}: every one of the {files.Count} BVH file(s) was skipped, nothing written:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", report.Skipped.Select(x => x.Message)));
        var mirrored = mirrors.Where(x => x is not null).Select(x => x!).ToList();
        var splits = StratifiedSplit(written, o.Seed);
        var mirrorOf = mirrored.ToDictionary(m => m.Id[1..], m => m.Id, StringComparer.Ordinal);
        var sizes = new Dictionary<string, int>();
        var allIds = new List<string>();
        foreach (var (name, list) in splits)
        {
            var full = list.SelectMany(id => mirrorOf.TryGetValue(id, out var m) ? new[] { id, m } : [id]).ToList();
            AtomicFile.WriteAllText(Path.Combine(outDir, name + ".txt"), string.Join("\n", full) + (full.Count > 0 ? "\n" : ""));
            sizes[name] = full.Count;
            allIds.AddRange(full);
        }
        var trainVal = splits["train"].Concat(splits["val"]).SelectMany(id => mirrorOf.TryGetValue(id, out var m) ? new[] { id, m } : [id]).ToList();
        AtomicFile.WriteAllText(Path.Combine(outDir, "train_val.txt"), string.Join("\n", trainVal) + "\n");
        allIds.Sort(StringComparer.Ordinal);
        AtomicFile.WriteAllText(Path.Combine(outDir, "all.txt"), string.Join("\n", allIds) + "\n");
        sizes["all"] = allIds.Count;

        // skeleton.json: the chains plus rest offsets measured on the first imported frame (metres, Y up).
        float[]? rest = null;
        if (restFrame is not null)
        {
            rest = new float[names.Length * 3];
            for (int j = 0; j < names.Length; j++)
                if (parents[j] >= 0)
                    for (int c = 0; c < 3; c++) rest[j * 3 + c] = restFrame[j * 3 + c] - restFrame[parents[j] * 3 + c];
        }
        var saved = new Skeleton(skeleton.Name, skeleton.JointNames, skeleton.Parents, skeleton.Chains, skeleton.MirrorPairs, rest);
        SkeletonJson.Save(Path.Combine(outDir, SkeletonJson.FileName), saved, o.Fps);

        ActionLabelSet? labels = null;
        var labelled = written.Concat(mirrored).Where(x => x.Label is not null).ToList();
        if (labelled.Count > 0)
        {
            labels = new ActionLabelSet(labelled.Select(x => x.Label!).Distinct().Order(StringComparer.Ordinal).ToArray(),
                labelled.OrderBy(x => x.Id, StringComparer.Ordinal).Select(x => new ActionSegment(x.Id, 0, 0, [x.Label!])).ToArray());
            labels.Save(Path.Combine(outDir, ActionLabelSet.FileName));
            var styled = labelled.Where(x => x.Style is not null).ToList();
            if (styled.Count > 0)
                new ActionLabelSet(styled.Select(x => x.Style!).Distinct().Order(StringComparer.Ordinal).ToArray(),
                    styled.OrderBy(x => x.Id, StringComparer.Ordinal).Select(x => new ActionSegment(x.Id, 0, 0, [x.Style!])).ToArray())
                    .Save(Path.Combine(outDir, "styles.json"));
        }
        int noCaption = bandai ? 0 : written.Count(w => !File.Exists(Path.Combine(textsDir, w.Id + ".txt")));
        if (noCaption > 0) report.Notes.Add($"{noCaption} clip(s) have no caption file (no <name>.txt beside the BVH); load with RequireCaptions = false");
        return new BvhImportResult(Path.GetFullPath(outDir), saved, o.Fps, written.Count, mirrored.Count, report, sizes, labels, scale, sw.Elapsed, bandai ? "bandai" : "generic", bodySize);
    }

    private static List<Caption> ReadCaptionFile(string txt)
    {
        var lines = HumanMLText.ReadLines(txt);
        if (lines.Any(l => l.Contains('#'))) return HumanMLText.Parse(lines, txt);
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Any(ch => char.IsControl(ch) && ch is not ('\t' or '\r')))
                throw new InvalidDataException($"{txt}:{i + 1}: control character in a caption (a binary file?)");
        var caps = new List<Caption>();
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Trim().Length > 0) caps.Add(new Caption(lines[i].Trim()));
        if (caps.Count == 0) throw new InvalidDataException($"{txt}: caption file has no captions");
        return caps;
    }

    private static string? BandaiCfg(string bvhFile)
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(bvhFile))!);
        for (var d = dir; d is not null && d != dir.Parent?.Parent?.Parent; d = d.Parent)
        {
            string cfg = Path.Combine(d.FullName, "cfg");
            if (File.Exists(Path.Combine(cfg, "content_label.txt")) && File.Exists(Path.Combine(cfg, "style_label.txt"))) return cfg;
        }
        return null;
    }

    private static (string Label, string Style, IReadOnlyList<Caption> Captions) BandaiCaptions(string file,
        Dictionary<string, (string[] Content, string[] Style)> cache)
    {
        string json = Path.ChangeExtension(file, ".json");
        if (!File.Exists(json)) throw new FileNotFoundException($"{file}: no label file {json}", json);
        string cfg = BandaiCfg(file) ?? throw new FileNotFoundException($"{file}: no cfg/content_label.txt above it");
        (string[] Content, string[] Style) lists;
        lock (cache)
        {
            if (!cache.TryGetValue(cfg, out lists))
            {
                lists = (ReadList(Path.Combine(cfg, "content_label.txt")), ReadList(Path.Combine(cfg, "style_label.txt")));
                cache[cfg] = lists;
            }
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        int ci = doc.RootElement.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32()
            : throw new InvalidDataException($"{json}: missing integer 'content'");
        int si = doc.RootElement.TryGetProperty("style", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32()
            : throw new InvalidDataException($"{json}: missing integer 'style'");
        if (ci < 0 || ci >= lists.Content.Length) throw new InvalidDataException($"{json}: content {ci} is outside 0..{lists.Content.Length - 1} of {cfg}/content_label.txt");
        if (si < 0 || si >= lists.Style.Length) throw new InvalidDataException($"{json}: style {si} is outside 0..{lists.Style.Length - 1} of {cfg}/style_label.txt");
        string content = lists.Content[ci], style = lists.Style[si];
        var caps = BandaiLabels.Captions(content, style).Select(t => new Caption(t)).ToArray();
        return (BandaiLabels.ClassOf(content), BandaiLabels.StyleName(style), caps);
    }

    private static string[] ReadList(string path) => File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    /// <summary>Ids: file stems; where two files share a stem, their relative paths with '_' separators.</summary>
    private static string[] MakeIds(List<(string Root, string File)> files)
    {
        var stems = files.Select(f => Path.GetFileNameWithoutExtension(f.File)).ToArray();
        var dup = stems.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var ids = new string[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            string id = dup.Contains(stems[i])
                ? Path.ChangeExtension(Path.GetRelativePath(files[i].Root, files[i].File), null)!.Replace('/', '_').Replace('\\', '_').Replace(' ', '_')
                : stems[i].Replace(' ', '_');
            if (id.StartsWith('M')) id = "_" + id; // keep the M prefix for mirrors unambiguous
            ids[i] = id;
        }
        return ids;
    }

    /// <summary>Metres per unit from the body's extent in the first frame: &gt; 300 = mm, &gt; 20 = cm, else m.</summary>
    /// <summary>
    /// Metres per file unit, guessed from the body's extent on the first frame: the largest axis-aligned span of the
    /// joints, leaving out root joints (parent -1) when the body has others, since a root left at the origin while the
    /// body stands elsewhere would count the distance to it, not the body's size. Over 300 units: millimetres; over 20:
    /// centimetres; else metres.
    /// </summary>
    public static float GuessScale(float[] positions, int J, int frames, int[]? parents = null)
    {
        float extent = BodyExtent(positions, J, frames, parents);
        return extent > 300 ? 0.001f : extent > 20 ? 0.01f : 1f;
    }

    /// <summary>The largest axis-aligned span of the first frame's non-root joints (file units).</summary>
    public static float BodyExtent(float[] positions, int J, int frames, int[]? parents = null)
    {
        if (frames == 0 || J == 0) return 0;
        bool skipRoots = parents is not null && parents.Count(p => p >= 0) >= 2;
        float extent = 0;
        for (int c = 0; c < 3; c++)
        {
            float lo = float.MaxValue, hi = float.MinValue;
            for (int j = 0; j < J; j++)
            {
                if (skipRoots && parents![j] < 0) continue;
                float v = positions[j * 3 + c]; lo = MathF.Min(lo, v); hi = MathF.Max(hi, v);
            }
            extent = MathF.Max(extent, hi - lo);
        }
        return extent;
    }

    /// <summary>Linear resampling in time from srcFps to dstFps (frames at k / dstFps within the source span).</summary>
    public static float[] Resample(float[] pos, int frames, int J, float srcFps, float dstFps)
    {
        if (MathF.Abs(srcFps - dstFps) < 1e-3f) return pos;
        float duration = (frames - 1) / srcFps;
        int outFrames = (int)MathF.Floor(duration * dstFps + 1e-4f) + 1;
        int stride = J * 3;
        var res = new float[outFrames * stride];
        for (int k = 0; k < outFrames; k++)
        {
            float s = k * srcFps / dstFps;
            int i0 = Math.Min((int)s, frames - 1), i1 = Math.Min(i0 + 1, frames - 1);
            float w = s - i0;
            var a = pos.AsSpan(i0 * stride, stride);
            var b = pos.AsSpan(i1 * stride, stride);
            var d = res.AsSpan(k * stride, stride);
            for (int c = 0; c < stride; c++) d[c] = a[c] + (b[c] - a[c]) * w;
        }
        return res;
    }

    /// <summary>HumanML3D frame: floor (min y) at 0, first-frame root XZ at the origin, first-frame facing +Z.</summary>
    public static void Canonicalize(float[] pos, int J, Skeleton sk)
    {
        float minY = float.MaxValue;
        for (int i = 1; i < pos.Length; i += 3) minY = MathF.Min(minY, pos[i]);
        int root = sk.Chains[2][0];
        float rx = pos[root * 3], rz = pos[root * 3 + 2];
        int rh = sk.Chains[0][1], lh = sk.Chains[1][1];
        int rs = sk.Chains[3][Math.Max(0, sk.Chains[3].Length - 3)], ls = sk.Chains[4][Math.Max(0, sk.Chains[4].Length - 3)];
        float ax = pos[rh * 3] - pos[lh * 3] + pos[rs * 3] - pos[ls * 3];
        float az = pos[rh * 3 + 2] - pos[lh * 3 + 2] + pos[rs * 3 + 2] - pos[ls * 3 + 2];
        // forward = up x across = (az, 0, -ax); rotate about Y so that it points along +Z.
        float fx = az, fz = -ax;
        float theta = MathF.Atan2(fx, fz);
        float c = MathF.Cos(-theta), s = MathF.Sin(-theta);
        bool rotate = fx * fx + fz * fz > 1e-10f;
        for (int i = 0; i < pos.Length; i += 3)
        {
            float x = pos[i] - rx, z = pos[i + 2] - rz;
            if (rotate) { float nx = c * x + s * z, nz = -s * x + c * z; x = nx; z = nz; }
            pos[i] = x;
            pos[i + 1] -= minY;
            pos[i + 2] = z;
        }
    }

    /// <summary>Deterministic 80/5/15 split of the originals, stratified by label (unlabelled clips form one group).</summary>
    private static Dictionary<string, List<string>> StratifiedSplit(List<Item> items, ulong seed)
    {
        var result = new Dictionary<string, List<string>> { ["train"] = [], ["val"] = [], ["test"] = [] };
        foreach (var g in items.GroupBy(x => x.Label ?? "").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ids = g.Select(x => x.Id).Order(StringComparer.Ordinal).ToList();
            var rng = new Random(unchecked((int)(seed ^ (ulong)StableHash(g.Key))));
            for (int i = ids.Count - 1; i > 0; i--) { int j = rng.Next(i + 1); (ids[i], ids[j]) = (ids[j], ids[i]); }
            int nTest = (int)Math.Round(ids.Count * 0.15), nVal = (int)Math.Round(ids.Count * 0.05);
            if (ids.Count >= 3 && nTest == 0) nTest = 1;
            result["test"].AddRange(ids.Take(nTest));
            result["val"].AddRange(ids.Skip(nTest).Take(nVal));
            result["train"].AddRange(ids.Skip(nTest + nVal));
        }
        foreach (var l in result.Values) l.Sort(StringComparer.Ordinal);
        return result;
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (char ch in s) h = (h ^ ch) * 16777619;
            return h;
        }
    }

    // --------------------------------------------------------------------------------------------------------------
    // Archives

    private static List<string> ResolveInput(string input, string outDir, BvhImportOptions o, Action<string, int, int>? progress)
    {
        IEnumerable<string> archives;
        if (File.Exists(input))
        {
            if (!IsArchive(input)) throw new ArgumentException($"{input}: expected a folder of BVH files or a .tar.xz archive");
            archives = [input];
        }
        else if (Directory.Exists(input))
        {
            var bvh = Directory.EnumerateFiles(input, "*.bvh", SearchOption.AllDirectories).Any();
            archives = bvh ? [] : Directory.EnumerateFiles(input).Where(IsArchive).Order(StringComparer.Ordinal).ToList();
            if (!archives.Any()) return [input];
        }
        else throw new DirectoryNotFoundException($"{input}: input folder not found");

        string cache = o.CacheDir ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outDir)) ?? ".", "cache");
        var roots = new List<string>();
        var list = archives.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            progress?.Invoke("extract", i, list.Count);
            roots.Add(ArchiveCache.EnsureExtracted(list[i], cache));
        }
        progress?.Invoke("extract", list.Count, list.Count);
        return roots;
    }

    private static bool IsArchive(string f) => f.EndsWith(".tar.xz", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".txz", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Extracts .tar.xz archives with the system <c>tar</c> (xz is not in the .NET base library) into a cache folder, once.</summary>
public static class ArchiveCache
{
    public static string EnsureExtracted(string archive, string cacheDir)
    {
        string name = Path.GetFileName(archive);
        foreach (var ext in new[] { ".tar.xz", ".txz" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) { name = name[..^ext.Length]; break; }
        string dest = Path.Combine(Path.GetFullPath(cacheDir), name);
        string marker = Path.Combine(dest, ".extracted");
        var info = new FileInfo(archive);
        string stamp = $"{info.Length} {info.LastWriteTimeUtc:O}";
        if (File.Exists(marker) && File.ReadAllText(marker).Trim() == stamp) return dest;
        if (!ToolExists("xz"))
            throw new InvalidOperationException($"{archive}: cannot extract: the 'xz' program is not installed (apt-get install xz-utils), or extract the archive yourself and pass the folder with --in");
        string tmp = dest + ".partial";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        var psi = new ProcessStartInfo("tar") { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-xJf");
        psi.ArgumentList.Add(Path.GetFullPath(archive));
        psi.ArgumentList.Add("-C");
        psi.ArgumentList.Add(tmp);
        using (var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start 'tar'"))
        {
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                // A truncated or corrupt archive leaves nothing behind: the half-extracted folder goes.
                try { Directory.Delete(tmp, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw new InvalidDataException($"{archive}: tar -xJf failed (exit {p.ExitCode}; a truncated or corrupt archive?): {err.Trim()}");
            }
        }
        // A single top-level folder inside the archive becomes the destination itself.
        var entries = Directory.GetFileSystemEntries(tmp);
        if (Directory.Exists(dest)) Directory.Delete(dest, true);
        if (entries.Length == 1 && Directory.Exists(entries[0]) && Path.GetFileName(entries[0]) == name)
        {
            Directory.Move(entries[0], dest);
            Directory.Delete(tmp);
        }
        else Directory.Move(tmp, dest);
        File.WriteAllText(marker, stamp);
        return dest;
    }

    private static bool ToolExists(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool))) return true;
        return false;
    }
}

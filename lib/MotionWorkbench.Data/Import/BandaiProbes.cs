using System.Text.Json.Nodes;
using MotionWorkbench.Data.Probes;

namespace MotionWorkbench.Data.Import;

/// <summary>
/// Real left/right minimal pairs from an imported Bandai-Namco folder (<c>mw data import-bvh</c>, which writes
/// <c>actions.json</c> and <c>styles.json</c>): cross-clip pairs of the same style whose contents differ only in the
/// side (dataset 2's wave-left-hand / wave-right-hand, raise-up-left-hand / raise-up-right-hand, walk-turn-left /
/// walk-turn-right; dataset 1's walk-left / walk-right), the i-th clip of one content with the i-th of the other in id
/// order, and every clip with its mirror (the import's <c>M</c> clip) where mirroring changes its caption. Only clips of
/// one split (default: test, which a run trained on that folder never saw) are used; each motion keeps its first caption.
/// </summary>
public static class BandaiProbes
{
    /// <summary>The cross-clip pairs: attribute, contrast, the content class of motion a and of motion b.</summary>
    public static IReadOnlyList<(string Attribute, string Contrast, string ClassA, string ClassB)> CrossPairs { get; } =
    [
        (ProbeAttributes.Side, "wave the left/right hand", "wave the left hand", "wave the right hand"),
        (ProbeAttributes.Side, "raise the left/right hand", "raise the left hand", "raise the right hand"),
        (ProbeAttributes.Direction, "walk and turn left/right", "walk and turn left", "walk and turn right"),
        (ProbeAttributes.Direction, "walk to the left/right", "walk to the left", "walk to the right"),
    ];

    public const string StylesFileName = "styles.json";

    /// <summary>The pairs and their clips from the <paramref name="split"/> of an imported Bandai folder.</summary>
    public static (ProbeSet Set, IReadOnlyDictionary<string, MotionClip> Clips) Build(string importedDir, string split = "test")
    {
        if (!Directory.Exists(importedDir)) throw new DirectoryNotFoundException($"{importedDir}: Bandai folder not found (import it with 'mw data import-bvh --in ARCHIVE --out {importedDir}')");
        var actionsPath = Path.Combine(importedDir, ActionLabelSet.FileName);
        var stylesPath = Path.Combine(importedDir, StylesFileName);
        foreach (var f in new[] { actionsPath, stylesPath })
            if (!File.Exists(f)) throw new FileNotFoundException($"{f}: missing; real probes need a Bandai folder imported with its labels ('mw data import-bvh --format bandai')", f);
        var ds = MotionDataset.Load(importedDir);
        if (!ds.SplitNames.Contains(split)) throw new ArgumentException($"{importedDir}: no split '{split}' (splits: {string.Join(", ", ds.SplitNames)})");
        var contentOf = ActionLabelSet.Load(actionsPath).LabelsByClip();
        var styleOf = ActionLabelSet.Load(stylesPath).LabelsByClip();
        var inSplit = ds.Split(split).Where(id => !id.StartsWith('M')).Where(id => ds.TryGet(id, out var c) && c.Captions.Count > 0).ToList();
        string Content(string id) => contentOf.TryGetValue(id, out var l) && l.Length > 0 ? l[0] : "";
        string Style(string id) => styleOf.TryGetValue(id, out var l) && l.Length > 0 ? l[0] : "";

        var pairs = new List<ProbePair>();
        var clips = new Dictionary<string, MotionClip>(StringComparer.Ordinal);
        JsonObject Details(string id) => new() { ["content"] = Content(id), ["style"] = Style(id), ["mirrored"] = id.StartsWith('M') };
        void Add(string attribute, string contrast, string a, string b)
        {
            var ca = ds.Get(a);
            var cb = ds.Get(b);
            string capA = ca.Captions[0].Text, capB = cb.Captions[0].Text;
            if (capA == capB) return;
            clips[a] = ca;
            clips[b] = cb;
            pairs.Add(new ProbePair($"{attribute}-{pairs.Count:D4}", attribute, contrast, a, b, capA, capB) { DetailsA = Details(a), DetailsB = Details(b) });
        }

        foreach (var (attribute, contrast, classA, classB) in CrossPairs)
            foreach (var style in inSplit.Select(Style).Distinct().Order(StringComparer.Ordinal))
            {
                var left = inSplit.Where(id => Content(id) == classA && Style(id) == style).Order(StringComparer.Ordinal).ToList();
                var right = inSplit.Where(id => Content(id) == classB && Style(id) == style).Order(StringComparer.Ordinal).ToList();
                for (int i = 0; i < Math.Min(left.Count, right.Count); i++) Add(attribute, contrast, left[i], right[i]);
            }
        foreach (var id in inSplit)
        {
            var mirror = "M" + id;
            if (!ds.TryGet(mirror, out var m) || m.Captions.Count == 0) continue;
            if (Mirroring.MirrorText(ds.Get(id).Captions[0].Text) == ds.Get(id).Captions[0].Text) continue;
            Add(ProbeAttributes.Mirror, "mirror", id, mirror);
        }
        if (pairs.Count == 0)
            throw new InvalidDataException($"{importedDir}: split '{split}' has no left/right pair (needs Bandai contents such as wave-left-hand and wave-right-hand, or mirrors of such clips)");
        var set = new ProbeSet("bandai", ds.Skeleton.Name, ds.Fps, pairs)
        {
            Description = $"real left/right minimal pairs from the Bandai-Namco clips of split '{split}' of {Path.GetFullPath(importedDir)}",
            SourceData = Path.GetFullPath(importedDir),
            Notes =
            [
                "side and direction pairs are two different recordings (same style, the i-th clip of each content in id order): they differ in the side and in everything a second take changes",
                "mirror pairs: a clip and its mirror (x negated, left and right joints swapped), captions with left and right swapped; clips whose caption names no side are left out",
            ],
        };
        return (set, clips);
    }

    /// <summary>Builds the pairs and writes them as a probe folder (<see cref="ProbeFolder"/>).</summary>
    public static ProbeSet Write(string importedDir, string outDir, string split = "test", Action<int, int>? progress = null)
    {
        ProbeFolder.CheckTarget(Path.GetFullPath(outDir));
        var (set, clips) = Build(importedDir, split);
        var skeleton = clips.Values.First().Skeleton;
        ProbeFolder.Write(outDir, set, clips, skeleton, progress);
        return set;
    }
}

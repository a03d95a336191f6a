using System.Text;
using System.Text.Json;

namespace MotionWorkbench.Data.Skeletons;

/// <summary>
/// Infers the five part chains (right leg, left leg, spine/head, right arm, left arm) and the mirror pairs of a
/// skeleton from its joint names and hierarchy. Names are matched after removing common prefixes
/// (<c>mixamorig:</c>, <c>CC_Base_</c>, <c>joint_</c>, <c>Bip01</c>, namespaces) and splitting into words
/// (separators and camelCase); a side is a word L/Left/R/Right (or a leading l/r before a capital, as in CMU's
/// <c>lShldr</c>). Each chain is the hierarchy path from where the part leaves the torso to its end joint
/// (toe/foot/ankle, hand/wrist, head). A JSON map (part -&gt; joint names) overrides the inference.
/// </summary>
public static class PartInference
{
    private static readonly string[] Prefixes = ["mixamorig:", "mixamorig_", "mixamorig", "cc_base_", "joint_", "bip01_", "bip01 ", "bip001 ", "bip001_", "def-", "def_", "b_", "j_", "bn_"];
    private static readonly string[] FingerWords = ["thumb", "index", "middle", "ring", "pinky", "little", "finger", "fingers", "hand_end", "handend", "carpal", "metacarpal"];

    public enum SideOf { None, Left, Right }

    /// <summary>The words of a joint name without prefixes, lower-case, and its side.</summary>
    public static (string[] Words, SideOf Side) Analyse(string name)
    {
        string n = name;
        int colon = n.LastIndexOf(':');
        if (colon >= 0 && colon < n.Length - 1) n = n[(colon + 1)..];
        foreach (var p in Prefixes)
            if (n.StartsWith(p, StringComparison.OrdinalIgnoreCase) && n.Length > p.Length) { n = n[p.Length..]; break; }
        var words = new List<string>();
        var sb = new StringBuilder();
        void Flush() { if (sb.Length > 0) { words.Add(sb.ToString()); sb.Clear(); } }
        for (int i = 0; i < n.Length; i++)
        {
            char c = n[i];
            if (c is '_' or '-' or '.' or ' ' or ':') { Flush(); continue; }
            if (char.IsDigit(c)) { Flush(); continue; }
            bool boundary = sb.Length > 0 && char.IsUpper(c) &&
                (char.IsLower(sb[^1]) || (i + 1 < n.Length && char.IsLower(n[i + 1]) && sb.Length > 0));
            if (boundary) Flush();
            sb.Append(c);
        }
        Flush();
        var side = SideOf.None;
        var kept = new List<string>();
        for (int i = 0; i < words.Count; i++)
        {
            string w = words[i].ToLowerInvariant();
            SideOf s = w switch { "l" or "left" or "lft" => SideOf.Left, "r" or "right" or "rgt" => SideOf.Right, _ => SideOf.None };
            if (s != SideOf.None && side == SideOf.None) { side = s; continue; }
            kept.Add(w);
        }
        if (side == SideOf.None && kept.Count > 0)
        {
            // "Lhand", "RThigh" glued, or "leftarm" in one word.
            string w0 = kept[0];
            foreach (var (pre, s) in new[] { ("left", SideOf.Left), ("right", SideOf.Right) })
                if (w0.StartsWith(pre, StringComparison.Ordinal) && w0.Length > pre.Length) { side = s; kept[0] = w0[pre.Length..]; break; }
        }
        return (kept.ToArray(), side);
    }

    private static bool Has(string[] words, params string[] keys)
    {
        string joined = string.Concat(words);
        foreach (var k in keys)
            if (words.Contains(k) || joined.Contains(k, StringComparison.Ordinal)) return true;
        return false;
    }

    private static bool IsFinger(string[] w) => FingerWords.Any(f => w.Contains(f) || string.Concat(w).Contains(f, StringComparison.Ordinal));

    /// <summary>Infers a skeleton; throws <see cref="InvalidDataException"/> listing the joints seen and the part that could not be placed.</summary>
    public static Skeleton Infer(string name, IReadOnlyList<string> jointNames, IReadOnlyList<int> parents, float[]? restOffsets = null, string? source = null)
    {
        int J = jointNames.Count;
        var info = jointNames.Select(Analyse).ToArray();
        var children = new List<int>[J];
        for (int j = 0; j < J; j++) children[j] = [];
        for (int j = 0; j < J; j++) if (parents[j] >= 0) children[parents[j]].Add(j);
        string where = source is null ? $"skeleton '{name}'" : $"{source}";

        int Depth(int j) { int d = 0; while (parents[j] >= 0) { j = parents[j]; d++; } return d; }

        int FindEnd(SideOf side, string[][] preferred, string part, Func<int, bool>? within = null)
        {
            foreach (var keys in preferred)
            {
                var cands = Enumerable.Range(0, J)
                    .Where(j => info[j].Side == side && !IsFinger(info[j].Words) && Has(info[j].Words, keys) && (within?.Invoke(j) ?? true))
                    .OrderByDescending(Depth).ThenBy(j => j).ToList();
                // The deepest non-finger joint of this kind ends the chain (SMPL's L_foot below L_ankle, KIT's L_toe below L_ball).
                if (cands.Count > 0) return cands[0];
            }
            throw Fail(where, jointNames, $"the {part}: no {(side == SideOf.None ? "" : side.ToString().ToLowerInvariant() + "-side ")}joint named like {string.Join("/", preferred.SelectMany(k => k))}");
        }

        int[] legEnds = new int[2], armEnds = new int[2];
        string[][] legKeys = [["toe", "toes", "toebase", "ball"], ["foot", "ankle"], ["knee", "calf", "shin", "lowerleg", "lowleg"]];
        string[][] armKeys = [["hand", "wrist"], ["forearm", "lowerarm", "elbow", "lowarm"]];
        for (int s = 0; s < 2; s++)
        {
            var side = s == 0 ? SideOf.Right : SideOf.Left;
            legEnds[s] = FindEnd(side, legKeys, $"{side.ToString().ToLowerInvariant()} leg");
            armEnds[s] = FindEnd(side, armKeys, $"{side.ToString().ToLowerInvariant()} arm");
        }
        var headCands = Enumerable.Range(0, J).Where(j => info[j].Side == SideOf.None && Has(info[j].Words, "head") && !Has(info[j].Words, "headend", "headtop", "end")).OrderBy(Depth).ToList();
        if (headCands.Count == 0)
            headCands = Enumerable.Range(0, J).Where(j => info[j].Side == SideOf.None && Has(info[j].Words, "neck")).OrderByDescending(Depth).ToList();
        if (headCands.Count == 0) throw Fail(where, jointNames, "the spine/head: no joint named like head or neck");
        int head = headCands[0];

        List<int> PathFromRoot(int j) { var p = new List<int>(); for (int k = j; k >= 0; k = parents[k]) p.Add(k); p.Reverse(); return p; }
        int Lca(int a, int b)
        {
            var pa = PathFromRoot(a); var pb = PathFromRoot(b);
            int i = 0;
            while (i < pa.Count && i < pb.Count && pa[i] == pb[i]) i++;
            if (i == 0) throw Fail(where, jointNames, $"joints '{jointNames[a]}' and '{jointNames[b]}' share no ancestor");
            return pa[i - 1];
        }
        int[] Chain(int from, int to)
        {
            var p = PathFromRoot(to);
            int i = p.IndexOf(from);
            if (i < 0) throw Fail(where, jointNames, $"'{jointNames[to]}' is not below '{jointNames[from]}'");
            return p.Skip(i).ToArray();
        }

        // The pelvis is where the legs and the spine meet (CC rigs hang Pelvis and Waist side by side under Hip).
        int pelvis = Lca(Lca(legEnds[0], legEnds[1]), head);
        var spine = Chain(pelvis, head);
        if (spine.Length < 2) throw Fail(where, jointNames, $"the spine: the head '{jointNames[head]}' is not below the pelvis '{jointNames[pelvis]}'");
        var spineSet = new HashSet<int>(spine);
        int ArmBase(int hand)
        {
            int b = Lca(hand, head);
            if (!spineSet.Contains(b)) throw Fail(where, jointNames, $"the arm of '{jointNames[hand]}' does not branch from the spine ({string.Join(" > ", spine.Select(j => jointNames[j]))})");
            return b;
        }
        var chains = new int[5][];
        chains[0] = Chain(pelvis, legEnds[0]);
        chains[1] = Chain(pelvis, legEnds[1]);
        chains[2] = spine;
        chains[3] = Chain(ArmBase(armEnds[0]), armEnds[0]);
        chains[4] = Chain(ArmBase(armEnds[1]), armEnds[1]);
        for (int p = 0; p < 5; p++)
            if (chains[p].Length < 2) throw Fail(where, jointNames, $"the {(BodyPart)p} chain has only {chains[p].Length} joint");
        return new Skeleton(name, jointNames, parents, chains, MirrorPairs(jointNames), restOffsets);
    }

    /// <summary>Right/left pairs: joints whose names are equal once the side word is removed.</summary>
    public static List<(int Right, int Left)> MirrorPairs(IReadOnlyList<string> jointNames)
    {
        var info = jointNames.Select(Analyse).ToArray();
        var lefts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < info.Length; j++)
            if (info[j].Side == SideOf.Left) lefts.TryAdd(string.Join(" ", info[j].Words), j);
        var pairs = new List<(int, int)>();
        for (int j = 0; j < info.Length; j++)
            if (info[j].Side == SideOf.Right && lefts.TryGetValue(string.Join(" ", info[j].Words), out int l)) pairs.Add((j, l));
        return pairs;
    }

    private static InvalidDataException Fail(string where, IReadOnlyList<string> joints, string what) =>
        new($"{where}: cannot place {what}. Joints seen ({joints.Count}): {string.Join(", ", joints)}. Give the chains with a parts map (--parts MAP.json: {{\"right_leg\": [names...], \"left_leg\": [...], \"spine\": [...], \"right_arm\": [...], \"left_arm\": [...]}}).");

    /// <summary>
    /// Applies a JSON parts map: <c>{"right_leg": ["Hips", "RightUpLeg", ...], "left_leg": [...], "spine": [...],
    /// "right_arm": [...], "left_arm": [...], "mirror_pairs": [["RightArm", "LeftArm"], ...]}</c> (names or indices).
    /// Parts left out are inferred.
    /// </summary>
    public static Skeleton ApplyMap(string mapPath, string name, IReadOnlyList<string> jointNames, IReadOnlyList<int> parents, float[]? restOffsets = null)
    {
        if (!File.Exists(mapPath)) throw new FileNotFoundException($"{mapPath}: parts map not found", mapPath);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(mapPath)); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{mapPath}: the parts map is not valid JSON (line {e.LineNumber + 1}: {e.Message.Split(" LineNumber")[0]}); expected {{\"right_leg\": [names], \"left_leg\": ..., \"spine\": ..., \"right_arm\": ..., \"left_arm\": ...}}");
        }
        using var disposeDoc = doc;
        var root = doc.RootElement;
        int Index(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Number)
            {
                int i = e.GetInt32();
                if (i < 0 || i >= jointNames.Count) throw new InvalidDataException($"{mapPath}: joint index {i} is outside 0..{jointNames.Count - 1}");
                return i;
            }
            string n = e.GetString() ?? "";
            for (int j = 0; j < jointNames.Count; j++) if (jointNames[j] == n) return j;
            throw new InvalidDataException($"{mapPath}: no joint '{n}'; joints seen: {string.Join(", ", jointNames)}");
        }
        Skeleton? inferred = null;
        var chains = new int[5][];
        for (int p = 0; p < 5; p++)
        {
            if (root.TryGetProperty(SkeletonJson.PartKeys[p], out var arr))
                chains[p] = arr.EnumerateArray().Select(Index).ToArray();
            else
            {
                inferred ??= Infer(name, jointNames, parents, restOffsets, mapPath);
                chains[p] = inferred.Chains[p];
            }
        }
        var pairs = root.TryGetProperty("mirror_pairs", out var mp)
            ? mp.EnumerateArray().Select(pr => (Index(pr[0]), Index(pr[1]))).ToList()
            : MirrorPairs(jointNames);
        try { return new Skeleton(name, jointNames, parents, chains, pairs, restOffsets); }
        catch (ArgumentException e) { throw new InvalidDataException($"{mapPath}: {e.Message}", e); }
    }
}

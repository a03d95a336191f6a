using System.Globalization;
using MotionWorkbench.Data;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>One motion of <see cref="ActionWordHits"/>: its action labels, its top words and whether one of them names its action.</summary>
public sealed record ActionWordExample(string Id, string Caption, IReadOnlyList<string> Actions, IReadOnlyList<string> TopWords, bool Hit);

/// <summary>
/// Interpretability measured, not judged by eye (issue 12): the fraction of motions whose top-<see cref="K"/> lexical
/// words contain a word of their own action label (kick, jump, wave, ... from the dataset's actions.json), against a
/// shuffled control (the same motions scored against another motion's action labels, a seeded derangement).
/// </summary>
/// <param name="Hit">Fraction of motions whose top-K words name their own action.</param>
/// <param name="ShuffledHit">The same with the labels of another motion (of another action where possible).</param>
public sealed record ActionWordHits(string Split, int Motions, int K, double Hit, double ShuffledHit, IReadOnlyList<ActionWordExample> Examples)
{
    /// <summary>Hit over shuffled (∞ when the control never hits).</summary>
    public double Ratio => ShuffledHit == 0 ? (Hit == 0 ? 1 : double.PositiveInfinity) : Hit / ShuffledHit;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Hit:P0} of {Motions} {Split} motions have an action word in their top-{K} lexical words (shuffled labels: {ShuffledHit:P0}, {Ratio:0.0}x)");
}

public static class LexicalInterpretability
{
    /// <summary>Label words too generic to name an action.</summary>
    private static readonly HashSet<string> Generic = new(StringComparer.Ordinal) { "up", "down", "arm", "the", "a" };

    /// <summary>
    /// Whether a vocabulary word names one of the action label words: the same word up to an inflection (one is a
    /// prefix of the other and the shorter has at least 3 letters: "kick" ~ "kicks", "kicking"; "jump" ~ "jumps").
    /// Word pieces ("##s") never count.
    /// </summary>
    public static bool Names(string word, IEnumerable<string> actionWords)
    {
        if (word.StartsWith("##", StringComparison.Ordinal) || word.Length < 3) return false;
        foreach (var a in actionWords)
        {
            if (a.Length < 3) continue;
            if (word.StartsWith(a, StringComparison.Ordinal) || (a.StartsWith(word, StringComparison.Ordinal) && word.Length >= Math.Min(a.Length, 4))) return true;
        }
        return false;
    }

    /// <summary>The content words of action labels ("jumping jacks" -> jumping, jacks; "raise arm" -> raise).</summary>
    public static string[] ActionWords(IEnumerable<string> labels) =>
        labels.SelectMany(l => l.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(w => w.Length >= 3 && !Generic.Contains(w)).Distinct().ToArray();

    /// <summary>
    /// Measures <see cref="ActionWordHits"/> on embedded motions of a Lex run. <paramref name="labelsByClip"/>: action
    /// labels per clip id (<see cref="ActionLabelSet.LabelsByClip"/>); motions without labels are left out (their count is
    /// the difference between the split and <see cref="ActionWordHits.Motions"/>).
    /// </summary>
    public static ActionWordHits Measure(SplitEmbeddings embeddings, WordPieceVocabulary vocabulary, IReadOnlyDictionary<string, string[]> labelsByClip,
        int k = 10, int seed = 1, int examples = 8)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1");
        var rows = new List<(int Index, string[] Labels, string[] Words)>();
        for (int i = 0; i < embeddings.Ids.Count; i++)
            if (labelsByClip.TryGetValue(embeddings.Ids[i], out var labels) && ActionWords(labels) is { Length: > 0 } words) rows.Add((i, labels, words));
        if (rows.Count < 2)
            throw new InvalidDataException($"action-word interpretability needs at least 2 labelled motions in the {embeddings.Split} split; {rows.Count} of {embeddings.Ids.Count} have action labels (actions.json)");
        var control = Derangement(rows.Select(r => string.Join("|", r.Labels.Order(StringComparer.Ordinal))).ToArray(), seed);
        int hits = 0, shuffled = 0;
        var shown = new List<ActionWordExample>();
        for (int n = 0; n < rows.Count; n++)
        {
            var (i, labels, words) = rows[n];
            var top = LexicalWords.Top(embeddings.Motions[i], vocabulary, k).Select(w => w.Word).ToList();
            bool hit = top.Any(w => Names(w, words));
            if (hit) hits++;
            if (top.Any(w => Names(w, rows[control[n]].Words))) shuffled++;
            if (shown.Count < examples) shown.Add(new ActionWordExample(embeddings.Ids[i], embeddings.Captions[i], labels, top, hit));
        }
        return new ActionWordHits(embeddings.Split, rows.Count, k, (double)hits / rows.Count, (double)shuffled / rows.Count, shown);
    }

    /// <summary>A seeded permutation with no fixed point that, where it can, pairs each item with one of another key.</summary>
    private static int[] Derangement(string[] keys, int seed)
    {
        int n = keys.Length;
        var rng = new Random(seed);
        var order = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var perm = new int[n];
        // rotate the shuffled order by the largest shift that keeps most pairs on different keys (first shift tried: 1)
        int bestShift = 1, bestSame = int.MaxValue;
        for (int shift = 1; shift < Math.Min(n, 64); shift++)
        {
            int same = 0;
            for (int a = 0; a < n; a++) if (keys[order[a]] == keys[order[(a + shift) % n]]) same++;
            if (same < bestSame) { bestSame = same; bestShift = shift; if (same == 0) break; }
        }
        for (int a = 0; a < n; a++) perm[order[a]] = order[(a + bestShift) % n];
        return perm;
    }
}

using System.Text;
using MotionWorkbench.Data.Skeletons;

namespace MotionWorkbench.Data;

/// <summary>
/// Left/right mirroring as in HumanML3D's <c>swap_left_right</c>: negate x and swap each right/left joint pair;
/// captions swap left/right and clockwise/counterclockwise words. Mirrored ids get the <c>M</c> prefix.
/// </summary>
public static class Mirroring
{
    /// <summary>Mirrored positions (T x J x 3): x negated, right/left joints swapped.</summary>
    public static float[] MirrorPositions(ReadOnlySpan<float> positions, Skeleton skeleton)
    {
        int J = skeleton.JointCount;
        if (positions.Length % (J * 3) != 0)
            throw new ArgumentException($"{positions.Length} values is not a whole number of frames of {J} joints");
        var perm = new int[J];
        for (int j = 0; j < J; j++) perm[j] = j;
        foreach (var (r, l) in skeleton.MirrorPairs) { perm[r] = l; perm[l] = r; }
        var result = new float[positions.Length];
        int T = positions.Length / (J * 3);
        for (int t = 0; t < T; t++)
            for (int j = 0; j < J; j++)
            {
                int src = (t * J + perm[j]) * 3, dst = (t * J + j) * 3;
                result[dst] = -positions[src];
                result[dst + 1] = positions[src + 1];
                result[dst + 2] = positions[src + 2];
            }
        return result;
    }

    /// <summary>The mirrored clip with id <c>M&lt;id&gt;</c> and swapped captions.</summary>
    public static MotionClip Mirror(MotionClip clip, string? newId = null) => new(
        newId ?? "M" + clip.Id,
        clip.Skeleton,
        clip.Fps,
        MirrorPositions(clip.Positions, clip.Skeleton),
        clip.Captions.Select(c => c with { Text = MirrorText(c.Text) }).ToArray(),
        clip.Labels.Select(MirrorText).ToArray(),
        null);

    private static readonly (string A, string B)[] Swaps =
    [
        ("left", "right"),
        ("counterclockwise", "clockwise"),
        ("counter-clockwise", "clockwise"),
        ("anticlockwise", "clockwise"),
        ("anti-clockwise", "clockwise"),
        ("lefthand", "righthand"),
        ("leftward", "rightward"),
        ("leftwards", "rightwards"),
    ];

    /// <summary>Swaps left/right and clockwise/counterclockwise words, keeping their case.</summary>
    public static string MirrorText(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        int i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i])) { sb.Append(text[i++]); continue; }
            int start = i;
            while (i < text.Length && (char.IsLetter(text[i]) || (text[i] == '-' && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
                i++;
            string word = text[start..i];
            sb.Append(SwapWord(word));
        }
        return sb.ToString();
    }

    private static string SwapWord(string word)
    {
        string lower = word.ToLowerInvariant();
        foreach (var (a, b) in Swaps)
        {
            string? to = lower == a ? b : lower == b ? (a.Contains("clockwise") ? "counterclockwise" : a) : null;
            if (to is null) continue;
            if (word.ToUpperInvariant() == word && word.Length > 1) return to.ToUpperInvariant();
            if (char.IsUpper(word[0])) return char.ToUpperInvariant(to[0]) + to[1..];
            return to;
        }
        return word;
    }
}

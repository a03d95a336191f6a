using System.Text.RegularExpressions;

namespace MotionWorkbench.Layout.Tests;

/// <summary>
/// The dimension letters of shape comments. A shape is a parenthesised, comma-separated tuple inside a <c>//</c> comment
/// (not a <c>///</c> doc comment) whose parts are products and sums of numbers and short capitalised names, such as
/// <c>// (B, 1 + L, C)</c>, <c>// (B, 3, T, 5N)</c> or <c>// dW (Cout, K)</c>. Tuples with any other word (<c>(B, V or A)</c>,
/// <c>(Tables 5, 11)</c>) are prose, not shapes, and are passed over.
/// </summary>
public static partial class ShapeComments
{
    /// <summary>The letters of every shape in one line of C#.</summary>
    public static IEnumerable<string> Letters(string line)
    {
        var comment = LineComment().Match(line);
        if (!comment.Success) yield break;
        foreach (Match tuple in Tuple().Matches(comment.Groups[1].Value))
        {
            string inner = tuple.Groups[1].Value;
            if (!inner.Split(',').All(part => Part().IsMatch(part.Trim()))) continue;
            var words = Word().Matches(inner).Select(m => m.Value).ToList();
            if (words.Count == 0 || !words.All(w => Name().IsMatch(w))) continue;
            foreach (var w in words) yield return w;
        }
    }

    /// <summary>Letter -> the first place (file:line) it is used, over every .cs file under <paramref name="libDir"/> (bin and obj excluded).</summary>
    public static IReadOnlyDictionary<string, string> LettersIn(string libDir)
    {
        var first = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles.Under(libDir))
        {
            int n = 0;
            foreach (var line in File.ReadLines(file))
            {
                n++;
                foreach (var letter in Letters(line)) first.TryAdd(letter, $"{Path.GetRelativePath(libDir, file)}:{n}");
            }
        }
        return first;
    }

    [GeneratedRegex(@"(?<!/)//(?!/)(.*)$")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\(([^()]*,[^()]*)\)")]
    private static partial Regex Tuple();

    [GeneratedRegex(@"^[0-9A-Za-z·*+/ −\-²]+$")]
    private static partial Regex Part();

    [GeneratedRegex(@"[A-Za-z]+")]
    private static partial Regex Word();

    [GeneratedRegex(@"^[A-Z][A-Za-z]{0,3}$")]
    private static partial Regex Name();
}

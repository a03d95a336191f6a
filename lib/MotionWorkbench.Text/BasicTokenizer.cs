using System.Text;

namespace MotionWorkbench.Text;

/// <summary>
/// HF's BertTokenizer basic step with do_lower_case=True, tokenize_chinese_chars=True and strip_accents following
/// lower-casing: clean the text (drop NUL, U+FFFD and control characters, map whitespace to a space), put spaces
/// around CJK ideographs, split on whitespace, lower-case and strip accents each word, split off punctuation.
/// </summary>
public static class BasicTokenizer
{
    public static List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spaced = CleanAndSpaceCjk(text);
        var output = new List<string>();
        foreach (var word in SplitOnWhitespace(spaced))
        {
            var normalised = PythonUnicode.StripAccents(PythonUnicode.Lower(word));
            SplitOnPunctuation(normalised, output);
        }
        return output;
    }

    /// <summary>HF's <c>_clean_text</c> followed by <c>_tokenize_chinese_chars</c>.</summary>
    internal static string CleanAndSpaceCjk(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var rune in PythonUnicode.ToRunes(text))
        {
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD || PythonUnicode.IsControl(rune)) continue;
            if (PythonUnicode.IsWhitespace(rune)) { sb.Append(' '); continue; }
            if (PythonUnicode.IsCjkIdeograph(cp)) { sb.Append(' ').Append(rune.ToString()).Append(' '); continue; }
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.split()</c> with no argument: runs of Unicode whitespace separate words.</summary>
    internal static IEnumerable<string> SplitOnWhitespace(string text)
    {
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            bool space = IsPythonSpace(text[i]);
            if (space && start >= 0) { yield return text[start..i]; start = -1; }
            else if (!space && start < 0) start = i;
        }
        if (start >= 0) yield return text[start..];
    }

    // str.split() separators: Python's str.isspace (bidi class WS/B/S or category Zs), all in the BMP.
    private static bool IsPythonSpace(char c) =>
        c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or '\u001C' or '\u001D' or '\u001E' or '\u001F' or '\u0085'
        || PythonUnicode.Category(c) is System.Globalization.UnicodeCategory.SpaceSeparator
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    // HF's _run_split_on_punc: every punctuation character becomes its own token.
    private static void SplitOnPunctuation(string word, List<string> output)
    {
        var current = new StringBuilder();
        foreach (var rune in word.EnumerateRunes())
        {
            if (PythonUnicode.IsPunctuation(rune))
            {
                if (current.Length > 0) { output.Add(current.ToString()); current.Clear(); }
                output.Add(rune.ToString());
            }
            else
            {
                current.Append(rune.ToString());
            }
        }
        if (current.Length > 0) output.Add(current.ToString());
    }
}

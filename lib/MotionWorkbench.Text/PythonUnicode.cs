using System.Globalization;
using System.Text;

namespace MotionWorkbench.Text;

/// <summary>
/// The character classes and transforms of HF's BertTokenizer, computed on code points (runes) the way Python does.
/// Lower-casing and the NFD decomposition come from <see cref="UnicodeTables"/> (generated from Python's
/// unicodedata, Unicode 14.0.0), because the project runs with InvariantGlobalization, where .NET's
/// <c>string.Normalize(FormD)</c> leaves accented letters composed. General categories come from the same
/// tables (<see cref="Category"/>), not from .NET, whose newer Unicode data assigns ~10,000 code points that
/// Python 3.11 still treats as unassigned.
/// </summary>
public static class PythonUnicode
{
    /// <summary>Python's <c>str.lower()</c>: full mapping (U+0130 becomes "i" + U+0307) and the Final_Sigma rule.</summary>
    public static string Lower(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var runes = ToRunes(text);
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < runes.Length; i++)
        {
            int cp = runes[i].Value;
            if (cp < 0x80)
            {
                sb.Append(cp is >= 'A' and <= 'Z' ? (char)(cp + 32) : (char)cp);
            }
            else if (cp == 0x130)
            {
                sb.Append('i').Append('\u0307');
            }
            else if (cp == 0x3A3)
            {
                sb.Append(IsFinalSigma(runes, i) ? '\u03C2' : '\u03C3');
            }
            else
            {
                int k = Array.BinarySearch(UnicodeTables.LowerFrom, cp);
                AppendCodePoint(sb, k >= 0 ? UnicodeTables.LowerTo[k] : cp);
            }
        }
        return sb.ToString();
    }

    /// <summary>HF's <c>_run_strip_accents</c>: NFD, then drop every non-spacing mark (category Mn).</summary>
    public static string StripAccents(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp < 0xC0) { sb.Append((char)cp); continue; }
            if (cp is >= 0xAC00 and <= 0xD7A3) { AppendHangul(sb, cp); continue; }
            int k = Array.BinarySearch(UnicodeTables.DecompositionKeys, cp);
            if (k < 0)
            {
                if (Category(cp) != UnicodeCategory.NonSpacingMark) sb.Append(rune.ToString());
                continue;
            }
            for (int j = UnicodeTables.DecompositionOffsets[k]; j < UnicodeTables.DecompositionOffsets[k + 1]; j++)
            {
                int part = UnicodeTables.DecompositionData[j];
                if (Category(part) != UnicodeCategory.NonSpacingMark) AppendCodePoint(sb, part);
            }
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>unicodedata.category</c> of a code point (Unicode 14.0.0), as a .NET category.</summary>
    public static UnicodeCategory Category(int codePoint)
    {
        if ((uint)codePoint > 0x10FFFF) throw new ArgumentOutOfRangeException(nameof(codePoint), codePoint, "not a Unicode code point");
        int k = Array.BinarySearch(UnicodeTables.CategoryRunStarts, codePoint);
        if (k < 0) k = ~k - 1;
        return (UnicodeCategory)UnicodeTables.CategoryRunValues[k];
    }

    /// <summary>HF's <c>_is_whitespace</c>: space, tab, newline, carriage return, or category Zs.</summary>
    public static bool IsWhitespace(Rune r) =>
        r.Value is ' ' or '\t' or '\n' or '\r' || Category(r.Value) == UnicodeCategory.SpaceSeparator;

    /// <summary>HF's <c>_is_control</c>: any category C* except tab, newline and carriage return.</summary>
    public static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        return Category(r.Value) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    /// <summary>HF's <c>_is_punctuation</c>: ASCII 33-47, 58-64, 91-96, 123-126, or any category P*.</summary>
    public static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Category(r.Value) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>HF's <c>_is_chinese_char</c>: the CJK Unified Ideographs blocks (not Hiragana, Katakana or Hangul).</summary>
    public static bool IsCjkIdeograph(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    /// <summary>The runes of a string; a lone surrogate becomes U+FFFD's neighbour class (it is dropped as a control).</summary>
    internal static Rune[] ToRunes(string text)
    {
        var list = new List<Rune>(text.Length);
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int used) == System.Buffers.OperationStatus.Done)
            {
                list.Add(rune);
            }
            else
            {
                list.Add(LoneSurrogate); // Python would hold the lone surrogate (category Cs) and drop it as a control.
            }
            i += used == 0 ? 1 : used;
        }
        return [.. list];
    }

    /// <summary>Stands in for a lone UTF-16 surrogate; U+E000 is private use (category Co), so it is dropped like Cs.</summary>
    internal static readonly Rune LoneSurrogate = new(0xE000);

    private static void AppendCodePoint(StringBuilder sb, int cp)
    {
        if (cp < 0x10000) sb.Append((char)cp);
        else sb.Append(char.ConvertFromUtf32(cp));
    }

    private static void AppendHangul(StringBuilder sb, int cp)
    {
        // Unicode's algorithmic decomposition of precomposed Hangul syllables (L, V and optional T jamo).
        int s = cp - 0xAC00;
        sb.Append((char)(0x1100 + s / 588));
        sb.Append((char)(0x1161 + s % 588 / 28));
        if (s % 28 != 0) sb.Append((char)(0x11A7 + s % 28));
    }

    // Python's Final_Sigma test: a cased letter before (skipping case-ignorables) and none after.
    private static bool IsFinalSigma(Rune[] runes, int i)
    {
        int j = i - 1;
        while (j >= 0 && IsCaseIgnorable(runes[j])) j--;
        if (j < 0 || !IsCased(runes[j])) return false;
        j = i + 1;
        while (j < runes.Length && IsCaseIgnorable(runes[j])) j++;
        return j == runes.Length || !IsCased(runes[j]);
    }

    private static bool IsCased(Rune r) =>
        Category(r.Value) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r) =>
        r.Value is '\'' or '.' or ':' or '^' or '`' or 0xB7 or 0x2018 or 0x2019 or 0x2024 or 0x2027
        || Category(r.Value) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
}

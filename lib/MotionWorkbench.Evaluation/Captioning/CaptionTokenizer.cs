using System.Text;

namespace MotionWorkbench.Evaluation.Captioning;

/// <summary>
/// The caption normalisation of the COCO caption evaluation (pycocoevalcap's PTBTokenizer step) reimplemented without
/// Java: every metric of <see cref="CaptionMetrics"/> scores these tokens.
/// <para>What it does, in order:</para>
/// <list type="number">
/// <item>Lower-cases (invariant culture); the typographic apostrophes/quotes ’ ‘ “ ” count as ' and ".</item>
/// <item>Splits on whitespace (line breaks included: the COCO code replaces them by spaces).</item>
/// <item>Splits off, as their own tokens, the characters <c>" ( ) [ ] { } ; ! ? `</c>, a comma or colon unless it sits
/// between two digits ("1,000", "3:45" stay whole), a run of periods at the end of a word ("walks." or "walks...";
/// periods inside a word such as "1.5" or "e.g" stay), a leading or trailing single quote ("'run'" gives ', run, ').</item>
/// <item>Splits the English clitics off the word they end as PTB does: n't, 's, 're, 've, 'll, 'd, 'm
/// ("don't" gives do n't, "person's" gives person 's).</item>
/// <item>Drops the punctuation tokens, as the COCO code drops PTB's punctuation tokens (its list: '' ' `` ` -LRB- -RRB-
/// -LCB- -RCB- . ? ! , : - -- ... ;): here every token made only of the characters <c>. , ; : ! ? - ' ` " ( ) [ ] { }</c>.</item>
/// </list>
/// <para>Where it differs from the Java Stanford PTB tokenizer (3.4.1, <c>-preserveLines -lowerCase</c>) that the COCO
/// code runs: PTB also splits "cannot" into can not and "gonna"/"wanna" into gon na/wan na (here they stay whole;
/// "can't" gives ca n't in both); PTB emits square brackets as -LSB-/-RSB-, which the COCO list does
/// not remove (here they are dropped like parentheses); PTB splits symbols such as % $ # &amp; off a word ("90%" gives
/// 90 %, here "90%" stays whole) and keeps a token of repeated ! or ? ("!!") that is then not in the list (here dropped);
/// PTB's abbreviation rules keep the period of "e.g." / "mr." at the end of a word (here it is split off and dropped).
/// Motion captions (HumanML3D, KIT-ML, the synthetic sets) rarely contain any of these.</para>
/// </summary>
public static class CaptionTokenizer
{
    private const string AlwaysSplit = "\"()[]{};!?`";
    private const string PunctuationOnly = ".,;:!?-'`\"()[]{}";
    private static readonly string[] Clitics = ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"];

    /// <summary>The caption's tokens after the normalisation above (an empty list for an empty or punctuation-only caption).</summary>
    public static IReadOnlyList<string> Tokenize(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var text = Normalise(caption);
        var tokens = new List<string>();
        foreach (var chunk in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            foreach (var piece in SplitChunk(chunk))
                foreach (var t in SplitClitic(piece))
                    if (!IsPunctuation(t)) tokens.Add(t);
        return tokens;
    }

    /// <summary>The tokens joined by single spaces (the form pycocoevalcap hands to its scorers).</summary>
    public static string Normalize(string caption) => string.Join(' ', Tokenize(caption));

    private static string Normalise(string caption)
    {
        var sb = new StringBuilder(caption.Length);
        foreach (var ch in caption.ToLowerInvariant())
        {
            sb.Append(ch switch
            {
                '\u2019' or '\u2018' => '\'',
                '\u201C' or '\u201D' => '"',
                _ => char.IsWhiteSpace(ch) ? ' ' : ch,
            });
        }
        return sb.ToString();
    }

    private static List<string> SplitChunk(string chunk)
    {
        var pieces = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0) { pieces.Add(current.ToString()); current.Clear(); }
        }
        for (int i = 0; i < chunk.Length; i++)
        {
            char c = chunk[i];
            bool betweenDigits = i > 0 && i + 1 < chunk.Length && char.IsDigit(chunk[i - 1]) && char.IsDigit(chunk[i + 1]);
            if (AlwaysSplit.Contains(c) || ((c == ',' || c == ':') && !betweenDigits))
            {
                Flush();
                pieces.Add(c.ToString());
            }
            else if (c == '.' && (i + 1 == chunk.Length || chunk[i + 1] == '.' || AlwaysSplit.Contains(chunk[i + 1]) || chunk[i + 1] is ',' or ':' or '\''))
            {
                // A period that ends the word (possibly before closing punctuation) is split off.
                Flush();
                pieces.Add(".");
            }
            else if (c == '\'' && (current.Length == 0 || i + 1 == chunk.Length || !char.IsLetterOrDigit(chunk[i + 1])) && !StartsClitic(chunk, i))
            {
                // A quote at the start or the end of a word (not the apostrophe of a clitic).
                Flush();
                pieces.Add("'");
            }
            else current.Append(c);
        }
        Flush();
        return pieces;
    }

    private static bool StartsClitic(string chunk, int i)
    {
        if (i == 0) return false;
        foreach (var c in Clitics)
        {
            int at = c[0] == '\'' ? i : i - 1;
            if (at > 0 && at + c.Length <= chunk.Length && string.CompareOrdinal(chunk, at, c, 0, c.Length) == 0
                && (at + c.Length == chunk.Length || !char.IsLetterOrDigit(chunk[at + c.Length]))) return true;
        }
        return false;
    }

    private static IEnumerable<string> SplitClitic(string word)
    {
        foreach (var c in Clitics)
        {
            if (word.Length > c.Length && word.EndsWith(c, StringComparison.Ordinal))
            {
                yield return word[..^c.Length];
                yield return c;
                yield break;
            }
        }
        yield return word;
    }

    private static bool IsPunctuation(string token)
    {
        foreach (var ch in token) if (!PunctuationOnly.Contains(ch)) return false;
        return true;
    }
}

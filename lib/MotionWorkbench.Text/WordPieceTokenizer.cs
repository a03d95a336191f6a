namespace MotionWorkbench.Text;

/// <summary>
/// Greedy longest-match-first WordPiece (HF's WordpieceTokenizer): a word splits into the longest vocabulary
/// prefix, then the longest "##"-prefixed continuation, and so on; a word with an unmatched remainder, or longer
/// than <see cref="MaxCharsPerWord"/> code points, becomes [UNK] as a whole.
/// </summary>
public sealed class WordPieceTokenizer(WordPieceVocabulary vocabulary, int maxCharsPerWord = 100)
{
    public WordPieceVocabulary Vocabulary { get; } = vocabulary ?? throw new ArgumentNullException(nameof(vocabulary));
    public int MaxCharsPerWord { get; } = maxCharsPerWord;

    /// <summary>Appends the word pieces of one basic token (no whitespace inside) to <paramref name="output"/>.</summary>
    public void TokenizeWord(string word, List<string> output)
    {
        // Offsets of each code point, so that lengths and cuts follow Python's str (not UTF-16 units).
        var starts = new List<int>(word.Length + 1);
        for (int i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1) starts.Add(i);
        int n = starts.Count;
        starts.Add(word.Length);
        if (n > MaxCharsPerWord) { output.Add(WordPieceVocabulary.Unknown); return; }

        int mark = output.Count;
        int start = 0;
        while (start < n)
        {
            int end = n;
            string? piece = null;
            while (start < end)
            {
                var sub = word[starts[start]..starts[end]];
                if (start > 0) sub = "##" + sub;
                if (Vocabulary.Contains(sub)) { piece = sub; break; }
                end--;
            }
            if (piece is null)
            {
                output.RemoveRange(mark, output.Count - mark);
                output.Add(WordPieceVocabulary.Unknown);
                return;
            }
            output.Add(piece);
            start = end;
        }
    }
}

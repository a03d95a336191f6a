using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// A word-level WordPiece vocabulary built from captions, for text encoders trained from scratch: the special tokens,
/// every single character seen (and its ## continuation) so unseen words still tokenise, then every word of the
/// captions (lower-cased and split as BERT's basic tokenizer does), most frequent first.
/// </summary>
public static class CaptionVocabulary
{
    public static WordPieceVocabulary Build(IEnumerable<string> captions, int minCount = 1)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var chars = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var caption in captions)
            foreach (var word in BasicTokenizer.Tokenize(caption))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
                foreach (var ch in word.EnumerateRunes()) chars.Add(ch.ToString());
            }
        foreach (var c in "abcdefghijklmnopqrstuvwxyz0123456789") chars.Add(c.ToString());
        var tokens = new List<string> { WordPieceVocabulary.Padding, WordPieceVocabulary.Unknown, WordPieceVocabulary.Classifier, WordPieceVocabulary.Separator, WordPieceVocabulary.Mask };
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        foreach (var c in chars) if (seen.Add(c)) tokens.Add(c);
        foreach (var c in chars) if (seen.Add("##" + c)) tokens.Add("##" + c);
        foreach (var (word, _) in counts.Where(kv => kv.Value >= minCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            if (seen.Add(word)) tokens.Add(word);
        return WordPieceVocabulary.FromTokens(tokens, "caption vocabulary");
    }

    /// <summary>Writes one token a line (id = line number), atomically.</summary>
    public static void Save(WordPieceVocabulary vocab, string path)
    {
        Files.WriteLines(path, Enumerable.Range(0, vocab.Count).Select(vocab.TokenOf));
    }
}

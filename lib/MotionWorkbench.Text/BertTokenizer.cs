namespace MotionWorkbench.Text;

/// <summary>
/// A WordPiece tokenizer compatible with HF <c>bert-base-uncased</c> / <c>distilbert-base-uncased</c>
/// (BertTokenizer, do_lower_case=True): the special tokens [CLS] [SEP] [PAD] [UNK] [MASK] are cut out of the text
/// first and never split, the rest goes through <see cref="BasicTokenizer"/> and <see cref="WordPieceTokenizer"/>.
/// Encoding adds [CLS] ... [SEP], truncates to <see cref="MaxLength"/> (keeping [SEP]) and pads a batch to its longest row.
/// </summary>
public sealed class BertTokenizer
{
    private readonly WordPieceTokenizer _wordPiece;

    public BertTokenizer(WordPieceVocabulary vocabulary, int maxLength = 512)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "max length must leave room for [CLS] and [SEP] (at least 2)");
        Vocabulary = vocabulary;
        MaxLength = maxLength;
        _wordPiece = new WordPieceTokenizer(vocabulary);
    }

    /// <summary>Loads the vocabulary from a vocab.txt path (see <see cref="WordPieceVocabulary.Load"/>).</summary>
    public static BertTokenizer FromVocabularyFile(string path, int maxLength = 512) =>
        new(WordPieceVocabulary.Load(path), maxLength);

    public WordPieceVocabulary Vocabulary { get; }

    /// <summary>The longest encoded row, [CLS] and [SEP] included (the model's 512 positions by default).</summary>
    public int MaxLength { get; }

    /// <summary>The word pieces of a text, without [CLS]/[SEP].</summary>
    public List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<string>();
        foreach (var (segment, isSpecial) in SplitSpecialTokens(text))
        {
            if (isSpecial) { output.Add(segment); continue; }
            foreach (var word in BasicTokenizer.Tokenize(segment)) _wordPiece.TokenizeWord(word, output);
        }
        return output;
    }

    /// <summary>The words of a text (as the basic tokenizer splits them) that this vocabulary can only read as [UNK], in order, once each.</summary>
    public List<string> UnknownWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var unknown = new List<string>();
        var pieces = new List<string>();
        foreach (var (segment, isSpecial) in SplitSpecialTokens(text))
        {
            if (isSpecial) continue;
            foreach (var word in BasicTokenizer.Tokenize(segment))
            {
                pieces.Clear();
                _wordPiece.TokenizeWord(word, pieces);
                if (pieces.Contains(WordPieceVocabulary.Unknown) && !unknown.Contains(word)) unknown.Add(word);
            }
        }
        return unknown;
    }

    /// <summary>The ids of <c>[CLS] tokens [SEP]</c>, truncated to <see cref="MaxLength"/>.</summary>
    public int[] Encode(string text)
    {
        var pieces = Tokenize(text);
        int body = Math.Min(pieces.Count, MaxLength - 2);
        var ids = new int[body + 2];
        ids[0] = Vocabulary.ClassifierId;
        for (int i = 0; i < body; i++) ids[i + 1] = Vocabulary.IdOf(pieces[i]);
        ids[body + 1] = Vocabulary.SeparatorId;
        return ids;
    }

    /// <summary>Encodes every text and pads to the longest row of the batch (HF's padding=True, truncation=True).</summary>
    public EncodedBatch EncodeBatch(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("cannot encode an empty batch of texts", nameof(texts));
        var rows = new int[texts.Count][];
        for (int b = 0; b < texts.Count; b++)
            rows[b] = Encode(texts[b] ?? throw new ArgumentException($"text {b} of the batch is null", nameof(texts)));
        int L = rows.Max(r => r.Length);
        var ids = new int[rows.Length * L];
        var mask = new int[rows.Length * L];
        Array.Fill(ids, Vocabulary.PaddingId);
        for (int b = 0; b < rows.Length; b++)
        {
            rows[b].CopyTo(ids, b * L);
            mask.AsSpan(b * L, rows[b].Length).Fill(1);
        }
        return new EncodedBatch(ids, mask, rows.Length, L);
    }

    /// <summary>The tokens of some ids; with <paramref name="skipSpecialTokens"/>, [CLS] [SEP] [PAD] [MASK] are left out.</summary>
    public List<string> IdsToTokens(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var tokens = new List<string>(ids.Length);
        foreach (int id in ids)
        {
            if (skipSpecialTokens && id != Vocabulary.UnknownId && Vocabulary.IsSpecialId(id)) continue;
            tokens.Add(Vocabulary.TokenOf(id));
        }
        return tokens;
    }

    /// <summary>
    /// HF's decode: tokens joined by spaces with " ##" removed; by default special tokens are skipped and the
    /// tokenization spaces before . , ? ! and in English contractions are cleaned up, as HF does for BERT.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true, bool cleanUpSpaces = true)
    {
        var text = string.Join(' ', IdsToTokens(ids, skipSpecialTokens)).Replace(" ##", "", StringComparison.Ordinal).Trim();
        if (!cleanUpSpaces) return text;
        return text.Replace(" .", ".", StringComparison.Ordinal).Replace(" ?", "?", StringComparison.Ordinal)
            .Replace(" !", "!", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal)
            .Replace(" ' ", "'", StringComparison.Ordinal).Replace(" n't", "n't", StringComparison.Ordinal)
            .Replace(" 'm", "'m", StringComparison.Ordinal).Replace(" 's", "'s", StringComparison.Ordinal)
            .Replace(" 've", "'ve", StringComparison.Ordinal).Replace(" 're", "'re", StringComparison.Ordinal);
    }

    // Cuts the special tokens out of the text (earliest occurrence first, the longest at equal positions).
    private static IEnumerable<(string Segment, bool IsSpecial)> SplitSpecialTokens(string text)
    {
        int pos = 0;
        while (pos < text.Length)
        {
            int best = -1;
            string? match = null;
            foreach (var special in WordPieceVocabulary.SpecialTokens)
            {
                int at = text.IndexOf(special, pos, StringComparison.Ordinal);
                if (at >= 0 && (best < 0 || at < best || (at == best && special.Length > match!.Length))) { best = at; match = special; }
            }
            if (match is null) { yield return (text[pos..], false); yield break; }
            if (best > pos) yield return (text[pos..best], false);
            yield return (match, true);
            pos = best + match.Length;
        }
    }
}

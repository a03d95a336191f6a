using System.Text;

namespace MotionWorkbench.Text;

/// <summary>
/// A WordPiece vocabulary read from a <c>vocab.txt</c>: one token a line, id = 0-based line number (HF's
/// <c>load_vocab</c>; a later duplicate line wins the token-to-id lookup, as in HF). Line endings \n and \r\n.
/// </summary>
public sealed class WordPieceVocabulary
{
    public const string Unknown = "[UNK]";
    public const string Classifier = "[CLS]";
    public const string Separator = "[SEP]";
    public const string Padding = "[PAD]";
    public const string Mask = "[MASK]";

    /// <summary>The special tokens the tokenizer never splits.</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } = [Classifier, Separator, Padding, Unknown, Mask];

    private readonly Dictionary<string, int> _ids;
    private readonly string[] _tokens;

    private WordPieceVocabulary(string source, string[] tokens)
    {
        Source = source;
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++) _ids[tokens[i]] = i;

        var missing = new[] { Classifier, Separator, Padding, Unknown }.Where(t => !_ids.ContainsKey(t)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"vocabulary '{source}' lacks the special token(s) {string.Join(", ", missing)} (a BERT vocab.txt has them on their own lines)");
        UnknownId = _ids[Unknown];
        ClassifierId = _ids[Classifier];
        SeparatorId = _ids[Separator];
        PaddingId = _ids[Padding];
        MaskId = _ids.TryGetValue(Mask, out int m) ? m : null;
    }

    /// <summary>Where the vocabulary came from (a path, or a description for in-memory ones).</summary>
    public string Source { get; }

    public int Count => _tokens.Length;
    public int UnknownId { get; }
    public int ClassifierId { get; }
    public int SeparatorId { get; }
    public int PaddingId { get; }

    /// <summary>The [MASK] id, or null when the vocabulary has none (MLM masking then refuses to run).</summary>
    public int? MaskId { get; }

    /// <summary>Reads a vocab.txt (UTF-8). Throws <see cref="FileNotFoundException"/> naming the path when absent.</summary>
    public static WordPieceVocabulary Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"vocabulary file '{Path.GetFullPath(path)}' does not exist", path);
        var bytes = File.ReadAllBytes(path);
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"vocabulary file '{Path.GetFullPath(path)}' is not UTF-8 text (invalid byte at offset {e.Index}); expected one word piece per line, as BERT's vocab.txt");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        int control = text.IndexOfAny(['\0', '\u0001', '\u0002', '\u0003', '\u0004', '\u0005', '\u0006', '\u0007', '\u0008']);
        if (control >= 0)
            throw new InvalidDataException($"vocabulary file '{Path.GetFullPath(path)}' holds control bytes (U+{(int)text[control]:X4} at character {control}): a binary file, not a vocab.txt");
        var lines = text.Split('\n');
        int n = lines.Length;
        if (n > 0 && lines[n - 1].Length == 0) n--; // the file's final newline ends the last line
        var tokens = new string[n];
        for (int i = 0; i < n; i++) tokens[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
        if (n == 0) throw new InvalidDataException($"vocabulary file '{Path.GetFullPath(path)}' is empty");
        return new WordPieceVocabulary(Path.GetFullPath(path), tokens);
    }

    /// <summary>A vocabulary from tokens in id order (for tests and tiny models).</summary>
    public static WordPieceVocabulary FromTokens(IEnumerable<string> tokens, string source = "<in-memory vocabulary>") =>
        new(source, [.. tokens]);

    public bool Contains(string token) => _ids.ContainsKey(token);

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>The id of a token, or [UNK]'s id when it is not in the vocabulary (HF's convert_tokens_to_ids).</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : UnknownId;

    /// <summary>The token of an id; throws naming the id and the vocabulary size when out of range.</summary>
    public string TokenOf(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside the vocabulary '{Source}' (size {_tokens.Length})");
        return _tokens[id];
    }

    /// <summary>True for the ids of [CLS], [SEP], [PAD], [UNK] and [MASK].</summary>
    public bool IsSpecialId(int id) =>
        id == ClassifierId || id == SeparatorId || id == PaddingId || id == UnknownId || id == MaskId;

    /// <summary>Throws, naming the vocabulary, when [MASK] is absent (needed by masked-language-model training).</summary>
    public int RequireMaskId() => MaskId ?? throw new InvalidDataException(
        $"vocabulary '{Source}' lacks the special token {Mask}, which masked-language-model training needs");
}

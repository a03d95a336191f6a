namespace MotionWorkbench.Text.Tests;

public class BertTokenizerTests
{
    private readonly BertTokenizer _tok = new(TestVocabulary.Tiny());

    [Fact]
    public void Tokenize_GreedyLongestMatch_UsesContinuationPieces()
    {
        Assert.Equal(["un", "##want", "##ed", ",", "runn", "##ing"], _tok.Tokenize("UNwanted, running"));
        Assert.Equal(["a", "person", "walk", "##s"], _tok.Tokenize("A person walks"));
    }

    [Fact]
    public void UnknownWords_names_each_word_read_as_unknown_once()
    {
        Assert.Equal(["circle", "walkz"], _tok.UnknownWords("A person walks a circle, walkz, circle [SEP]"));
        Assert.Empty(_tok.UnknownWords("a person walks"));
    }

    [Fact]
    public void Tokenize_WordWithUnmatchedRest_IsOneUnknown()
    {
        Assert.Equal(["[UNK]", "a"], _tok.Tokenize("walkz a"));
    }

    [Fact]
    public void Tokenize_WordOver100CodePoints_IsUnknown_And100IsNot()
    {
        Assert.Equal(["[UNK]"], _tok.Tokenize(new string('x', 101)));
        Assert.Equal(["[UNK]"], _tok.Tokenize(new string('x', 100))); // no "##x" in the tiny vocab
        var vocab = WordPieceVocabulary.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "x", "##x"]);
        var tok = new BertTokenizer(vocab);
        Assert.Equal(100, tok.Tokenize(new string('x', 100)).Count);
        Assert.Equal(["[UNK]"], tok.Tokenize(new string('x', 101)));
    }

    [Fact]
    public void Tokenize_AccentsUnderInvariantGlobalization_AreStripped()
    {
        // Directory.Build.props sets InvariantGlobalization; string.Normalize(FormD) does not decompose there,
        // so PythonUnicode carries its own tables. This must hold in the test host too.
        Assert.Equal(["cafe", ",", "resume"], _tok.Tokenize("Café, RÉSUMÉ"));
        Assert.Equal(["cafe"], _tok.Tokenize("Cafe\u0301")); // decomposed input
    }

    [Fact]
    public void Tokenize_PunctuationAndCjk_AreSplit()
    {
        Assert.Equal(["doesn", "'", "t", "left", "-", "hand", "."], _tok.Tokenize("doesn't left-hand."));
        Assert.Equal(["a", "中", "a"], _tok.Tokenize("a中a"));
    }

    [Fact]
    public void Tokenize_ControlAndZeroWidthCharacters_AreDropped()
    {
        Assert.Equal(["a", "person"], _tok.Tokenize("a\u0000\u200b\ufeff\ufffd\u0007 \tperson"));
        Assert.Empty(_tok.Tokenize(""));
        Assert.Empty(_tok.Tokenize(" \n\t "));
    }

    [Fact]
    public void Tokenize_SpecialTokens_AreNeverSplit()
    {
        Assert.Equal(["[CLS]", "a", "[MASK]", "person", "[SEP]"], _tok.Tokenize("[CLS]a [MASK]person[SEP]"));
    }

    [Fact]
    public void Encode_TruncatesToMaxLength_KeepingClsAndSep()
    {
        var tok = new BertTokenizer(TestVocabulary.Tiny(), maxLength: 5);
        var ids = tok.Encode("a person walks a person");
        Assert.Equal([2, 5, 6, 7, 3], ids);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BertTokenizer(TestVocabulary.Tiny(), maxLength: 1));
    }

    [Fact]
    public void EncodeBatch_PadsToLongestWithMask()
    {
        var batch = _tok.EncodeBatch(["a", "a person walks", ""]);
        Assert.Equal(3, batch.BatchSize);
        Assert.Equal(6, batch.Length);
        Assert.Equal([2, 5, 3, 0, 0, 0], batch.Row(0).ToArray());
        Assert.Equal([2, 5, 6, 7, 8, 3], batch.Row(1).ToArray());
        Assert.Equal([2, 3, 0, 0, 0, 0], batch.Row(2).ToArray());
        Assert.Equal([1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], batch.AttentionMask);
        Assert.Equal(2, batch.RowLength(2));
        Assert.Throws<ArgumentException>(() => _tok.EncodeBatch([]));
    }

    [Fact]
    public void Decode_JoinsPiecesAndSkipsSpecials()
    {
        var ids = _tok.Encode("a person walks, unwanted.");
        Assert.Equal("a person walks, unwanted.", _tok.Decode(ids));
        Assert.Equal("[CLS] a person walks , unwanted . [SEP]", _tok.Decode(ids, skipSpecialTokens: false, cleanUpSpaces: false));
        Assert.Equal(["[CLS]", "a", "person", "walk", "##s"], _tok.IdsToTokens(ids.AsSpan(0, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _tok.Decode([999]));
    }
}

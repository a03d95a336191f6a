using System.Text.Json;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Text.Tests;

/// <summary>
/// Golden ids from environment/reference/tokenizer_reference.py (an independent Python implementation of HF's
/// BertTokenizer logic) on bert-base-uncased-vocab.txt, plus ids hand-checked against the vocab file's line numbers.
/// </summary>
public class GoldenTokenizerTests
{
    private static readonly Lazy<BertTokenizer> Bert = new(() => BertTokenizer.FromVocabularyFile(TestVocabulary.SharedVocabPath()));

    public static IEnumerable<object[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestVocabulary.FixturePath("tokenizer_golden.json")));
        int n = doc.RootElement.GetProperty("cases").GetArrayLength();
        for (int i = 0; i < n; i++) yield return [i];
    }

    [Fact]
    public void Fixture_HasAtLeast25SentencesAndNamesItsGenerator()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestVocabulary.FixturePath("tokenizer_golden.json")));
        Assert.Equal("environment/reference/tokenizer_reference.py", doc.RootElement.GetProperty("generator").GetString());
        Assert.True(doc.RootElement.GetProperty("cases").GetArrayLength() >= 25);
    }

    [SharedDataTheory]
    [MemberData(nameof(Cases))]
    public void Encode_MatchesPythonReference(int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestVocabulary.FixturePath("tokenizer_golden.json")));
        var c = doc.RootElement.GetProperty("cases")[index];
        var text = c.GetProperty("text").GetString()!;
        var expectedTokens = c.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var expectedIds = c.GetProperty("ids").EnumerateArray().Select(t => t.GetInt32()).ToArray();

        var tokens = Bert.Value.Tokenize(text);
        Assert.Equal(expectedTokens, tokens.Take(expectedTokens.Count == 510 ? 510 : tokens.Count).ToList());
        Assert.Equal(expectedIds, Bert.Value.Encode(text));
    }

    [SharedDataFact]
    public void Encode_CaptionIdsEqualVocabLineNumbers()
    {
        // Checked by hand: id = 0-based line number of bert-base-uncased-vocab.txt (grep -nxF, minus one).
        var ids = Bert.Value.Encode("A person walks forward.");
        Assert.Equal([101, 1037, 2711, 7365, 2830, 1012, 102], ids);
        Assert.Equal([101, 7668, 14590, 1746, 102], Bert.Value.Encode("Café kicks 中"));
        Assert.Equal(0, Bert.Value.Vocabulary.PaddingId);
        Assert.Equal(100, Bert.Value.Vocabulary.UnknownId);
        Assert.Equal(103, Bert.Value.Vocabulary.MaskId);
        Assert.Equal(9581, Bert.Value.Vocabulary.IdOf("##ima"));
        Assert.Equal(30522, Bert.Value.Vocabulary.Count);
    }

    [SharedDataFact]
    public void EncodeBatch_RealVocab_PadsWithZeroAndMasks()
    {
        var batch = Bert.Value.EncodeBatch(["a person walks forward.", "a person"]);
        Assert.Equal(7, batch.Length);
        Assert.Equal([101, 1037, 2711, 102, 0, 0, 0], batch.Row(1).ToArray());
        Assert.Equal([1, 1, 1, 1, 0, 0, 0], batch.AttentionMask.AsSpan(7, 7).ToArray());
        Assert.Equal("a person walks forward.", Bert.Value.Decode(batch.Row(0)));
    }

    [SharedDataFact]
    public void Encode_LongCaption_TruncatesTo512KeepingSep()
    {
        var ids = Bert.Value.Encode(string.Join(' ', Enumerable.Repeat("walking", 600)));
        Assert.Equal(512, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
    }
}

namespace MotionWorkbench.Text.Tests;

public class VocabularyTests
{
    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "mw-no-such-dir", "vocab.txt");
        var ex = Assert.Throws<FileNotFoundException>(() => WordPieceVocabulary.Load(path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Load_WithoutSpecialTokens_NamesFileAndMissingTokens()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mw-vocab-{Environment.ProcessId}-a.txt");
        File.WriteAllText(path, "[PAD]\n[UNK]\nhello\n");
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => WordPieceVocabulary.Load(path));
            Assert.Contains(path, ex.Message);
            Assert.Contains("[CLS]", ex.Message);
            Assert.Contains("[SEP]", ex.Message);
            Assert.DoesNotContain("[PAD]", ex.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Load_CrLfFile_IdsAreLineNumbers_AndMissingMaskIsAnErrorForMlm()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mw-vocab-{Environment.ProcessId}-b.txt");
        File.WriteAllText(path, "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nwalk\r\n");
        try
        {
            var vocab = WordPieceVocabulary.Load(path);
            Assert.Equal(5, vocab.Count);
            Assert.Equal(4, vocab.IdOf("walk"));
            Assert.Equal(1, vocab.IdOf("run"));
            Assert.Null(vocab.MaskId);
            var ex = Assert.Throws<InvalidDataException>(() => new MaskedLanguageModelMasker(vocab, seed: 1));
            Assert.Contains("[MASK]", ex.Message);
            Assert.Contains(path, ex.Message);
        }
        finally { File.Delete(path); }
    }
}

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

    [Theory]
    [InlineData(new byte[] { 0x5B, 0x50, 0x41, 0x44, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A }, "not UTF-8 text")]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x0A }, "control bytes")]
    public void Load_BinaryFile_NamesTheFile(byte[] content, string what)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mw-vocab-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        File.WriteAllBytes(path, content);
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => WordPieceVocabulary.Load(path));
            Assert.Contains(path, ex.Message);
            Assert.Contains(what, ex.Message);
        }
        finally { File.Delete(path); }
    }
}

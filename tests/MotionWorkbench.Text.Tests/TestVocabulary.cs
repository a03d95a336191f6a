using MotionWorkbench.Text;

namespace MotionWorkbench.Text.Tests;

/// <summary>A tiny in-memory vocabulary for tests that must not need the shared data.</summary>
internal static class TestVocabulary
{
    public static WordPieceVocabulary Tiny() => WordPieceVocabulary.FromTokens(
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "a", "person", "walk", "##s", "##ing", "un", "##want", "##ed", "runn", ",", ".", "cafe", "resume", "i", "-",
        "left", "hand", "'", "t", "doesn", "σ", "##ς", "##ο", "ο", "##δ", "##σ", "中", "x",
    ], "tiny test vocabulary");

    public static string SharedVocabPath() => MotionWorkbench.Testing.SharedData.PathOf("vocab", "bert-base-uncased-vocab.txt");

    public static string FixturePath(string name) =>
        Path.Combine(MotionWorkbench.Testing.SharedData.RepoRoot, "tests", "MotionWorkbench.Text.Tests", "Fixtures", name);
}

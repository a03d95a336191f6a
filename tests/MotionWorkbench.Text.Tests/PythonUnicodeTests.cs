namespace MotionWorkbench.Text.Tests;

/// <summary>Expected strings are what Python 3.11's str.lower() and unicodedata give (checked with /usr/bin/python3).</summary>
public class PythonUnicodeTests
{
    [Theory]
    [InlineData("ABC Straße", "abc straße")]
    [InlineData("\u0130stanbul", "i\u0307stanbul")]          // U+0130 lower-cases to two code points in Python
    [InlineData("\u039F\u0394\u039F\u03A3", "\u03BF\u03B4\u03BF\u03C2")] // final sigma
    [InlineData("\u03A3", "\u03C3")]                          // a lone capital sigma is not final
    [InlineData("\u03A3\u039F", "\u03C3\u03BF")]
    [InlineData("\u01C5", "\u01C6")]                          // title-case DŽ
    [InlineData("\u212A", "k")]                               // Kelvin sign
    [InlineData("\uFF26\uFF35", "\uFF46\uFF55")]              // full-width
    [InlineData("\U00010400", "\U00010428")]                  // Deseret, outside the BMP
    public void Lower_MatchesPythonStrLower(string input, string expected) =>
        Assert.Equal(expected, PythonUnicode.Lower(input));

    [Theory]
    [InlineData("café", "cafe")]
    [InlineData("ÅNGSTRÖM", "ANGSTROM")]
    [InlineData("crème brûlée", "creme brulee")]
    [InlineData("\u1E69", "s")]                               // s with dot below and dot above: two marks
    [InlineData("\uD55C", "\u1112\u1161\u11AB")]              // Hangul syllable -> conjoining jamo
    [InlineData("\u00C5\u212B", "AA")]                        // Angstrom sign is a singleton decomposition
    public void StripAccents_MatchesPythonNfdWithoutMn(string input, string expected) =>
        Assert.Equal(expected, PythonUnicode.StripAccents(input));

    [Fact]
    public void Classes_FollowHuggingFaceRules()
    {
        Assert.True(PythonUnicode.IsPunctuation(new System.Text.Rune('$')));   // ASCII range, category Sc
        Assert.True(PythonUnicode.IsPunctuation(new System.Text.Rune('\u2014')));
        Assert.False(PythonUnicode.IsPunctuation(new System.Text.Rune('\u00B0')));
        Assert.True(PythonUnicode.IsControl(new System.Text.Rune('\u200B')));  // Cf
        Assert.False(PythonUnicode.IsControl(new System.Text.Rune('\t')));
        Assert.True(PythonUnicode.IsWhitespace(new System.Text.Rune('\u3000')));
        Assert.True(PythonUnicode.IsCjkIdeograph(0x4E2D));
        Assert.False(PythonUnicode.IsCjkIdeograph(0x3042));                   // Hiragana is not split out
        // Assigned after Unicode 14.0 (CJK extension H, Unicode 15): Python 3.11 says Cn, so it is a control.
        Assert.Equal(System.Globalization.UnicodeCategory.OtherNotAssigned, PythonUnicode.Category(0x31350));
        Assert.True(PythonUnicode.IsControl(new System.Text.Rune(0x31350)));
    }
}

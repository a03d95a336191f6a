using MotionWorkbench.Evaluation.Captioning;

namespace MotionWorkbench.Evaluation.Tests;

/// <summary>The COCO (PTB) caption normalisation: lower case, punctuation split off and dropped, clitics split.</summary>
public class CaptionTokenizerTests
{
    [Theory]
    [InlineData("A person walks forward.", "a person walks forward")]
    [InlineData("The man's arm, then (slowly) waves!", "the man 's arm then slowly waves")]
    [InlineData("He doesn't stop; he can't.", "he does n't stop he ca n't")]
    [InlineData("they're sure they'll go, we've been, I'd, I'm", "they 're sure they 'll go we 've been i 'd i 'm")]
    [InlineData("1,000 steps at 3:45, then 1.5 m.", "1,000 steps at 3:45 then 1.5 m")]
    [InlineData("'run' -- fast... \"now\"", "run fast now")]
    [InlineData("a left-hand wave - twice", "a left-hand wave twice")]
    [InlineData("the players' turn", "the players turn")]
    [InlineData("A person\nwalks\tforward", "a person walks forward")]
    [InlineData("It\u2019s \u201Cdone\u201D", "it 's done")]
    [InlineData("...", "")]
    [InlineData("", "")]
    public void Tokenize_AsTheCocoEvaluation(string caption, string expected)
    {
        Assert.Equal(expected, CaptionTokenizer.Normalize(caption));
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), CaptionTokenizer.Tokenize(caption));
    }

    [Fact]
    public void Tokenize_NullIsAnError() =>
        Assert.Throws<ArgumentNullException>(() => CaptionTokenizer.Tokenize(null!));
}

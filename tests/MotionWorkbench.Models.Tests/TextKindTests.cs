namespace MotionWorkbench.Models.Tests;

/// <summary>model.textKind: the typed choice, what a pretrained kind fixes, and the one error for a contradiction.</summary>
public class TextKindTests
{
    [Fact]
    public void TextKind_KnowsFourNames_ThePretrainedOnesFixTheirSizes()
    {
        Assert.Equal(["bert", "distilbert", "minilm-l6", "arctic-xs"], TextKind.Known.Select(k => k.Name));
        Assert.Equal([TextKind.MiniLmL6, TextKind.ArcticXs], TextKind.Pretrained);
        Assert.Null(TextKind.Bert.PretrainedConfig);
        Assert.Equal(TextEncoderKind.DistilBert, TextKind.DistilBert.EncoderKind);
        var c = TextKind.MiniLmL6.PretrainedConfig!;
        Assert.Equal((TextEncoderKind.Bert, 384, 6, 12, 1536, 30522, 512, 2, 1e-12f), (c.Kind, c.Width, c.Depth, c.Heads, c.MlpDim, c.VocabSize, c.MaxPositions, c.TypeVocabSize, c.LayerNormEps));
        Assert.Equal(TextPooling.MaskedMean, c.Pooling);
        Assert.Equal(TextPooling.Cls, TextKind.ArcticXs.PretrainedConfig!.Pooling);
        Assert.Equal(("mean", "cls", "cls"), (TextKind.MiniLmL6.DefaultPooling, TextKind.ArcticXs.DefaultPooling, TextKind.Bert.DefaultPooling));
    }

    [Fact]
    public void TextKind_ParsesItsNames_AndNamesAnUnknownOne()
    {
        Assert.Equal(TextKind.MiniLmL6, Choice.Parse<TextKind>("minilm-l6"));
        var e = Assert.Throws<ArgumentException>(() => Choice.Parse<TextKind>("roberta"));
        Assert.Equal("model.textKind must be one of bert, distilbert, minilm-l6, arctic-xs, got 'roberta'", e.Message);
    }

    [Fact]
    public void WithTextKind_FillsThePretrainedSizesAndPooling_ExceptTheKeptOnes()
    {
        var laptopLike = new ModelSpec { TextWidth = 256, TextDepth = 4, TextHeads = 4, TextFfn = 1024, TextMaxPositions = 64 };
        var m = laptopLike.WithTextKind(TextKind.MiniLmL6);
        Assert.Equal((384, 6, 12, 1536, 512, "mean"), (m.TextWidth, m.TextDepth, m.TextHeads, m.TextFfn, m.TextMaxPositions, m.TextPooling));
        Assert.Empty(m.TextKindConflicts());
        var kept = laptopLike.WithTextKind(TextKind.MiniLmL6, keep: ["TextPooling", "TextWidth"]);
        Assert.Equal(("cls", 256, 6), (kept.TextPooling, kept.TextWidth, kept.TextDepth));
        Assert.Equal(["model.textWidth = 256 contradicts the weights of model.textKind = minilm-l6 (384); leave it out (--set model.textKind=minilm-l6 fills the tower's sizes) or set 384"],
            kept.TextKindConflicts());
        Assert.Equal(laptopLike with { TextKind = TextKind.DistilBert }, laptopLike.WithTextKind(TextKind.DistilBert)); // bert/distilbert change nothing else
    }

    [Fact]
    public void TextConfig_OfAPretrainedKind_NeedsItsSizesAndVocabulary()
    {
        var spec = new ModelSpec().WithTextKind(TextKind.ArcticXs);
        var c = TransformerModel.TextConfig(spec, 30522);
        Assert.Equal(TextKind.ArcticXs.PretrainedConfig! with { Dropout = spec.TextDropout }, c);
        var vocabulary = Assert.Throws<ArgumentException>(() => TransformerModel.TextConfig(spec, 700));
        Assert.StartsWith("model.textKind = arctic-xs reads bert-base-uncased's 30,522 word pieces, but the vocabulary has 700", vocabulary.Message);
        var width = Assert.Throws<ArgumentException>(() => TransformerModel.TextConfig(spec with { TextFfn = 1024 }, 30522));
        Assert.StartsWith("model.textFfn = 1024 contradicts the weights of model.textKind = arctic-xs (1536)", width.Message);
        Assert.Equal("model.textKind must be one of bert, distilbert, minilm-l6, arctic-xs, got 'gpt'",
            Assert.Throws<ArgumentException>(() => TransformerModel.TextConfig(spec with { TextKind = "gpt" }, 30522)).Message);
    }

    [Fact]
    public void ModelSpec_ReadsTextKindFromItsName_InJson()
    {
        var spec = System.Text.Json.JsonSerializer.Deserialize<ModelSpec>("""{"TextKind":"distilbert"}""")!;
        Assert.Equal(TextKind.DistilBert, spec.TextKind);
        Assert.Contains("\"TextKind\":\"distilbert\"", System.Text.Json.JsonSerializer.Serialize(spec));
    }
}

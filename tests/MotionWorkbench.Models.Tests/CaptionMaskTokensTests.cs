using MotionWorkbench.Patches;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models.Tests;

/// <summary>
/// A model's training loss takes its batch and seed only: Lex's bottleneck phases get the run vocabulary's mask tokens
/// (<see cref="CaptionMaskTokens"/>) when the model is built, and say so when they were not given.
/// </summary>
public class CaptionMaskTokensTests
{
    private static readonly string[] Specials = [WordPieceVocabulary.Padding, WordPieceVocabulary.Unknown, WordPieceVocabulary.Classifier, WordPieceVocabulary.Separator];

    private static WordPieceVocabulary Vocabulary(bool mask) =>
        WordPieceVocabulary.FromTokens([.. Specials, .. mask ? new[] { WordPieceVocabulary.Mask } : [], .. Enumerable.Range(0, 15).Select(i => $"w{i}")], "test vocabulary");

    private static ModelSpec Lex(string phase) => new()
    {
        Architecture = Architecture.Lex, LexPhase = phase, PatchSize = 16, MaxFrames = 32, VitWidth = 16, VitDepth = 1, VitHeads = 2, VitMlp = 32,
        TextWidth = 16, TextDepth = 1, TextHeads = 2, TextFfn = 32, TextMaxPositions = 16, EmbeddingDim = 8, HeadDropout = 0f, TextDropout = 0f,
    };

    private static ContrastiveBatch Batch(int B, int vocabularySize)
    {
        var patches = new PatchBatch(new float[B * 3 * 32 * 80], B, 32, 16, Enumerable.Range(0, B).Select(i => $"m{i}").ToArray(), Enumerable.Repeat(32, B).ToArray(), new int[B]);
        return new ContrastiveBatch(MotionBatch.Of(patches), TestModels.Batch(5, B, 6, vocabularySize), Enumerable.Repeat("a caption", B).ToArray(), []);
    }

    [Fact]
    public void Mask_tokens_of_a_vocabulary_are_its_mask_id_size_and_first_word_piece()
    {
        var tokens = CaptionMaskTokens.Of(Vocabulary(mask: true));
        Assert.Equal(new CaptionMaskTokens(4, 20, 5, "test vocabulary"), tokens);
        var text = TestModels.Batch(3, 4, 8, 20);
        Assert.Equal(CaptionMasks.Make(text, 4, 20, 5, 11).EncoderIds, tokens.Make(text, 11).EncoderIds);
        var none = CaptionMaskTokens.Of(Vocabulary(mask: false));
        Assert.Null(none.MaskId);
        var e = Assert.Throws<InvalidDataException>(() => none.Make(text, 11));
        Assert.Contains("test vocabulary: the vocabulary has no [MASK] token", e.Message);
    }

    [Fact]
    public void A_lex_bottleneck_phase_masks_with_the_tokens_it_was_built_with_and_names_them_when_missing()
    {
        var batch = Batch(2, 20);
        var bare = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(Lex("mlm"), 20, 3));
        var e = Assert.Throws<InvalidOperationException>(() => bare.TrainingLoss(batch, 1));
        Assert.Contains("Lex phase 'mlm' masks captions", e.Message);
        Assert.Contains("CaptionMaskTokens.Of", e.Message);

        var built = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(Lex("mlm"), 20, 3, maskTokens: CaptionMaskTokens.Of(Vocabulary(mask: true))));
        Assert.True(float.IsFinite(built.TrainingLoss(batch, 1).Item()));
        // the contrastive phase needs no mask tokens
        var cmlp = Assert.IsType<LexicalRetrievalModel>(ModelFactory.Create(Lex("cmlp"), 20, 3));
        Assert.True(float.IsFinite(cmlp.TrainingLoss(batch, 1).Item()));
    }
}

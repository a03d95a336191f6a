namespace MotionWorkbench.Models;

/// <summary>Builds the model a <see cref="ModelSpec"/> describes, with a seeded initialisation.</summary>
public static class ModelFactory
{
    /// <param name="jointCount">Joints of the training data's skeleton (needed by "raw", whose input layer is 3 x joints wide).</param>
    /// <param name="activeWords">Architecture "lex": the vocabulary ids the lexical heads score (<see cref="LexicalOptions.ActiveWords"/>;
    /// the training library's <c>LexicalVocabulary</c> resolves them: every word piece, or with model.lexVocabulary = captions the
    /// training captions' ones); null scores every id, special tokens included.</param>
    /// <param name="maskTokens">Architecture "lex": the run vocabulary's mask tokens (<see cref="CaptionMaskTokens.Of"/>), needed by
    /// the phases that mask captions (model.lexPhase = mlm, mmm).</param>
    public static IRetrievalModel Create(ModelSpec spec, int vocabularySize, ulong seed, int jointCount = 0, IReadOnlyList<int>? activeWords = null,
        CaptionMaskTokens? maskTokens = null) => spec.Architecture switch
    {
        var a when a == Architecture.Bag => new BagModel(spec, vocabularySize, seed),
        var a when a == Architecture.Vit || a == Architecture.Resnet || a == Architecture.Raw => TransformerModel.Create(spec, vocabularySize, seed, jointCount),
        var a when a == Architecture.Lex => LexicalRetrievalModel.Create(spec, vocabularySize, seed, jointCount, activeWords, maskTokens),
        var a when a == Architecture.Interaction => InteractionRetrievalModel.Create(spec, vocabularySize, seed),
        var a when a == Architecture.Caption => CaptionModel.Create(spec, vocabularySize, seed),
        _ => throw new ArgumentException($"unknown model.architecture '{spec.Architecture}' ({Choice.Names<Architecture>()})"),
    };
}

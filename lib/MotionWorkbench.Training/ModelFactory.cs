namespace MotionWorkbench.Training;

/// <summary>Builds the model a <see cref="ModelSpec"/> describes, with a seeded initialisation.</summary>
public static class ModelFactory
{
    public static IReadOnlyList<string> Architectures { get; } = ["vit", "raw", "interaction", "bag", "lex", "caption"];

    /// <param name="jointCount">Joints of the training data's skeleton (needed by "raw", whose input layer is 3 x joints wide).</param>
    /// <param name="lexicalWords">Architecture "lex": the vocabulary ids the lexical heads score (<see cref="LexicalVocabulary"/>:
    /// every word piece, or with model.lexVocabulary = captions the training captions' ones); null scores every id,
    /// special tokens included.</param>
    public static IRetrievalModel Create(ModelSpec spec, int vocabularySize, ulong seed, int jointCount = 0, IReadOnlyList<int>? lexicalWords = null) => spec.Architecture switch
    {
        "bag" => new BagModel(spec, vocabularySize, seed),
        "vit" or "raw" => TransformerModel.Create(spec, vocabularySize, seed, jointCount),
        "lex" => LexicalRetrievalModel.Create(spec, vocabularySize, seed, jointCount, lexicalWords),
        "interaction" => InteractionRetrievalModel.Create(spec, vocabularySize, seed),
        "caption" => CaptionModel.Create(spec, vocabularySize, seed),
        _ => throw new ArgumentException($"unknown model.architecture '{spec.Architecture}' ({string.Join(", ", Architectures)})"),
    };
}

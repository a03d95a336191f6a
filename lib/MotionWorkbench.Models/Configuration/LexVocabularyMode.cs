using System.Text.Json.Serialization;

namespace MotionWorkbench.Models;

/// <summary>
/// <c>model.lexVocabulary</c>: the words a Lex model's lexical vectors range over (lex-facts §2 [D]). "full": every word
/// piece of the run's vocabulary (e.g. BERT's 30,522), special tokens excluded, the method; "captions": only the word
/// pieces of the training captions, for CPU speed (the run keeps them in <c>lexical-vocabulary.txt</c> and the next
/// phase inherits them). The ids a model scores are its <c>ActiveWords</c> (<see cref="LexicalOptions.ActiveWords"/>).
/// </summary>
[JsonConverter(typeof(ChoiceJsonConverter<LexVocabularyMode>))]
public readonly record struct LexVocabularyMode : IChoice<LexVocabularyMode>
{
    private readonly string? name;

    private LexVocabularyMode(string name) => this.name = name;

    public string Name => name ?? "";

    public static LexVocabularyMode Full { get; } = new("full");
    public static LexVocabularyMode Captions { get; } = new("captions");

    public static string Setting => "model.lexVocabulary";
    public static string MustBe => "'full' (the whole vocabulary) or 'captions' (the word pieces of the training captions)";
    public static IReadOnlyList<LexVocabularyMode> Known { get; } = [Full, Captions];

    public static LexVocabularyMode Of(string name) => new(name);

    public static implicit operator LexVocabularyMode(string name) => new(name);

    public override string ToString() => Name;
}

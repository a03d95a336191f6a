using System.Text.Json.Serialization;

namespace MotionWorkbench.Models;

/// <summary>
/// <c>model.textKind</c>: the text tower. "bert" and "distilbert" are built from the <c>model.text*</c> sizes and trained
/// from scratch (or from <c>train.initTextEncoder</c>); "minilm-l6" (sentence-transformers/all-MiniLM-L6-v2) and
/// "arctic-xs" (Snowflake/snowflake-arctic-embed-xs) are the pretrained BERTs of the weights store: 6 layers x 384,
/// 12 heads, FFN 1536, token types, bert-base-uncased's 30,522 word pieces and 512 positions, fixed by the weights
/// (<see cref="PretrainedConfig"/>), pooled as they were trained (<see cref="DefaultPooling"/>: MiniLM the
/// attention-mask mean, Arctic-xs the [CLS] state), initialised from the store under the same name. A value converts
/// from its name (<c>TextKind = "minilm-l6"</c>); see <see cref="IChoice{TSelf}"/>.
/// </summary>
[JsonConverter(typeof(ChoiceJsonConverter<TextKind>))]
public readonly record struct TextKind : IChoice<TextKind>
{
    private readonly string? name;

    private TextKind(string name) => this.name = name;

    public string Name => name ?? "";

    /// <summary>BERT (word + position + token-type embeddings), sized by <c>model.text*</c>.</summary>
    public static TextKind Bert { get; } = new("bert");

    /// <summary>DistilBERT (no token types), sized by <c>model.text*</c>.</summary>
    public static TextKind DistilBert { get; } = new("distilbert");

    /// <summary>all-MiniLM-L6-v2 from the weights store (store name <c>minilm-l6</c>).</summary>
    public static TextKind MiniLmL6 { get; } = new("minilm-l6");

    /// <summary>snowflake-arctic-embed-xs from the weights store (store name <c>arctic-xs</c>).</summary>
    public static TextKind ArcticXs { get; } = new("arctic-xs");

    public static string Setting => "model.textKind";
    public static string MustBe => $"one of {Choice.Names<TextKind>()}";
    public static IReadOnlyList<TextKind> Known { get; } = [Bert, DistilBert, MiniLmL6, ArcticXs];

    /// <summary>The pretrained text towers (their sizes, vocabulary and starting weights come from the store).</summary>
    public static IReadOnlyList<TextKind> Pretrained { get; } = [MiniLmL6, ArcticXs];

    /// <summary>True for a pretrained tower of the weights store (its store name is <see cref="Name"/>).</summary>
    public bool IsPretrained => Pretrained.Contains(this);

    /// <summary>The encoder family: DistilBERT for "distilbert", BERT (token types) for the others.</summary>
    public TextEncoderKind EncoderKind => this == DistilBert ? TextEncoderKind.DistilBert : TextEncoderKind.Bert;

    /// <summary>How the tower pools when <c>model.textPooling</c> does not say otherwise: "mean" for MiniLM (as
    /// sentence-transformers trained it), "cls" for the others (Arctic-xs's own pooling; the reference's [CLS]).</summary>
    public string DefaultPooling => this == MiniLmL6 ? "mean" : "cls";

    /// <summary>The words a pretrained tower's vocabulary has (bert-base-uncased's).</summary>
    public const int PretrainedVocabularySize = 30522;

    /// <summary>
    /// The encoder the pretrained weights fix (null for "bert"/"distilbert"): BERT 6 x 384, 12 heads, FFN 1536, erf-GELU,
    /// LayerNorm eps 1e-12, 30,522 words, 512 positions, 2 token types, dropout 0.1, pooled as <see cref="DefaultPooling"/>.
    /// </summary>
    public TextEncoderConfig? PretrainedConfig => IsPretrained
        ? new(TextEncoderKind.Bert, Width: 384, Depth: 6, Heads: 12, MlpDim: 1536, VocabSize: PretrainedVocabularySize, MaxPositions: 512, TypeVocabSize: 2,
            Dropout: 0.1f, Pooling: DefaultPooling == "mean" ? TextPooling.MaskedMean : TextPooling.Cls, LayerNormEps: 1e-12f)
        : null;

    public static TextKind Of(string name) => new(name);

    public static implicit operator TextKind(string name) => new(name);

    public override string ToString() => Name;
}

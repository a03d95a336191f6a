using MotionWorkbench.Models;
using MotionWorkbench.Pretrained;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Training;

/// <summary>
/// Where a fresh run's text tower starts, and the vocabulary that goes with it. A pretrained <c>model.textKind</c>
/// (minilm-l6, arctic-xs) starts from the weights store entry of the same name, unless <c>train.initFrom</c> (a run's
/// weights) or <c>train.initTextEncoder</c> says otherwise; its vocabulary is the store's (bert-base-uncased's word
/// pieces). <c>train.initTextEncoder</c> takes a store name or a <c>.safetensors</c> path through
/// <see cref="EncoderWeights"/>: a converted store file (<c>mw weights export</c>) or a Hugging Face BERT/DistilBERT
/// checkpoint (through the one BERT import map, <see cref="TextCheckpoint"/>). Only the encoder loads: a Lex model's
/// lexical heads (the text head tied to the loaded word embeddings), its weak decoder (on those embeddings), the
/// projection heads and a caption decoder keep their fresh initialisation.
/// </summary>
public sealed record TextTowerInit(EncoderWeights Weights, string Setting, string? VocabularyPath)
{
    /// <summary>
    /// The text tower's starting weights under <paramref name="config"/> (null when it starts fresh or from
    /// <c>train.initFrom</c>); a store entry is converted on first use (<paramref name="log"/> hears how it goes).
    /// </summary>
    public static TextTowerInit? Resolve(RunConfig config, PretrainedStore? store = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var kind = config.Model.TextKind;
        var explicitValue = config.Train.InitTextEncoder;
        if (explicitValue is null && !(kind.IsPretrained && config.Train.InitFrom is null)) return null;
        string setting = explicitValue is null ? $"model.textKind = {kind}" : "train.initTextEncoder";
        var weights = EncoderWeights.Resolve(explicitValue ?? kind.Name, setting, store, log);
        if (weights.Source is { Kind: not PretrainedKind.TextEncoder } s)
            throw new ArgumentException($"{setting} = {s.Name} is not a text encoder (the store's text encoders: {string.Join(", ", PretrainedCatalog.All.Where(x => x.Kind == PretrainedKind.TextEncoder).Select(x => x.Name))})");
        // A pretrained kind reads the store's vocabulary (the same bert-base-uncased word pieces for every text entry);
        // "bert"/"distilbert" with a checkpoint read data.vocabPath (RunConfig.Validate requires it).
        string? vocabulary = kind.IsPretrained
            ? weights.VocabularyPath ?? EncoderWeights.Resolve(kind.Name, $"model.textKind = {kind}", store, log).VocabularyPath
            : config.Data.VocabPath;
        return new TextTowerInit(weights, setting, vocabulary);
    }

    /// <summary>Loads the weights into <paramref name="model"/>'s text encoder; returns what was loaded, for the run's log.</summary>
    public string Apply(IRetrievalModel model)
    {
        var encoder = ModelTowers.Text(model) ?? throw new InvalidOperationException($"{Setting}: the {model.GetType().Name} has no transformer text encoder to initialise");
        return $"{Load(encoder, Weights.Path, Setting)} (text encoder from {Weights})";
    }

    /// <summary>
    /// Loads a converted store file (its own parameter names, checked against its config) or a Hugging Face BERT/DistilBERT
    /// checkpoint into <paramref name="encoder"/>; a file that does not fit is one error naming it, the setting and the shapes.
    /// </summary>
    public static string Load(TextEncoder encoder, string path, string setting)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var (tensors, metadata) = Safetensors.Read(path);
        try
        {
            if (metadata.GetValueOrDefault("format") == PretrainedConversion.TextEncoderFormat)
            {
                encoder.LoadStateDict(tensors, strict: true, source: path);
                return $"{tensors.Count} tensors loaded";
            }
            return TextCheckpoint.Load(encoder, tensors, path).ToString();
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or KeyNotFoundException)
        {
            var c = encoder.Config;
            throw new InvalidDataException($"{setting} = {path}: the weights do not fit the run's text encoder ({c.Kind} {c.Width} x {c.Depth}, {c.Heads} heads, FFN {c.MlpDim}, " +
                $"{c.VocabSize:N0} words, {c.MaxPositions} positions): {e.Message}", e);
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Models;
using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Pretrained;

/// <summary>A conversion's result: the tensors in write order, the safetensors metadata, and the vocabulary (text encoders).</summary>
public sealed record ConvertedWeights(IReadOnlyList<(string Name, Tensor Tensor)> Tensors, IReadOnlyDictionary<string, string> Metadata, string? Vocabulary)
{
    /// <summary>The number of weights (elements over all tensors).</summary>
    public long ParameterCount => Tensors.Sum(t => (long)t.Tensor.Size);
}

/// <summary>
/// Turns a source's verified ONNX bytes into workbench weights (no file is written here): BERT sources become a
/// <see cref="TextEncoder"/> state dict with the workbench's parameter names (Hugging Face names recovered from the graph
/// by <see cref="BertOnnxNames"/>, mapped by the one BERT import map, <see cref="TextCheckpoint"/>); the ResNet becomes
/// torchvision names (<see cref="ResNetOnnxNames"/>). The metadata holds the model config and the provenance and no
/// time or path, so converting twice gives the same bytes.
/// </summary>
public static class PretrainedConversion
{
    /// <summary>Bumped when a conversion's output changes, so older cached files are converted again.</summary>
    public const string ConverterVersion = "mw-pretrained-1";

    /// <summary>The "format" metadata of a converted text encoder.</summary>
    public const string TextEncoderFormat = "MotionWorkbench.PretrainedTextEncoder";

    /// <summary>The "format" metadata of a converted ResNet.</summary>
    public const string ResNetFormat = "MotionWorkbench.PretrainedResNet";

    /// <summary>
    /// Converts <paramref name="model"/> (the bytes <paramref name="modelDescription"/> names, already checked against the
    /// SHA-256); <paramref name="vocabulary"/> is the package's vocab.txt (text sources), <paramref name="preprocess"/> its
    /// preprocessing model (the ResNet).
    /// </summary>
    public static ConvertedWeights Convert(PretrainedSource source, byte[] model, string modelDescription, byte[]? vocabulary = null, byte[]? preprocess = null)
    {
        var onnx = OnnxReader.Read(model, modelDescription);
        return source.Kind switch
        {
            PretrainedKind.TextEncoder => ConvertText(source, onnx, modelDescription, vocabulary ?? throw new ArgumentException($"'{source.Name}': the vocabulary is needed to convert a text encoder")),
            _ => ConvertResNet(source, onnx, modelDescription, preprocess),
        };
    }

    private static ConvertedWeights ConvertText(PretrainedSource source, OnnxModel onnx, string description, byte[] vocabularyBytes)
    {
        var config = source.TextConfig ?? throw new ArgumentException($"'{source.Name}': a text source without a text encoder config");
        var vocabulary = ReadVocabulary(vocabularyBytes, source, config.VocabSize);
        var (hf, renamed) = BertOnnxNames.StateDict(onnx.Graph, description);
        var encoder = new TextEncoder(config, seed: 0);
        var report = TextCheckpoint.Load(encoder, hf, description);
        if (report.KeptFresh.Count > 0) throw new InvalidDataException($"{description}: {string.Join(", ", report.KeptFresh)} have no weights in the graph");
        var metadata = Provenance(source, onnx, TextEncoderFormat, JsonSerializer.Serialize(config, ModelJson.Options));
        metadata["pooling"] = config.Pooling == TextPooling.MaskedMean ? "masked mean of the last hidden states (then L2-normalised for sentence embeddings)" : "[CLS] hidden state (then L2-normalised for sentence embeddings)";
        metadata["transposedWeights"] = renamed.Count.ToString(CultureInfo.InvariantCulture);
        metadata["dropped"] = report.Dropped.Count == 0 ? "none" : string.Join(", ", report.Dropped);
        return new ConvertedWeights(encoder.NamedParameters().ToList(), metadata, vocabulary);
    }

    private static ConvertedWeights ConvertResNet(PretrainedSource source, OnnxModel onnx, string description, byte[]? preprocess)
    {
        var (tensors, layout) = ResNetOnnxNames.StateDict(onnx.Graph, description);
        var config = new JsonObject
        {
            ["architecture"] = "resnet",
            ["block"] = "basic",
            ["stages"] = new JsonArray(layout.Stages.Select(s => (JsonNode)s).ToArray()),
            ["widths"] = new JsonArray(layout.Widths.Select(w => (JsonNode)w).ToArray()),
            ["inputChannels"] = (int)tensors[0].Tensor.Shape[1],
            ["featureDim"] = layout.Widths[^1],
            ["batchNormEps"] = layout.BatchNormEps,
            ["input"] = "BGR in 0..255 minus the mean image of ResNetPreprocess.onnx in the package (no division by a standard deviation)",
        };
        if (preprocess is not null)
        {
            var means = ChannelMeans(OnnxReader.Read(preprocess, $"{description} (preprocessing model {source.PreprocessFile})"), source);
            config["channelMeansBgr"] = new JsonArray(means.Select(m => (JsonNode)m).ToArray());
        }
        var metadata = Provenance(source, onnx, ResNetFormat, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new ConvertedWeights(tensors, metadata, null);
    }

    private static Dictionary<string, string> Provenance(PretrainedSource source, OnnxModel onnx, string format, string config) => new()
    {
        ["format"] = format,
        ["config"] = config,
        ["source"] = source.Name,
        ["package"] = $"{source.PackageId} {source.PackageVersion}",
        ["file"] = source.ModelLocation,
        ["sha256"] = source.Sha256,
        ["onnx"] = $"IR {onnx.IrVersion}, opset {onnx.Opset}, producer {onnx.ProducerName} {onnx.ProducerVersion}".TrimEnd(),
        ["upstream"] = source.Upstream,
        ["licence"] = source.Licence,
        ["converter"] = ConverterVersion,
    };

    /// <summary>The package's vocab.txt as LF-terminated lines (its CRLF endings dropped), with <paramref name="expected"/> tokens.</summary>
    private static string ReadVocabulary(byte[] bytes, PretrainedSource source, int expected)
    {
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw new InvalidDataException($"'{source.Name}': the vocabulary resource {source.VocabularyResource} is not UTF-8 text"); }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count != expected) throw new InvalidDataException($"'{source.Name}': the vocabulary resource {source.VocabularyResource} has {lines.Count} tokens, the model {expected}");
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>The per-channel means of the preprocessing model's mean image (1, 3, H, W), in its BGR channel order.</summary>
    private static float[] ChannelMeans(OnnxModel preprocess, PretrainedSource source)
    {
        var image = preprocess.Graph.Initializers.FirstOrDefault(t => t.DataType == OnnxDataType.Float && t.Dims is [1, 3, > 0, > 0])
            ?? throw new InvalidDataException($"'{source.Name}': {source.PreprocessFile} has no (1, 3, H, W) mean image");
        int plane = (int)(image.Dims[2] * image.Dims[3]);
        var means = new float[3];
        for (int c = 0; c < 3; c++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += image.Floats![c * plane + i];
            means[c] = (float)Math.Round(sum / plane, 4);
        }
        return means;
    }
}

using MotionWorkbench.Models;
using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Pretrained.Tests.Support;
using MotionWorkbench.IO;
using MotionWorkbench.Tensors.IO;

namespace MotionWorkbench.Pretrained.Tests;

public class BertConversionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StateDict_AnonymousMatMulWeights_GetTheBiasNameAndAreTransposed(bool biasFirst)
    {
        var graph = OnnxReader.Read(TinyBert.Model(biasFirst: biasFirst), "tiny.onnx").Graph;
        var (state, renamed) = BertOnnxNames.StateDict(graph, "tiny.onnx");
        Assert.Equal(TinyBert.Linears.Length, renamed.Count);
        for (int i = 0; i < TinyBert.Linears.Length; i++)
        {
            var (anonymous, bias, nIn, nOut) = TinyBert.Linears[i];
            string name = bias[..^4] + "weight";
            Assert.Contains((anonymous, name), renamed);
            Assert.False(state.ContainsKey(anonymous));
            var w = state[name];
            Assert.Equal([nOut, nIn], w.Shape);
            var stored = TinyBert.Values(nIn * nOut, 20f + i); // [in, out] row-major
            for (int o = 0; o < nOut; o++)
                for (int k = 0; k < nIn; k++) Assert.Equal(stored[k * nOut + o], w.Data[o * nIn + k]);
        }
        Assert.False(state.ContainsKey("shape_constant")); // INT64 constants are not weights
        Assert.True(state.ContainsKey("pooler.dense.weight"));
    }

    [Fact]
    public void StateDict_MatMulFeedingNoBiasAdd_ThrowsNamingTheInitializerAndWhatItFeeds()
    {
        var graph = OnnxReader.Read(TinyBert.Model(breakLinear: 4), "tiny.onnx").Graph;
        var e = Assert.Throws<InvalidDataException>(() => BertOnnxNames.StateDict(graph, "tiny.onnx"));
        Assert.StartsWith("tiny.onnx: the graph's names cannot be mapped: initializer 'onnx::MatMul_14' [4, 8]", e.Message);
        Assert.Contains("Relu node '/Relu_4'", e.Message);
    }

    [Fact]
    public void Convert_TinyBert_GivesTheTextEncodersNamesAndTheHuggingFaceValues()
    {
        var converted = PretrainedConversion.Convert(TinyBert.Source(), TinyBert.Model(), "tiny.onnx", TinyBert.Vocabulary);
        var expectedNames = new TextEncoder(TinyBert.Config, 0).NamedParameters().Select(p => p.Name);
        Assert.Equal(expectedNames, converted.Tensors.Select(t => t.Name));
        var byName = converted.Tensors.ToDictionary(t => t.Name, t => t.Tensor);
        Assert.Equal(TinyBert.Values(24, 1f), byName["embeddings.word_embeddings.weight"].Data);
        Assert.Equal(TinyBert.Values(8, 3f), byName["embeddings.token_type_embeddings.weight"].Data);
        Assert.Equal(TinyBert.Values(4, 34f), byName["transformer.layer.0.ffn.lin1.bias"].Data.ToArray()[..4]);
        Assert.Equal(TinyBert.Values(4, 8f), byName["transformer.layer.0.output_layer_norm.weight"].Data);
        Assert.Equal(TinyBert.Values(4, 20f)[0], byName["transformer.layer.0.attention.q_lin.weight"].Data[0]);
        Assert.Equal(TinyBert.Values(16, 20f)[4], byName["transformer.layer.0.attention.q_lin.weight"].Data[1]); // transposed: row 0 = column 0
        Assert.Equal("[PAD]\n[UNK]\n[CLS]\n[SEP]\nwalk\n##s\n", converted.Vocabulary);
        Assert.Equal(PretrainedConversion.TextEncoderFormat, converted.Metadata["format"]);
        Assert.Contains("pooler.dense.weight (BERT pooler (unused))", converted.Metadata["dropped"]);
        Assert.Equal("6", converted.Metadata["transposedWeights"]);
        var config = System.Text.Json.JsonSerializer.Deserialize<TextEncoderConfig>(converted.Metadata["config"], ModelJson.Options);
        Assert.Equal(TinyBert.Config, config);
    }

    [Fact]
    public void Convert_Twice_WritesTheSameBytes()
    {
        string dir = Directory.CreateTempSubdirectory("mw-bert-det-").FullName;
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var c = PretrainedConversion.Convert(TinyBert.Source(), TinyBert.Model(), "tiny.onnx", TinyBert.Vocabulary);
                Safetensors.Write(Path.Combine(dir, $"{i}.safetensors"), c.Tensors, c.Metadata);
            }
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "0.safetensors")), File.ReadAllBytes(Path.Combine(dir, "1.safetensors")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Convert_GraphWithAnUnmappedMatMul_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => PretrainedConversion.Convert(TinyBert.Source(), TinyBert.Model(breakLinear: 0), "tiny.onnx", TinyBert.Vocabulary));
        Assert.Contains("cannot be mapped", e.Message);
        Assert.Contains("onnx::MatMul_10", e.Message);
    }

    [Fact]
    public void Convert_GraphOfAnotherSize_ThrowsNamingTheShapes()
    {
        var wider = TinyBert.Source() with { TextConfig = TinyBert.Config with { Width = 8, Heads = 2 } };
        var e = Assert.Throws<InvalidDataException>(() => PretrainedConversion.Convert(wider, TinyBert.Model(), "tiny.onnx", TinyBert.Vocabulary));
        Assert.Contains("tiny.onnx: the checkpoint does not fit the model", e.Message);
        Assert.Contains("embeddings.word_embeddings.weight: the checkpoint has (6, 4)", e.Message);
    }

    [Fact]
    public void Convert_VocabularyOfAnotherSize_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => PretrainedConversion.Convert(TinyBert.Source(), TinyBert.Model(), "tiny.onnx", "[PAD]\n[UNK]\n"u8.ToArray()));
        Assert.Contains("has 2 tokens, the model 6", e.Message);
    }
}

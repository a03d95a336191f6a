using System.Text;
using MotionWorkbench.Models;
using static MotionWorkbench.Pretrained.Tests.Support.OnnxBuilder;

namespace MotionWorkbench.Pretrained.Tests.Support;

/// <summary>
/// A hand-made BERT export the way the packages' graphs are built: named embeddings, LayerNorms and biases, and each
/// Linear weight an anonymous initializer (<c>onnx::MatMul_N</c>) stored [in, out], read by a MatMul whose output goes
/// into an Add with the named bias. Values are i·0.001 + offset so every tensor is distinct. Sizes: width 4, 1 layer,
/// 2 heads, FFN 8, 6 tokens, 8 positions, 2 token types.
/// </summary>
public static class TinyBert
{
    public static TextEncoderConfig Config => new(TextEncoderKind.Bert, 4, 1, 2, 8, VocabSize: 6, MaxPositions: 8, TypeVocabSize: 2, Pooling: TextPooling.MaskedMean);

    public static PretrainedSource Source(string sha256 = "0000000000000000000000000000000000000000000000000000000000000000") =>
        PretrainedCatalog.MiniLmL6 with { Name = "tiny-bert", Sha256 = sha256, TextConfig = Config };

    public static byte[] Vocabulary => Encoding.UTF8.GetBytes("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nwalk\r\n##s\r\n");

    /// <summary>The (anonymous initializer, bias) pairs of the Linear layers: Hugging Face's weight name = bias name with "weight".</summary>
    public static readonly (string Anonymous, string Bias, int In, int Out)[] Linears =
    [
        ("onnx::MatMul_10", "encoder.layer.0.attention.self.query.bias", 4, 4),
        ("onnx::MatMul_11", "encoder.layer.0.attention.self.key.bias", 4, 4),
        ("onnx::MatMul_12", "encoder.layer.0.attention.self.value.bias", 4, 4),
        ("onnx::MatMul_13", "encoder.layer.0.attention.output.dense.bias", 4, 4),
        ("onnx::MatMul_14", "encoder.layer.0.intermediate.dense.bias", 4, 8),
        ("onnx::MatMul_15", "encoder.layer.0.output.dense.bias", 8, 4),
    ];

    public static float[] Values(int n, float offset) => Enumerable.Range(0, n).Select(i => offset + i * 0.001f).ToArray();

    /// <summary>
    /// The model bytes; <paramref name="breakLinear"/> (an index into <see cref="Linears"/>) feeds that MatMul into a Relu
    /// instead of its Add; <paramref name="biasFirst"/> writes the Add's inputs as (bias, MatMul) as the MiniLM export does.
    /// </summary>
    public static byte[] Model(int breakLinear = -1, bool biasFirst = true, bool withPooler = true)
    {
        var inits = new List<ProtoWriter>
        {
            FloatTensor("embeddings.word_embeddings.weight", [6, 4], Values(24, 1f), raw: true),
            FloatTensor("embeddings.position_embeddings.weight", [8, 4], Values(32, 2f), raw: true),
            FloatTensor("embeddings.token_type_embeddings.weight", [2, 4], Values(8, 3f), raw: true),
            FloatTensor("embeddings.LayerNorm.weight", [4], Values(4, 4f)),
            FloatTensor("embeddings.LayerNorm.bias", [4], Values(4, 5f)),
            FloatTensor("encoder.layer.0.attention.output.LayerNorm.weight", [4], Values(4, 6f)),
            FloatTensor("encoder.layer.0.attention.output.LayerNorm.bias", [4], Values(4, 7f)),
            FloatTensor("encoder.layer.0.output.LayerNorm.weight", [4], Values(4, 8f)),
            FloatTensor("encoder.layer.0.output.LayerNorm.bias", [4], Values(4, 9f)),
            Int64Tensor("shape_constant", [2], [0, -1]),
        };
        if (withPooler)
        {
            inits.Add(FloatTensor("pooler.dense.weight", [4, 4], Values(16, 10f)));
            inits.Add(FloatTensor("pooler.dense.bias", [4], Values(4, 11f)));
        }
        var nodes = new List<ProtoWriter>();
        for (int i = 0; i < Linears.Length; i++)
        {
            var (anonymous, bias, nIn, nOut) = Linears[i];
            inits.Add(FloatTensor(anonymous, [nIn, nOut], Values(nIn * nOut, 20f + i), raw: true));
            inits.Add(FloatTensor(bias, [nOut], Values(nOut, 30f + i)));
            nodes.Add(Node("MatMul", [$"h{i}", anonymous], [$"mm{i}"], $"/MatMul_{i}"));
            if (i == breakLinear) nodes.Add(Node("Relu", [$"mm{i}"], [$"h{i + 1}"], $"/Relu_{i}"));
            else nodes.Add(Node("Add", biasFirst ? [bias, $"mm{i}"] : [$"mm{i}", bias], [$"h{i + 1}"], $"/Add_{i}"));
        }
        return OnnxBuilder.Model(Graph(nodes, inits, ["input_ids", "attention_mask", "token_type_ids"], ["last_hidden_state"]));
    }
}

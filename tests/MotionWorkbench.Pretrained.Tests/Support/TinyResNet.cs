using static MotionWorkbench.Pretrained.Tests.Support.OnnxBuilder;

namespace MotionWorkbench.Pretrained.Tests.Support;

/// <summary>
/// A hand-made BasicBlock ResNet graph in CNTK's style (anonymous ParameterN/ConstantN initializers, the downsample
/// conv written before the block's first conv): a stem of width 2, an identity block of width 2 and a downsampling
/// block of width 4. Conv weight k holds the values k + i·0.001, batch-norm k's four inputs 100 + 10·k + j + i·0.001.
/// </summary>
public static class TinyResNet
{
    public static byte[] Model(bool convBias = false, bool extraConv = false)
    {
        var inits = new List<ProtoWriter>();
        var nodes = new List<ProtoWriter>();
        int bnIndex = 0;
        string Conv(string input, int k, int cOut, int cIn, int size, string output, bool bias = false)
        {
            inits.Add(FloatTensor($"Parameter{k}", [cOut, cIn, size, size], TinyBert.Values(cOut * cIn * size * size, k)));
            string[] inputs = bias ? [input, $"Parameter{k}", $"Bias{k}"] : [input, $"Parameter{k}"];
            if (bias) inits.Add(FloatTensor($"Bias{k}", [cOut], TinyBert.Values(cOut, 0f)));
            nodes.Add(Node("Conv", inputs, [output], $"Convolution{k}", IntAttribute("group", 1), IntsAttribute("dilations", 1, 1)));
            return output;
        }
        string Bn(string input, int channels, string output)
        {
            int k = bnIndex++;
            string[] names = [$"Parameter{500 + 2 * k}", $"Parameter{501 + 2 * k}", $"Constant{500 + 2 * k}", $"Constant{501 + 2 * k}"];
            for (int j = 0; j < 4; j++) inits.Add(FloatTensor(names[j], [channels], TinyBert.Values(channels, 100 + 10 * k + j)));
            nodes.Add(Node("BatchNormalization", [input, .. names], [output], $"BatchNormalization{k}", IntAttribute("spatial", 1), FloatAttribute("epsilon", 1e-5f)));
            return output;
        }
        string Relu(string input, string output) { nodes.Add(Node("Relu", [input], [output])); return output; }
        string Add(string a, string b, string output) { nodes.Add(Node("Add", [a, b], [output])); return output; }

        var p0 = Relu(Bn(Conv("Input", 1, 2, 3, 7, "c0"), 2, "b0"), "r0");
        nodes.Add(Node("MaxPool", [p0], ["p0"]));
        // identity block, width 2
        var h = Relu(Bn(Conv("p0", 2, 2, 2, 3, "c1", convBias), 2, "b1"), "r1");
        var r2 = Relu(Add(Bn(Conv(h, 3, 2, 2, 3, "c2"), 2, "b2"), "p0", "a1"), "r2");
        // downsampling block, width 4: the shortcut conv first, as CNTK writes it
        var shortcut = Bn(Conv(r2, 4, 4, 2, 1, "cd"), 4, "bd");
        h = Relu(Bn(Conv(r2, 5, 4, 2, 3, "c3"), 4, "b3"), "r3");
        var r4 = Relu(Add(Bn(Conv(h, 6, 4, 4, 3, "c4"), 4, "b4"), shortcut, "a2"), "r4");
        if (extraConv) Conv(r4, 7, 4, 4, 1, "stray");
        nodes.Add(Node("GlobalAveragePool", [r4], ["features"]));
        return OnnxBuilder.Model(Graph(nodes, inits, ["Input"], ["features"]), opset: 8);
    }
}

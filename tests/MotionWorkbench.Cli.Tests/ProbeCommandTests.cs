using System.Text.Json;

namespace MotionWorkbench.Cli.Tests;

/// <summary><c>mw data probes</c> and <c>mw probe</c>: the probe set on disk, the table and its JSON, one-line errors that leave nothing behind.</summary>
public sealed class ProbeCommandTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mw-cli-probes-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("--pairs", "0")]
    [InlineData("--max-seconds", "4")]
    [InlineData("--attributes", "side,colour")]
    [InlineData("--split", "train")]
    public void DataProbes_BadOption_IsOneLineNamingItAndWritesNothing(string option, string value)
    {
        string outDir = Path.Combine(dir, "bad");
        var r = Mw.Run("data", "probes", "--out", outDir, option, value);
        Assert.Equal(2, r.ExitCode); // bad usage or input (CliErrors)
        Assert.Contains(option == "--attributes" ? "colour" : option, r.Stderr);
        Assert.DoesNotContain("   at ", r.All);
        Assert.False(Directory.Exists(outDir), $"{outDir} was created by a refused command");
    }

    [Fact]
    public void Probe_SmokeRun_PrintsEveryAttributeAgainstChanceAndItsJson()
    {
        string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run"), probes = Path.Combine(dir, "probes");
        Assert.Equal(0, Mw.Run("data", "synth", "--out", data, "--count", "120", "--seed", "2").ExitCode);
        var written = Mw.Run("data", "probes", "--out", probes, "--pairs", "4", "--seed", "3");
        Assert.True(written.ExitCode == 0, written.All);
        Assert.Contains("wrote 28 pairs (56 motions, synthetic, smpl)", written.Stdout);
        Assert.True(File.Exists(Path.Combine(probes, "probes.json")));
        var trained = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", run, "--set", "train.epochs=1");
        Assert.True(trained.ExitCode == 0, trained.All);

        var text = Mw.Run("probe", "--run", run, "--probes", probes);
        Assert.True(text.ExitCode == 0, text.All);
        foreach (var attribute in new[] { "side", "mirror", "order", "count", "pace", "direction", "action", "chance" })
            Assert.Matches($@"\n  {attribute} +", text.Stdout);
        Assert.Contains("cropped to their start", text.Stdout); // Smoke's 64 frames are shorter than the probe clips

        var json = Mw.Run("probe", "--run", run, "--probes", probes, "--checkpoint", "last", "--json");
        Assert.True(json.ExitCode == 0, json.All);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("last.safetensors", doc.RootElement.GetProperty("checkpoint").GetString());
        Assert.Equal(50, doc.RootElement.GetProperty("chance").GetDouble());
        var attributes = doc.RootElement.GetProperty("attributes").EnumerateArray().ToList();
        Assert.Equal(7, attributes.Count);
        Assert.All(attributes, a => Assert.Equal(8, a.GetProperty("t2m").GetProperty("trials").GetInt32()));

        // a dataset folder that is not a probe set, a run folder that is not a run: one line each
        var notProbes = Mw.Run("probe", "--run", run, "--probes", data);
        Assert.Equal(2, notProbes.ExitCode);
        Assert.StartsWith("mw probe: ", notProbes.Stderr);
        Assert.Contains("mw data probes", notProbes.Stderr);
        var notRun = Mw.Run("probe", "--run", data, "--probes", probes);
        Assert.Equal(2, notRun.ExitCode);
        Assert.Contains("config.json", notRun.Stderr);
        Assert.DoesNotContain("   at ", notProbes.All + notRun.All);
    }
}

using System.Text.Json;
using MotionWorkbench.Torch;

namespace MotionWorkbench.Cli.Tests;

/// <summary><c>mw bench --engine torch</c> prints the own engine's JSON (the same keys), for a tiny batch.</summary>
public class BenchEngineTests
{
    [CliTorchFact]
    public void Torch_engine_prints_the_same_json_keys_as_the_own_engine()
    {
        var own = Mw.Run("bench", "--model", "vit-tiny", "--batch", "2", "--steps", "1", "--warmup", "0", "--dropout", "0", "--json");
        var torch = Mw.Run("bench", "--engine", "torch", "--model", "vit-tiny", "--batch", "2", "--steps", "1", "--warmup", "0", "--dropout", "0", "--json");
        Assert.True(own.ExitCode == 0, own.All);
        Assert.True(torch.ExitCode == 0, torch.All);
        using var a = JsonDocument.Parse(own.Stdout.Trim());
        using var b = JsonDocument.Parse(torch.Stdout.Trim());
        var keys = a.RootElement.EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(keys, b.RootElement.EnumerateObject().Select(p => p.Name).Order().ToArray());
        Assert.StartsWith("TorchSharp 0.107.0 (LibTorch 2.10", b.RootElement.GetProperty("engine").GetString());
        Assert.True(b.RootElement.GetProperty("samples_per_s").GetDouble() > 0);
        Assert.True(double.IsFinite(b.RootElement.GetProperty("loss").GetDouble()));
    }

    [Fact]
    public void Minilm_clip_trains_a_step_on_the_own_engine_with_the_peer_flop_count()
    {
        var r = Mw.Run("bench", "--model", "minilm-clip", "--batch", "2", "--steps", "1", "--warmup", "0", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        using var doc = JsonDocument.Parse(r.Stdout.Trim());
        Assert.Equal("minilm-clip", doc.RootElement.GetProperty("model").GetString());
        Assert.True(double.IsFinite(doc.RootElement.GetProperty("loss").GetDouble()));
        // 3 x (ViT-Tiny 12 x 192 over 71 tokens + MiniLM 6 x 384 over 24 tokens + heads), as bench_torch.py counts it
        Assert.Equal(8.02, doc.RootElement.GetProperty("gflop_per_step").GetDouble(), 2);
    }

    [Fact]
    public void Unknown_engine_and_a_model_torch_lacks_are_clear_errors()
    {
        var r = Mw.Run("bench", "--engine", "jax", "--model", "vit-tiny");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown --engine 'jax'", r.Stderr);
        var d = Mw.Run("bench", "--device", "cuda", "--model", "vit-tiny");
        Assert.Equal(2, d.ExitCode);
        Assert.Contains("--device cuda is for --engine torch", d.Stderr);
        if (TorchRuntime.IsAvailable)
        {
            var t = Mw.Run("bench", "--engine", "torch", "--model", "lex-tiny-captions");
            Assert.Equal(2, t.ExitCode);
            Assert.Contains("no TorchSharp model 'lex-tiny-captions'", t.Stderr);
        }
    }
}

/// <summary>Skipped, with the loader's reason, where TorchSharp's native libraries cannot load.</summary>
public sealed class CliTorchFactAttribute : FactAttribute
{
    public CliTorchFactAttribute()
    {
        if (!TorchRuntime.IsAvailable) Skip = TorchRuntime.UnavailableReason;
    }
}

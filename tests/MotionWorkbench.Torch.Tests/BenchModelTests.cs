using MotionWorkbench.Torch;

namespace MotionWorkbench.Torch.Tests;

/// <summary>The torch bench models (<c>mw bench --engine torch</c>) hold each parameter once.</summary>
public sealed class BenchModelTests
{
    [TorchFact]
    public void The_text_tower_counts_its_token_embedding_once()
    {
        using var vit = TorchBenchCase.Create("vit-tiny", 2, 0f, 1);
        using var clip = TorchBenchCase.Create("clip-tiny", 2, 0f, 1);
        // clip-tiny = the same ViT + a 4-layer BERT-256 (30,522 x 256 token embedding = 7.81 M, ~3.2 M more) + the temperature
        long text = clip.ParameterCount - vit.ParameterCount - 1;
        Assert.InRange(text, 10_500_000, 11_600_000);
    }

    [TorchFact]
    public void Minilm_clip_has_the_MiniLM_L6_text_tower()
    {
        using var vit = TorchBenchCase.Create("vit-tiny", 2, 0f, 1);
        using var clip = TorchBenchCase.Create("minilm-clip", 2, 0f, 1);
        // all-MiniLM-L6-v2 without its pooler: 22,565,376 weights (the store's count), + Linear(384, 256) + the temperature
        Assert.Equal(22_565_376 + 384 * 256 + 256, clip.ParameterCount - vit.ParameterCount - 1);
        Assert.True(float.IsFinite(clip.TrainStep()));
    }
}

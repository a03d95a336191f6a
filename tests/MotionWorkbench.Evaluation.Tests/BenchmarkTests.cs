namespace MotionWorkbench.Evaluation.Tests;

public class BenchmarkTests
{
    [Fact]
    public void Run_TinySize_TimesEveryProtocol()
    {
        var result = RetrievalBenchmark.Run(n: 96, dim: 16, seed: 1);
        Assert.Equal(RetrievalProtocols.Names, result.Results.Select(r => r.Protocol));
        Assert.Equal(RetrievalProtocols.Names.Order(), result.ProtocolSeconds.Keys.Order());
        Assert.All(result.Results, r => Assert.InRange(r.TextToMotion.R1, 0, 100));
        // Motion i is text i plus noise, so every protocol must beat chance (1/N for "all", 1/32 for batches).
        Assert.True(result.Results[0].TextToMotion.R10 > 100.0 * 10 / 96, result.Results[0].ToJson());
        Assert.Contains("ranking, all protocols", result.ToString());
    }
}

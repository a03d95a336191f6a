namespace MotionWorkbench.Patches.Tests;

public class BenchmarkTests
{
    [Fact]
    public void SyntheticMotions_AreDeterministicAndVaried()
    {
        var a = PatchBenchmark.SyntheticMotions(3, 20, seed: 7);
        var b = PatchBenchmark.SyntheticMotions(3, 20, seed: 7);
        Assert.Equal(a[2].Positions, b[2].Positions);
        Assert.NotEqual(a[0].Positions, a[1].Positions);
        Assert.All(a, c => Assert.Equal(20, c.Frames));
    }

    [Fact]
    public void Run_BuildsEveryMotionInBatches()
    {
        var motions = PatchBenchmark.SyntheticMotions(10, 240, seed: 1);
        var reports = new List<double>();
        var result = PatchBenchmark.Run(motions, new PatchOptions(PatchSize: 8, MaxFrames: 224), threads: 2, batchSize: 4, seed: 3,
            progress: new SyncProgress(reports.Add));
        Assert.Equal(10, result.Motions);
        Assert.Equal(240, result.Frames);
        Assert.Equal([0.4, 0.8, 1.0], reports);
        Assert.True(double.IsFinite(result.Checksum));
        Assert.True(result.Seconds > 0);
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}

using MotionWorkbench.Tensors.Nn;
using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.Threading;

/// <summary>
/// The engine's thread pool: the setting and its reason, every chunk exactly once and finished before the call returns,
/// failures reported, results equal within float tolerance across thread counts, and more threads than cores (8 on
/// these 2-core machines) correct and finished in bounded time (a generous timeout, not a timing).
/// </summary>
[Collection("Gemm backend")]
public class ParTests
{
    /// <summary>Far more threads than cores here: at least 8, and 4 per core where the default is larger.</summary>
    private static int Oversubscribed => Math.Min(64, Math.Max(8, 4 * ThreadSetting.Default().Count));

    private static T With<T>(int threads, Func<T> work)
    {
        using var scope = Par.Scope(new ThreadSetting(threads, $"test: {threads}"));
        return work();
    }

    /// <summary>Forward and backward of two pre-norm blocks with dropout (B 6, L 71, C 96): output and every gradient.</summary>
    private static float[][] BlockRun()
    {
        var rng = new Random(11);
        var blocks = new ModuleList<PreNormBlock>(2, i => new PreNormBlock(96, 3, 384, dropout: 0.1f, seed: (ulong)(7 + i)));
        Init.Timm(blocks, rng);
        blocks.Train();
        var x = Rand(rng, 6, 71, 96);
        var dy = Rand(rng, 6, 71, 96);
        var h = x;
        foreach (var b in blocks.Items) h = b.Forward(h);
        var y = h.Data.ToArray();
        Ops.SumAll(Ops.Mul(h, dy)).Backward();
        return [y, .. blocks.Parameters().Select(p => p.Grad.ToArray())];
    }

    private static void AssertClose(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
            for (int i = 0; i < expected[t].Length; i++)
            {
                float e = expected[t][i], a = actual[t][i];
                Assert.True(Math.Abs(e - a) <= 1e-4f + 1e-4f * Math.Abs(e), $"{what}: tensor {t} element {i}: {a:R} vs {e:R} on 1 thread");
            }
    }

    [Fact]
    public void Results_AreEqualWithinFloatTolerance_AcrossThreadCounts()
    {
        var one = With(1, BlockRun);
        foreach (int t in new[] { 2, 3, 4 })
        {
            var run = With(t, BlockRun);
            AssertClose(one, run, $"{t} threads");
            AssertClose(run, With(t, BlockRun), $"{t} threads again"); // and a repeat on the same count: the same bits
            for (int k = 0; k < run.Length; k++) Assert.Equal(run[k], With(t, BlockRun)[k]);
        }
    }

    [Fact]
    public async Task Oversubscribed_GivesTheOneThreadResults_InBoundedTime()
    {
        int threads = Oversubscribed;
        var one = With(1, BlockRun);
        var work = Task.Run(() => With(threads, () =>
        {
            var run = BlockRun();
            // Thousands of tiny jobs: each call must return once its chunks are done, never wait on a sleeping worker.
            long sum = 0;
            for (int rep = 0; rep < 3000; rep++)
                Par.For(threads * 4, 1, (s, e) => Interlocked.Add(ref sum, e - s));
            return (run, sum);
        }));
        (float[][] run, long sum) result = default;
        try { result = await work.WaitAsync(TimeSpan.FromMinutes(5)); }
        catch (TimeoutException) { Assert.Fail($"{threads} threads on {Environment.ProcessorCount} CPUs did not finish in 5 minutes"); }
        AssertClose(one, result.run, $"{threads} threads");
        Assert.Equal(3000L * threads * 4, result.sum);
    }

    [Fact]
    public void EveryChunk_RunsOnce_AndFinishesBeforeTheCallReturns()
    {
        With(Oversubscribed, () =>
        {
            int chunks = Par.ChunkCount(1000, 1);
            var runs = new int[chunks];
            int current = 0, stale = 0;
            for (int job = 1; job <= 2000; job++)
            {
                Volatile.Write(ref current, job);
                int mine = job;
                Par.ForChunks(1000, 1, 4, (c, s, e) =>
                {
                    if (Volatile.Read(ref current) != mine) Interlocked.Increment(ref stale); // a chunk of an earlier call ran late
                    if (c % 7 == 0) Thread.SpinWait(200);
                    Interlocked.Increment(ref runs[c]);
                });
                for (int c = 0; c < chunks; c++)
                {
                    Assert.True(runs[c] == 1, $"call {job}: chunk {c} ran {runs[c]} times");
                    runs[c] = 0;
                }
            }
            Assert.Equal(0, Volatile.Read(ref stale));
            return 0;
        });
    }

    [Fact]
    public void AFailingChunk_IsReported_AndThePoolKeepsWorking()
    {
        With(4, () =>
        {
            var e = Assert.Throws<AggregateException>(() => Par.For(400, 1, (s, _) => { if (s >= 200) throw new InvalidOperationException("chunk failed"); }));
            Assert.IsType<InvalidOperationException>(e.InnerException);
            long sum = 0;
            Par.For(400, 1, (s, en) => Interlocked.Add(ref sum, en - s));
            Assert.Equal(400, sum);
            return 0;
        });
    }

    [Fact]
    public void Setting_KeepsItsReason_AndAScopeRestoresTheOneBefore()
    {
        var before = Par.Setting;
        using (Par.Scope(new ThreadSetting(3, "--threads 3")))
        {
            Assert.Equal(3, Par.Threads);
            Assert.Equal("--threads 3", Par.Setting.Reason);
            Assert.Equal(12, Par.ChunkCount(1000, 10));
        }
        Assert.Equal(before, Par.Setting);
        int saved = Par.Threads;
        try
        {
            Par.Threads = 5;
            Assert.Equal(new ThreadSetting(5, "Par.Threads = 5 (set in code)"), Par.Setting);
            Assert.Throws<ArgumentException>(() => Par.Threads = 0);
            Assert.Throws<ArgumentException>(() => Par.Use(new ThreadSetting(ThreadSetting.Max + 1, "too many")));
            Assert.Equal(5, Par.Threads);
        }
        finally { Par.Use(before); }
        Assert.Equal(saved == 5 ? before.Count : before.Count, Par.Threads);
    }
}

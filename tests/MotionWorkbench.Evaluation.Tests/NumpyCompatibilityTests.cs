using MotionWorkbench.Evaluation.Numpy;

namespace MotionWorkbench.Evaluation.Tests;

/// <summary>numpy and Python primitives against values printed by /usr/bin/python3 with numpy 1.24.2.</summary>
public class NumpyCompatibilityTests
{
    [Fact]
    public void LegacyRandom_Seed0_FirstOutputsAreMt19937()
    {
        // np.random.seed(0); np.random.randint(0, 2**32, size=3, dtype=np.uint64) -> raw MT19937 outputs.
        var random = new LegacyRandom(0);
        Assert.Equal(2357136044u, random.NextUInt32());
        Assert.Equal(2546248239u, random.NextUInt32());
        Assert.Equal(3071714933u, random.NextUInt32());
    }

    [Fact]
    public void LegacyRandom_Permutation_MatchesNumpy()
    {
        var root = ReferenceFixture.Root;
        var p4384 = new LegacyRandom(0).Permutation(4384);
        Assert.Equal(ReferenceFixture.Ints(root.GetProperty("permutation_seed0_n4384_head")), p4384[..64]);
        long weighted = 0;
        for (int i = 0; i < p4384.Length; i++) weighted += (long)i * p4384[i];
        Assert.Equal(root.GetProperty("permutation_seed0_n4384_sum_of_i_times_p").GetInt64(), weighted);
        Assert.Equal(ReferenceFixture.Ints(root.GetProperty("permutation_seed5_n100")), new LegacyRandom(5).Permutation(100));
    }

    [Fact]
    public void Argsort_TieOrder_MatchesNumpyQuicksort()
    {
        foreach (var row in ReferenceFixture.Root.GetProperty("argsort").EnumerateArray())
        {
            var values = row.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var order = new int[values.Length];
            NumpyArgsort.Argsort(values, order);
            Assert.Equal(ReferenceFixture.Ints(row.GetProperty("argsort")), order);
            // The introsort's fallback, checked on its own against np.argsort(kind="heapsort").
            var heap = Enumerable.Range(0, values.Length).ToArray();
            NumpyArgsort.HeapSort(values, heap);
            Assert.Equal(ReferenceFixture.Ints(row.GetProperty("heapsort")), heap);
        }
    }

    [Fact]
    public void Argsort_ManyOrders_AreSorted()
    {
        var random = new Random(3);
        foreach (int n in new[] { 0, 1, 2, 15, 16, 17, 100, 1000 })
        {
            var values = Enumerable.Range(0, n).Select(_ => (float)random.Next(10)).ToArray();
            var order = new int[n];
            NumpyArgsort.Argsort(values, order);
            Assert.Equal(Enumerable.Range(0, n), order.Order());
            for (int i = 1; i < n; i++) Assert.True(values[order[i - 1]] <= values[order[i]]);
        }
    }

    [Fact]
    public void Round_MatchesPythonRound()
    {
        foreach (var c in ReferenceFixture.Root.GetProperty("round2").EnumerateArray())
            Assert.Equal(c.GetProperty("rounded").GetDouble(), PythonNumerics.Round(c.GetProperty("x").GetDouble(), 2));
        Assert.Equal(-2.67, PythonNumerics.Round(-2.675, 2));
    }

    [Fact]
    public void Mean_MatchesNumpyPairwiseSum()
    {
        foreach (var c in ReferenceFixture.Root.GetProperty("mean").EnumerateArray())
            Assert.Equal(c.GetProperty("mean").GetDouble(), PythonNumerics.Mean(ReferenceFixture.Doubles(c.GetProperty("values"))));
    }
}

using static MotionWorkbench.Tensors.Tests.Support.GradCheck;

namespace MotionWorkbench.Tensors.Tests.OpsTests;


public class ReduceAndShapeGradTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Sum_Backward_MatchesFiniteDifferences(int axis)
    {
        var rng = new Random(10);
        Run(x => Ops.Sum(x[0], axis), [Rand(rng, 2, 3, 4)], name: $"sum axis {axis}");
        Run(x => Ops.Add(Ops.Mean(x[0], axis), Ops.Sum(x[0], axis)), [Rand(rng, 2, 3, 4)], name: $"mean+sum axis {axis}");
    }

    [Fact]
    public void SumAll_And_MeanAll_Backward_MatchFiniteDifferences()
    {
        var rng = new Random(11);
        Run(x => Ops.Add(Ops.SumAll(x[0]), Ops.MeanAll(x[0])), [Rand(rng, 3, 5)], name: "sumall");
    }

    [Fact]
    public void Max_Backward_MatchesFiniteDifferences()
    {
        // distinct values (a permutation scaled) keep ties away from the finite differences
        var rng = new Random(12);
        var perm = Enumerable.Range(0, 24).OrderBy(_ => rng.Next()).Select(v => v * 0.1f - 1.2f).ToArray();
        Run(x => Ops.Max(x[0], 1), [Tensor.FromArray(perm, 2, 3, 4)], name: "max");
        Run(x => Ops.Add(Ops.Max(x[0], -1), Ops.Max(x[0], -1)), [Tensor.FromArray(perm, 2, 3, 4)], name: "max twice");
        var m = Ops.Max(Tensor.FromArray([1, 5, 2, 7, 0, 3], 2, 3), 1);
        Assert.Equal([5f, 7], m.ToArray());
    }

    [Fact]
    public void Softmax_And_LogSoftmax_Backward_MatchFiniteDifferences()
    {
        var rng = new Random(13);
        Run(x => Ops.Softmax(x[0]), [Rand(rng, 3, 7)], name: "softmax");
        Run(x => Ops.LogSoftmax(x[0]), [Rand(rng, 3, 7)], name: "log_softmax");
        Run(x => Ops.Add(Ops.Softmax(x[0]), Ops.LogSoftmax(x[0])), [Rand(rng, 2, 5)], name: "softmax twice");
    }

    [Fact]
    public void Softmax_EqualLogits_IsUniform()
    {
        var y = Ops.Softmax(Tensor.Full(1000f, 2, 4)).ToArray();
        Assert.All(y, v => Assert.Equal(0.25f, v, 6));
        var ls = Ops.LogSoftmax(Tensor.FromArray([1000f, 0f], 1, 2)).ToArray();
        Assert.Equal(0f, ls[0], 5);
        Assert.Equal(-1000f, ls[1], 2);
    }

    [Fact]
    public void ShapeOps_Backward_MatchFiniteDifferences()
    {
        var rng = new Random(14);
        Run(x => Ops.Mul(Ops.Reshape(x[0], 4, -1), Ops.Reshape(x[0], 4, 6)), [Rand(rng, 2, 3, 4)], name: "reshape twice");
        Run(x => Ops.Permute(x[0], 2, 0, 1), [Rand(rng, 2, 3, 4)], name: "permute");
        Run(x => Ops.Add(Ops.Transpose(x[0], 0, 1), Ops.Transpose(x[0], 0, 1)), [Rand(rng, 3, 4)], name: "transpose twice");
        Run(x => Ops.Slice(x[0], 1, 1, 2), [Rand(rng, 2, 4, 3)], name: "slice");
        Run(x => Ops.Concat([x[0], x[1], x[0]], 1), [Rand(rng, 2, 3), Rand(rng, 2, 2)], name: "concat (x used twice)");
        Run(x => Ops.IndexSelect(x[0], [2, 0, 2, 1]), [Rand(rng, 3, 4)], name: "index_select (row picked twice)");
        Run(x => Ops.Embedding(x[0], [1, 4, 4, 0, 2, 3], 2, 3), [Rand(rng, 5, 3)], name: "embedding");
    }

    [Fact]
    public void Permute_Forward_MatchesHandValues()
    {
        var y = Ops.Transpose(Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3), 0, 1);
        Assert.Equal([3, 2], y.Shape);
        Assert.Equal([1f, 4, 2, 5, 3, 6], y.ToArray());
        var c = Ops.Concat([Tensor.FromArray([1, 2], 2, 1), Tensor.FromArray([3, 4, 5, 6], 2, 2)], 1);
        Assert.Equal([1f, 3, 4, 2, 5, 6], c.ToArray());
    }

    [Fact]
    public void IndexSelect_ThrowsForOutOfRangeIndex()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.IndexSelect(Tensor.Zeros(3, 2), [0, 3]));
        Assert.Contains("index 3", e.Message);
    }
}

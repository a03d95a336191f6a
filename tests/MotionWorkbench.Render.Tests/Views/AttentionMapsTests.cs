using MotionWorkbench.Render.Images;
using MotionWorkbench.Render.Plots;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Render.Tests.Views;

public sealed class AttentionMapsTests
{
    // 1 class token + a 1 x 2 grid = 3 tokens; layer 0 head 0 and head 1 hand-made, rows sum to 1.
    private static readonly float[] Head0 = [0.2f, 0.5f, 0.3f, 0.1f, 0.1f, 0.8f, 0.6f, 0.2f, 0.2f];
    private static readonly float[] Head1 = [0.4f, 0.4f, 0.2f, 0.3f, 0.3f, 0.4f, 0.5f, 0.5f, 0f];

    private static float[] OneLayer() => [.. Head0, .. Head1];

    [Fact]
    public void ClassTokenAndReceived_AreRowZeroAndColumnMeans()
    {
        Assert.Equal([0.5f, 0.3f], AttentionMaps.ClassTokenToPatches(Head0, 3));
        var received = AttentionMaps.ReceivedByPatches(Head0, 3);
        Assert.Equal((0.5 + 0.1 + 0.2) / 3, received[0], 6);
        Assert.Equal((0.3 + 0.8 + 0.2) / 3, received[1], 6);
        var mean = AttentionMaps.HeadMean(OneLayer(), 0, 2, 3);
        Assert.Equal(0.45f, mean[1], 6);
    }

    [Fact]
    public void Rollout_OneLayer_IsHalfHeadMeanPlusHalfIdentity()
    {
        var rollout = AttentionMaps.Rollout(OneLayer(), 1, 2, 3);
        var mean = AttentionMaps.HeadMean(OneLayer(), 0, 2, 3);
        for (int q = 0; q < 3; q++)
            for (int k = 0; k < 3; k++)
                Assert.Equal(0.5 * mean[q * 3 + k] + (q == k ? 0.5 : 0), rollout[q * 3 + k], 5);
    }

    [Fact]
    public void Rollout_TwoLayers_IsTheProductOfTheResidualAdjustedMatrices()
    {
        float[] two = [.. OneLayer(), .. Head1, .. Head0];
        var r = AttentionMaps.Rollout(two, 2, 2, 3);
        double[] a1 = [.. AttentionMaps.Rollout(OneLayer(), 1, 2, 3).Select(v => (double)v)];
        double[] a2 = [.. AttentionMaps.Rollout([.. Head1, .. Head0], 1, 2, 3).Select(v => (double)v)];
        for (int q = 0; q < 3; q++)
        {
            double rowSum = 0;
            for (int k = 0; k < 3; k++)
            {
                double expected = 0;
                for (int m = 0; m < 3; m++) expected += a2[q * 3 + m] * a1[m * 3 + k];
                Assert.Equal(expected, r[q * 3 + k], 1e-6);
                rowSum += r[q * 3 + k];
            }
            Assert.Equal(1.0, rowSum, 1e-6);
        }
    }

    [Fact]
    public void Create_DrawsOneSubplotPerLayerAndHead_OverThePatchImage()
    {
        float[] two = [.. OneLayer(), .. OneLayer()];
        var png = Png.Encode(new byte[10 * 4 * 3], 10, 4);
        var fig = AttentionMaps.Create(two, layers: 2, heads: 2, tokens: 3, gridRows: 1, gridCols: 2, png);
        Assert.Equal((2, 3), (fig.Rows, fig.Cols));                   // layers x (heads + mean)
        var data = fig.ToJsonObject()["data"]!.AsArray();
        Assert.Equal(6, data.Count(d => (string?)d!["type"] == "image"));
        var heat = data.Where(d => (string?)d!["type"] == "heatmap").ToList();
        Assert.Equal(6, heat.Count);
        Assert.Equal([0.5, 0.3], TypedArray.Decode(heat[0]!["z"]!).Select(v => Math.Round(v, 6)));
        Assert.Equal("[1.5]", heat[0]!["y"]!.ToJsonString());        // one grid row centred on image rows 0..3
        Assert.Equal("[2,7]", heat[0]!["x"]!.ToJsonString());         // cell centres of two 5-pixel columns
        Assert.Equal(0.6, (double)heat[0]!["opacity"]!);

        var rollout = AttentionMaps.Create(two, 2, 2, 3, 1, 2, null, new AttentionMapOptions { Rollout = true, Kind = AttentionKind.Received });
        Assert.Equal((1, 1), (rollout.Rows, rollout.Cols));
        Assert.Contains("rollout", rollout.Title);
    }

    [Fact]
    public void Create_ChecksShapes()
    {
        Assert.Contains("a class token plus a 2 x 2 patch grid needs 5",
            Assert.Throws<ArgumentException>(() => AttentionMaps.Create(OneLayer(), 1, 2, 3, 2, 2)).Message);
        Assert.Contains("expected layers x heads x tokens x tokens = 2 x 2 x 3 x 3 = 36",
            Assert.Throws<ArgumentException>(() => AttentionMaps.Create(OneLayer(), 2, 2, 3, 1, 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => AttentionMaps.Create(OneLayer(), 1, 2, 3, 1, 2, null, new AttentionMapOptions { Layers = [1] }));
    }
}

namespace MotionWorkbench.Patches.Tests;

public class RetimingTests
{
    [Theory]
    [InlineData(24, 40)]
    [InlineData(30, 50)]
    [InlineData(100, 167)]
    [InlineData(134, 224)]
    [InlineData(135, 225)]
    [InlineData(1, 2)]
    [InlineData(12, 20)]
    public void Kit_12_5_To_20fps_Lengths(int frames, int expected)
    {
        Assert.Equal(expected, FrameRetiming.RetimedLength(frames, 12.5f, 20f));
    }

    [Fact]
    public void Kit_IndexPattern_RepeatsEvery12SourceFrames()
    {
        int[] sel = [0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6, 7, 8, 8, 9, 10, 10, 11, 11];
        var idx = FrameRetiming.SourceIndices(30, 12.5f, 20f);
        Assert.Equal(sel, idx[..20]);
        Assert.Equal(sel.Select(s => s + 12).ToArray(), idx[20..40]);
        // Leftover block of 6 frames keeps sel values below 6.
        Assert.Equal(sel.Where(s => s < 6).Select(s => s + 24).ToArray(), idx[40..]);
    }

    [Fact]
    public void SameRate_IsIdentity()
    {
        Assert.Equal(Enumerable.Range(0, 57).ToArray(), FrameRetiming.SourceIndices(57, 20f, 20f));
    }

    [Fact]
    public void IntegerMultiple_KeepsEveryKthFrame()
    {
        Assert.Equal([0, 3, 6, 9], FrameRetiming.SourceIndices(12, 60f, 20f));
        Assert.Equal([0, 3, 6, 9, 12], FrameRetiming.SourceIndices(13, 60f, 20f));
    }

    [Fact]
    public void Thirty_To_Twenty_UsesTheBlockRule()
    {
        // int(30) % 20 != 0: sel = floor(1.5 k) for k = 0..19.
        var idx = FrameRetiming.SourceIndices(30, 30f, 20f);
        Assert.Equal(Enumerable.Range(0, 20).Select(k => (int)Math.Floor(1.5 * k)).ToArray(), idx);
    }

    [Fact]
    public void BadRates_Throw()
    {
        Assert.Throws<ArgumentException>(() => FrameRetiming.SourceIndices(10, 0f, 20f));
        Assert.Throws<ArgumentException>(() => FrameRetiming.SourceIndices(10, 12.5f, float.NaN));
    }
}

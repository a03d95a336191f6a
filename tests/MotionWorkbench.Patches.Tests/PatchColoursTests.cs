namespace MotionWorkbench.Patches.Tests;

/// <summary>The one colour mapping of a motion patch (z-score clamped to +-3 sigma -> 0..255).</summary>
public class PatchColoursTests
{
    [Theory]
    [InlineData(-3f, 0)]
    [InlineData(-10f, 0)]
    [InlineData(0f, 128)]
    [InlineData(3f, 255)]
    [InlineData(7.5f, 255)]
    [InlineData(1.5f, 191)]   // (4.5 / 6) x 255 = 191.25
    [InlineData(-1.5f, 64)]   // 63.75
    public void ColourMapping_ClampsToThreeSigma(float z, int expected)
    {
        Assert.Equal(expected, PatchColours.ToByte(z));
    }

    [Fact]
    public void ColourMapping_RejectsNaN() => Assert.Throws<ArgumentException>(() => PatchColours.ToByte(float.NaN));
}

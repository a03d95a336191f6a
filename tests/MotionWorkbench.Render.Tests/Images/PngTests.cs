using MotionWorkbench.Render.Images;

namespace MotionWorkbench.Render.Tests.Images;

public class PngTests
{
    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(80, 224, 3)]
    [InlineData(7, 5, 4)]
    public void Encode_ThenDecode_RoundTripsPixels(int width, int height, int channels)
    {
        var rng = new Random(1234);
        var pixels = new byte[width * height * channels];
        rng.NextBytes(pixels);
        var png = Png.Encode(pixels, width, height, channels);
        var image = Png.Decode(png);
        Assert.Equal((width, height, channels), (image.Width, image.Height, image.Channels));
        Assert.Equal(pixels, image.Pixels);
    }

    [Fact]
    public void Encode_WritesSignatureAndChunksInOrder()
    {
        var png = Png.Encode(new byte[2 * 2 * 3], 2, 2);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal("IEND", System.Text.Encoding.ASCII.GetString(png, png.Length - 8, 4));
    }

    [Fact]
    public void Decode_CorruptedCrc_Throws()
    {
        var png = Png.Encode(new byte[3], 1, 1);
        png[20] ^= 0xFF; // inside IHDR data
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(png));
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void Encode_WrongBufferSize_NamesBothSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Png.Encode(new byte[10], 2, 2));
        Assert.Contains("expected 2 x 2 x 3 = 12", e.Message);
    }
}

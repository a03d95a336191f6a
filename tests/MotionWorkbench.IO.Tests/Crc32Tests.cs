using MotionWorkbench.IO;

namespace MotionWorkbench.IO.Tests;

public class Crc32Tests
{
    [Fact]
    public void Crc32_KnownVector_Matches()
    {
        // The standard check value of CRC-32/ISO-HDLC.
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void Update_InPieces_EqualsComputeOfTheWhole()
    {
        var bytes = new byte[1000];
        new Random(7).NextBytes(bytes);
        uint crc = 0;
        foreach (int cut in new[] { 0, 1, 13, 500, 999, 1000 })
        {
            crc = 0;
            crc = Crc32.Update(crc, bytes.AsSpan(0, cut));
            crc = Crc32.Update(crc, bytes.AsSpan(cut));
            Assert.Equal(Crc32.Compute(bytes), crc);
        }
        Assert.Equal(0u, Crc32.Compute([]));
    }
}

using System.Buffers.Binary;
using MotionWorkbench.IO;

namespace MotionWorkbench.Sparse.Tests;

/// <summary>
/// Counts read from an index header are checked against the reader's limits and the bytes that follow before anything
/// is allocated: a header claiming 2^31-1 vocabulary entries, items or terms (with a correct length and CRC, so only the
/// structure can catch it) is one <see cref="InvalidDataException"/> naming the file, never an OutOfMemoryException.
/// </summary>
public class IndexHeaderCountTests
{
    private const int V = 200;

    [Theory]
    [InlineData("vocabulary", false)]
    [InlineData("items", false)]
    [InlineData("items", true)]
    [InlineData("terms", false)]
    public void Load_HugeHeaderCount_IsRefusedBeforeAllocating(string field, bool ids)
    {
        string dir = Synthetic.TempDir();
        try
        {
            var items = Synthetic.Vectors(50, V, 8, seed: 5);
            var index = SparseIndex.Build(items, V, VocabularyHash.OfSize(V), ids ? items.Select((_, i) => $"i{i}").ToArray() : null, new IndexBuildOptions());
            string path = Path.Combine(dir, "x.mwidx");
            index.Save(path);
            var bytes = File.ReadAllBytes(path);
            int hashLength = bytes[24];                        // varint < 128: one byte
            int itemsAt = 24 + 1 + hashLength + 4 + 4;         // after V, the hash, scale and top-k
            int termsAt = itemsAt + 4 + 1;                     // after the item count and the ids flag (no ids here)
            int at = field switch { "vocabulary" => 20, "items" => itemsAt, _ => termsAt };
            if (field == "terms") Assert.False(ids);
            // terms: T = V = 8,388,607 passes T <= V and the vocabulary limit; only the bytes that follow can refuse it
            int huge = field == "terms" ? int.MaxValue >> 8 : int.MaxValue;
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), huge);
            if (field == "terms") BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), huge);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)));
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => SparseIndex.Load(path));
            Assert.StartsWith(path + ": corrupt:", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Builder_VocabularyAboveTheReadersLimit_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new SparseIndex.Builder(SparseIndex.MaxVocabularySize + 1, "h", new IndexBuildOptions()));
        Assert.Contains("vocabulary size must be 1 to", e.Message);
    }

    [Fact]
    public void IndexBench_GalleryTooLargeForTheMachine_IsASizeProblemNotAnOverflow()
    {
        var o = new IndexBenchSettings();
        Assert.Contains("an index holds at most", o.SizeProblem(2_000_000_000));
        Assert.Null(o.SizeProblem(1000));
        Assert.Throws<ArgumentException>(() => IndexBench.Run(2_000_000_000, o));
    }
}

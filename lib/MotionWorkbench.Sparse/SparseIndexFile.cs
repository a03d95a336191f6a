using System.Buffers.Binary;
using System.Text;
using MotionWorkbench.IO;

namespace MotionWorkbench.Sparse;

/// <summary>
/// The .mwidx file (all integers little-endian; "varint" = unsigned LEB128):
/// <code>
/// magic "MWSPIDX1" (8 bytes) | u32 format version (1) | u64 file length in bytes (CRC included)
/// i32 vocabulary size | varint n + n UTF-8 bytes: vocabulary hash | i32 scale | i32 top-k (0 = all kept)
/// i32 item count | u8 has ids | when 1: per item varint n + n UTF-8 bytes
/// i32 term count T (terms with postings) | T x (i32 term, i32 postings, i32 max impact, i32 postings bytes)
/// per term in that order, ceil(postings / 128) blocks x (i32 last item, i32 max impact, i32 byte offset in the term)
/// u64 postings bytes B | B bytes: per term, per posting varint(item - previous item, previous = -1) varint(impact)
/// u32 CRC-32 (IEEE) of every byte before it
/// </code>
/// Loading checks the magic, the version, the length, the CRC and the structure, and that the vocabulary hash is the
/// expected one; every failure is an <see cref="InvalidDataException"/> that names the file.
/// </summary>
public sealed partial class SparseIndex
{
    public const string FileMagic = "MWSPIDX1";
    public const uint FormatVersion = 1;

    /// <summary>The largest vocabulary an index may have (a header above it is refused before anything is allocated).</summary>
    public const int MaxVocabularySize = 1 << 24;

    /// <summary>The most items an index may hold (a header above it is refused before anything is allocated).</summary>
    public const int MaxItems = 1 << 28;
    private static readonly UTF8Encoding Utf8 = new(false, true);

    /// <summary>Writes the index atomically (temp file + rename, through <see cref="AtomicFile"/>).</summary>
    public void Save(string path)
    {
        long length = SavedLength();
        AtomicFile.Write(path, s =>
        {
            var buffered = new BufferedStream(s, 1 << 16); // not disposed: that would close the atomic writer's stream
            var crc = new CrcStream(buffered);
            WriteBody(crc, length);
            Span<byte> tail = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(tail, crc.Crc);
            buffered.Write(tail);
            buffered.Flush();
        });
        bytes = length;
    }

    /// <summary>The exact size of the file <see cref="Save"/> writes.</summary>
    private long SavedLength()
    {
        var counter = new CrcStream(null) { ComputeCrc = false };
        WriteBody(counter, 0);
        return counter.Written + 4;
    }

    private void WriteBody(Stream s, long fileLength)
    {
        using var w = new BinaryWriter(s, Utf8, leaveOpen: true);
        w.Write(Encoding.ASCII.GetBytes(FileMagic));
        w.Write(FormatVersion);
        w.Write((ulong)fileLength);
        w.Write(VocabularySize);
        WriteString(w, VocabularyHash);
        w.Write(Scale);
        w.Write(TopK ?? 0);
        w.Write(ItemCount);
        w.Write((byte)(ids is null ? 0 : 1));
        if (ids is not null) foreach (var id in ids) WriteString(w, id);
        int terms = TermCount;
        w.Write(terms);
        for (int t = 0; t < VocabularySize; t++)
        {
            if (df[t] == 0) continue;
            w.Write(t);
            w.Write(df[t]);
            w.Write(maxImpact[t]);
            w.Write(termStart[t + 1] - termStart[t]);
        }
        for (int t = 0; t < VocabularySize; t++)
            for (int b = termBlock[t]; b < termBlock[t + 1]; b++)
            {
                w.Write(blockLast[b]);
                w.Write(blockMax[b]);
                w.Write(blockOffset[b] - termStart[t]);
            }
        w.Write((ulong)blob.Length);
        w.Write(blob);
        w.Flush();
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Utf8.GetBytes(s);
        w.Write7BitEncodedInt(b.Length);
        w.Write(b);
    }

    /// <summary>
    /// Reads an index written by <see cref="Save"/>. With <paramref name="expectedVocabularyHash"/>, an index built over
    /// another vocabulary is refused.
    /// </summary>
    public static SparseIndex Load(string path, string? expectedVocabularyHash = null)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"{path}: no such index file", path); }
        var index = Parse(data, path);
        if (expectedVocabularyHash is not null && !string.Equals(index.VocabularyHash, expectedVocabularyHash, StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: index built over vocabulary {index.VocabularyHash}, query vocabulary {expectedVocabularyHash}; rebuild the index with the same vocabulary");
        index.bytes = data.LongLength;
        return index;
    }

    private static SparseIndex Parse(byte[] data, string file)
    {
        const int fixedHeader = 8 + 4 + 8;
        var magic = Encoding.ASCII.GetBytes(FileMagic);
        if (data.Length < magic.Length || !data.AsSpan(0, magic.Length).SequenceEqual(magic))
            throw Bad(file, $"not a sparse index (bad magic: expected \"{FileMagic}\")");
        if (data.Length < fixedHeader + 4) throw Bad(file, $"truncated: {data.Length} bytes is shorter than the header");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8));
        if (version != FormatVersion) throw Bad(file, $"unknown format version {version} (this build reads version {FormatVersion})");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(12));
        if (length != (ulong)data.LongLength)
            throw Bad(file, (ulong)data.LongLength < length
                ? $"truncated: the header says {length} bytes, the file has {data.LongLength}"
                : $"length mismatch: the header says {length} bytes, the file has {data.LongLength}");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4));
        uint actual = Crc32.Update(0, data.AsSpan(0, data.Length - 4));
        if (stored != actual) throw Bad(file, $"corrupt: CRC-32 mismatch (stored {stored:x8}, computed {actual:x8})");
        try
        {
            using var r = new BinaryReader(new MemoryStream(data, fixedHeader, data.Length - 4 - fixedHeader, false), Utf8);
            int V = r.ReadInt32();
            if (V < 1 || V > MaxVocabularySize) throw Bad(file, $"corrupt: vocabulary size {V} (this reader takes 1 to {MaxVocabularySize:N0})");
            string hash = ReadString(r);
            int scale = r.ReadInt32();
            int topK = r.ReadInt32();
            int items = r.ReadInt32();
            if (scale < 1 || topK < 0 || items < 0) throw Bad(file, $"corrupt: scale {scale}, top-k {topK}, items {items}");
            if (items > MaxItems) throw Bad(file, $"corrupt: {items:N0} items (this reader takes at most {MaxItems:N0})");
            string[]? ids = null;
            if (r.ReadByte() == 1)
            {
                // Every id takes at least its one length byte: a count the rest of the file cannot hold is refused before allocating.
                if (items > Remaining(r)) throw Bad(file, $"corrupt: the header says {items:N0} item ids, only {Remaining(r):N0} bytes follow");
                ids = new string[items];
                for (int i = 0; i < items; i++) ids[i] = ReadString(r);
            }
            int T = r.ReadInt32();
            if (T < 0 || T > V) throw Bad(file, $"corrupt: {T} terms for a vocabulary of {V}");
            if (16L * T > Remaining(r)) throw Bad(file, $"corrupt: the header says {T:N0} terms (16 bytes each), only {Remaining(r):N0} bytes follow");
            var df = new int[V];
            var maxImp = new int[V];
            var lens = new int[V];
            int prev = -1;
            long totalBlocks = 0;
            for (int i = 0; i < T; i++)
            {
                int t = r.ReadInt32(), d = r.ReadInt32(), m = r.ReadInt32(), l = r.ReadInt32();
                if (t <= prev || t >= V || d < 1 || d > items || m < 1 || l < 2 * d)
                    throw Bad(file, $"corrupt term table entry {i} (term {t}, postings {d}, max impact {m}, bytes {l})");
                prev = t;
                df[t] = d;
                maxImp[t] = m;
                lens[t] = l;
                totalBlocks += (d + BlockSize - 1) / BlockSize;
            }
            var termStart = new int[V + 1];
            var termBlock = new int[V + 1];
            long total = 0;
            for (int t = 0; t < V; t++)
            {
                termStart[t] = (int)total;
                termBlock[t + 1] = termBlock[t] + (df[t] + BlockSize - 1) / BlockSize;
                total += lens[t];
                if (total > Array.MaxLength) throw Bad(file, "corrupt: postings too large");
            }
            termStart[V] = (int)total;
            if (12 * totalBlocks + total > Remaining(r)) throw Bad(file, $"corrupt: the term table needs {12 * totalBlocks + total:N0} bytes of blocks and postings, only {Remaining(r):N0} follow");
            var bl = new int[totalBlocks];
            var bm = new int[totalBlocks];
            var bo = new int[totalBlocks];
            for (int t = 0; t < V; t++)
                for (int b = termBlock[t]; b < termBlock[t + 1]; b++)
                {
                    bl[b] = r.ReadInt32();
                    bm[b] = r.ReadInt32();
                    int off = r.ReadInt32();
                    if (off < 0 || off >= lens[t] || bl[b] < 0 || bl[b] >= items) throw Bad(file, $"corrupt block {b - termBlock[t]} of term {t}");
                    bo[b] = termStart[t] + off;
                }
            ulong blobLen = r.ReadUInt64();
            if (blobLen != (ulong)total) throw Bad(file, $"corrupt: postings are {blobLen} bytes, the term table says {total}");
            var blob = r.ReadBytes((int)total);
            if (blob.Length != total) throw Bad(file, "truncated postings");
            if (r.BaseStream.Position != r.BaseStream.Length) throw Bad(file, $"corrupt: {r.BaseStream.Length - r.BaseStream.Position} unexpected bytes after the postings");
            return new SparseIndex(items, V, hash, scale, topK == 0 ? null : topK, ids, df, maxImp, termStart, termBlock, bl, bm, bo, blob);
        }
        catch (EndOfStreamException) { throw Bad(file, "truncated or corrupt: the structure runs past the end of the file"); }
        catch (DecoderFallbackException) { throw Bad(file, "corrupt: a string is not valid UTF-8"); }
        catch (FormatException) { throw Bad(file, "corrupt: bad length prefix"); }
    }

    private static long Remaining(BinaryReader r) => r.BaseStream.Length - r.BaseStream.Position;

    private static string ReadString(BinaryReader r)
    {
        int n = r.Read7BitEncodedInt();
        if (n < 0 || n > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        return Utf8.GetString(r.ReadBytes(n));
    }

    private static InvalidDataException Bad(string file, string what) => new($"{file}: {what}");
}

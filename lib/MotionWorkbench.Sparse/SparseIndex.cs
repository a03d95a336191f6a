using System.Runtime.CompilerServices;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Sparse;

/// <summary>
/// An exact impact inverted index over sparse lexical vectors. Each item's weights are (optionally top-k truncated and)
/// quantised to integer impacts = round(weight x Scale), zeros dropped; each vocabulary term keeps its postings
/// (item, impact) in item order, item ids delta-coded and impacts stored as LEB128 varints, plus its maximum impact and,
/// per block of <see cref="BlockSize"/> postings, the block's last item and maximum impact (for skipping).
/// A query is quantised the same way; an item's score is the integer sum over shared terms of query impact x item
/// impact (the dot product of the quantised vectors times Scale^2). Results are the k highest scores, ties broken by
/// the smaller item index; only items sharing at least one term with the query (score &gt; 0) are returned.
/// </summary>
// One file per responsibility (PISA's layout): this file holds the index itself (its arrays, figures, queries' entry
// points and the postings coding); SparseIndex.Builder.cs builds it, SparseIndex.Exhaustive.cs and SparseIndex.MaxScore.cs
// are the two query strategies, SparseIndex.Heaps.cs their shared heaps and scratch space, SparseIndex.ItemMajor.cs the
// item-major view, SparseIndexFile.cs the file format (save, load).
public sealed partial class SparseIndex
{
    /// <summary>Postings per skip block.</summary>
    public const int BlockSize = 128;

    public int ItemCount { get; }
    public int VocabularySize { get; }
    public string VocabularyHash { get; }
    public int Scale { get; }
    public int? TopK { get; }
    public IReadOnlyList<string>? Ids => ids;

    private readonly string[]? ids;
    // Per term (length VocabularySize): postings count, max impact, byte range [TermStart[t], TermStart[t+1]) of the
    // postings blob and block range [TermBlock[t], TermBlock[t+1]) of the block arrays.
    private readonly int[] df;
    private readonly int[] maxImpact;
    private readonly int[] termStart;
    private readonly int[] termBlock;
    // Per block: last item id, max impact, byte offset of the block's first posting in the blob.
    private readonly int[] blockLast;
    private readonly int[] blockMax;
    private readonly int[] blockOffset;
    private readonly byte[] blob;
    private long? bytes;

    private SparseIndex(int items, int vocabularySize, string vocabularyHash, int scale, int? topK, string[]? ids,
        int[] df, int[] maxImpact, int[] termStart, int[] termBlock, int[] blockLast, int[] blockMax, int[] blockOffset, byte[] blob)
    {
        ItemCount = items;
        VocabularySize = vocabularySize;
        VocabularyHash = vocabularyHash;
        Scale = scale;
        TopK = topK;
        this.ids = ids;
        this.df = df;
        this.maxImpact = maxImpact;
        this.termStart = termStart;
        this.termBlock = termBlock;
        this.blockLast = blockLast;
        this.blockMax = blockMax;
        this.blockOffset = blockOffset;
        this.blob = blob;
    }

    /// <summary>Builds an index over <paramref name="items"/> (item i = items[i]); <paramref name="ids"/>, when given, names each item.</summary>
    public static SparseIndex Build(IReadOnlyList<SparseVector> items, int vocabularySize, string vocabularyHash, IReadOnlyList<string>? ids, IndexBuildOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (ids is not null && ids.Count != items.Count) throw new ArgumentException($"{ids.Count} ids for {items.Count} items");
        var b = new Builder(vocabularySize, vocabularyHash, options ?? new IndexBuildOptions());
        for (int i = 0; i < items.Count; i++) b.Add(items[i]);
        return b.Build(ids);
    }

    /// <summary>Postings count of a term (0 when absent).</summary>
    public int DocumentFrequency(int term) => df[term];

    /// <summary>Largest impact of a term (0 when absent).</summary>
    public int MaxImpact(int term) => maxImpact[term];

    /// <summary>Number of terms with at least one posting.</summary>
    public int TermCount => df.Count(d => d > 0);

    /// <summary>Total postings (= quantised non-zeros over all items).</summary>
    public long PostingCount => df.Sum(d => (long)d);

    /// <summary>Size figures; Bytes is the exact size of the saved file.</summary>
    public IndexInfo Info => new(ItemCount, VocabularySize, VocabularyHash, Scale, TopK, TermCount, PostingCount, bytes ??= SavedLength());

    /// <summary>The quantised (term, impact) pairs of item <paramref name="item"/> decoded from the postings (slow: scans every term).</summary>
    public (int[] Terms, int[] Impacts) Decode(int item)
    {
        var t = new List<int>();
        var w = new List<int>();
        for (int term = 0; term < VocabularySize; term++)
        {
            if (df[term] == 0) continue;
            int pos = termStart[term], end = termStart[term + 1], doc = -1;
            while (pos < end)
            {
                doc += ReadVarint(blob, ref pos);
                int imp = ReadVarint(blob, ref pos);
                if (doc == item) { t.Add(term); w.Add(imp); break; }
                if (doc > item) break;
            }
        }
        return (t.ToArray(), w.ToArray());
    }

    /// <summary>The query's quantised (term, impact) pairs; terms outside the vocabulary are an error.</summary>
    public (int[] Terms, int[] Impacts) QuantiseQuery(SparseVector query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Count > 0 && query.Terms[^1] >= VocabularySize)
            throw new ArgumentException($"query term {query.Terms[^1]} is outside the index's vocabulary of {VocabularySize} terms");
        return Quantiser.Apply(query, Scale, null);
    }

    /// <summary>The k best items for <paramref name="query"/>: score descending, then item ascending.</summary>
    public IndexHit[] Search(SparseVector query, int k, SearchMode mode = SearchMode.Exhaustive)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), $"k must be >= 0, got {k}");
        var (qt, qw) = QuantiseQuery(query);
        var scratch = Scratch.Get();
        return mode switch
        {
            SearchMode.Exhaustive => Exhaustive(qt, qw, k, scratch),
            SearchMode.MaxScore => MaxScore(qt, qw, k, scratch),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
    }

    /// <summary>Searches every query, in parallel over the engine's threads (<see cref="Par"/>); result i answers query i.</summary>
    public IndexHit[][] SearchBatch(IReadOnlyList<SparseVector> queries, int k, SearchMode mode = SearchMode.Exhaustive)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var results = new IndexHit[queries.Count][];
        Par.For(queries.Count, 1, (start, end) =>
        {
            for (int i = start; i < end; i++) results[i] = Search(queries[i], k, mode);
        });
        return results;
    }

    // ------------------------------------------------------------------------------------------- postings coding

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int ReadVarint(byte[] data, ref int pos)
    {
        int b = data[pos++];
        if (b < 0x80) return b;
        int v = b & 0x7F, shift = 7;
        while (true)
        {
            b = data[pos++];
            v |= (b & 0x7F) << shift;
            if (b < 0x80) return v;
            shift += 7;
        }
    }

    internal static void WriteVarint(ref byte[] buf, ref int len, uint v)
    {
        if (buf.Length - len < 5) Array.Resize(ref buf, Math.Max(16, buf.Length * 2));
        while (v >= 0x80)
        {
            buf[len++] = (byte)(v | 0x80);
            v >>= 7;
        }
        buf[len++] = (byte)v;
    }
}

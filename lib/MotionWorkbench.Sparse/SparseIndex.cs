using System.Numerics;
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
    public SearchHit[] Search(SparseVector query, int k, SearchMode mode = SearchMode.Exhaustive)
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
    public SearchHit[][] SearchBatch(IReadOnlyList<SparseVector> queries, int k, SearchMode mode = SearchMode.Exhaustive)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var results = new SearchHit[queries.Count][];
        Par.For(queries.Count, 1, (start, end) =>
        {
            for (int i = start; i < end; i++) results[i] = Search(queries[i], k, mode);
        });
        return results;
    }

    // ---------------------------------------------------------------------------------------------- exhaustive (TAAT)

    private SearchHit[] Exhaustive(int[] qt, int[] qw, int k, Scratch s)
    {
        if (k == 0 || qt.Length == 0) return [];
        long bound = 0;
        for (int i = 0; i < qt.Length; i++) bound += (long)qw[i] * maxImpact[qt[i]];
        if (bound == 0) return [];
        var heap = new TopHeap(k);
        if (bound <= int.MaxValue)
        {
            var acc = s.IntAccumulator(ItemCount);
            Taat(qt, qw, acc);
            for (int d = 0; d < acc.Length; d++)
            {
                int v = acc[d];
                if (v > 0 && (heap.Count < k || v > heap.MinScore)) heap.Push(v, d);
            }
            acc.AsSpan().Clear();
        }
        else
        {
            var acc = s.LongAccumulator(ItemCount);
            Taat(qt, qw, acc);
            for (int d = 0; d < acc.Length; d++)
            {
                long v = acc[d];
                if (v > 0 && (heap.Count < k || v > heap.MinScore)) heap.Push(v, d);
            }
            acc.AsSpan().Clear();
        }
        return heap.Result(this);
    }

    private void Taat<T>(int[] qt, int[] qw, T[] acc) where T : unmanaged, IBinaryInteger<T>
    {
        var data = blob;
        for (int i = 0; i < qt.Length; i++)
        {
            int t = qt[i];
            if (df[t] == 0) continue;
            T w = T.CreateTruncating(qw[i]);
            int pos = termStart[t], end = termStart[t + 1], doc = -1;
            while (pos < end)
            {
                doc += ReadVarint(data, ref pos);
                int imp = ReadVarint(data, ref pos);
                acc[doc] += w * T.CreateTruncating(imp);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ MaxScore (DAAT)

    /// <summary>A postings cursor: current item (int.MaxValue when exhausted) and impact, block and byte position.</summary>
    private struct Cursor
    {
        public int Term, Weight, Doc, Impact, Pos, Block, BlockEnd, Shallow;
        public long UpperBound;
    }

    /// <summary>
    /// Block-max MaxScore (as Lucene's MaxScoreBulkScorer): the items are visited in windows inside which every term's
    /// postings lie in one block, so its block max x query weight bounds its contribution there. Per window the terms
    /// are sorted by that local bound; the lowest ones whose bounds sum to at most the current k-th score are
    /// non-essential (an item matching only them cannot enter the top-k); candidates come from the essential terms
    /// only and the non-essential ones are probed (skipping by block) while they can still lift the score over the
    /// threshold. A window whose bounds sum to at most the threshold is skipped without decoding.
    /// </summary>
    private SearchHit[] MaxScore(int[] qt, int[] qw, int k, Scratch s)
    {
        if (k == 0 || qt.Length == 0) return [];
        int n = 0;
        var cursors = new Cursor[qt.Length];
        for (int i = 0; i < qt.Length; i++)
        {
            int t = qt[i];
            if (df[t] == 0) continue;
            var c = new Cursor { Term = t, Weight = qw[i], UpperBound = (long)qw[i] * maxImpact[t], Pos = termStart[t], Block = termBlock[t], Shallow = termBlock[t], BlockEnd = termBlock[t + 1], Doc = -1 };
            Next(ref c);
            cursors[n++] = c;
        }
        if (n == 0) return [];
        var heap = new TopHeap(k);
        long threshold = 0; // an item enters when its score > threshold (items come in ascending order, so a tie never wins)
        var order = new int[n];   // cursor indices by ascending local bound
        var local = new long[n];  // local bound of cursor order[j]
        var prefix = new long[n + 1];
        int windowStart = 0;
        while (true)
        {
            // The window [windowStart, windowEnd]: up to the nearest end of the blocks that cover windowStart.
            int windowEnd = int.MaxValue, live = 0, minDoc = int.MaxValue;
            for (int i = 0; i < n; i++)
            {
                ref var c = ref cursors[i];
                if (c.Doc == int.MaxValue) continue;
                if (c.Doc < minDoc) minDoc = c.Doc;
            }
            if (minDoc == int.MaxValue) break;
            if (windowStart < minDoc) windowStart = minDoc;
            for (int i = 0; i < n; i++)
            {
                ref var c = ref cursors[i];
                if (c.Doc == int.MaxValue) continue;
                int b = Math.Max(c.Shallow, c.Block);
                while (b < c.BlockEnd && blockLast[b] < windowStart) b++;
                c.Shallow = b;
                if (b == c.BlockEnd) { c.Doc = int.MaxValue; continue; } // a lagging cursor with nothing left at or after the window
                if (blockLast[b] < windowEnd) windowEnd = blockLast[b];
                // Insert by ascending local bound.
                long ub = (long)c.Weight * blockMax[b];
                int j = live++;
                while (j > 0 && local[j - 1] > ub) { local[j] = local[j - 1]; order[j] = order[j - 1]; j--; }
                local[j] = ub;
                order[j] = i;
            }
            for (int j = 0; j < live; j++) prefix[j + 1] = prefix[j] + local[j];
            if (prefix[live] <= threshold)
            {
                if (windowEnd == int.MaxValue) break;
                windowStart = windowEnd + 1;
                continue;
            }
            int firstEssential = 0;
            while (firstEssential < live && prefix[firstEssential + 1] <= threshold) firstEssential++;
            while (true)
            {
                int doc = int.MaxValue;
                for (int j = firstEssential; j < live; j++)
                {
                    int d = cursors[order[j]].Doc;
                    if (d < doc) doc = d;
                }
                if (doc < windowStart)
                {
                    // Essential cursors left behind the window start by skipping: bring them up.
                    for (int j = firstEssential; j < live; j++) NextGeq(ref cursors[order[j]], windowStart);
                    continue;
                }
                if (doc > windowEnd) break;
                long score = 0;
                for (int j = firstEssential; j < live; j++)
                {
                    ref var c = ref cursors[order[j]];
                    if (c.Doc == doc)
                    {
                        score += (long)c.Weight * c.Impact;
                        Next(ref c);
                    }
                }
                for (int j = firstEssential - 1; j >= 0; j--)
                {
                    if (score + prefix[j + 1] <= threshold) break;
                    ref var c = ref cursors[order[j]];
                    NextGeq(ref c, doc);
                    if (c.Doc == doc) score += (long)c.Weight * c.Impact;
                }
                if (score > threshold || (heap.Count < k && score > 0))
                {
                    heap.Push(score, doc);
                    if (heap.Count == k)
                    {
                        threshold = heap.MinScore;
                        while (firstEssential < live && prefix[firstEssential + 1] <= threshold) firstEssential++;
                        if (firstEssential == live) break;
                    }
                }
            }
            if (windowEnd == int.MaxValue) break;
            windowStart = windowEnd + 1;
        }
        return heap.Result(this);
    }

    /// <summary>Advances to the next posting (Doc = int.MaxValue at the end), moving the block index along.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Next(ref Cursor c)
    {
        if (c.Pos >= termStart[c.Term + 1]) { c.Doc = int.MaxValue; c.Block = c.BlockEnd; return; }
        if (c.Doc >= 0 && c.Doc == blockLast[c.Block]) c.Block++;
        c.Doc += ReadVarint(blob, ref c.Pos);
        c.Impact = ReadVarint(blob, ref c.Pos);
    }

    /// <summary>Moves to the first posting with item &gt;= target, skipping whole blocks by their last item.</summary>
    private void NextGeq(ref Cursor c, int target)
    {
        if (c.Doc >= target) return;
        int b = c.Block;
        if (blockLast[b] < target)
        {
            while (b < c.BlockEnd && blockLast[b] < target) b++;
            if (b == c.BlockEnd) { c.Doc = int.MaxValue; c.Block = b; c.Pos = termStart[c.Term + 1]; return; }
            c.Block = b;
            c.Pos = blockOffset[b];
            c.Doc = b == termBlock[c.Term] ? -1 : blockLast[b - 1];
            c.Doc += ReadVarint(blob, ref c.Pos);
            c.Impact = ReadVarint(blob, ref c.Pos);
        }
        while (c.Doc < target) Next(ref c);
    }

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

    // ---------------------------------------------------------------------------------------------------- helpers

    /// <summary>Bounded min-heap of (score, item); the root is the worst kept hit (lowest score, then largest item).</summary>
    private sealed class TopHeap(int k)
    {
        private readonly long[] score = new long[k];
        private readonly int[] item = new int[k];
        public int Count { get; private set; }
        public long MinScore => score[0];

        private static bool Worse(long s1, int i1, long s2, int i2) => s1 < s2 || (s1 == s2 && i1 > i2);

        public void Push(long s, int d)
        {
            if (Count < score.Length)
            {
                int i = Count++;
                while (i > 0)
                {
                    int p = (i - 1) / 2;
                    if (!Worse(s, d, score[p], item[p])) break;
                    score[i] = score[p];
                    item[i] = item[p];
                    i = p;
                }
                score[i] = s;
                item[i] = d;
                return;
            }
            if (!Worse(score[0], item[0], s, d)) return;
            int j = 0;
            while (true)
            {
                int l = 2 * j + 1;
                if (l >= Count) break;
                int r = l + 1, m = r < Count && Worse(score[r], item[r], score[l], item[l]) ? r : l;
                if (!Worse(score[m], item[m], s, d)) break;
                score[j] = score[m];
                item[j] = item[m];
                j = m;
            }
            score[j] = s;
            item[j] = d;
        }

        public SearchHit[] Result(SparseIndex index)
        {
            var order = Enumerable.Range(0, Count).ToArray();
            Array.Sort(order, (a, b) => score[a] != score[b] ? score[b].CompareTo(score[a]) : item[a].CompareTo(item[b]));
            double s2 = (double)index.Scale * index.Scale;
            return order.Select(o => new SearchHit(item[o], index.ids?[item[o]], score[o], score[o] / s2)).ToArray();
        }
    }

    /// <summary>Per-thread accumulators, reused across queries on the same index.</summary>
    private sealed class Scratch
    {
        [ThreadStatic] private static Scratch? current;
        private int[]? ints;
        private long[]? longs;

        public static Scratch Get() => current ??= new Scratch();

        /// <summary>A zeroed accumulator of length n (callers clear it after use).</summary>
        public int[] IntAccumulator(int n) => ints is { } a && a.Length == n ? a : ints = new int[n];
        public long[] LongAccumulator(int n) => longs is { } a && a.Length == n ? a : longs = new long[n];
    }

    // ---------------------------------------------------------------------------------------------------- builder

    /// <summary>Streams items into per-term compressed postings; <see cref="Build"/> freezes them into an index.</summary>
    public sealed class Builder
    {
        private readonly int vocabularySize;
        private readonly string vocabularyHash;
        private readonly IndexBuildOptions options;
        private readonly byte[][] buffers;
        private readonly int[] lengths, last, counts, maxImp, curBlockMax, curBlockStart;
        private readonly List<(int Term, int Last, int Max, int Offset)> blocks = [];
        private int items;

        public Builder(int vocabularySize, string vocabularyHash, IndexBuildOptions options)
        {
            if (vocabularySize < 1) throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"vocabulary size must be >= 1, got {vocabularySize}");
            ArgumentNullException.ThrowIfNull(vocabularyHash);
            ArgumentNullException.ThrowIfNull(options);
            if (options.Scale < 1) throw new ArgumentException($"scale must be >= 1, got {options.Scale}");
            if (options.TopK is < 1) throw new ArgumentException($"top-k must be >= 1 (or none), got {options.TopK}");
            this.vocabularySize = vocabularySize;
            this.vocabularyHash = vocabularyHash;
            this.options = options;
            buffers = new byte[vocabularySize][];
            lengths = new int[vocabularySize];
            last = new int[vocabularySize];
            Array.Fill(last, -1);
            counts = new int[vocabularySize];
            maxImp = new int[vocabularySize];
            curBlockMax = new int[vocabularySize];
            curBlockStart = new int[vocabularySize];
        }

        public int Count => items;

        /// <summary>Adds the next item (its index is the number of items added before it).</summary>
        public void Add(SparseVector v)
        {
            ArgumentNullException.ThrowIfNull(v);
            if (v.Count > 0 && v.Terms[^1] >= vocabularySize)
                throw new ArgumentException($"item {items}: term {v.Terms[^1]} is outside the vocabulary of {vocabularySize} terms");
            var (terms, impacts) = Quantiser.Apply(v, options.Scale, options.TopK);
            AddQuantised(terms, impacts);
        }

        /// <summary>Adds an already quantised item: strictly increasing terms and positive impacts.</summary>
        public void AddQuantised(ReadOnlySpan<int> terms, ReadOnlySpan<int> impacts)
        {
            if (items == int.MaxValue) throw new InvalidOperationException("too many items");
            int item = items++;
            for (int i = 0; i < terms.Length; i++)
            {
                int t = terms[i], imp = impacts[i];
                if (imp <= 0) throw new ArgumentException($"item {item}: impact {imp} of term {t} must be positive");
                if (counts[t] > 0 && last[t] >= item) throw new ArgumentException($"item {item}: term {t} repeated");
                ref var buf = ref buffers[t];
                buf ??= new byte[16];
                WriteVarint(ref buf, ref lengths[t], (uint)(item - last[t]));
                WriteVarint(ref buf, ref lengths[t], (uint)imp);
                last[t] = item;
                if (imp > maxImp[t]) maxImp[t] = imp;
                if (imp > curBlockMax[t]) curBlockMax[t] = imp;
                if (++counts[t] % BlockSize == 0)
                {
                    blocks.Add((t, item, curBlockMax[t], curBlockStart[t]));
                    curBlockMax[t] = 0;
                    curBlockStart[t] = lengths[t];
                }
            }
        }

        public SparseIndex Build(IReadOnlyList<string>? ids = null)
        {
            if (ids is not null && ids.Count != items) throw new ArgumentException($"{ids.Count} ids for {items} items");
            int V = vocabularySize;
            for (int t = 0; t < V; t++)
                if (counts[t] % BlockSize != 0) blocks.Add((t, last[t], curBlockMax[t], curBlockStart[t]));
            var termStart = new int[V + 1];
            long total = 0;
            for (int t = 0; t < V; t++)
            {
                termStart[t] = (int)total;
                total += lengths[t];
                if (total > Array.MaxLength) throw new InvalidOperationException($"postings exceed {Array.MaxLength} bytes");
            }
            termStart[V] = (int)total;
            var blob = new byte[total];
            for (int t = 0; t < V; t++)
                if (lengths[t] > 0) buffers[t].AsSpan(0, lengths[t]).CopyTo(blob.AsSpan(termStart[t]));
            // Blocks were appended in time order; a stable counting sort by term keeps each term's blocks in item order.
            var termBlock = new int[V + 1];
            foreach (var b in blocks) termBlock[b.Term + 1]++;
            for (int t = 0; t < V; t++) termBlock[t + 1] += termBlock[t];
            var fill = termBlock[..V];
            int nb = blocks.Count;
            var bl = new int[nb];
            var bm = new int[nb];
            var bo = new int[nb];
            foreach (var b in blocks)
            {
                int j = fill[b.Term]++;
                bl[j] = b.Last;
                bm[j] = b.Max;
                bo[j] = termStart[b.Term] + b.Offset;
            }
            return new SparseIndex(items, V, vocabularyHash, options.Scale, options.TopK, ids?.ToArray(),
                (int[])counts.Clone(), (int[])maxImp.Clone(), termStart, termBlock, bl, bm, bo, blob);
        }
    }
}

public sealed partial class SparseIndex
{
    /// <summary>
    /// Every item's quantised (term, impact) pairs, item-major (CSR): item i owns entries [Offsets[i], Offsets[i+1]),
    /// terms ascending. One pass over all postings.
    /// </summary>
    public (int[] Offsets, int[] Terms, int[] Impacts) ItemMajor()
    {
        var offsets = new int[ItemCount + 1];
        for (int t = 0; t < VocabularySize; t++)
        {
            int pos = termStart[t], end = termStart[t + 1], doc = -1;
            while (pos < end)
            {
                doc += ReadVarint(blob, ref pos);
                ReadVarint(blob, ref pos);
                offsets[doc + 1]++;
            }
        }
        for (int i = 0; i < ItemCount; i++) offsets[i + 1] += offsets[i];
        long total = offsets[ItemCount];
        var terms = new int[total];
        var impacts = new int[total];
        var fill = offsets[..ItemCount];
        for (int t = 0; t < VocabularySize; t++)
        {
            int pos = termStart[t], end = termStart[t + 1], doc = -1;
            while (pos < end)
            {
                doc += ReadVarint(blob, ref pos);
                int imp = ReadVarint(blob, ref pos);
                int j = fill[doc]++;
                terms[j] = t;
                impacts[j] = imp;
            }
        }
        return (offsets, terms, impacts);
    }
}

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first query (a CLI search runs one)
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    // ------------------------------------------------------------------------------------- MaxScore (TAAT, pruned)

    /// <summary>
    /// Term-at-a-time MaxScore (Turtle and Flood's TAAT MaxScore with block-max probing). The query's terms are taken in
    /// descending order of their bound (query impact x the term's max impact); R = the bound sum of the terms not yet
    /// taken. Phase 1 adds whole postings lists into the accumulator and keeps theta, a lower bound on the final k-th
    /// score (the k-th largest partial score among the items of the list just added: partial scores only grow, and the
    /// items of one list are distinct). As soon as R &lt; theta no item that is still at 0 can reach theta, so phase 2
    /// keeps only the candidates with accumulator + R &gt;= theta (in item order) and, per remaining term, probes its
    /// postings for them only: blocks are skipped by their last item, and a candidate whose accumulator + weight x the
    /// block's max impact + the rest's bound is below theta is dropped without decoding the block. Every item of the
    /// true top-k keeps a bound &gt;= its score &gt;= the final k-th score &gt;= theta, so it survives with its exact score;
    /// the survivors then go through the same (score desc, item asc) heap as the exhaustive search, so the results are
    /// identical, ties included. When R never drops below theta this is the exhaustive search plus the theta upkeep.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SearchHit[] MaxScore(int[] qt, int[] qw, int k, Scratch s)
    {
        if (k == 0 || qt.Length == 0) return [];
        int n = 0;
        var terms = new int[qt.Length];
        var weights = new int[qt.Length];
        var bounds = new long[qt.Length];
        for (int i = 0; i < qt.Length; i++)
        {
            int t = qt[i];
            if (df[t] == 0) continue;
            terms[n] = t;
            weights[n] = qw[i];
            bounds[n++] = (long)qw[i] * maxImpact[t];
        }
        if (n == 0) return [];
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => bounds[a] != bounds[b] ? bounds[b].CompareTo(bounds[a]) : df[terms[a]] != df[terms[b]] ? df[terms[a]].CompareTo(df[terms[b]]) : terms[a].CompareTo(terms[b]));
        var plan = new TermPlan(n);
        for (int j = 0; j < n; j++)
        {
            plan.Term[j] = terms[order[j]];
            plan.Weight[j] = weights[order[j]];
        }
        for (int j = n - 1; j >= 0; j--) plan.Rest[j] = plan.Rest[j + 1] + bounds[order[j]];
        if (plan.Rest[0] == 0) return [];
        return plan.Rest[0] <= int.MaxValue
            ? PrunedTaat(plan, k, s.IntAccumulator(ItemCount), s)
            : PrunedTaat(plan, k, s.LongAccumulator(ItemCount), s);
    }

    /// <summary>The query's terms in processing order; Rest[j] = bound sum of terms j.. (Rest[n] = 0).</summary>
    private sealed class TermPlan(int n)
    {
        public readonly int[] Term = new int[n];
        public readonly int[] Weight = new int[n];
        public readonly long[] Rest = new long[n + 1];
        public int Count => Term.Length;
    }

    /// <summary>What the last MaxScore query on this thread did (for tests): 0 phase 1 only, 1 phase 2, 2 phase 2 given up.</summary>
    [ThreadStatic] internal static int LastMaxScorePath;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SearchHit[] PrunedTaat<T>(TermPlan plan, int k, T[] acc, Scratch s) where T : unmanaged, IBinaryInteger<T>
    {
        LastMaxScorePath = 0;
        var data = blob;
        int n = plan.Count, N = ItemCount;
        // Touched items are listed while they are few (then the scans below visit them only), else every item is scanned.
        var touched = s.Touched(N);
        int touchedCount = 0, trackLimit = N / 4;
        bool tracking = true;
        var kth = s.Kth(k);
        long theta = 0, remaining = 0;
        for (int r = 0; r < n; r++) remaining += df[plan.Term[r]];
        int j = 0, checks = 0;
        var cand = s.Candidates(N);
        int c = -1;
        // Phase 1: whole lists while an unseen item could still reach theta, or while probing looks dearer.
        for (; j < n; j++)
        {
            if (plan.Rest[j] < theta + theta / 4 && checks < MaxSwitchChecks)
            {
                checks++;
                // While the touched items are listed, theta from all of them (tighter than the per-list ones); then the
                // candidates it leaves, counted with a cut-off first (a full scan costs about as much as a long list).
                if (tracking)
                {
                    long strong = KthOf(acc, touched, touchedCount, kth);
                    if (strong > theta) theta = strong;
                }
                if (plan.Rest[j] < theta)
                {
                    long need = theta - plan.Rest[j], most = remaining / ProbeCost;
                    if (CountAtLeast(acc, tracking ? touched : null, touchedCount, need, most) < most)
                    {
                        c = Gather(acc, tracking ? touched : null, touchedCount, need, cand);
                        if (tracking) Array.Sort(cand, 0, c);
                        break;
                    }
                }
            }
            int t = plan.Term[j];
            remaining -= df[t];
            if (tracking && touchedCount + df[t] > trackLimit) tracking = false;
            kth.Reset();
            if (tracking) AddListTracked(t, T.CreateTruncating(plan.Weight[j]), acc, touched, ref touchedCount, kth);
            else AddList(t, T.CreateTruncating(plan.Weight[j]), acc, kth);
            if (kth.Full && kth.Min > theta) theta = kth.Min;
        }
        var heap = new TopHeap(k);
        if (c < 0)
        {
            // Every list was added: the exhaustive selection.
            if (tracking)
                for (int i = 0; i < touchedCount; i++) heap.Push(long.CreateTruncating(acc[touched[i]]), touched[i]);
            else
                for (int d = 0; d < N; d++)
                {
                    long v = long.CreateTruncating(acc[d]);
                    if (v > 0 && (heap.Count < k || v > heap.MinScore)) heap.Push(v, d);
                }
            Clear(acc, touched, tracking ? touchedCount : N);
            return heap.Result(this);
        }

        // Phase 2; when it gives up (it wrote nothing) the remaining lists are added whole, as the exhaustive search would.
        LastMaxScorePath = 1;
        if (ProbeCandidates(plan, j, cand, c, acc, theta, remaining, heap))
        {
            Clear(acc, touched, tracking ? touchedCount : N);
            return heap.Result(this);
        }
        LastMaxScorePath = 2;
        for (; j < n; j++) AddList(plan.Term[j], T.CreateTruncating(plan.Weight[j]), acc, kth);
        heap = new TopHeap(k);
        for (int x = 0; x < N; x++)
        {
            long v = long.CreateTruncating(acc[x]);
            if (v > 0 && (heap.Count < k || v > heap.MinScore)) heap.Push(v, x);
        }
        acc.AsSpan().Clear();
        return heap.Result(this);
    }

    /// <summary>
    /// Phase 2 of MaxScore, candidate at a time (ascending): probes the terms p.. in bound order, dropping a candidate as
    /// soon as its bound falls below theta; a survivor's score is exact, goes to the heap and raises theta once k are
    /// known. False (heap undefined) when the projected work exceeds <see cref="AbandonFraction"/> of the postings left:
    /// the bounds are too loose for the candidates to drop early.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ProbeCandidates<T>(TermPlan plan, int p, int[] cand, int c, T[] acc, long theta, long remaining, TopHeap heap) where T : unmanaged, IBinaryInteger<T>
    {
        var data = blob;
        int n = plan.Count, k = heap.Capacity, m = n - p;
        var probe = new Probe[m];
        for (int r = 0; r < m; r++)
        {
            int t = plan.Term[p + r];
            probe[r] = new Probe { Weight = plan.Weight[p + r], First = termBlock[t], Block = termBlock[t], End = termBlock[t + 1], Current = -1 };
        }
        var rest = plan.Rest;
        long work = 0;
        for (int i = 0; i < c; i++)
        {
            if ((i & 63) == 63 && work * (c / (double)i) > remaining * AbandonFraction) return false;
            int d = cand[i];
            long a = long.CreateTruncating(acc[d]);
            bool alive = true;
            for (int r = 0; r < m; r++)
            {
                if (a + rest[p + r] < theta) { alive = false; break; }
                ref var q = ref probe[r];
                int b = q.Block, b0 = b;
                while (b < q.End && blockLast[b] < d) b++;
                work += b - b0 + 4;
                q.Block = b;
                if (b == q.End) continue;
                if (a + (long)q.Weight * blockMax[b] + rest[p + r + 1] < theta) { alive = false; break; }
                if (q.Current != b)
                {
                    q.Current = b;
                    q.Pos = blockOffset[b];
                    q.Doc = b == q.First ? -1 : blockLast[b - 1];
                }
                int doc = q.Doc, pos = q.Pos, imp = q.Impact;
                while (doc < d)
                {
                    doc += ReadVarint(data, ref pos);
                    imp = ReadVarint(data, ref pos);
                    work++;
                }
                q.Doc = doc;
                q.Pos = pos;
                q.Impact = imp;
                if (doc == d) a += (long)q.Weight * imp;
            }
            if (!alive || a < theta) continue;
            heap.Push(a, d);
            if (heap.Count == k && heap.MinScore > theta) theta = heap.MinScore;
        }
        return true;
    }

    /// <summary>The k-th largest accumulator over the listed items (every item when list is null); 0 when fewer than k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long KthOf<T>(T[] acc, int[]? list, int count, KthLargest kth) where T : unmanaged, IBinaryInteger<T>
    {
        kth.Reset();
        long lo = long.MinValue;
        int n = list is null ? acc.Length : count;
        for (int i = 0; i < n; i++)
        {
            long v = long.CreateTruncating(acc[list is null ? i : list[i]]);
            if (v > lo)
            {
                kth.Offer(v);
                if (kth.Full) lo = kth.Min;
            }
        }
        return kth.Full ? kth.Min : 0;
    }

    /// <summary>How many listed items (every item when list is null) have an accumulator of at least need, counting up to most.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long CountAtLeast<T>(T[] acc, int[]? list, int count, long need, long most) where T : unmanaged, IBinaryInteger<T>
    {
        long c = 0;
        if (list is null)
        {
            for (int d = 0; d < acc.Length; d++)
                if (long.CreateTruncating(acc[d]) >= need && ++c >= most) break;
        }
        else
            for (int i = 0; i < count; i++)
                if (long.CreateTruncating(acc[list[i]]) >= need && ++c >= most) break;
        return c;
    }

    /// <summary>The listed items (every item when list is null) whose accumulator is at least need, into cand; their count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Gather<T>(T[] acc, int[]? list, int count, long need, int[] cand) where T : unmanaged, IBinaryInteger<T>
    {
        int c = 0;
        if (list is null)
        {
            for (int d = 0; d < acc.Length; d++)
                if (long.CreateTruncating(acc[d]) >= need) cand[c++] = d;
        }
        else
            for (int i = 0; i < count; i++)
                if (long.CreateTruncating(acc[list[i]]) >= need) cand[c++] = list[i];
        return c;
    }

    /// <summary>Adds term t's list x w into the accumulator, offering the new values to kth and listing newly touched items.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddListTracked<T>(int t, T w, T[] acc, int[] touched, ref int touchedCount, KthLargest kth) where T : unmanaged, IBinaryInteger<T>
    {
        var data = blob;
        int pos = termStart[t], end = termStart[t + 1], doc = -1, count = touchedCount;
        long lo = long.MinValue;
        while (pos < end)
        {
            doc += ReadVarint(data, ref pos);
            int imp = ReadVarint(data, ref pos);
            T old = acc[doc];
            if (old == T.Zero) touched[count++] = doc;
            T v = old + w * T.CreateTruncating(imp);
            acc[doc] = v;
            long lv = long.CreateTruncating(v);
            if (lv > lo)
            {
                kth.Offer(lv);
                if (kth.Full) lo = kth.Min;
            }
        }
        touchedCount = count;
    }

    /// <summary>Adds term t's list x w into the accumulator, offering the new values to kth.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddList<T>(int t, T w, T[] acc, KthLargest kth) where T : unmanaged, IBinaryInteger<T>
    {
        var data = blob;
        int pos = termStart[t], end = termStart[t + 1], doc = -1;
        long lo = long.MinValue;
        while (pos < end)
        {
            doc += ReadVarint(data, ref pos);
            int imp = ReadVarint(data, ref pos);
            T v = acc[doc] + w * T.CreateTruncating(imp);
            acc[doc] = v;
            long lv = long.CreateTruncating(v);
            if (lv > lo)
            {
                kth.Offer(lv);
                if (kth.Full) lo = kth.Min;
            }
        }
    }

    /// <summary>Phase 2 is given up when its projected work (decoded postings + blocks walked + 4 per probe) exceeds this fraction of the postings left.</summary>
    private const double AbandonFraction = 0.6;

    /// <summary>Phase 1 -> 2 switch tests per query (each scans the touched items twice).</summary>
    private const int MaxSwitchChecks = 3;

    /// <summary>Phase 2 is chosen when candidates x this &lt; the postings left to add (a candidate's probes cost about that many decoded postings).</summary>
    private const int ProbeCost = 32;

    private static void Clear<T>(T[] acc, int[] touched, int count) where T : unmanaged, IBinaryInteger<T>
    {
        if (count < acc.Length / 8)
            for (int i = 0; i < count; i++) acc[touched[i]] = T.Zero;
        else acc.AsSpan().Clear();
    }

    /// <summary>A remaining term's position in phase 2: its block, the decoded block and the last decoded posting.</summary>
    private struct Probe
    {
        public int Weight, First, Block, End, Current, Pos, Doc, Impact;
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
        public int Capacity => score.Length;
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

    /// <summary>The k largest of a stream of values (a min-heap of k longs): Min is the k-th largest once Full.</summary>
    private sealed class KthLargest(int k)
    {
        private readonly long[] h = new long[k];
        private int count;
        public int K => k;
        public bool Full => count == k;
        public long Min => h[0];

        public void Reset() => count = 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Offer(long v)
        {
            if (count == h.Length)
            {
                if (v > h[0]) SiftDown(v);
                return;
            }
            int i = count++;
            while (i > 0)
            {
                int p = (i - 1) / 2;
                if (h[p] <= v) break;
                h[i] = h[p];
                i = p;
            }
            h[i] = v;
        }

        private void SiftDown(long v)
        {
            int j = 0, n = count;
            while (true)
            {
                int l = 2 * j + 1;
                if (l >= n) break;
                int m = l + 1 < n && h[l + 1] < h[l] ? l + 1 : l;
                if (h[m] >= v) break;
                h[j] = h[m];
                j = m;
            }
            h[j] = v;
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

        private int[]? touched, candidates;
        private KthLargest? kth;

        /// <summary>Items touched by phase 1 of MaxScore (no clearing needed: only the written prefix is read).</summary>
        public int[] Touched(int n) => touched is { } a && a.Length >= n ? a : touched = new int[n];
        public int[] Candidates(int n) => candidates is { } a && a.Length >= n ? a : candidates = new int[n];
        public KthLargest Kth(int k) => kth is { } h && h.K == k ? h : kth = new KthLargest(k);
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

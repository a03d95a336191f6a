using System.Numerics;
using System.Runtime.CompilerServices;

namespace MotionWorkbench.Sparse;

// The MaxScore strategy (term-at-a-time, pruned, with block-max probing): the same top-k as the exhaustive search.
public sealed partial class SparseIndex
{
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
    private IndexHit[] MaxScore(int[] qt, int[] qw, int k, Scratch s)
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
    private IndexHit[] PrunedTaat<T>(TermPlan plan, int k, T[] acc, Scratch s) where T : unmanaged, IBinaryInteger<T>
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
}

using System.Runtime.CompilerServices;

namespace MotionWorkbench.Sparse;

// What the query strategies share: the bounded top-k heap of hits, the k-th-largest tracker and the per-thread scratch
// space (accumulators, touched items, candidates).
public sealed partial class SparseIndex
{
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

        public IndexHit[] Result(SparseIndex index)
        {
            var order = Enumerable.Range(0, Count).ToArray();
            Array.Sort(order, (a, b) => score[a] != score[b] ? score[b].CompareTo(score[a]) : item[a].CompareTo(item[b]));
            double s2 = (double)index.Scale * index.Scale;
            return order.Select(o => new IndexHit(item[o], index.ids?[item[o]], score[o], score[o] / s2)).ToArray();
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
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace MotionWorkbench.Sparse;

// The exhaustive strategy (term-at-a-time): every query term's postings are added into a per-item accumulator, then
// the top-k heap takes every item with a positive score. The reference every other strategy must match.
public sealed partial class SparseIndex
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first query (a CLI search runs one)
    private IndexHit[] Exhaustive(int[] qt, int[] qw, int k, Scratch s)
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
}

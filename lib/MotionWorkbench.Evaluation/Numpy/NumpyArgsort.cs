namespace MotionWorkbench.Evaluation.Numpy;

/// <summary>
/// numpy's default <c>np.argsort</c> (kind="quicksort") for float32 rows, reproduced so that tied scores come out
/// in the same order as in the reference scripts: an introsort over indices with median-of-three pivots, partitions
/// of at most 16 elements finished by insertion sort, the smaller side first, and a heapsort fallback when the depth
/// budget 2*floor(log2 n) runs out (numpy/core/src/npysort, aquicksort / aheapsort). The input must hold no NaN.
/// </summary>
public static class NumpyArgsort
{
    private const int SmallQuicksort = 15;

    /// <summary>Fills <paramref name="order"/> with 0..n-1 sorted ascending by <paramref name="values"/>.</summary>
    public static void Argsort(ReadOnlySpan<float> values, Span<int> order)
    {
        int n = values.Length;
        if (order.Length != n) throw new ArgumentException($"order has {order.Length} entries for {n} values", nameof(order));
        for (int i = 0; i < n; i++) order[i] = i;
        if (n < 2) return;

        Span<int> stack = stackalloc int[128];
        Span<int> depths = stackalloc int[64];
        int sp = 0, dp = 0;
        int pl = 0, pr = n - 1;
        int cdepth = MostSignificantBit(n) * 2;
        for (;;)
        {
            if (cdepth < 0)
            {
                HeapSort(values, order.Slice(pl, pr - pl + 1));
            }
            else
            {
                while (pr - pl > SmallQuicksort)
                {
                    int pm = pl + ((pr - pl) >> 1);
                    if (values[order[pm]] < values[order[pl]]) Swap(order, pm, pl);
                    if (values[order[pr]] < values[order[pm]]) Swap(order, pr, pm);
                    if (values[order[pm]] < values[order[pl]]) Swap(order, pm, pl);
                    float vp = values[order[pm]];
                    int pi = pl, pj = pr - 1;
                    Swap(order, pm, pj);
                    for (;;)
                    {
                        do { ++pi; } while (values[order[pi]] < vp);
                        do { --pj; } while (vp < values[order[pj]]);
                        if (pi >= pj) break;
                        Swap(order, pi, pj);
                    }
                    Swap(order, pi, pr - 1);
                    if (pi - pl < pr - pi)
                    {
                        stack[sp++] = pi + 1; stack[sp++] = pr;
                        pr = pi - 1;
                    }
                    else
                    {
                        stack[sp++] = pl; stack[sp++] = pi - 1;
                        pl = pi + 1;
                    }
                    depths[dp++] = --cdepth;
                }
                for (int pi = pl + 1; pi <= pr; ++pi)
                {
                    int vi = order[pi];
                    float v = values[vi];
                    int pj = pi;
                    while (pj > pl && v < values[order[pj - 1]]) { order[pj] = order[pj - 1]; pj--; }
                    order[pj] = vi;
                }
            }
            if (sp == 0) break;
            pr = stack[--sp];
            pl = stack[--sp];
            cdepth = depths[--dp];
        }
    }

    /// <summary>numpy's <c>aheapsort</c> (also <c>np.argsort(kind="heapsort")</c>) on the indices in <paramref name="tosort"/>.</summary>
    internal static void HeapSort(ReadOnlySpan<float> v, Span<int> tosort)
    {
        // 1-based heap indexing as in numpy: a[k] is tosort[k - 1].
        int n = tosort.Length;
        for (int l = n >> 1; l > 0; --l)
        {
            int tmp = tosort[l - 1];
            int i = l, j = l << 1;
            while (j <= n)
            {
                if (j < n && v[tosort[j - 1]] < v[tosort[j]]) j++;
                if (v[tmp] < v[tosort[j - 1]]) { tosort[i - 1] = tosort[j - 1]; i = j; j += j; }
                else break;
            }
            tosort[i - 1] = tmp;
        }
        for (; n > 1;)
        {
            int tmp = tosort[n - 1];
            tosort[n - 1] = tosort[0];
            n--;
            int i = 1, j = 2;
            while (j <= n)
            {
                if (j < n && v[tosort[j - 1]] < v[tosort[j]]) j++;
                if (v[tmp] < v[tosort[j - 1]]) { tosort[i - 1] = tosort[j - 1]; i = j; j += j; }
                else break;
            }
            tosort[i - 1] = tmp;
        }
    }

    private static int MostSignificantBit(int n)
    {
        int depth = 0;
        while ((n >>= 1) != 0) depth++;
        return depth;
    }

    private static void Swap(Span<int> a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);
}

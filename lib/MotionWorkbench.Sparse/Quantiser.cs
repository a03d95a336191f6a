namespace MotionWorkbench.Sparse;

/// <summary>Top-k truncation and x Scale integer quantisation (round half away from zero; zeros dropped).</summary>
public static class Quantiser
{
    public static int Quantise(float weight, int scale) => (int)Math.Round((double)weight * scale, MidpointRounding.AwayFromZero);

    /// <summary>The (term, impact) pairs of <paramref name="v"/> after optional top-k and quantisation, terms ascending.</summary>
    public static (int[] Terms, int[] Impacts) Apply(SparseVector v, int scale, int? topK)
    {
        int[] idx;
        if (topK is int k && k < v.Count)
        {
            idx = Enumerable.Range(0, v.Count).ToArray();
            var w = v.Weights;
            Array.Sort(idx, (a, b) => w[b] != w[a] ? w[b].CompareTo(w[a]) : a.CompareTo(b));
            idx = idx[..Math.Max(k, 0)];
            Array.Sort(idx);
        }
        else idx = Enumerable.Range(0, v.Count).ToArray();
        var terms = new List<int>(idx.Length);
        var imps = new List<int>(idx.Length);
        foreach (var i in idx)
        {
            double q = Math.Round((double)v.Weights[i] * scale, MidpointRounding.AwayFromZero);
            if (q > int.MaxValue) throw new ArgumentException($"weight {v.Weights[i]} x {scale} does not fit a 32-bit impact");
            if (q >= 1) { terms.Add(v.Terms[i]); imps.Add((int)q); }
        }
        return (terms.ToArray(), imps.ToArray());
    }
}

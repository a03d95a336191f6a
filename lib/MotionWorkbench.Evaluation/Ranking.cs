using System.Numerics;
using MotionWorkbench.Evaluation.Numpy;

namespace MotionWorkbench.Evaluation;

/// <summary>
/// Per-query ranks under the two reference rules.
/// <para><b>Identical-caption rule</b> (Motion Patches test.py): keys are <c>100f * S</c> in float32 (the reference
/// scales before sorting, which can merge near-ties), the row is sorted descending as <c>np.argsort(row)[::-1]</c>,
/// and the rank is the smallest 0-based position of any positive. When the best positive's key is unique in the
/// row the rank is simply the count of larger keys; otherwise the row is argsorted exactly as numpy does.</para>
/// <para><b>Diagonal rule</b> (TMR metrics.py, "averaging"): the rank of query i is the mean 0-based position of
/// the entries tied with the diagonal entry: #{larger} + (#{equal} - 1) / 2.</para>
/// </summary>
public static class Ranking
{
    /// <summary>The Motion Patches scale applied to similarities before sorting.</summary>
    public const float MotionPatchesScale = 100f;

    /// <summary>
    /// Ranks of every row of <paramref name="s"/> (square, item i = row i = column i) where the positives of
    /// query i are the items whose caption group equals item i's group.
    /// </summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static double[] IdenticalCaptionRanks(SimilarityMatrix s, int[] group, int threads = 0)
    {
        s.RequireSquare("identical-caption");
        int n = s.Rows;
        if (group.Length != n) throw new ArgumentException($"{group.Length} caption groups for {n} items", nameof(group));
        var members = Members(group);
        var ranks = new double[n];
        Parallel.For(0, n, EvaluationParallelism.Options(threads), () => (Keys: (float[]?)null, Order: (int[]?)null), (i, _, buffers) =>
        {
            var row = s.Row(i);
            var positives = members[group[i]];
            float best = float.NegativeInfinity;
            foreach (int j in positives) best = Math.Max(best, MotionPatchesScale * row[j]);
            var (greater, equal) = CountAround(row, MotionPatchesScale, best);
            if (equal == 1)
            {
                ranks[i] = greater;
                return buffers;
            }
            buffers.Keys ??= new float[n];
            buffers.Order ??= new int[n];
            for (int k = 0; k < n; k++) buffers.Keys[k] = MotionPatchesScale * row[k];
            ranks[i] = MinDescendingPosition(buffers.Keys, buffers.Order, positives);
            return buffers;
        }, _ => { });
        return ranks;
    }

    /// <summary>TMR's diagonal ranks with ties averaged: #{S[i,k] &gt; S[i,i]} + (#{S[i,k] == S[i,i]} - 1) / 2.</summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public static double[] DiagonalAveragedRanks(SimilarityMatrix s, int threads = 0)
    {
        s.RequireSquare("diagonal");
        int n = s.Rows;
        var ranks = new double[n];
        Parallel.For(0, n, EvaluationParallelism.Options(threads), i =>
        {
            var row = s.Row(i);
            var (greater, equal) = CountAround(row, 1f, row[i]);
            long summed = (long)equal * greater + (long)equal * (equal - 1) / 2; // sum of the tied 0-based columns
            ranks[i] = summed / (double)equal;
        });
        return ranks;
    }

    /// <summary>
    /// TMR's "threshold" ranks (metrics.py <c>contrastive_metrics</c> with <c>text_selfsim</c>): the ground truth of query i
    /// is its best-scored item among <paramref name="similar"/>[i] (the items whose caption is similar to item i's, i
    /// itself included); the rank is the mean 0-based position of the entries tied with that score.
    /// </summary>
    public static double[] SimilarSetAveragedRanks(SimilarityMatrix s, IReadOnlyList<int[]> similar)
    {
        s.RequireSquare("threshold");
        int n = s.Rows;
        if (similar.Count != n) throw new ArgumentException($"{similar.Count} similar-item sets for {n} items", nameof(similar));
        var ranks = new double[n];
        Parallel.For(0, n, i =>
        {
            var row = s.Row(i);
            if (similar[i].Length == 0) throw new ArgumentException($"item {i} has no similar item (it must at least be similar to itself)", nameof(similar));
            float best = float.NegativeInfinity;
            foreach (int j in similar[i]) best = Math.Max(best, row[j]);
            var (greater, equal) = CountAround(row, 1f, best);
            long summed = (long)equal * greater + (long)equal * (equal - 1) / 2;
            ranks[i] = summed / (double)equal;
        });
        return ranks;
    }

    /// <summary>Positions in descending order of the numpy argsort of <paramref name="keys"/>; the minimum over the positives.</summary>
    internal static int MinDescendingPosition(float[] keys, int[] order, IReadOnlyList<int> positives)
    {
        NumpyArgsort.Argsort(keys, order);
        int n = keys.Length;
        // np.argsort(row)[::-1]: ascending position p becomes descending position n - 1 - p. Only positives tied
        // with the best one can win, and they sit together, so one pass from the top finds the first positive.
        var isPositive = new HashSet<int>(positives);
        for (int p = n - 1; p >= 0; p--)
            if (isPositive.Contains(order[p])) return n - 1 - p;
        throw new InvalidOperationException("no positive item in the row (every item is its own positive)");
    }

    /// <summary>Counts entries with <c>scale * row[k]</c> above and equal to <paramref name="pivot"/> (float32 arithmetic).</summary>
    internal static (int Greater, int Equal) CountAround(ReadOnlySpan<float> row, float scale, float pivot)
    {
        int greater = 0, equal = 0, k = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var vs = new Vector<float>(scale);
            var vp = new Vector<float>(pivot);
            var accG = Vector<int>.Zero;
            var accE = Vector<int>.Zero;
            for (; k <= row.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                var v = new Vector<float>(row[k..]) * vs;
                accG -= Vector.GreaterThan(v, vp);
                accE -= Vector.Equals(v, vp);
            }
            greater = Vector.Sum(accG);
            equal = Vector.Sum(accE);
        }
        for (; k < row.Length; k++)
        {
            float v = scale * row[k];
            if (v > pivot) greater++;
            else if (v == pivot) equal++;
        }
        return (greater, equal);
    }

    /// <summary>Caption strings to group ids (ordinal, exact: case and punctuation count).</summary>
    public static int[] GroupsOf(IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var group = new int[captions.Count];
        for (int i = 0; i < captions.Count; i++)
        {
            var c = captions[i] ?? throw new ArgumentException($"caption {i} is null", nameof(captions));
            if (!ids.TryGetValue(c, out int g)) ids[c] = g = ids.Count;
            group[i] = g;
        }
        return group;
    }

    private static List<int>[] Members(int[] group)
    {
        int count = group.Length == 0 ? 0 : group.Max() + 1;
        var members = new List<int>[count];
        for (int g = 0; g < count; g++) members[g] = [];
        for (int i = 0; i < group.Length; i++) members[group[i]].Add(i);
        return members;
    }
}

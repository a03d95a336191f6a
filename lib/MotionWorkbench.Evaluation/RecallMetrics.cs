namespace MotionWorkbench.Evaluation;

/// <summary>Recall at 1/2/3/5/10 in percent and the median rank (1 = best) for one retrieval direction.</summary>
public sealed record RecallMetrics(double R1, double R2, double R3, double R5, double R10, double MedR)
{
    internal static readonly int[] Ks = [1, 2, 3, 5, 10];

    /// <summary>From 0-based ranks: R@k = 100 * #{rank &lt; k} / n and MedR = median(rank) + 1.</summary>
    public static RecallMetrics FromRanks(ReadOnlySpan<double> ranks)
    {
        if (ranks.Length == 0) throw new ArgumentException("no ranks to summarise", nameof(ranks));
        Span<double> r = stackalloc double[5];
        for (int k = 0; k < 5; k++)
        {
            int count = 0;
            foreach (var rank in ranks) if (rank < Ks[k]) count++;
            r[k] = 100.0 * count / ranks.Length;
        }
        return new RecallMetrics(r[0], r[1], r[2], r[3], r[4], Numpy.PythonNumerics.Median(ranks) + 1);
    }

    /// <summary>The six values in the order R@1, R@2, R@3, R@5, R@10, MedR.</summary>
    public double[] ToArray() => [R1, R2, R3, R5, R10, MedR];

    public static RecallMetrics FromArray(ReadOnlySpan<double> v) => new(v[0], v[1], v[2], v[3], v[4], v[5]);

    /// <summary>Every value rounded as Python's round(x, digits).</summary>
    public RecallMetrics Rounded(int digits = 2) =>
        FromArray(ToArray().Select(x => Numpy.PythonNumerics.Round(x, digits)).ToArray());
}

namespace MotionWorkbench.Evaluation;

/// <summary>
/// The Wilson score interval of a binomial proportion (Wilson 1927): for k successes of n and z the normal quantile,
/// centre = (p + z²/2n) / (1 + z²/n), half width = z √(p(1 - p)/n + z²/4n²) / (1 + z²/n), p = k / n. Unlike the normal
/// approximation it stays inside [0, 1] and is not empty at p = 0 or 1.
/// </summary>
public static class WilsonInterval
{
    /// <summary>z of a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>(low, high) as proportions; <paramref name="successes"/> may be fractional (ties counted half).</summary>
    public static (double Low, double High) Of(double successes, int trials, double z = Z95)
    {
        if (trials < 1) throw new ArgumentException($"a Wilson interval needs at least one trial, got {trials}", nameof(trials));
        if (!(successes >= 0 && successes <= trials)) throw new ArgumentException($"successes must be in 0..{trials}, got {successes}", nameof(successes));
        double n = trials, p = successes / n, z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}

using System.Numerics;

namespace MotionWorkbench.Evaluation.Numpy;

/// <summary>The few numeric routines of Python and numpy whose exact results the protocols depend on.</summary>
public static class PythonNumerics
{
    /// <summary>
    /// Python's <c>round(x, digits)</c> for floats: the exact binary value of x is rounded half-to-even at the decimal
    /// digit, and the result is the double nearest to that decimal (CPython's correctly rounded dtoa).
    /// </summary>
    public static double Round(double x, int digits = 2)
    {
        if (!double.IsFinite(x) || x == 0) return x;
        if (digits is < 0 or > 15) throw new ArgumentOutOfRangeException(nameof(digits), digits, "digits must be in 0..15");
        long bits = BitConverter.DoubleToInt64Bits(x);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075; // |x| = mantissa * 2^exponent
        var scale = BigInteger.Pow(10, digits);
        BigInteger quotient;
        if (exponent >= 0)
        {
            quotient = new BigInteger(mantissa) * scale << exponent;
        }
        else
        {
            var numerator = new BigInteger(mantissa) * scale;
            var denominator = BigInteger.One << -exponent;
            quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
            int cmp = (remainder * 2).CompareTo(denominator);
            if (cmp > 0 || (cmp == 0 && !quotient.IsEven)) quotient += 1;
        }
        double result = (double)quotient / Math.Pow(10, digits);
        return negative ? -result : result;
    }

    /// <summary>
    /// <c>np.mean</c> of a float64 vector: numpy's pairwise summation (8 accumulators for blocks up to 128, halves
    /// cut at multiples of 8 above that) divided by the count.
    /// </summary>
    public static double Mean(ReadOnlySpan<double> values)
    {
        if (values.Length == 0) throw new ArgumentException("the mean of no values is undefined", nameof(values));
        return PairwiseSum(values) / values.Length;
    }

    /// <summary>numpy's <c>pairwise_sum</c> for float64.</summary>
    public static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0;
            for (int i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= 128)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8)
            {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }

    /// <summary><c>np.median</c>: the middle value, or the mean of the two middle values for an even count.</summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.Length == 0) throw new ArgumentException("the median of no values is undefined", nameof(values));
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

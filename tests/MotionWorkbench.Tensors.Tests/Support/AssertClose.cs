namespace MotionWorkbench.Tensors.Tests.Support;

/// <summary>Element-wise closeness with a report of the worst element and the first pairs side by side.</summary>
public static class AssertClose
{
    public static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol = 1e-5, double rtol = 1e-4, string what = "values")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        int firstBad = -1; double maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)expected[i] - actual[i]);
            if (double.IsNaN(actual[i]) && !double.IsNaN(expected[i])) diff = double.PositiveInfinity;
            maxDiff = Math.Max(maxDiff, diff);
            if (firstBad < 0 && diff > atol + rtol * Math.Abs(expected[i])) firstBad = i;
        }
        if (firstBad >= 0)
        {
            var parts = new List<string>();
            for (int i = firstBad; i < Math.Min(expected.Length, firstBad + 5); i++) parts.Add($"[{i}] {expected[i]:G6} vs {actual[i]:G6}");
            var pairs = string.Join(", ", parts);
            Assert.Fail($"{what}: max |diff| {maxDiff:G3}, first bad index {firstBad}; expected vs actual: {pairs}");
        }
    }
}

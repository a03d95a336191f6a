using System.Globalization;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// One shape class of a <see cref="GemmCalibration"/>: the best time per product of each candidate on the class's
/// product (M, N, K) and the choice the rule makes from them.
/// </summary>
/// <param name="Avx512Seconds">Best time of one product on the AVX-512 kernel.</param>
/// <param name="Avx2Seconds">Best time on the AVX2 kernel.</param>
/// <param name="OpenBlasSeconds">Best time on OpenBLAS (null: not loaded).</param>
/// <param name="Managed">What <see cref="GemmBackend.Managed"/> resolves to in this class.</param>
/// <param name="Auto">What <see cref="GemmBackend.Auto"/> resolves to in this class (thin products aside).</param>
public sealed record GemmTiming(int M, int N, int K, double Avx512Seconds, double Avx2Seconds, double? OpenBlasSeconds, GemmBackend Managed, GemmBackend Auto)
{
    /// <summary>How much faster the AVX-512 kernel must be than the AVX2 kernel to be chosen.</summary>
    public const double Avx512Margin = 1.1;

    /// <summary>How much faster the managed kernel must be than OpenBLAS to replace it.</summary>
    public const double OpenBlasMargin = 1.2;

    /// <summary>
    /// The rule applied to measured times (seconds per product): AVX-512 when at least <see cref="Avx512Margin"/> times
    /// as fast as AVX2, and that managed kernel instead of OpenBLAS when at least <see cref="OpenBlasMargin"/> times as
    /// fast (ties and near-ties keep the AVX2 kernel and OpenBLAS).
    /// </summary>
    public static GemmTiming Decide(int M, int N, int K, double avx512Seconds, double avx2Seconds, double? openBlasSeconds)
    {
        var managed = avx512Seconds * Avx512Margin <= avx2Seconds ? GemmBackend.Avx512 : GemmBackend.Avx2;
        double managedSeconds = managed == GemmBackend.Avx512 ? avx512Seconds : avx2Seconds;
        var auto = openBlasSeconds is double blas && managedSeconds * OpenBlasMargin > blas ? GemmBackend.OpenBlas : managed;
        return new GemmTiming(M, N, K, avx512Seconds, avx2Seconds, openBlasSeconds, managed, auto);
    }

    /// <summary>GFLOP/s of a time per product of this class.</summary>
    public double Gflops(double seconds) => 2.0 * M * N * K / seconds / 1e9;

    /// <summary>One line: the shape, each candidate's rate and the choice.</summary>
    public override string ToString()
    {
        string blas = OpenBlasSeconds is double b ? string.Format(CultureInfo.InvariantCulture, ", openblas {0:F0}", Gflops(b)) : "";
        return string.Format(CultureInfo.InvariantCulture, "{0}x{1}x{2}: avx512 {3:F0}, avx2 {4:F0}{5} GFLOP/s -> {6}",
            M, N, K, Gflops(Avx512Seconds), Gflops(Avx2Seconds), blas, Gemm.Name(Auto));
    }
}

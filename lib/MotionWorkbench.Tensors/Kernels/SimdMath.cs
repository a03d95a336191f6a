using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>Vectorised special functions used by the kernels (erf for the exact GELU, the dropout hash).</summary>
internal static class SimdMath
{
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    internal const float InvSqrt2 = 0.70710678118654752f;
    internal const float InvSqrt2Pi = 0.39894228040143268f;

    /// <summary>erf(x), Abramowitz-Stegun 7.1.26 (|error| &lt;= 1.5e-7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erf(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var t = Vector256<float>.One / (Vector256<float>.One + Vector256.Create(P) * ax);
        var poly = ((((Vector256.Create(A5) * t + Vector256.Create(A4)) * t + Vector256.Create(A3)) * t + Vector256.Create(A2)) * t + Vector256.Create(A1)) * t;
        var y = Vector256<float>.One - poly * Vector256.Exp(-(ax * ax));
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -y, y);
    }

    /// <summary>Scalar erf with the same formula.</summary>
    public static float Erf(float x)
    {
        double ax = Math.Abs(x);
        double t = 1.0 / (1.0 + P * ax);
        double y = 1.0 - (((((A5 * t + A4) * t) + A3) * t + A2) * t + A1) * t * Math.Exp(-ax * ax);
        return (float)(x < 0 ? -y : y);
    }

    /// <summary>The 32-bit hash behind dropout: a counter-based generator (no state to store; backward regenerates the mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Hash(Vector256<uint> counter, uint seedLo, uint seedHi)
    {
        var x = (counter ^ Vector256.Create(seedLo)) * Vector256.Create(0x9E3779B1u);
        x ^= Vector256.ShiftRightLogical(x, 15);
        x = (x ^ Vector256.Create(seedHi)) * Vector256.Create(0x85EBCA77u);
        x ^= Vector256.ShiftRightLogical(x, 13);
        x *= Vector256.Create(0xC2B2AE3Du);
        x ^= Vector256.ShiftRightLogical(x, 16);
        return x;
    }

    /// <summary>Scalar twin of <see cref="Hash(Vector256{uint}, uint, uint)"/>.</summary>
    public static uint Hash(uint counter, uint seedLo, uint seedHi)
    {
        uint x = (counter ^ seedLo) * 0x9E3779B1u;
        x ^= x >> 15;
        x = (x ^ seedHi) * 0x85EBCA77u;
        x ^= x >> 13;
        x *= 0xC2B2AE3Du;
        x ^= x >> 16;
        return x;
    }
}

using System.Runtime.Intrinsics;


namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// Dropout masks from a counter-based hash: element i of a call keeps its value when hash(seed, base + i) &gt;=
/// p·2^32, and is then scaled by 1/(1-p). Nothing is stored: backward regenerates the same mask from (seed, base).
/// </summary>
public static class DropoutMask
{
    /// <summary>out[i] = keep(i) ? x[i]·scale : 0 (out may alias x); <paramref name="accumulate"/> adds instead.</summary>
    public static void Apply(ReadOnlySpan<float> x, Span<float> output, ulong seed, ulong counterBase, float p, bool accumulate)
    {
        uint threshold = Threshold(p);
        float scale = 1f / (1f - p);
        uint lo = (uint)seed, hi = (uint)(seed >> 32) ^ (uint)(counterBase >> 32);
        uint start = (uint)counterBase;
        int n = x.Length, i = 0;
        var vScale = Vector256.Create(scale);
        var vThr = Vector256.Create(threshold);
        var step = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        for (; i <= n - 8; i += 8)
        {
            var h = SimdMath.Hash(step + Vector256.Create(start + (uint)i), lo, hi);
            var keep = Vector256.GreaterThanOrEqual(h, vThr).AsSingle();
            var v = Vector256.ConditionalSelect(keep, Vector256.Create(x.Slice(i, 8)) * vScale, Vector256<float>.Zero);
            if (accumulate) v += Vector256.Create((ReadOnlySpan<float>)output.Slice(i, 8));
            v.CopyTo(output.Slice(i, 8));
        }
        for (; i < n; i++)
        {
            float v = SimdMath.Hash(start + (uint)i, lo, hi) >= threshold ? x[i] * scale : 0f;
            output[i] = accumulate ? output[i] + v : v;
        }
    }

    internal static uint Threshold(float p) => p <= 0 ? 0u : (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));
}

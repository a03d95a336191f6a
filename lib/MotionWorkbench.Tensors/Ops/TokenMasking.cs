namespace MotionWorkbench.Tensors;

/// <summary>
/// An MAE-style token mask for a (B, T) batch: per row <see cref="Keep"/> kept token indices (ascending) and
/// T − Keep masked ones (ascending), flattened row-major.
/// </summary>
public sealed class TokenMask
{
    /// <summary>Batch rows.</summary>
    public int B { get; }
    /// <summary>Tokens per row.</summary>
    public int T { get; }
    /// <summary>Kept tokens per row.</summary>
    public int Keep { get; }
    /// <summary>Kept token indices, (B, Keep), ascending within each row.</summary>
    public int[] Kept { get; }
    /// <summary>Masked token indices, (B, T − Keep), ascending within each row.</summary>
    public int[] Masked { get; }

    internal TokenMask(int b, int t, int keep, int[] kept, int[] masked) { B = b; T = t; Keep = keep; Kept = kept; Masked = masked; }

    /// <summary>Kept indices of row <paramref name="b"/>.</summary>
    public ReadOnlySpan<int> KeptRow(int b) => Kept.AsSpan(b * Keep, Keep);
    /// <summary>Masked indices of row <paramref name="b"/>.</summary>
    public ReadOnlySpan<int> MaskedRow(int b) => Masked.AsSpan(b * (T - Keep), T - Keep);

    /// <summary>(B·T) flags, true where a token is masked.</summary>
    public bool[] MaskedFlags()
    {
        var flags = new bool[B * T];
        for (int b = 0; b < B; b++) foreach (var t in MaskedRow(b)) flags[b * T + t] = true;
        return flags;
    }
}

/// <summary>
/// MAE random masking: each row keeps floor(T·(1 − ratio)) tokens (at least one), chosen by a seeded Fisher–Yates
/// shuffle. Row b's choice depends only on (seed, b, T, ratio), never on B or on other rows, so it is reproducible.
/// <see cref="Ops.GatherTokens"/> selects the kept tokens with a scatter backward.
/// </summary>
public static class TokenMasking
{
    /// <summary>Kept and masked token indices for a (B, T) batch at <paramref name="ratio"/> ∈ [0, 1).</summary>
    public static TokenMask Sample(int B, int T, float ratio, ulong seed)
    {
        if (B < 0 || T <= 0) throw new ArgumentException($"TokenMasking: need B ≥ 0 and T > 0, got B={B}, T={T}");
        if (!(ratio >= 0 && ratio < 1)) throw new ArgumentOutOfRangeException(nameof(ratio), $"TokenMasking: ratio must be in [0, 1), got {ratio}");
        int keep = KeepCount(T, ratio);
        var kept = new int[B * keep];
        var masked = new int[B * (T - keep)];
        var perm = new int[T];
        for (int b = 0; b < B; b++)
        {
            for (int i = 0; i < T; i++) perm[i] = i;
            ulong state = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(b + 1));
            for (int i = T - 1; i > 0; i--)
            {
                int k = (int)(SplitMix(ref state) % (ulong)(i + 1));
                (perm[i], perm[k]) = (perm[k], perm[i]);
            }
            var kr = kept.AsSpan(b * keep, keep);
            var mr = masked.AsSpan(b * (T - keep), T - keep);
            perm.AsSpan(0, keep).CopyTo(kr);
            perm.AsSpan(keep).CopyTo(mr);
            kr.Sort();
            mr.Sort();
        }
        return new TokenMask(B, T, keep, kept, masked);
    }

    /// <summary>Tokens kept per row: floor(T·(1 − ratio)), at least one.</summary>
    public static int KeepCount(int T, float ratio) => Math.Clamp((int)Math.Floor(T * (1.0 - (double)(decimal)ratio) + 1e-9), 1, T);  // 0.4f counts as 0.4

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

public static partial class Ops
{
    /// <summary>The kept tokens of x (B, T, H): (B, Keep, H), rows in ascending token order; backward scatters into x.</summary>
    public static Tensor GatherTokens(Tensor x, TokenMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (x.Rank != 3 || x.Shape[0] != mask.B || x.Shape[1] != mask.T)
            throw new ArgumentException($"GatherTokens: tokens {Tensor.Format(x.Shape)} do not match the mask's (B={mask.B}, T={mask.T}, H)");
        int B = mask.B, T = mask.T, H = x.Shape[2], keep = mask.Keep;
        var index = new int[B * keep];
        for (int b = 0; b < B; b++)
            for (int i = 0; i < keep; i++) index[b * keep + i] = b * T + mask.Kept[b * keep + i];
        return Gather(Reshape(x, B * T, H), index, [B, keep, H], "gather_tokens");
    }
}

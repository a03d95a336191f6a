using System.Numerics.Tensors;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// Fused multi-head scaled-dot-product self-attention, per batch item b and head h (D = C / H):
//   S = Q·Kᵀ/√D (L, L);  S[:, j] = −∞ where keyPadding[b, j];  P = softmax(S);  P' = dropout(P);  O = P'·V (L, D)
//   dV += P'ᵀ·dO;  dP' = dO·Vᵀ;  dP = dropout-mask(dP');  dS = P ⊙ (dP − rowsum(dP ⊙ P));
//   dQ += dS·K/√D;  dK += dSᵀ·Q/√D
// Inputs: one fused qkv (B, L, 3C) laid out [q | k | v] as timm's qkv Linear gives it, or separate q, k, v (B, L, C).
// Output (B, L, C), heads side by side. Caches P (B, H, L, L); the dropout mask is regenerated from its seed.
// The (b, h) pairs are split over the engine threads; each pair runs small single-threaded GEMMs. The backward kernel
// (AttentionBackward) is the one of every attention op: CrossAttention and CausalAttention (MaskedAttention.cs) use it too.
public static partial class Ops
{
    /// <summary>Self-attention on a fused qkv (B, L, 3C).</summary>
    public static Tensor Attention(Tensor qkv, int heads, bool[]? keyPadding = null, float dropout = 0f, DropoutRng? rng = null, float[]? probsOut = null)
    {
        if (qkv.Rank != 3 || qkv.Shape[2] % 3 != 0) throw new ArgumentException($"Attention: fused qkv must be (B, L, 3C), got {Tensor.Format(qkv.Shape)}");
        int B = qkv.Shape[0], L = qkv.Shape[1], C = qkv.Shape[2] / 3;
        return AttentionCore([qkv], B, L, C, heads, keyPadding, dropout, rng, probsOut);
    }

    /// <summary>Self-attention on separate q, k, v, each (B, L, C).</summary>
    public static Tensor Attention(Tensor q, Tensor k, Tensor v, int heads, bool[]? keyPadding = null, float dropout = 0f, DropoutRng? rng = null, float[]? probsOut = null)
    {
        if (q.Rank != 3) throw new ArgumentException($"Attention: q must be (B, L, C), got {Tensor.Format(q.Shape)}");
        Tensor.CheckSameShape(q, k, "Attention(q, k)");
        Tensor.CheckSameShape(q, v, "Attention(q, v)");
        return AttentionCore([q, k, v], q.Shape[0], q.Shape[1], q.Shape[2], heads, keyPadding, dropout, rng, probsOut);
    }

    private static unsafe Tensor AttentionCore(Tensor[] inputs, int B, int L, int C, int H, bool[]? keyPadding, float dropout, DropoutRng? rng, float[]? probsOut)
    {
        if (H <= 0 || C % H != 0) throw new ArgumentException($"Attention: width {C} is not divisible by {H} heads");
        if (keyPadding is not null && keyPadding.Length != B * L) throw new ArgumentException($"Attention: key padding mask has {keyPadding.Length} entries, expected B·L = {B}·{L}");
        if (probsOut is not null && probsOut.Length != B * H * L * L) throw new ArgumentException($"Attention: probability buffer has {probsOut.Length} floats, expected B·H·L·L = {B * H * L * L}");
        if (dropout < 0 || dropout >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), $"Attention: dropout must be in [0, 1), got {dropout}");
        if (dropout > 0 && rng is null) throw new ArgumentException("Attention: dropout > 0 needs a DropoutRng");
        int D = C / H;
        bool fused = inputs.Length == 1;
        int ld = fused ? 3 * C : C;
        float scale = 1f / MathF.Sqrt(D);
        ulong seed = rng?.Seed ?? 0, counter = dropout > 0 ? rng!.Reserve((long)B * H * L * L) : 0;
        var output = Tensor.Pooled([B, L, C]);
        bool rec = Tensor.Recording(inputs);
        float[]? probs = rec ? output.RentCache(B * H * L * L) : null;

        var handles = inputs.Select(t => t.DataArray).ToArray();
        var offsets = inputs.Select(t => t.DataOffset).ToArray();
        fixed (float* po = output.Data)
        {
            nint ao = (nint)po;
            Par.For(B * H, 1, (s, e) =>
            {
                var scratch = AttentionScratch(L * L);
                fixed (float* p0 = handles[0], p1 = handles[fused ? 0 : 1], p2 = handles[fused ? 0 : 2], pp = probs, pd = scratch)
                    for (int bh = s; bh < e; bh++)
                    {
                        int b = bh / H, h = bh % H;
                        long rowBase = (long)b * L * ld + h * D;
                        float* q = p0 + offsets[0] + rowBase;
                        float* k = fused ? q + C : p1 + offsets[1] + rowBase;
                        float* v = fused ? q + 2 * C : p2 + offsets[2] + rowBase;
                        float* P = pp != null ? pp + (long)bh * L * L : pd + L * L;
                        Gemm.Serial(false, true, L, L, D, scale, q, ld, k, ld, 0f, P, L);
                        var Ps = new Span<float>(P, L * L);
                        for (int i = 0; i < L; i++)
                        {
                            var row = Ps.Slice(i * L, L);
                            if (keyPadding is not null)
                                for (int j = 0; j < L; j++) if (keyPadding[b * L + j]) row[j] = float.NegativeInfinity;
                            SoftmaxRow(row, row);
                        }
                        if (probsOut is not null) Ps.CopyTo(probsOut.AsSpan(bh * L * L, L * L));
                        float* Pd = P;
                        if (dropout > 0)
                        {
                            Pd = pd;
                            DropoutMask.Apply(Ps, new Span<float>(pd, L * L), seed, counter + (ulong)bh * (ulong)(L * L), dropout, accumulate: false);
                        }
                        Gemm.Serial(false, false, L, D, L, 1f, Pd, L, v, ld, 0f, (float*)ao + (long)b * L * C + h * D, C);
                    }
            });
        }
        return output.Record("attention", inputs, () => AttentionBackward(inputs, handles, offsets, output, probs!, B, H, L, L, C, dropout, seed, counter));
    }

    /// <summary>
    /// The backward of every attention op (self-attention on a fused qkv or on separate q, k, v; cross- and causal
    /// attention), accumulating into the inputs' gradients from the cached P (B, H, Lq, Lk) and the regenerated dropout
    /// mask. <paramref name="inputs"/> is [qkv] (fused, then Lq = Lk) or [q, k, v]; masks need no work here (P is 0 where
    /// a key was masked). The (b, h) pairs are split over the engine threads; each pair runs small single-threaded GEMMs.
    /// </summary>
    private static unsafe void AttentionBackward(Tensor[] inputs, float[][] handles, int[] offsets, Tensor output, float[] probs,
        int B, int H, int Lq, int Lk, int C, float dropout, ulong seed, ulong counter)
    {
        bool fused = inputs.Length == 1;
        int D = C / H, n = Lq * Lk, ld = fused ? 3 * C : C;
        int kColumn = fused ? C : 0, vColumn = fused ? 2 * C : 0;   // where k and v start in their rows
        float scale = 1f / MathF.Sqrt(D);
        fixed (float* pdo = output.GradSpan)
        {
            nint ado = (nint)pdo;
            var g0 = inputs[0].GradSpan; var g1 = inputs[fused ? 0 : 1].GradSpan; var g2 = inputs[fused ? 0 : 2].GradSpan;
            fixed (float* pg0 = g0, pg1 = g1, pg2 = g2)
            {
                nint ag0 = (nint)pg0, ag1 = (nint)pg1, ag2 = (nint)pg2;
                Par.For(B * H, 1, (s, e) =>
                {
                    var scratch = AttentionScratch(n);
                    fixed (float* pq = handles[0], pk = handles[fused ? 0 : 1], pv = handles[fused ? 0 : 2], pp = probs, pd = scratch)
                        for (int bh = s; bh < e; bh++)
                        {
                            int b = bh / H, h = bh % H;
                            long qBase = (long)b * Lq * ld + h * D, kBase = (long)b * Lk * ld + h * D;
                            float* q = pq + offsets[0] + qBase;
                            float* k = pk + offsets[fused ? 0 : 1] + kBase + kColumn;
                            float* v = pv + offsets[fused ? 0 : 2] + kBase + vColumn;
                            float* dq = (float*)ag0 + qBase;
                            float* dk = (float*)ag1 + kBase + kColumn;
                            float* dv = (float*)ag2 + kBase + vColumn;
                            float* dO = (float*)ado + (long)b * Lq * C + h * D;
                            float* P = pp + (long)bh * n;
                            var Ps = new ReadOnlySpan<float>(P, n);
                            float* Pd = P;
                            float* dP = pd + n;
                            if (dropout > 0)
                            {
                                Pd = pd;
                                DropoutMask.Apply(Ps, new Span<float>(pd, n), seed, counter + (ulong)bh * (ulong)n, dropout, accumulate: false);
                            }
                            Gemm.Serial(true, false, Lk, D, Lq, 1f, Pd, Lk, dO, C, 1f, dv, ld);
                            Gemm.Serial(false, true, Lq, Lk, D, 1f, dO, C, v, ld, 0f, dP, Lk);
                            var dPs = new Span<float>(dP, n);
                            if (dropout > 0) DropoutMask.Apply(dPs, dPs, seed, counter + (ulong)bh * (ulong)n, dropout, accumulate: false);
                            for (int i = 0; i < Lq; i++)
                            {
                                var pr = Ps.Slice(i * Lk, Lk);
                                var dr = dPs.Slice(i * Lk, Lk);
                                float dot = TensorPrimitives.Dot(pr, dr);
                                TensorPrimitives.Subtract(dr, dot, dr);
                                TensorPrimitives.Multiply(dr, pr, dr);
                            }
                            Gemm.Serial(false, false, Lq, D, Lk, scale, dP, Lk, k, ld, 1f, dq, ld);
                            Gemm.Serial(true, false, Lk, D, Lq, scale, dP, Lk, q, ld, 1f, dk, ld);
                        }
                });
            }
        }
    }

    [ThreadStatic] private static float[]? attentionScratch;

    /// <summary>This thread's scratch of 2n floats (n = Lq·Lk): the dropped-out P' and dP (or P when nothing is recorded).</summary>
    private static float[] AttentionScratch(int n)
    {
        if (attentionScratch is null || attentionScratch.Length < 2 * n) attentionScratch = new float[2 * n];
        return attentionScratch;
    }
}

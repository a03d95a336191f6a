using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// Multi-head scaled-dot-product attention with queries and keys of different lengths (cross-attention) and an optional
// causal mask, per batch item b and head h (D = C / H), q (B, Lq, C), k and v (B, Lk, C):
//   S = Q·Kᵀ/√D (Lq, Lk);  S[i, j] = −∞ where keyPadding[b, j], and with causal where j > i + (Lk − Lq)
//   (queries aligned with the last Lq keys; Lq = Lk is the usual lower-triangular mask);  P = softmax(S);
//   P' = dropout(P);  O = P'·V (Lq, D).  A query row whose keys are all masked gets P = 0 (O = 0, no gradient).
// Backward: dV += P'ᵀ·dO;  dP = mask(dO·Vᵀ);  dS = P ⊙ (dP − rowsum(dP ⊙ P));  dQ += dS·K/√D;  dK += dSᵀ·Q/√D, by the one
// attention backward kernel of Ops.Attention (Attention.cs: AttentionBackward, which serves every attention op).
// Caches P (B, H, Lq, Lk); the dropout mask is regenerated from its seed. The (b, h) pairs are split over the threads.
public static partial class Ops
{
    /// <summary>
    /// Cross-attention: queries q (B, Lq, C) over keys k and values v (B, Lk, C), heads side by side; optional key padding
    /// (B·Lk, true = padded key) and a causal mask (query i sees keys j ≤ i + Lk − Lq). Returns (B, Lq, C).
    /// </summary>
    public static Tensor CrossAttention(Tensor q, Tensor k, Tensor v, int heads, bool[]? keyPadding = null, bool causal = false,
        float dropout = 0f, DropoutRng? rng = null, float[]? probsOut = null)
    {
        if (q.Rank != 3) throw new ArgumentException($"CrossAttention: q must be (B, Lq, C), got {Tensor.Format(q.Shape)}");
        if (k.Rank != 3 || k.Shape[0] != q.Shape[0] || k.Shape[2] != q.Shape[2])
            throw new ArgumentException($"CrossAttention: k must be (B, Lk, C) with q's B and C, got q {Tensor.Format(q.Shape)}, k {Tensor.Format(k.Shape)}");
        Tensor.CheckSameShape(k, v, "CrossAttention(k, v)");
        int B = q.Shape[0], Lq = q.Shape[1], Lk = k.Shape[1], C = q.Shape[2], H = heads;
        if (causal && Lq > Lk) throw new ArgumentException($"CrossAttention: a causal mask needs Lq ≤ Lk, got Lq = {Lq}, Lk = {Lk}");
        if (H <= 0 || C % H != 0) throw new ArgumentException($"CrossAttention: width {C} is not divisible by {H} heads");
        if (keyPadding is not null && keyPadding.Length != B * Lk) throw new ArgumentException($"CrossAttention: key padding mask has {keyPadding.Length} entries, expected B·Lk = {B}·{Lk}");
        if (probsOut is not null && probsOut.Length != B * H * Lq * Lk) throw new ArgumentException($"CrossAttention: probability buffer has {probsOut.Length} floats, expected B·H·Lq·Lk = {B * H * Lq * Lk}");
        if (dropout < 0 || dropout >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), $"CrossAttention: dropout must be in [0, 1), got {dropout}");
        if (dropout > 0 && rng is null) throw new ArgumentException("CrossAttention: dropout > 0 needs a DropoutRng");
        return CrossAttentionCore([q, k, v], B, Lq, Lk, C, H, keyPadding, causal, dropout, rng, probsOut);
    }

    /// <summary>Causal self-attention on separate q, k, v (B, L, C): position i attends to j ≤ i, combined with the key padding mask.</summary>
    public static Tensor CausalAttention(Tensor q, Tensor k, Tensor v, int heads, bool[]? keyPadding = null, float dropout = 0f, DropoutRng? rng = null, float[]? probsOut = null)
    {
        Tensor.CheckSameShape(q, k, "CausalAttention(q, k)");
        return CrossAttention(q, k, v, heads, keyPadding, causal: true, dropout, rng, probsOut);
    }

    private static unsafe Tensor CrossAttentionCore(Tensor[] inputs, int B, int Lq, int Lk, int C, int H, bool[]? keyPadding, bool causal, float dropout, DropoutRng? rng, float[]? probsOut)
    {
        int D = C / H, n = Lq * Lk, shift = Lk - Lq;
        float scale = 1f / MathF.Sqrt(D);
        ulong seed = rng?.Seed ?? 0, counter = dropout > 0 ? rng!.Reserve((long)B * H * n) : 0;
        var output = Tensor.Pooled([B, Lq, C]);
        bool rec = Tensor.Recording(inputs);
        float[]? probs = rec ? output.RentCache(B * H * n) : null;
        var handles = inputs.Select(t => t.DataArray).ToArray();
        var offsets = inputs.Select(t => t.DataOffset).ToArray();
        fixed (float* po = output.Data)
        {
            nint ao = (nint)po;
            Par.For(B * H, 1, (s, e) =>
            {
                var scratch = AttentionScratch(n);
                fixed (float* pq = handles[0], pk = handles[1], pv = handles[2], pp = probs, pd = scratch)
                    for (int bh = s; bh < e; bh++)
                    {
                        int b = bh / H, h = bh % H;
                        float* q = pq + offsets[0] + (long)b * Lq * C + h * D;
                        float* k = pk + offsets[1] + (long)b * Lk * C + h * D;
                        float* v = pv + offsets[2] + (long)b * Lk * C + h * D;
                        float* P = pp != null ? pp + (long)bh * n : pd + n;
                        Gemm.Serial(false, true, Lq, Lk, D, scale, q, C, k, C, 0f, P, Lk);
                        var Ps = new Span<float>(P, n);
                        for (int i = 0; i < Lq; i++)
                        {
                            var row = Ps.Slice(i * Lk, Lk);
                            if (keyPadding is not null)
                                for (int j = 0; j < Lk; j++) if (keyPadding[b * Lk + j]) row[j] = float.NegativeInfinity;
                            if (causal) row[Math.Max(0, i + shift + 1)..].Fill(float.NegativeInfinity);
                            SoftmaxRow(row, row);
                        }
                        if (probsOut is not null) Ps.CopyTo(probsOut.AsSpan(bh * n, n));
                        float* Pd = P;
                        if (dropout > 0)
                        {
                            Pd = pd;
                            DropoutMask.Apply(Ps, new Span<float>(pd, n), seed, counter + (ulong)bh * (ulong)n, dropout, accumulate: false);
                        }
                        Gemm.Serial(false, false, Lq, D, Lk, 1f, Pd, Lk, v, C, 0f, (float*)ao + (long)b * Lq * C + h * D, C);
                    }
            });
        }
        return output.Record(causal ? "causal_attention" : "cross_attention", inputs,
            () => AttentionBackward(inputs, handles, offsets, output, probs!, B, H, Lq, Lk, C, dropout, seed, counter));
    }
}

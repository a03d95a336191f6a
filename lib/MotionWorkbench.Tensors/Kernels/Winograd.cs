namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2016): every 2x2 block of
/// outputs is computed from a 4x4 input tile with 16 multiplications instead of 36, so the GEMMs of these convolutions
/// (about 80 % of ResNet-18's work) shrink 2.25x where the output sizes are even (less at odd edges, whose half-empty
/// tiles still cost a full tile). With the tile transforms
/// <code>
///   U = G g Gᵀ (4x4 per output/input channel pair), V = Bᵀ d B (per 4x4 input tile), Y = Aᵀ M A (per 2x2 output block)
///   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1]
/// </code>
/// each of the 16 transform positions ξ is one GEMM, M_ξ (Cout, tiles) = U_ξ (Cout, Cin) · V_ξ (Cin, tiles), over a chunk
/// of images. The weight gradient runs the chain rule backwards through the same maps: dM = A dY Aᵀ per output block,
/// dU_ξ (Cout, Cin) += dM_ξ · V_ξᵀ, dg = Gᵀ dU G. The input gradient is the forward of the transposed convolution
/// (<see cref="Ops"/>' Conv2d backward), so it comes here too.
/// <para>The transform coefficients are 0, ±1 and ½ (exact in binary floating point), so the results differ from the
/// direct sum only by rounding order, as im2col + GEMM does. Determinism: the transforms write disjoint planes, each ξ's
/// GEMM is one serial GEMM (the threads take whole ξ), the weight-gradient sums run over chunks in order: the same bits
/// for any thread count. Memory: two pooled workspaces of 16·max(Cin, Cout)·tiles floats, bounded by
/// <see cref="Im2Col.BudgetFloats"/> as im2col's are (one image's worth when larger).</para>
/// </summary>
public static unsafe class Winograd
{
    /// <summary>
    /// Whether 3x3 stride-1 convolutions take this path (default true); false sends every convolution through im2col +
    /// GEMM (<c>MW_CONV=im2col</c> at the edges, <c>mw bench --conv im2col</c>), for comparisons.
    /// </summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Parses a convolution algorithm setting: null, blank or "auto" (Winograd where it applies) or "im2col".</summary>
    public static bool ParseEnabled(string? setting, string name) => setting?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" or "winograd" => true,
        "im2col" => false,
        _ => throw new ArgumentException($"{name}: unknown convolution algorithm '{setting}' (expected auto or im2col)"),
    };

    /// <summary>True for the convolutions this path computes: 3x3 kernel, stride 1 (any padding).</summary>
    public static bool Applies(int KH, int KW, int stride) => Enabled && KH == 3 && KW == 3 && stride == 1;

    private readonly record struct Tiles(int G, int C, int H, int W, int K, int Ho, int Wo, int Pad)
    {
        public int TH => (Ho + 1) / 2;
        public int TW => (Wo + 1) / 2;
        public int P => TH * TW;        // tiles per image
        public int N => G * P;          // tiles in the chunk (the GEMM's N)
    }

    /// <summary>
    /// y (B, K, Ho, Wo) = conv3x3(x (B, C, H, W), w (K, C, 3, 3)) + bias, or y += the convolution with
    /// <paramref name="accumulate"/> (no bias then); stride 1, zero padding <paramref name="pad"/>.
    /// </summary>
    public static void Forward(float* x, float* w, float* bias, float* y, int B, int C, int H, int W, int K, int pad, bool accumulate, string part)
    {
        int Ho = H + 2 * pad - 2, Wo = W + 2 * pad - 2;
        var shape = new Tiles(1, C, H, W, K, Ho, Wo, pad);
        int G = Im2Col.ImagesPerChunk(B, 16L * Math.Max(C, K) * shape.P);
        var profile = OpProfile.Active;
        long su = Spaced((long)K * C), sv = Spaced((long)C * G * shape.P), sm = Spaced((long)K * G * shape.P);
        var u = BufferPool.Rent(checked((int)(16 * su)), clear: false);
        var v = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, 16 * sv)), clear: false);
        var m = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, 16 * sm)), clear: false);
        fixed (float* pu = u, pv = v, pm = m)
        {
            double t0 = profile?.Now() ?? 0;
            TransformWeights(w, pu, K, C, su);
            for (int b0 = 0; b0 < B; b0 += G)
            {
                var t = shape with { G = Math.Min(G, B - b0) };
                TransformInput(x + (long)b0 * C * H * W, pv, t, sv);
                if (profile is not null) { profile.Since($"  conv2d {part} winograd input k3s1", t0); t0 = profile.Now(); }
                int N = t.N;
                nint au = (nint)pu, av = (nint)pv, am = (nint)pm;
                Par.For(16, 1, 8, (s, e) =>
                {
                    for (int xi = s; xi < e; xi++)
                        Gemm.Serial(false, false, K, N, C, 1f, (float*)au + xi * su, C, (float*)av + xi * sv, N, 0f, (float*)am + xi * sm, N);
                });
                if (profile is not null) { profile.Since($"  conv2d {part} winograd gemm k3s1", t0); t0 = profile.Now(); }
                TransformOutput(pm, y + (long)b0 * K * Ho * Wo, bias, accumulate, t, sm);
                if (profile is not null) { profile.Since($"  conv2d {part} winograd output k3s1", t0); t0 = profile.Now(); }
            }
        }
        BufferPool.Return(u);
        BufferPool.Return(v);
        BufferPool.Return(m);
    }

    /// <summary>dW (K, C, 3, 3) += the weight gradient of the convolution from x (B, C, H, W) and dY (B, K, Ho, Wo).</summary>
    public static void WeightGradient(float* x, float* dy, float* dW, int B, int C, int H, int W, int K, int pad)
    {
        int Ho = H + 2 * pad - 2, Wo = W + 2 * pad - 2;
        var shape = new Tiles(1, C, H, W, K, Ho, Wo, pad);
        int G = Im2Col.ImagesPerChunk(B, 16L * Math.Max(C, K) * shape.P);
        var profile = OpProfile.Active;
        long su = Spaced((long)K * C), sv = Spaced((long)C * G * shape.P), sm = Spaced((long)K * G * shape.P);
        var du = BufferPool.Rent(checked((int)(16 * su)), clear: true);
        var v = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, 16 * sv)), clear: false);
        var m = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, 16 * sm)), clear: false);
        fixed (float* pdu = du, pv = v, pm = m)
        {
            double t0 = profile?.Now() ?? 0;
            for (int b0 = 0; b0 < B; b0 += G)
            {
                var t = shape with { G = Math.Min(G, B - b0) };
                TransformInput(x + (long)b0 * C * H * W, pv, t, sv);
                TransformGradient(dy + (long)b0 * K * Ho * Wo, pm, t, sm);
                if (profile is not null) { profile.Since("  conv2d bwd dW winograd transforms k3s1", t0); t0 = profile.Now(); }
                int N = t.N;
                nint adu = (nint)pdu, av = (nint)pv, am = (nint)pm;
                Par.For(16, 1, 8, (s, e) =>
                {
                    for (int xi = s; xi < e; xi++)
                        Gemm.Serial(false, true, K, C, N, 1f, (float*)am + xi * sm, N, (float*)av + xi * sv, N, 1f, (float*)adu + xi * su, C);
                });
                if (profile is not null) { profile.Since("  conv2d bwd dW winograd gemm k3s1", t0); t0 = profile.Now(); }
            }
            AddWeightGradient(pdu, dW, K, C, su);
        }
        BufferPool.Return(du);
        BufferPool.Return(v);
        BufferPool.Return(m);
    }

    /// <summary>
    /// The distance in floats between the 16 ξ planes of a workspace whose planes hold <paramref name="floats"/>: rounded
    /// up to 4 KiB and then 64 bytes more, so that a transform's 16 concurrent load or store streams fall into different
    /// cache sets (plane sizes that are multiples of 4 KiB, as ResNet's 512 x 256 are, would otherwise alias in L1).
    /// </summary>
    private static long Spaced(long floats) => ((floats + 1023) & ~1023L) + 16;

    /// <summary>U[ξ, k, c] = (G g Gᵀ)[ξ] for every (k, c).</summary>
    private static void TransformWeights(float* w, float* u, int K, int C, long stride)
    {
        nint aw = (nint)w, au = (nint)u;
        Par.For(K, 8, (s, e) =>
        {
            float* r = stackalloc float[12];
            for (int k = s; k < e; k++)
                for (int c = 0; c < C; c++)
                {
                    float* g = (float*)aw + ((long)k * C + c) * 9;
                    for (int j = 0; j < 3; j++)   // rows of G g (4 x 3)
                    {
                        float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                        r[j] = g0; r[3 + j] = 0.5f * (g0 + g1 + g2); r[6 + j] = 0.5f * (g0 - g1 + g2); r[9 + j] = g2;
                    }
                    long at = (long)k * C + c;
                    for (int i = 0; i < 4; i++)
                    {
                        float r0 = r[3 * i], r1 = r[3 * i + 1], r2 = r[3 * i + 2];
                        float* o = (float*)au + at + 4 * i * stride;
                        o[0] = r0; o[stride] = 0.5f * (r0 + r1 + r2); o[2 * stride] = 0.5f * (r0 - r1 + r2); o[3 * stride] = r2;
                    }
                }
        });
    }

    /// <summary>V[ξ, c, (g, tile)] = (Bᵀ d B)[ξ] for every 4x4 input tile d (zero outside the image).</summary>
    private static void TransformInput(float* x, float* v, Tiles t, long plane)
    {
        nint ax = (nint)x, av = (nint)v;
        Par.For(t.G * t.C, Math.Max(1, 2048 / Math.Max(1, t.P)), (s, e) =>
        {
            float* d = stackalloc float[16];
            long N = t.N;
            for (int q = s; q < e; q++)
            {
                int gi = q / t.C, c = q % t.C;
                float* src = (float*)ax + (long)q * t.H * t.W;
                float* dst = (float*)av + (long)c * N + (long)gi * t.P;
                for (int th = 0; th < t.TH; th++)
                {
                    int r0 = 2 * th - t.Pad;
                    for (int tw = 0; tw < t.TW; tw++)
                    {
                        int c0 = 2 * tw - t.Pad;
                        if (r0 >= 0 && r0 + 4 <= t.H && c0 >= 0 && c0 + 4 <= t.W)
                            for (int i = 0; i < 4; i++)
                            {
                                float* row = src + (long)(r0 + i) * t.W + c0;
                                d[4 * i] = row[0]; d[4 * i + 1] = row[1]; d[4 * i + 2] = row[2]; d[4 * i + 3] = row[3];
                            }
                        else
                            for (int i = 0; i < 4; i++)
                                for (int j = 0; j < 4; j++)
                                {
                                    int r = r0 + i, cc = c0 + j;
                                    d[4 * i + j] = r >= 0 && r < t.H && cc >= 0 && cc < t.W ? src[(long)r * t.W + cc] : 0f;
                                }
                        float* o = dst + th * t.TW + tw;
                        for (int j = 0; j < 4; j++)   // Bᵀ d, column j, kept in place
                        {
                            float d0 = d[j], d1 = d[4 + j], d2 = d[8 + j], d3 = d[12 + j];
                            d[j] = d0 - d2; d[4 + j] = d1 + d2; d[8 + j] = d2 - d1; d[12 + j] = d1 - d3;
                        }
                        for (int i = 0; i < 4; i++)   // (Bᵀ d) B, row i
                        {
                            float t0 = d[4 * i], t1 = d[4 * i + 1], t2 = d[4 * i + 2], t3 = d[4 * i + 3];
                            float* oi = o + 4 * i * plane;
                            oi[0] = t0 - t2; oi[plane] = t1 + t2; oi[2 * plane] = t2 - t1; oi[3 * plane] = t1 - t3;
                        }
                    }
                }
            }
        });
    }

    /// <summary>y[g, k, 2-block] (+)= (Aᵀ M A) (+ bias[k]), cropped at the bottom and right edges.</summary>
    private static void TransformOutput(float* m, float* y, float* bias, bool accumulate, Tiles t, long plane)
    {
        nint am = (nint)m, ay = (nint)y, ab = (nint)bias;
        Par.For(t.G * t.K, Math.Max(1, 2048 / Math.Max(1, t.P)), (s, e) =>
        {
            float* z = stackalloc float[16];
            long N = t.N;
            for (int q = s; q < e; q++)
            {
                int gi = q / t.K, k = q % t.K;
                float b = ab == 0 ? 0f : ((float*)ab)[k];
                float* dst = (float*)ay + (long)q * t.Ho * t.Wo;
                float* src = (float*)am + (long)k * N + (long)gi * t.P;
                for (int th = 0; th < t.TH; th++)
                    for (int tw = 0; tw < t.TW; tw++)
                    {
                        float* mi = src + th * t.TW + tw;
                        for (int xi = 0; xi < 16; xi++) z[xi] = mi[xi * plane];
                        // Aᵀ M: rows s0 = m0 + m1 + m2, s1 = m1 − m2 − m3; then (Aᵀ M) A per row
                        float s00 = z[0] + z[4] + z[8], s01 = z[1] + z[5] + z[9], s02 = z[2] + z[6] + z[10], s03 = z[3] + z[7] + z[11];
                        float s10 = z[4] - z[8] - z[12], s11 = z[5] - z[9] - z[13], s12 = z[6] - z[10] - z[14], s13 = z[7] - z[11] - z[15];
                        float y00 = s00 + s01 + s02 + b, y01 = s01 - s02 - s03 + b, y10 = s10 + s11 + s12 + b, y11 = s11 - s12 - s13 + b;
                        int oh = 2 * th, ow = 2 * tw;
                        bool right = ow + 1 < t.Wo, below = oh + 1 < t.Ho;
                        float* row = dst + (long)oh * t.Wo + ow;
                        if (accumulate)
                        {
                            row[0] += y00; if (right) row[1] += y01;
                            if (below) { row[t.Wo] += y10; if (right) row[t.Wo + 1] += y11; }
                        }
                        else
                        {
                            row[0] = y00; if (right) row[1] = y01;
                            if (below) { row[t.Wo] = y10; if (right) row[t.Wo + 1] = y11; }
                        }
                    }
            }
        });
    }

    /// <summary>dM[ξ, k, (g, tile)] = (A e Aᵀ)[ξ] for every 2x2 block e of dY (zero beyond the bottom and right edges).</summary>
    private static void TransformGradient(float* dy, float* m, Tiles t, long plane)
    {
        nint ady = (nint)dy, am = (nint)m;
        Par.For(t.G * t.K, Math.Max(1, 2048 / Math.Max(1, t.P)), (s, e) =>
        {
            long N = t.N;
            for (int q = s; q < e; q++)
            {
                int gi = q / t.K, k = q % t.K;
                float* src = (float*)ady + (long)q * t.Ho * t.Wo;
                float* dst = (float*)am + (long)k * N + (long)gi * t.P;
                for (int th = 0; th < t.TH; th++)
                    for (int tw = 0; tw < t.TW; tw++)
                    {
                        int oh = 2 * th, ow = 2 * tw;
                        bool right = ow + 1 < t.Wo, below = oh + 1 < t.Ho;
                        float* row = src + (long)oh * t.Wo + ow;
                        float e00 = row[0], e01 = right ? row[1] : 0f;
                        float e10 = below ? row[t.Wo] : 0f, e11 = below && right ? row[t.Wo + 1] : 0f;
                        // A e (4 x 2): rows e0, e0 + e1, e0 − e1, −e1; then (A e) Aᵀ per row: r0, r0 + r1, r0 − r1, −r1
                        float* o = dst + th * t.TW + tw;
                        Row(o, plane, e00, e01);
                        Row(o + 4 * plane, plane, e00 + e10, e01 + e11);
                        Row(o + 8 * plane, plane, e00 - e10, e01 - e11);
                        Row(o + 12 * plane, plane, -e10, -e11);
                    }
            }
        });

        static void Row(float* o, long plane, float r0, float r1)
        {
            o[0] = r0; o[plane] = r0 + r1; o[2 * plane] = r0 - r1; o[3 * plane] = -r1;
        }
    }

    /// <summary>dW[k, c] += Gᵀ dU[·, k, c] G (3 x 3 from 4 x 4).</summary>
    private static void AddWeightGradient(float* du, float* dW, int K, int C, long stride)
    {
        nint adu = (nint)du, adw = (nint)dW;
        Par.For(K, 8, (s, e) =>
        {
            float* h = stackalloc float[12];
            for (int k = s; k < e; k++)
                for (int c = 0; c < C; c++)
                {
                    float* D = (float*)adu + (long)k * C + c;
                    for (int j = 0; j < 4; j++)   // Gᵀ D (3 x 4), column j
                    {
                        float d0 = D[j * stride], d1 = D[(4 + j) * stride], d2 = D[(8 + j) * stride], d3 = D[(12 + j) * stride];
                        h[j] = d0 + 0.5f * (d1 + d2); h[4 + j] = 0.5f * (d1 - d2); h[8 + j] = 0.5f * (d1 + d2) + d3;
                    }
                    float* g = (float*)adw + ((long)k * C + c) * 9;
                    for (int r = 0; r < 3; r++)   // (Gᵀ D) G, row r
                    {
                        float h0 = h[4 * r], h1 = h[4 * r + 1], h2 = h[4 * r + 2], h3 = h[4 * r + 3];
                        g[3 * r] += h0 + 0.5f * (h1 + h2); g[3 * r + 1] += 0.5f * (h1 - h2); g[3 * r + 2] += 0.5f * (h1 + h2) + h3;
                    }
                }
        });
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    // The tile transforms work on 8 tiles at once (one Vector256 lane per tile, tiles in the order (th, tw) of the
    // workspace's columns), so every workspace load and store is one contiguous vector. The tiles' pixels are gathered
    // from a zero-padded copy of the image plane (per thread, reused for every plane of its range: the padding is written
    // once and stays zero), so no tile needs a bounds check. A group of fewer than 8 tiles at the end of a plane is
    // computed in full over valid offsets and only its own lanes are stored.

    /// <summary>The offset of every tile's top-left pixel in a padded plane of row length <paramref name="rowLength"/>, rounded up to whole groups of 8 (the extra tiles point at tile 0).</summary>
    private static int[] TileOffsets(int TH, int TW, int rowLength)
    {
        int P = TH * TW;
        var offsets = new int[(P + 7) / 8 * 8];
        for (int tile = 0; tile < P; tile++) offsets[tile] = 2 * (tile / TW) * rowLength + 2 * (tile % TW);
        return offsets;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gather(float* plane, Vector256<int> index, int shift)
    {
        var at = index + Vector256.Create(shift);
        if (Avx2.IsSupported) return Avx2.GatherVector256(plane, at, 4);
        return Vector256.Create(plane[at[0]], plane[at[1]], plane[at[2]], plane[at[3]], plane[at[4]], plane[at[5]], plane[at[6]], plane[at[7]]);
    }

    /// <summary>Stores 8 lanes at <paramref name="dst"/>, or only the first <paramref name="count"/> when fewer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> value, float* dst, int count)
    {
        if (count == 8) { value.Store(dst); return; }
        for (int i = 0; i < count; i++) dst[i] = value[i];
    }

    /// <summary>Copies an H x W plane into a zero-bordered plane of row length <paramref name="rowLength"/> at row and column offset <paramref name="pad"/>.</summary>
    private static void CopyPadded(float* src, float* dst, int H, int W, int rowLength, int pad)
    {
        for (int r = 0; r < H; r++) new ReadOnlySpan<float>(src + (long)r * W, W).CopyTo(new Span<float>(dst + (long)(r + pad) * rowLength + pad, W));
    }

    /// <summary>V[ξ, c, (g, tile)] = (Bᵀ d B)[ξ] for every 4x4 input tile d (zero outside the image).</summary>
    private static void TransformInput(float* x, float* v, Tiles t, long plane)
    {
        int Hp = 2 * t.TH + 2, Wp = 2 * t.TW + 2, P = t.P;   // ≥ H + 2p and W + 2p: every tile lies inside
        var offsets = TileOffsets(t.TH, t.TW, Wp);
        nint ax = (nint)x, av = (nint)v;
        Par.For(t.G * t.C, Math.Max(1, 2048 / Math.Max(1, P)), (s, e) =>
        {
            var padded = BufferPool.Rent(Hp * Wp, clear: true);
            fixed (float* pp = padded)
            fixed (int* po = offsets)
            {
                long N = t.N;
                for (int q = s; q < e; q++)
                {
                    int gi = q / t.C, c = q % t.C;
                    CopyPadded((float*)ax + (long)q * t.H * t.W, pp, t.H, t.W, Wp, t.Pad);
                    float* dst = (float*)av + (long)c * N + (long)gi * P;
                    for (int col = 0; col < P; col += 8)
                    {
                        int count = Math.Min(8, P - col);
                        var index = Vector256.Load(po + col);
                        float* o = dst + col;
                        // Bᵀ d per column j (rows d0..d3 of the tile), then (Bᵀ d) B per row i
                        var (a0, a1, a2, a3) = BtColumn(pp, index, Wp, 0);
                        var (b0, b1, b2, b3) = BtColumn(pp, index, Wp, 1);
                        var (c0, c1, c2, c3) = BtColumn(pp, index, Wp, 2);
                        var (d0, d1, d2, d3) = BtColumn(pp, index, Wp, 3);
                        BRow(o, plane, count, a0, b0, c0, d0);
                        BRow(o + 4 * plane, plane, count, a1, b1, c1, d1);
                        BRow(o + 8 * plane, plane, count, a2, b2, c2, d2);
                        BRow(o + 12 * plane, plane, count, a3, b3, c3, d3);
                    }
                }
            }
            BufferPool.Return(padded);
        });
    }

    /// <summary>Column <paramref name="j"/> of Bᵀ d for 8 tiles: d0 − d2, d1 + d2, d2 − d1, d1 − d3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) BtColumn(float* plane, Vector256<int> index, int rowLength, int j)
    {
        var d0 = Gather(plane, index, j);
        var d1 = Gather(plane, index, rowLength + j);
        var d2 = Gather(plane, index, 2 * rowLength + j);
        var d3 = Gather(plane, index, 3 * rowLength + j);
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3);
    }

    /// <summary>Row i of (Bᵀ d) B from its four columns t0..t3: t0 − t2, t1 + t2, t2 − t1, t1 − t3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BRow(float* o, long plane, int count, Vector256<float> t0, Vector256<float> t1, Vector256<float> t2, Vector256<float> t3)
    {
        Store(t0 - t2, o, count);
        Store(t1 + t2, o + plane, count);
        Store(t2 - t1, o + 2 * plane, count);
        Store(t1 - t3, o + 3 * plane, count);
    }

    /// <summary>y[g, k, 2-block] (+)= (Aᵀ M A) (+ bias[k]), cropped at the bottom and right edges.</summary>
    private static void TransformOutput(float* m, float* y, float* bias, bool accumulate, Tiles t, long plane)
    {
        nint am = (nint)m, ay = (nint)y, ab = (nint)bias;
        int P = t.P;
        Par.For(t.G * t.K, Math.Max(1, 2048 / Math.Max(1, P)), (s, e) =>
        {
            float* block = stackalloc float[32];   // y00, y01, y10, y11 of 8 tiles
            long N = t.N;
            for (int q = s; q < e; q++)
            {
                int gi = q / t.K, k = q % t.K;
                var b = Vector256.Create(ab == 0 ? 0f : ((float*)ab)[k]);
                float* dst = (float*)ay + (long)q * t.Ho * t.Wo;
                float* src = (float*)am + (long)k * N + (long)gi * P;
                for (int col = 0; col < P; col += 8)
                {
                    // Aᵀ M: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3 (rows of 4); then (Aᵀ M) A per row
                    float* mi = src + col;   // lanes past the plane's last tile read the workspace's spacing, never stored
                    var (s00, s10) = AtColumn(mi, plane, 0);
                    var (s01, s11) = AtColumn(mi, plane, 1);
                    var (s02, s12) = AtColumn(mi, plane, 2);
                    var (s03, s13) = AtColumn(mi, plane, 3);
                    (s00 + s01 + s02 + b).Store(block);
                    (s01 - s02 - s03 + b).Store(block + 8);
                    (s10 + s11 + s12 + b).Store(block + 16);
                    (s11 - s12 - s13 + b).Store(block + 24);
                    int count = Math.Min(8, P - col);
                    for (int l = 0; l < count; l++)
                    {
                        int tile = col + l, oh = 2 * (tile / t.TW), ow = 2 * (tile % t.TW);
                        bool right = ow + 1 < t.Wo, below = oh + 1 < t.Ho;
                        float* row = dst + (long)oh * t.Wo + ow;
                        if (accumulate)
                        {
                            row[0] += block[l]; if (right) row[1] += block[8 + l];
                            if (below) { row[t.Wo] += block[16 + l]; if (right) row[t.Wo + 1] += block[24 + l]; }
                        }
                        else
                        {
                            row[0] = block[l]; if (right) row[1] = block[8 + l];
                            if (below) { row[t.Wo] = block[16 + l]; if (right) row[t.Wo + 1] = block[24 + l]; }
                        }
                    }
                }
            }
        });
    }

    /// <summary>Column <paramref name="j"/> of Aᵀ M for 8 tiles: m0j + m1j + m2j and m1j − m2j − m3j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) AtColumn(float* m, long plane, int j)
    {
        var m0 = Vector256.Load(m + j * plane);
        var m1 = Vector256.Load(m + (4 + j) * plane);
        var m2 = Vector256.Load(m + (8 + j) * plane);
        var m3 = Vector256.Load(m + (12 + j) * plane);
        return (m0 + m1 + m2, m1 - m2 - m3);
    }

    /// <summary>dM[ξ, k, (g, tile)] = (A e Aᵀ)[ξ] for every 2x2 block e of dY (zero beyond the bottom and right edges).</summary>
    private static void TransformGradient(float* dy, float* m, Tiles t, long plane)
    {
        int Hp = 2 * t.TH, Wp = 2 * t.TW, P = t.P;   // dY with a zero row and column where Ho or Wo is odd
        var offsets = TileOffsets(t.TH, t.TW, Wp);
        nint ady = (nint)dy, am = (nint)m;
        Par.For(t.G * t.K, Math.Max(1, 2048 / Math.Max(1, P)), (s, e) =>
        {
            var padded = BufferPool.Rent(Hp * Wp, clear: true);
            fixed (float* pp = padded)
            fixed (int* po = offsets)
            {
                long N = t.N;
                for (int q = s; q < e; q++)
                {
                    int gi = q / t.K, k = q % t.K;
                    CopyPadded((float*)ady + (long)q * t.Ho * t.Wo, pp, t.Ho, t.Wo, Wp, 0);
                    float* dst = (float*)am + (long)k * N + (long)gi * P;
                    for (int col = 0; col < P; col += 8)
                    {
                        int count = Math.Min(8, P - col);
                        var index = Vector256.Load(po + col);
                        var e00 = Gather(pp, index, 0);
                        var e01 = Gather(pp, index, 1);
                        var e10 = Gather(pp, index, Wp);
                        var e11 = Gather(pp, index, Wp + 1);
                        // A e (4 x 2): rows e0, e0 + e1, e0 − e1, −e1; then (A e) Aᵀ per row: r0, r0 + r1, r0 − r1, −r1
                        float* o = dst + col;
                        ARow(o, plane, count, e00, e01);
                        ARow(o + 4 * plane, plane, count, e00 + e10, e01 + e11);
                        ARow(o + 8 * plane, plane, count, e00 - e10, e01 - e11);
                        ARow(o + 12 * plane, plane, count, -e10, -e11);
                    }
                }
            }
            BufferPool.Return(padded);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ARow(float* o, long plane, int count, Vector256<float> r0, Vector256<float> r1)
    {
        Store(r0, o, count);
        Store(r0 + r1, o + plane, count);
        Store(r0 - r1, o + 2 * plane, count);
        Store(-r1, o + 3 * plane, count);
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

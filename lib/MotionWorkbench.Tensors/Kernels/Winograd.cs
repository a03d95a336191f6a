using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// 3x3 stride-1 convolutions by Winograd's minimal filtering F(m x m, 3 x 3) (Lavin and Gray, 2016), m = 2 or 4: every
/// m x m block of outputs is computed from an α x α input tile (α = m + 2) with α² multiplications instead of 9m², so
/// the GEMMs of these convolutions (about 80 % of ResNet-18's work) shrink 2.25x (m = 2) or 4x (m = 4) where the
/// output sizes are multiples of m (less at the other edges, whose part-empty tiles cost a full tile). With the tile
/// transforms
/// <code>
///   U = G g Gᵀ (α x α per output/input channel pair), V = Bᵀ d B (per α x α input tile), Y = Aᵀ M A (per m x m block)
///   F(2, 3): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 −1 −1]
///   F(4, 3): Lavin and Gray's matrices with interpolation points 0, ±1, ±2 (written out beside <see cref="F4"/>)
/// </code>
/// each of the α² transform positions ξ is one GEMM, M_ξ (Cout, tiles) = U_ξ (Cout, Cin) · V_ξ (Cin, tiles), over a
/// chunk of images. The weight gradient runs the chain rule backwards through the same maps: dM = A dY Aᵀ per output
/// block, dU_ξ (Cout, Cin) += dM_ξ · V_ξᵀ, dg = Gᵀ dU G. The input gradient is the forward of the transposed convolution
/// (<see cref="Ops"/>' Conv2d backward), so it comes here too.
/// <para>Precision: F(2, 3)'s coefficients are 0, ±1 and ½ (exact), so it differs from the direct sum only by rounding
/// order, as im2col + GEMM does; F(4, 3)'s (4, 5, 1/6, 1/24, 8, ...) round, and its errors are 8-20x larger (a float32
/// simulation: mean relative error 2.6e-6 against 3.3e-7 over 64 channels; a (2, 64, 24, 16) convolution here: largest
/// error 6.4e-6 against 3.2e-7 of the largest output). In a forward pass BatchNorm over few values can amplify that (see
/// <see cref="ForwardTile"/>), so forward passes use F(2x2) by default; the gradient passes use F(4x4) (<see cref="GradientTile"/>).
/// WinogradTests check both against a double-precision direct convolution. The weight transforms run in double.
/// Determinism: the transforms write disjoint planes, each ξ's GEMM is one serial GEMM (the threads take whole ξ), the
/// weight-gradient sums run over chunks in order: the same bits for any thread count. Memory: two pooled workspaces of
/// α²·max(Cin, Cout)·tiles floats (about 2.25x (m = 4) or 4x (m = 2) the larger of the input and output), bounded by
/// <see cref="Im2Col.BudgetFloats"/> as im2col's are (one image's worth when larger).</para>
/// </summary>
public static unsafe class Winograd
{
    /// <summary>
    /// Whether 3x3 stride-1 convolutions take this path (default true); false sends every convolution through im2col +
    /// GEMM (<c>MW_CONV=im2col</c> at the edges, <c>mw bench --conv im2col</c>), for comparisons.
    /// </summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>
    /// The output tile m of F(m x m, 3 x 3) in forward passes: 2 (the default: exact transforms, activations as close to
    /// a direct convolution as im2col's) or 4 (4x instead of 2.25x fewer multiplications, but rounding errors 8-20x larger:
    /// in the forward pass BatchNorm over few values (the batch-2 torchvision fixture, 12 values per channel in layer 4)
    /// amplified them into a 7 % change of one input-gradient element, outside the parity bound F(2x2) meets).
    /// Process-wide, like the GEMM backend (and <see cref="Enabled"/>); <see cref="OnThisThread"/> overrides it for one thread.
    /// </summary>
    public static int ForwardTile
    {
        get => forwardTile;
        set => forwardTile = Check(value);
    }

    /// <summary>
    /// The output tile of the gradient passes (the input gradient, a transposed convolution, and the weight gradient):
    /// 4 by default (F(4x4)'s larger rounding errors in gradients pass the gradient parity tests against torchvision and
    /// the double-precision convolution, and cut the backward pass's convolution time by about a tenth; a multi-step
    /// training comparison against LibTorch drifts sooner, see TorchTrainingTests), 2 for exact transforms there too
    /// (<c>MW_CONV=winograd2</c>).
    /// </summary>
    public static int GradientTile
    {
        get => gradientTile;
        set => gradientTile = Check(value);
    }

    private static int forwardTile = 2, gradientTile = 4;

    private static int Check(int tile) => tile is 2 or 4 ? tile : throw new ArgumentOutOfRangeException(nameof(tile), $"the Winograd output tile must be 2 or 4, got {tile}");

    // 0: none (the process-wide settings apply); -1: im2col; otherwise 10 x the forward tile + the gradient tile
    [ThreadStatic] private static int threadMode;

    /// <summary>
    /// Uses <paramref name="algorithm"/> (as <see cref="UseSetting"/> names them) for the convolutions this thread starts
    /// until the result is disposed: for tests and side-by-side comparisons, where other threads (tests running in
    /// parallel) must keep the process-wide setting.
    /// </summary>
    public static IDisposable OnThisThread(string algorithm)
    {
        var (enabled, forward, gradient) = Parse(algorithm, nameof(algorithm));
        int saved = threadMode;
        threadMode = enabled ? 10 * (forward ?? forwardTile) + (gradient ?? gradientTile) : -1;
        return new Restore(() => threadMode = saved);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    private static Scheme For(bool gradient) => (threadMode > 0 ? (gradient ? threadMode % 10 : threadMode / 10) : gradient ? gradientTile : forwardTile) == 4 ? F4 : F2;

    private static bool On => threadMode == 0 ? Enabled : threadMode > 0;

    /// <summary>
    /// Applies a convolution algorithm setting (<paramref name="name"/> names it in errors, e.g. "MW_CONV"): null, blank,
    /// "auto" or "winograd2-4" (3x3 stride-1 convolutions by Winograd, F(2x2, 3x3) forward and F(4x4, 3x3) in the gradient
    /// passes; im2col + GEMM elsewhere), "winograd2" (F(2x2) in every pass), "winograd4" (F(4x4) in every pass: fastest,
    /// least precise; see <see cref="ForwardTile"/>) or "im2col" (every convolution through im2col + GEMM).
    /// </summary>
    public static void UseSetting(string? setting, string name)
    {
        var (enabled, forward, gradient) = Parse(setting, name);
        (Enabled, ForwardTile, GradientTile) = (enabled, forward ?? ForwardTile, gradient ?? GradientTile);
    }

    /// <summary>What <see cref="UseSetting"/> would apply: whether Winograd is on and its forward and gradient tiles (null: unchanged).</summary>
    public static (bool Enabled, int? ForwardTile, int? GradientTile) Parse(string? setting, string name) => setting?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" or "winograd2-4" => (true, 2, 4),
        "winograd2" => (true, 2, 2),
        "winograd4" => (true, 4, 4),
        "im2col" => (false, null, null),
        _ => throw new ArgumentException($"{name}: unknown convolution algorithm '{setting}' (expected auto, winograd2-4, winograd2, winograd4 or im2col)"),
    };

    /// <summary>The algorithm in use, named as <see cref="UseSetting"/> takes it (the JSON's <c>conv</c>): im2col, winograd2, winograd4 or winograd2-4.</summary>
    public static string Name
    {
        get
        {
            if (!On) return "im2col";
            int f = For(false).M, g = For(true).M;
            return f == g ? $"winograd{f}" : $"winograd{f}-{g}";
        }
    }

    /// <summary>The algorithm in use, with what it means.</summary>
    public static string Describe()
    {
        if (!On) return "im2col (every convolution as im2col + GEMM)";
        int f = For(false).M, g = For(true).M;
        string how = f == g ? $"F({f}x{f}, 3x3) in every pass" : $"F({f}x{f}, 3x3) forward, F({g}x{g}, 3x3) in the gradient passes";
        return $"{Name} (3x3 stride-1 convolutions by Winograd, {how}; the others im2col + GEMM)";
    }

    /// <summary>True for the convolutions this path computes: 3x3 kernel, stride 1 (any padding).</summary>
    public static bool Applies(int KH, int KW, int stride) => On && KH == 3 && KW == 3 && stride == 1;

    /// <summary>One F(m x m, 3 x 3): its tile sizes and G (α x 3, row-major, in double for the weight transforms); its Bᵀ and Aᵀ are written out in <see cref="F2Transform"/> and <see cref="F4Transform"/>.</summary>
    private sealed class Scheme(int m, double[] g)
    {
        public readonly int M = m, A = m + 2;
        public readonly double[] G = g;
        public readonly string Kind = $"winograd{m}";   // the profile's label
    }

    private static readonly Scheme F2 = new(2, [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1]);

    // F(4, 3) with interpolation points 0, ±1, ±2 (Lavin and Gray): Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0;
    // 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1], Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
    private static readonly Scheme F4 = new(4,
        [1.0 / 4, 0, 0,
         -1.0 / 6, -1.0 / 6, -1.0 / 6,
         -1.0 / 6, 1.0 / 6, -1.0 / 6,
         1.0 / 24, 1.0 / 12, 1.0 / 6,
         1.0 / 24, -1.0 / 12, 1.0 / 6,
         0, 0, 1]);

    private readonly record struct Tiles(Scheme S, int G, int C, int H, int W, int K, int Ho, int Wo, int Pad)
    {
        public int TH => (Ho + S.M - 1) / S.M;
        public int TW => (Wo + S.M - 1) / S.M;
        public int P => TH * TW;        // tiles per image
        public int N => G * P;          // tiles in the chunk (the GEMM's N)
    }

    /// <summary>
    /// y (B, K, Ho, Wo) = conv3x3(x (B, C, H, W), w (K, C, 3, 3)) + bias, or y += the convolution with
    /// <paramref name="accumulate"/> (no bias then); stride 1, zero padding <paramref name="pad"/>. With
    /// <paramref name="inputGradient"/> it is a convolution's input gradient (the transposed convolution), computed with
    /// the gradient passes' tile.
    /// </summary>
    public static void Forward(float* x, float* w, float* bias, float* y, int B, int C, int H, int W, int K, int pad, bool accumulate, bool inputGradient)
    {
        var scheme = For(inputGradient);
        string part = inputGradient ? "bwd dX" : "fwd";
        int Ho = H + 2 * pad - 2, Wo = W + 2 * pad - 2, A2 = scheme.A * scheme.A;
        var shape = new Tiles(scheme, 1, C, H, W, K, Ho, Wo, pad);
        int G = Im2Col.ImagesPerChunk(B, (long)A2 * Math.Max(C, K) * shape.P);
        var profile = OpProfile.Active;
        string kind = scheme.Kind;
        long su = Spaced((long)K * C), sv = Spaced((long)C * G * shape.P), sm = Spaced((long)K * G * shape.P);
        var u = BufferPool.Rent(checked((int)(A2 * su)), clear: false);
        var v = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, A2 * sv)), clear: false);
        var m = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, A2 * sm)), clear: false);
        fixed (float* pu = u, pv = v, pm = m)
        {
            double t0 = profile?.Now() ?? 0;
            TransformWeights(scheme, w, pu, K, C, su);
            if (profile is not null) { profile.Since($"  conv2d {part} {kind} weights k3s1", t0); t0 = profile.Now(); }
            for (int b0 = 0; b0 < B; b0 += G)
            {
                var t = shape with { G = Math.Min(G, B - b0) };
                TransformInput(x + (long)b0 * C * H * W, pv, t, sv);
                if (profile is not null) { profile.Since($"  conv2d {part} {kind} input k3s1", t0); t0 = profile.Now(); }
                int N = t.N;
                nint au = (nint)pu, av = (nint)pv, am = (nint)pm;
                Par.For(A2, 1, A2, (s, e) =>
                {
                    for (int xi = s; xi < e; xi++)
                        Gemm.Serial(false, false, K, N, C, 1f, (float*)au + xi * su, C, (float*)av + xi * sv, N, 0f, (float*)am + xi * sm, N);
                });
                if (profile is not null) { profile.Since($"  conv2d {part} {kind} gemm k3s1", t0); t0 = profile.Now(); }
                TransformOutput(pm, y + (long)b0 * K * Ho * Wo, bias, accumulate, t, sm);
                if (profile is not null) { profile.Since($"  conv2d {part} {kind} output k3s1", t0); t0 = profile.Now(); }
            }
        }
        BufferPool.Return(u);
        BufferPool.Return(v);
        BufferPool.Return(m);
    }

    /// <summary>dW (K, C, 3, 3) += the weight gradient of the convolution from x (B, C, H, W) and dY (B, K, Ho, Wo).</summary>
    public static void WeightGradient(float* x, float* dy, float* dW, int B, int C, int H, int W, int K, int pad)
    {
        var scheme = For(gradient: true);
        int Ho = H + 2 * pad - 2, Wo = W + 2 * pad - 2, A2 = scheme.A * scheme.A;
        var shape = new Tiles(scheme, 1, C, H, W, K, Ho, Wo, pad);
        int G = Im2Col.ImagesPerChunk(B, (long)A2 * Math.Max(C, K) * shape.P);
        var profile = OpProfile.Active;
        string kind = scheme.Kind;
        long su = Spaced((long)K * C), sv = Spaced((long)C * G * shape.P), sm = Spaced((long)K * G * shape.P);
        var du = BufferPool.Rent(checked((int)(A2 * su)), clear: true);
        var v = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, A2 * sv)), clear: false);
        var m = BufferPool.Rent(checked((int)Math.Max(Im2Col.BudgetFloats, A2 * sm)), clear: false);
        fixed (float* pdu = du, pv = v, pm = m)
        {
            double t0 = profile?.Now() ?? 0;
            for (int b0 = 0; b0 < B; b0 += G)
            {
                var t = shape with { G = Math.Min(G, B - b0) };
                TransformInput(x + (long)b0 * C * H * W, pv, t, sv);
                TransformGradient(dy + (long)b0 * K * Ho * Wo, pm, t, sm);
                if (profile is not null) { profile.Since($"  conv2d bwd dW {kind} transforms k3s1", t0); t0 = profile.Now(); }
                int N = t.N;
                nint adu = (nint)pdu, av = (nint)pv, am = (nint)pm;
                Par.For(A2, 1, A2, (s, e) =>
                {
                    for (int xi = s; xi < e; xi++)
                        Gemm.Serial(false, true, K, C, N, 1f, (float*)am + xi * sm, N, (float*)av + xi * sv, N, 1f, (float*)adu + xi * su, C);
                });
                if (profile is not null) { profile.Since($"  conv2d bwd dW {kind} gemm k3s1", t0); t0 = profile.Now(); }
            }
            AddWeightGradient(scheme, pdu, dW, K, C, su);
            if (profile is not null) profile.Since($"  conv2d bwd dW {kind} weights k3s1", t0);
        }
        BufferPool.Return(du);
        BufferPool.Return(v);
        BufferPool.Return(m);
    }

    /// <summary>
    /// The distance in floats between the α² ξ planes of a workspace whose planes hold <paramref name="floats"/>: rounded
    /// up to 4 KiB and then 64 bytes more, so that a transform's concurrent load or store streams fall into different
    /// cache sets (plane sizes that are multiples of 4 KiB, as ResNet's 512 x 256 are, would otherwise alias in L1).
    /// </summary>
    private static long Spaced(long floats) => ((floats + 1023) & ~1023L) + 16;

    /// <summary>
    /// U[ξ, k, c] = (G g Gᵀ)[ξ] for every (k, c), computed in double: 4 channels c at once (one Vector256&lt;double&gt;
    /// lane each, the same multiplications and additions in the same order as one channel at a time, so the same bits),
    /// the channels left over one at a time.
    /// </summary>
    private static void TransformWeights(Scheme sc, float* w, float* u, int K, int C, long stride)
    {
        nint aw = (nint)w, au = (nint)u;
        int A = sc.A;
        var G = sc.G;
        Par.For(K, 8, (s, e) =>
        {
            double* gg = stackalloc double[3 * 6];   // G g (α x 3)
            var gv = stackalloc Vector256<double>[9];
            var ggv = stackalloc Vector256<double>[3 * 6];
            var Gv = stackalloc Vector256<double>[3 * 6];
            for (int i = 0; i < 3 * A; i++) Gv[i] = Vector256.Create(G[i]);
            for (int k = s; k < e; k++)
            {
                int c = 0;
                if (Avx.IsSupported)
                    for (; c + 4 <= C; c += 4)
                    {
                        float* g = (float*)aw + ((long)k * C + c) * 9;   // 4 channels' 3 x 3 kernels, one after the other
                        for (int t = 0; t < 9; t++) gv[t] = Vector256.Create((double)g[t], g[9 + t], g[18 + t], g[27 + t]);
                        for (int i = 0; i < A; i++)
                            for (int j = 0; j < 3; j++)
                                ggv[i * 3 + j] = Gv[i * 3] * gv[j] + Gv[i * 3 + 1] * gv[3 + j] + Gv[i * 3 + 2] * gv[6 + j];
                        float* at = (float*)au + (long)k * C + c;
                        for (int i = 0; i < A; i++)
                            for (int j = 0; j < A; j++)
                                Avx.ConvertToVector128Single(ggv[i * 3] * Gv[j * 3] + ggv[i * 3 + 1] * Gv[j * 3 + 1] + ggv[i * 3 + 2] * Gv[j * 3 + 2]).Store(at + (i * A + j) * stride);
                    }
                for (; c < C; c++)
                {
                    float* g = (float*)aw + ((long)k * C + c) * 9;
                    for (int i = 0; i < A; i++)
                        for (int j = 0; j < 3; j++)
                            gg[i * 3 + j] = G[i * 3] * g[j] + G[i * 3 + 1] * g[3 + j] + G[i * 3 + 2] * g[6 + j];
                    long at = (long)k * C + c;
                    for (int i = 0; i < A; i++)
                        for (int j = 0; j < A; j++)
                            ((float*)au)[at + (i * A + j) * stride] = (float)(gg[i * 3] * G[j * 3] + gg[i * 3 + 1] * G[j * 3 + 1] + gg[i * 3 + 2] * G[j * 3 + 2]);
                }
            }
        });
    }

    /// <summary>
    /// dW[k, c] += Gᵀ dU[·, k, c] G (3 x 3 from α x α), in double: 4 channels c at once as in <see cref="TransformWeights"/>
    /// (the same operations in the same order, so the same bits), the channels left over one at a time.
    /// </summary>
    private static void AddWeightGradient(Scheme sc, float* du, float* dW, int K, int C, long stride)
    {
        nint adu = (nint)du, adw = (nint)dW;
        int A = sc.A;
        var G = sc.G;
        Par.For(K, 8, (s, e) =>
        {
            double* h = stackalloc double[3 * 6];   // Gᵀ dU (3 x α)
            var hv = stackalloc Vector256<double>[3 * 6];
            var Gv = stackalloc Vector256<double>[3 * 6];
            float* sums = stackalloc float[4 * 9];
            for (int i = 0; i < 3 * A; i++) Gv[i] = Vector256.Create(G[i]);
            for (int k = s; k < e; k++)
            {
                int c = 0;
                if (Avx.IsSupported)
                    for (; c + 4 <= C; c += 4)
                    {
                        float* D = (float*)adu + (long)k * C + c;
                        for (int r = 0; r < 3; r++)
                            for (int j = 0; j < A; j++)
                            {
                                var acc = Vector256<double>.Zero;
                                for (int i = 0; i < A; i++) acc += Gv[i * 3 + r] * Avx.ConvertToVector256Double(Vector128.Load(D + (i * A + j) * stride));
                                hv[r * A + j] = acc;
                            }
                        for (int r = 0; r < 3; r++)
                            for (int q = 0; q < 3; q++)
                            {
                                var acc = Vector256<double>.Zero;
                                for (int j = 0; j < A; j++) acc += hv[r * A + j] * Gv[j * 3 + q];
                                var f = Avx.ConvertToVector128Single(acc);
                                for (int l = 0; l < 4; l++) sums[l * 9 + 3 * r + q] = f.GetElement(l);
                            }
                        float* g = (float*)adw + ((long)k * C + c) * 9;   // 4 channels' 3 x 3 gradients, one after the other
                        for (int t = 0; t < 36; t++) g[t] += sums[t];
                    }
                for (; c < C; c++)
                {
                    float* D = (float*)adu + (long)k * C + c;
                    for (int r = 0; r < 3; r++)
                        for (int j = 0; j < A; j++)
                        {
                            double acc = 0;
                            for (int i = 0; i < A; i++) acc += G[i * 3 + r] * D[(i * A + j) * stride];
                            h[r * A + j] = acc;
                        }
                    float* g = (float*)adw + ((long)k * C + c) * 9;
                    for (int r = 0; r < 3; r++)
                        for (int q = 0; q < 3; q++)
                        {
                            double acc = 0;
                            for (int j = 0; j < A; j++) acc += h[r * A + j] * G[j * 3 + q];
                            g[3 * r + q] += (float)acc;
                        }
                }
            }
        });
    }

    // The tile transforms work on 8 tiles at once (one Vector256 lane per tile, tiles in the order (th, tw) of the
    // workspace's columns), so every workspace load and store is one contiguous vector. The tiles' pixels are gathered
    // from a zero-padded copy of the image plane (per thread, reused for every plane of its range: the padding is written
    // once and stays zero), so no tile needs a bounds check. A group of fewer than 8 tiles at the end of a plane is
    // computed in full over valid offsets and only its own lanes are stored. The small matrix products skip the zero
    // coefficients.

    /// <summary>
    /// The offset of every column's tile (image gi, tile (th, tw)) top-left pixel in the chunk's padded planes (g planes
    /// of <paramref name="rows"/> x <paramref name="rowLength"/>, one after the other), rounded up to whole groups of 8
    /// (the extra columns point at the first tile).
    /// </summary>
    private static int[] ColumnOffsets(Tiles t, int rows, int rowLength)
    {
        int M = t.S.M, P = t.P, N = t.N;
        var offsets = new int[(N + 7) / 8 * 8];
        for (int col = 0; col < N; col++)
        {
            int gi = col / P, tile = col % P;
            offsets[col] = gi * rows * rowLength + M * (tile / t.TW) * rowLength + M * (tile % t.TW);
        }
        return offsets;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gather(float* plane, Vector256<int> index, int shift)
    {
        var at = index + Vector256.Create(shift);
        if (Avx2.IsSupported) return Avx2.GatherVector256(plane, at, 4);
        return Vector256.Create(plane[at[0]], plane[at[1]], plane[at[2]], plane[at[3]], plane[at[4]], plane[at[5]], plane[at[6]], plane[at[7]]);
    }

    /// <summary>
    /// The first <paramref name="n"/> (≤ 6) pixels of one row of 8 tiles, as <paramref name="n"/> vectors (vector j: pixel
    /// j of every tile): each tile's row is one contiguous load (4 floats where n ≤ 4, else 8; they may run past the row,
    /// into the next row or the buffer's slack, and the extra values are dropped), then a transpose of the 8 rows. This
    /// replaces n gathers, which cost more than the loads and shuffles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadRows(float* p, int* lane, int n, Vector256<float>* d)
    {
        if (n <= 4)
        {
            // rows of tiles l and l + 4 share a vector (low and high half); a 4 x 4 transpose within each half
            var r0 = Vector256.Create(Vector128.Load(p + lane[0]), Vector128.Load(p + lane[4]));
            var r1 = Vector256.Create(Vector128.Load(p + lane[1]), Vector128.Load(p + lane[5]));
            var r2 = Vector256.Create(Vector128.Load(p + lane[2]), Vector128.Load(p + lane[6]));
            var r3 = Vector256.Create(Vector128.Load(p + lane[3]), Vector128.Load(p + lane[7]));
            var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
            d[0] = Avx.Shuffle(t0, t2, 0x44);
            d[1] = Avx.Shuffle(t0, t2, 0xEE);
            if (n > 2)
            {
                d[2] = Avx.Shuffle(t1, t3, 0x44);
                if (n > 3) d[3] = Avx.Shuffle(t1, t3, 0xEE);
            }
            return;
        }
        {
            var r0 = Vector256.Load(p + lane[0]); var r1 = Vector256.Load(p + lane[1]);
            var r2 = Vector256.Load(p + lane[2]); var r3 = Vector256.Load(p + lane[3]);
            var r4 = Vector256.Load(p + lane[4]); var r5 = Vector256.Load(p + lane[5]);
            var r6 = Vector256.Load(p + lane[6]); var r7 = Vector256.Load(p + lane[7]);
            var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
            var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
            d[0] = Avx.Permute2x128(u0, u4, 0x20);
            d[1] = Avx.Permute2x128(u1, u5, 0x20);
            d[2] = Avx.Permute2x128(u2, u6, 0x20);
            d[3] = Avx.Permute2x128(u3, u7, 0x20);
            d[4] = Avx.Permute2x128(u0, u4, 0x31);
            if (n > 5) d[5] = Avx.Permute2x128(u1, u5, 0x31);
        }
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

    /// <summary>
    /// The 1-D transforms of one F(m, 3) on 8 tiles at once (a column or row of a tile: values <c>s[0], s[stride], ...</c>),
    /// written out so that the JIT specialises each 2-D transform per scheme (struct type arguments) with no coefficient
    /// lookups: Bᵀ (α -> α), Aᵀ (α -> m) and A (m -> α).
    /// </summary>
    private interface ITileTransform
    {
        static abstract void Bt(Vector256<float>* s, int ss, Vector256<float>* d, int ds);
        static abstract void At(Vector256<float>* s, int ss, Vector256<float>* d, int ds);
        static abstract void A(Vector256<float>* s, int ss, Vector256<float>* d, int ds);
    }

    private struct F2Transform : ITileTransform
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Bt(Vector256<float>* s, int ss, Vector256<float>* d, int ds)
        {
            var (x0, x1, x2, x3) = (s[0], s[ss], s[2 * ss], s[3 * ss]);
            d[0] = x0 - x2; d[ds] = x1 + x2; d[2 * ds] = x2 - x1; d[3 * ds] = x1 - x3;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void At(Vector256<float>* s, int ss, Vector256<float>* d, int ds)
        {
            var (x0, x1, x2, x3) = (s[0], s[ss], s[2 * ss], s[3 * ss]);
            d[0] = x0 + x1 + x2; d[ds] = x1 - x2 - x3;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void A(Vector256<float>* s, int ss, Vector256<float>* d, int ds)
        {
            var (e0, e1) = (s[0], s[ss]);
            d[0] = e0; d[ds] = e0 + e1; d[2 * ds] = e0 - e1; d[3 * ds] = -e1;
        }
    }

    private struct F4Transform : ITileTransform
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Bt(Vector256<float>* s, int ss, Vector256<float>* d, int ds)
        {
            var (x0, x1, x2, x3, x4, x5) = (s[0], s[ss], s[2 * ss], s[3 * ss], s[4 * ss], s[5 * ss]);
            var four = Vector256.Create(4f);
            var five = Vector256.Create(5f);
            var two = Vector256.Create(2f);
            var a = x4 - four * x2;            // x4 − 4 x2
            var b = x3 - four * x1;            // x3 − 4 x1
            var c = x4 - x2;
            var e = two * (x3 - x1);
            d[0] = four * x0 - five * x2 + x4;
            d[ds] = a + b;
            d[2 * ds] = a - b;
            d[3 * ds] = c + e;
            d[4 * ds] = c - e;
            d[5 * ds] = four * x1 - five * x3 + x5;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void At(Vector256<float>* s, int ss, Vector256<float>* d, int ds)
        {
            var (x0, x1, x2, x3, x4, x5) = (s[0], s[ss], s[2 * ss], s[3 * ss], s[4 * ss], s[5 * ss]);
            var p12 = x1 + x2; var m12 = x1 - x2;
            var p34 = x3 + x4; var m34 = x3 - x4;
            d[0] = x0 + p12 + p34;
            d[ds] = m12 + Vector256.Create(2f) * m34;
            d[2 * ds] = p12 + Vector256.Create(4f) * p34;
            d[3 * ds] = m12 + Vector256.Create(8f) * m34 + x5;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void A(Vector256<float>* s, int ss, Vector256<float>* d, int ds)
        {
            var (e0, e1, e2, e3) = (s[0], s[ss], s[2 * ss], s[3 * ss]);
            var p02 = e0 + e2; var p13 = e1 + e3;
            var q02 = e0 + Vector256.Create(4f) * e2; var q13 = Vector256.Create(2f) * e1 + Vector256.Create(8f) * e3;
            d[0] = e0;
            d[ds] = p02 + p13;
            d[2 * ds] = p02 - p13;
            d[3 * ds] = q02 + q13;
            d[4 * ds] = q02 - q13;
            d[5 * ds] = e3;
        }
    }

    /// <summary>V[ξ, c, (g, tile)] = (Bᵀ d B)[ξ] for every α x α input tile d (zero outside the image).</summary>
    private static void TransformInput(float* x, float* v, Tiles t, long plane)
    {
        if (t.S.M == 4) GatherTransform<F4Transform>(x, v, t, plane, gradient: false);
        else GatherTransform<F2Transform>(x, v, t, plane, gradient: false);
    }

    /// <summary>dM[ξ, k, (g, tile)] = (A e Aᵀ)[ξ] for every m x m block e of dY (zero beyond the bottom and right edges).</summary>
    private static void TransformGradient(float* dy, float* m, Tiles t, long plane)
    {
        if (t.S.M == 4) GatherTransform<F4Transform>(dy, m, t, plane, gradient: true);
        else GatherTransform<F2Transform>(dy, m, t, plane, gradient: true);
    }

    /// <summary>
    /// The two gathering transforms: per channel, the chunk's planes are copied into zero-padded planes, each column's
    /// n x n block is gathered and its α x α transform (a 1-D map applied to the block's columns, then to its rows) is
    /// written to the workspace. The input: x's α x α tiles (n = α, the planes padded by p on the top and left and up to
    /// whole tiles on the bottom and right) under Bᵀ. The gradient: dY's m x m blocks (n = m, zero rows and columns up to
    /// whole blocks) under A.
    /// </summary>
    private static void GatherTransform<T>(float* src, float* dst, Tiles t, long plane, bool gradient) where T : struct, ITileTransform
    {
        int A = t.S.A, M = t.S.M, N = t.N;
        int channels = gradient ? t.K : t.C, H = gradient ? t.Ho : t.H, W = gradient ? t.Wo : t.W, pad = gradient ? 0 : t.Pad;
        int n = gradient ? M : A, Hp = M * t.TH + n - M, Wp = M * t.TW + n - M;   // the input: ≥ H + 2p and W + 2p
        var offsets = ColumnOffsets(t, Hp, Wp);
        nint asrc = (nint)src, adst = (nint)dst;
        Par.For(channels, 1, (s, e) =>
        {
            var padded = BufferPool.Rent(t.G * Hp * Wp + 8, clear: true);   // one channel of the chunk's g images (+ the row loads' overrun)
            Vector256<float>* block = stackalloc Vector256<float>[36];
            Vector256<float>* tmp = stackalloc Vector256<float>[36];
            fixed (float* pp = padded)
            fixed (int* po = offsets)
            {
                for (int c = s; c < e; c++)
                {
                    for (int gi = 0; gi < t.G; gi++)
                        CopyPadded((float*)asrc + ((long)gi * channels + c) * H * W, pp + (long)gi * Hp * Wp, H, W, Wp, pad);
                    float* to = (float*)adst + (long)c * N;
                    for (int col = 0; col < N; col += 8)
                    {
                        if (Avx.IsSupported)
                            for (int i = 0; i < n; i++) LoadRows(pp + i * Wp, po + col, n, block + i * n);
                        else
                        {
                            var index = Vector256.Load(po + col);
                            for (int i = 0; i < n; i++)
                                for (int j = 0; j < n; j++) block[i * n + j] = Gather(pp, index, i * Wp + j);
                        }
                        for (int j = 0; j < n; j++) Map<T>(gradient, block + j, n, tmp + j, n);         // columns: tmp (α x n)
                        for (int i = 0; i < A; i++) Map<T>(gradient, tmp + i * n, 1, block + i * A, 1); // rows: block (α x α)
                        int count = Math.Min(8, N - col);
                        for (int xi = 0; xi < A * A; xi++) Store(block[xi], to + col + xi * plane, count);
                    }
                }
            }
            BufferPool.Return(padded);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Map<T>(bool gradient, Vector256<float>* s, int ss, Vector256<float>* d, int ds) where T : struct, ITileTransform
    {
        if (gradient) T.A(s, ss, d, ds);
        else T.Bt(s, ss, d, ds);
    }

    /// <summary>y[g, k, m x m block] (+)= (Aᵀ M A) (+ bias[k]), cropped at the bottom and right edges.</summary>
    private static void TransformOutput(float* m, float* y, float* bias, bool accumulate, Tiles t, long plane)
    {
        if (t.S.M == 4) TransformOutput<F4Transform>(m, y, bias, accumulate, t, plane);
        else TransformOutput<F2Transform>(m, y, bias, accumulate, t, plane);
    }

    /// <summary>
    /// Writes the m x m outputs (<paramref name="z"/> + <paramref name="b"/>, one vector per output position, lane l: tile
    /// col + l) of 8 tiles that all lie wholly inside the output (else returns false, writing nothing): a transpose per
    /// output row turns the lanes into each tile's contiguous row of m floats, stored (or added) with one 2- or 4-float
    /// store per tile and row instead of m scalar stores. <paramref name="plane0"/> is channel k of image 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool StoreFullTiles(Vector256<float>* z, Vector256<float> b, int Mt, int col, bool accumulate, Tiles t, float* plane0, float** dst)
    {
        int P = t.P;
        long imageStride = (long)t.K * t.Ho * t.Wo;
        for (int l = 0; l < 8; l++)
        {
            int gi = (col + l) / P, tile = (col + l) % P, oh = Mt * (tile / t.TW), ow = Mt * (tile % t.TW);
            if (oh + Mt > t.Ho || ow + Mt > t.Wo) return false;
            dst[l] = plane0 + gi * imageStride + (long)oh * t.Wo + ow;
        }
        int Wo = t.Wo;
        for (int i = 0; i < Mt; i++)
        {
            long at = (long)i * Wo;
            if (Mt == 4)
            {
                Vector256<float> d0 = z[i * 4] + b, d1 = z[i * 4 + 1] + b, d2 = z[i * 4 + 2] + b, d3 = z[i * 4 + 3] + b;
                var t0 = Avx.UnpackLow(d0, d1); var t1 = Avx.UnpackHigh(d0, d1);
                var t2 = Avx.UnpackLow(d2, d3); var t3 = Avx.UnpackHigh(d2, d3);
                Row4(Avx.Shuffle(t0, t2, 0x44), dst[0] + at, dst[4] + at, accumulate);
                Row4(Avx.Shuffle(t0, t2, 0xEE), dst[1] + at, dst[5] + at, accumulate);
                Row4(Avx.Shuffle(t1, t3, 0x44), dst[2] + at, dst[6] + at, accumulate);
                Row4(Avx.Shuffle(t1, t3, 0xEE), dst[3] + at, dst[7] + at, accumulate);
            }
            else
            {
                Vector256<float> d0 = z[i * 2] + b, d1 = z[i * 2 + 1] + b;
                var t0 = Avx.UnpackLow(d0, d1);    // tiles 0, 1 | 4, 5: (row value 0, value 1) pairs
                var t1 = Avx.UnpackHigh(d0, d1);   // tiles 2, 3 | 6, 7
                Row2(t0.GetLower(), dst[0] + at, dst[1] + at, accumulate);
                Row2(t0.GetUpper(), dst[4] + at, dst[5] + at, accumulate);
                Row2(t1.GetLower(), dst[2] + at, dst[3] + at, accumulate);
                Row2(t1.GetUpper(), dst[6] + at, dst[7] + at, accumulate);
            }
        }
        return true;
    }

    /// <summary>The low 4 floats of <paramref name="v"/> to <paramref name="lo"/>, the high 4 to <paramref name="hi"/> (stored or added).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row4(Vector256<float> v, float* lo, float* hi, bool accumulate)
    {
        if (accumulate)
        {
            (Vector128.Load(lo) + v.GetLower()).Store(lo);
            (Vector128.Load(hi) + v.GetUpper()).Store(hi);
        }
        else
        {
            v.GetLower().Store(lo);
            v.GetUpper().Store(hi);
        }
    }

    /// <summary>Floats 0, 1 of <paramref name="v"/> to <paramref name="a"/>, floats 2, 3 to <paramref name="c"/> (stored or added).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row2(Vector128<float> v, float* a, float* c, bool accumulate)
    {
        if (accumulate) { a[0] += v.GetElement(0); a[1] += v.GetElement(1); c[0] += v.GetElement(2); c[1] += v.GetElement(3); }
        else
        {
            Sse.StoreLow(a, v);
            Sse.StoreHigh(c, v);
        }
    }

    private static void TransformOutput<T>(float* m, float* y, float* bias, bool accumulate, Tiles t, long plane) where T : struct, ITileTransform
    {
        int A = t.S.A, Mt = t.S.M, P = t.P, N = t.N;
        nint am = (nint)m, ay = (nint)y, ab = (nint)bias;
        Par.For(t.K, 1, (s, e) =>
        {
            Vector256<float>* z = stackalloc Vector256<float>[36];
            Vector256<float>* tmp = stackalloc Vector256<float>[36];
            float* block = stackalloc float[16 * 8];   // the m x m outputs of 8 tiles
            float** dsts = stackalloc float*[8];
            for (int k = s; k < e; k++)
            {
                var b = Vector256.Create(ab == 0 ? 0f : ((float*)ab)[k]);
                float* src = (float*)am + (long)k * N;
                for (int col = 0; col < N; col += 8)
                {
                    // lanes past the last column read the workspace's spacing or the next plane, never stored
                    for (int xi = 0; xi < A * A; xi++) z[xi] = Vector256.Load(src + col + xi * plane);
                    for (int j = 0; j < A; j++) T.At(z + j, A, tmp + j, A);          // Aᵀ M (m x α), column by column
                    for (int i = 0; i < Mt; i++) T.At(tmp + i * A, 1, z + i * Mt, 1); // (Aᵀ M) A (m x m), row by row
                    int count = Math.Min(8, N - col);
                    if (count == 8 && Avx.IsSupported && StoreFullTiles(z, b, Mt, col, accumulate, t, (float*)ay + (long)k * t.Ho * t.Wo, dsts)) continue;
                    for (int xi = 0; xi < Mt * Mt; xi++) (z[xi] + b).Store(block + 8 * xi);
                    for (int l = 0; l < count; l++)
                    {
                        int gi = (col + l) / P, tile = (col + l) % P, oh = Mt * (tile / t.TW), ow = Mt * (tile % t.TW);
                        int rows = Math.Min(Mt, t.Ho - oh), cols = Math.Min(Mt, t.Wo - ow);
                        float* dst = (float*)ay + ((long)gi * t.K + k) * t.Ho * t.Wo;
                        for (int i = 0; i < rows; i++)
                        {
                            float* row = dst + (long)(oh + i) * t.Wo + ow;
                            float* from = block + 8 * (i * Mt) + l;
                            if (accumulate) for (int j = 0; j < cols; j++) row[j] += from[8 * j];
                            else for (int j = 0; j < cols; j++) row[j] = from[8 * j];
                        }
                    }
                }
            }
        });
    }
}

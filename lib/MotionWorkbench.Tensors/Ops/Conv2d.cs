using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// 2-D convolution as PyTorch's Conv2d (cross-correlation; NCHW; square stride s and symmetric zero padding p; no
// dilation, no groups):
//   y[b, o, oh, ow] = bias[o] + Σ_{c, i, j} W[o, c, i, j] · x[b, c, oh·s − p + i, ow·s − p + j]   (x = 0 outside)
//   x (B, Cin, H, W), W (Cout, Cin, KH, KW), bias (Cout) or none -> y (B, Cout, Ho, Wo), Ho = (H + 2p − KH)/s + 1.
// Computed as GEMMs over chunks of G images (the batch folded into the GEMM's N = G·Ho·Wo), with
// col = im2col(x chunk) (K = Cin·KH·KW, N) (Kernels/Im2Col.cs):
//   forward   Y (Cout, N) = W (Cout, K) · col, then scattered into y (B, Cout, Ho, Wo) with the bias
//   backward  dY (Cout, N) gathered from dOut;  dW += dY · colᵀ (col recomputed from x; the threads split N, partials
//             added in chunk order);
//             dCol (K, N) = Wᵀ · dY, dX += col2im(dCol);  dBias += Σ_{b, oh, ow} dOut
// 3x3 stride-1 convolutions (forward, the transposed-convolution dX and dW) go to Kernels/Winograd.cs instead (Winograd
// F(2x2, 3x3) forward, F(4x4, 3x3) in the gradient passes: GEMMs over tile transforms with 2.25x and 4x fewer
// multiplications) unless Winograd.Enabled is false (MW_CONV=im2col).
// Nothing is cached (x and W are parents). Memory: two pooled workspaces of Im2Col.BudgetFloats floats (16 MB each by
// default; one image's worth when larger), whatever the batch. Determinism: chunks run in a fixed order, each GEMM splits
// only M or N over the threads, col2im writes each image plane from one chunk, dBias sums per channel: the same bits
// for the same thread count.
public static partial class Ops
{
    /// <summary>2-D convolution (NCHW) with kernel size from <paramref name="weight"/> (Cout, Cin, KH, KW).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        if (weight.Rank != 4) throw new ArgumentException($"Conv2d: weight must be (Cout, Cin, KH, KW), got {Tensor.Format(weight.Shape)}");
        if (x.Rank != 4 || x.Shape[1] != weight.Shape[1]) throw new ArgumentException($"Conv2d: input must be (B, {weight.Shape[1]}, H, W) for weight {Tensor.Format(weight.Shape)}, got {Tensor.Format(x.Shape)}");
        if (stride < 1 || padding < 0) throw new ArgumentException($"Conv2d: stride must be >= 1 and padding >= 0, got stride {stride}, padding {padding}");
        int Cout = weight.Shape[0];
        if (bias is not null && (bias.Rank != 1 || bias.Size != Cout)) throw new ArgumentException($"Conv2d: bias {Tensor.Format(bias.Shape)} must be ({Cout}) for weight {Tensor.Format(weight.Shape)}");
        var d = ConvDims.Of(x.Shape, weight.Shape, stride, padding);
        var y = Tensor.Pooled([d.B, d.Cout, d.Ho, d.Wo]);
        Conv2dForward(x.Data, weight.Data, bias is null ? ReadOnlySpan<float>.Empty : bias.Data, y.Data, d);
        var parents = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return y.Record("conv2d", parents, () => Conv2dBackward(y.GradSpan, x.Data, weight.Data,
            x.RequiresGrad ? x.GradSpan : Span<float>.Empty, weight.RequiresGrad ? weight.GradSpan : Span<float>.Empty,
            bias is { RequiresGrad: true } ? bias.GradSpan : Span<float>.Empty, d));
    }

    /// <summary>The sizes of one convolution.</summary>
    internal readonly record struct ConvDims(int B, int Cin, int H, int W, int Cout, int KH, int KW, int Stride, int Padding, int Ho, int Wo)
    {
        public int K => Cin * KH * KW;
        public int HoWo => Ho * Wo;

        public static ConvDims Of(int[] x, int[] w, int stride, int padding)
        {
            int H = x[2], W = x[3], KH = w[2], KW = w[3];
            int Ho = (H + 2 * padding - KH) / stride + 1, Wo = (W + 2 * padding - KW) / stride + 1;
            if (H + 2 * padding < KH || W + 2 * padding < KW || Ho < 1 || Wo < 1)
                throw new ArgumentException($"Conv2d: input {Tensor.Format(x)} with padding {padding} is smaller than the kernel {KH} x {KW}");
            return new ConvDims(x[0], x[1], H, W, w[0], KH, KW, stride, padding, Ho, Wo);
        }
    }

    /// <summary>y = conv(x, weight) + bias, or with <paramref name="accumulate"/> y += conv(x, weight) (no bias).</summary>
    internal static unsafe void Conv2dForward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, ConvDims d, bool accumulate = false, bool inputGradient = false)
    {
        var profile = OpProfile.Active;
        string part = inputGradient ? "bwd dX" : "fwd";
        if (Winograd.Applies(d.KH, d.KW, d.Stride))
        {
            fixed (float* wx = x, ww = weight, wb = bias, wy = y)
                Winograd.Forward(wx, ww, bias.IsEmpty ? null : wb, wy, d.B, d.Cin, d.H, d.W, d.Cout, d.Padding, accumulate, inputGradient);
            return;
        }
        int K = d.K, HoWo = d.HoWo, Cout = d.Cout, inPlane = d.Cin * d.H * d.W;
        int G = Im2Col.ImagesPerChunk(d.B, (long)Math.Max(K, Cout) * HoWo);
        var col = BufferPool.Rent(Math.Max(Im2Col.BudgetFloats, K * G * HoWo), clear: false);
        var ycol = G > 1 ? BufferPool.Rent(Math.Max(Im2Col.BudgetFloats, Cout * G * HoWo), clear: false) : null;
        bool hasBias = !bias.IsEmpty;
        fixed (float* px = x, pw = weight, pb = bias, py = y, pc = col, pyc = ycol)
        {
            nint ay = (nint)py, ayc = (nint)pyc, ab = (nint)pb;
            for (int b0 = 0; b0 < d.B; b0 += G)
            {
                int g = Math.Min(G, d.B - b0), N = g * HoWo;
                double t0 = profile?.Now() ?? 0;
                Im2Col.Pack(new ReadOnlySpan<float>(px + (long)b0 * inPlane, g * inPlane), col, g, d.Cin, d.H, d.W, d.KH, d.KW, d.Stride, d.Padding, d.Ho, d.Wo);
                if (profile is not null) { profile.Since($"  conv2d {part} im2col k{d.KH}s{d.Stride}", t0); t0 = profile.Now(); }
                int first = b0;
                if (g == 1)
                {
                    // one image: the GEMM writes (or adds) its (Cout, Ho·Wo) block of y directly
                    Gemm.Run(false, false, Cout, N, K, 1f, pw, K, pc, N, accumulate ? 1f : 0f, py + (long)b0 * Cout * HoWo, N);
                    if (hasBias) Par.For(Cout, 16, (s, e) => AddBias((float*)ay + (long)first * Cout * HoWo, (float*)ab, s, e, HoWo));
                    profile?.Since($"  conv2d {part} gemm k{d.KH}s{d.Stride}", t0);
                    continue;
                }
                Gemm.Run(false, false, Cout, N, K, 1f, pw, K, pc, N, 0f, pyc, N);
                if (profile is not null) { profile.Since($"  conv2d {part} gemm k{d.KH}s{d.Stride}", t0); t0 = profile.Now(); }
                // scatter (Cout, g·Ho·Wo) into y (g, Cout, Ho·Wo), adding the bias
                Par.For(g * Cout, Math.Max(1, 8192 / HoWo), (s, e) =>
                {
                    for (int t = s; t < e; t++)
                    {
                        int gi = t / Cout, o = t % Cout;
                        var dst = new Span<float>((float*)ay + ((long)(first + gi) * Cout + o) * HoWo, HoWo);
                        var src = new ReadOnlySpan<float>((float*)ayc + (long)o * N + (long)gi * HoWo, HoWo);
                        if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
                        else if (hasBias) System.Numerics.Tensors.TensorPrimitives.Add(src, ((float*)ab)[o], dst);
                        else src.CopyTo(dst);
                    }
                });
                profile?.Since($"  conv2d {part} scatter k{d.KH}s{d.Stride}", t0);
            }
        }
        BufferPool.Return(col);
        if (ycol is not null) BufferPool.Return(ycol);
    }

    private static unsafe void AddBias(float* y, float* bias, int start, int end, int HoWo)
    {
        for (int o = start; o < end; o++)
        {
            var row = new Span<float>(y + (long)o * HoWo, HoWo);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias[o], row);
        }
    }

    /// <summary>
    /// dW (Cout, K) += dY (Cout, N) · colᵀ with col (K, N): a GEMM whose inner dimension N (images × pixels) is long and
    /// whose output is small, so the threads split N (one serial GEMM per chunk into its own partial, the partials then
    /// added in chunk order: deterministic for a thread count) rather than the output's rows or columns, which would
    /// give each thread a skinny product and repack dY for every piece.
    /// </summary>
    private static unsafe void WeightGradient(float* dy, float* col, float* dW, int Cout, int K, int N)
    {
        int chunks = Par.ChunkCount(N, 512, 1);
        if (chunks <= 1)
        {
            Gemm.Run(false, true, Cout, K, N, 1f, dy, N, col, N, 1f, dW, K);
            return;
        }
        int size = Cout * K;
        var partial = BufferPool.Rent(chunks * size, clear: false);
        fixed (float* pp = partial)
        {
            nint ady = (nint)dy, acol = (nint)col, ap = (nint)pp, adw = (nint)dW;
            Par.ForChunks(N, 512, 1, (c, s, e) => Gemm.Serial(false, true, Cout, K, e - s, 1f, (float*)ady + s, N, (float*)acol + s, N, 0f, (float*)ap + (long)c * size, K));
            Par.For(size, 16384, (s, e) =>
            {
                var dst = new Span<float>((float*)adw + s, e - s);
                for (int c = 0; c < chunks; c++) System.Numerics.Tensors.TensorPrimitives.Add(dst, new ReadOnlySpan<float>((float*)ap + (long)c * size + s, e - s), dst);
            });
        }
        BufferPool.Return(partial);
    }

    /// <summary>
    /// dX += the input gradient of a stride-1 convolution, computed as a convolution itself (the transposed convolution):
    /// dX[b, c, h, w] = Σ_{o, i, j} W'[c, o, i, j] · dY[b, o, h − p' + i, w − p' + j] with W'[c, o, i, j] = W[o, c, KH−1−i, KW−1−j]
    /// and p' = K − 1 − p, so one im2col of dY and a GEMM of inner size Cout·KH·KW (not Cout, which is 64 in ResNet's first
    /// stage), and no col2im scatter over the 9x larger column matrix.
    /// </summary>
    private static unsafe void InputGradientStride1(ReadOnlySpan<float> dOut, ReadOnlySpan<float> weight, Span<float> dX, ConvDims d)
    {
        int Cout = d.Cout, Cin = d.Cin, KH = d.KH, KW = d.KW;
        var flipped = BufferPool.Rent(Cin * Cout * KH * KW, clear: false);   // W' (Cin, Cout, KH, KW)
        fixed (float* pw = weight, pf = flipped)
        {
            nint aw = (nint)pw, af = (nint)pf;
            Par.For(Cin, 8, (s, e) =>
            {
                for (int c = s; c < e; c++)
                    for (int o = 0; o < Cout; o++)
                        for (int i = 0; i < KH; i++)
                            for (int j = 0; j < KW; j++)
                                ((float*)af)[((c * Cout + o) * KH + i) * KW + j] = ((float*)aw)[((o * Cin + c) * KH + (KH - 1 - i)) * KW + (KW - 1 - j)];
            });
        }
        var t = new ConvDims(d.B, Cout, d.Ho, d.Wo, Cin, KH, KW, 1, KH - 1 - d.Padding, d.H, d.W);
        Conv2dForward(dOut, flipped.AsSpan(0, Cin * Cout * KH * KW), ReadOnlySpan<float>.Empty, dX, t, accumulate: true, inputGradient: true);
        BufferPool.Return(flipped);
    }

    /// <summary>Accumulates dX, dWeight and dBias (each skipped when empty) from dOut (B, Cout, Ho, Wo).</summary>
    internal static unsafe void Conv2dBackward(ReadOnlySpan<float> dOut, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> dX, Span<float> dWeight, Span<float> dBias, ConvDims d)
    {
        int K = d.K, HoWo = d.HoWo, Cout = d.Cout, inPlane = d.Cin * d.H * d.W, B = d.B;
        fixed (float* pdo = dOut, px = x, pw = weight, pdx = dX, pdw = dWeight, pdb = dBias)
        {
            nint ado = (nint)pdo;
            if (!dBias.IsEmpty)
            {
                nint adb = (nint)pdb;
                Par.For(Cout, 8, (s, e) =>
                {
                    for (int o = s; o < e; o++)
                    {
                        double acc = 0;
                        for (int b = 0; b < B; b++) acc += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>((float*)ado + ((long)b * Cout + o) * HoWo, HoWo));
                        ((float*)adb)[o] += (float)acc;
                    }
                });
            }
            if (dX.IsEmpty && dWeight.IsEmpty) return;
            // stride 1 with the usual padding (p ≤ K − 1 in both axes): dX as a convolution of dY (no col2im)
            bool transposed = !dX.IsEmpty && d.Stride == 1 && d.Padding <= d.KH - 1 && d.Padding <= d.KW - 1 && d.KH == d.KW;
            if (transposed)
            {
                var profile = OpProfile.Active;
                double t0 = profile?.Now() ?? 0;
                InputGradientStride1(dOut, weight, dX, d);
                profile?.Since($"  conv2d bwd dX (transposed conv) k{d.KH}s{d.Stride}", t0);
                if (dWeight.IsEmpty) return;
            }
            // 3x3 stride 1: dW in the Winograd domain (no im2col of x)
            bool weightDone = false;
            if (!dWeight.IsEmpty && Winograd.Applies(d.KH, d.KW, d.Stride))
            {
                Winograd.WeightGradient(px, pdo, pdw, B, d.Cin, d.H, d.W, Cout, d.Padding);
                weightDone = true;
                if (dX.IsEmpty || transposed) return;
            }
            int G = Im2Col.ImagesPerChunk(B, (long)Math.Max(K, Cout) * HoWo);
            var col = BufferPool.Rent(Math.Max(Im2Col.BudgetFloats, K * G * HoWo), clear: false);
            var dycol = G > 1 ? BufferPool.Rent(Math.Max(Im2Col.BudgetFloats, Cout * G * HoWo), clear: false) : null;
            fixed (float* pc = col, pdyc = dycol)
            {
                nint adyc = (nint)pdyc;
                for (int b0 = 0; b0 < B; b0 += G)
                {
                    int g = Math.Min(G, B - b0), N = g * HoWo, first = b0;
                    float* dy = pdo + (long)b0 * Cout * HoWo;   // (Cout, Ho·Wo) when g == 1
                    if (g > 1)
                    {
                        // gather dOut (g, Cout, Ho·Wo) into (Cout, g·Ho·Wo)
                        Par.For(g * Cout, Math.Max(1, 8192 / HoWo), (s, e) =>
                        {
                            for (int t = s; t < e; t++)
                            {
                                int gi = t / Cout, o = t % Cout;
                                new ReadOnlySpan<float>((float*)ado + ((long)(first + gi) * Cout + o) * HoWo, HoWo).CopyTo(new Span<float>((float*)adyc + (long)o * N + (long)gi * HoWo, HoWo));
                            }
                        });
                        dy = pdyc;
                    }
                    var profile = OpProfile.Active;
                    double t0 = profile?.Now() ?? 0;
                    if (!dWeight.IsEmpty && !weightDone)
                    {
                        Im2Col.Pack(new ReadOnlySpan<float>(px + (long)b0 * inPlane, g * inPlane), col, g, d.Cin, d.H, d.W, d.KH, d.KW, d.Stride, d.Padding, d.Ho, d.Wo);
                        if (profile is not null) { profile.Since($"  conv2d bwd im2col k{d.KH}s{d.Stride}", t0); t0 = profile.Now(); }
                        WeightGradient(dy, pc, pdw, Cout, K, N);                              // dW (Cout, K) += dY · colᵀ
                        if (profile is not null) { profile.Since($"  conv2d bwd dW gemm k{d.KH}s{d.Stride}", t0); t0 = profile.Now(); }
                    }
                    if (!dX.IsEmpty && !transposed)
                    {
                        Gemm.Run(true, false, K, N, Cout, 1f, pw, K, dy, N, 0f, pc, N);       // dCol (K, N) = Wᵀ · dY
                        if (profile is not null) { profile.Since($"  conv2d bwd dX gemm k{d.KH}s{d.Stride}", t0); t0 = profile.Now(); }
                        Im2Col.UnpackAdd(new ReadOnlySpan<float>(pc, K * N), new Span<float>(pdx + (long)b0 * inPlane, g * inPlane), g, d.Cin, d.H, d.W, d.KH, d.KW, d.Stride, d.Padding, d.Ho, d.Wo);
                        profile?.Since($"  conv2d bwd col2im k{d.KH}s{d.Stride}", t0);
                    }
                }
            }
            BufferPool.Return(col);
            if (dycol is not null) BufferPool.Return(dycol);
        }
    }
}

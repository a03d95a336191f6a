using System.Numerics.Tensors;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// im2col and its adjoint col2im for NCHW convolutions (no dilation, no groups), the layout <see cref="Ops.Conv2d"/>
/// multiplies with one GEMM per chunk of images. For G images x (G, C, H, W) the column matrix is
/// col (K, N) with K = C·KH·KW rows (c, i, j) and N = G·Ho·Wo columns (g, oh, ow):
/// <c>col[(c, i, j), (g, oh, ow)] = x[g, c, oh·s − p + i, ow·s − p + j]</c>, 0 outside the image.
/// <see cref="Pack"/> splits the K rows over <see cref="Par"/>, <see cref="UnpackAdd"/> the G·C image planes (each
/// plane is written by one chunk in a fixed order, so the sums do not depend on the threads).
/// </summary>
public static unsafe class Im2Col
{
    private static int budgetFloats = 4 << 20;

    /// <summary>
    /// The column workspace bound in floats (default 4 M = 16 MB): a convolution takes as many images per chunk as keep
    /// max(K, Cout)·G·Ho·Wo at or below it (at least one image), and rents two buffers of this size (one image's
    /// worth when that is larger). Smaller values only mean more, smaller GEMMs.
    /// </summary>
    public static int BudgetFloats
    {
        get => budgetFloats;
        set => budgetFloats = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"the im2col budget must be at least 1 float, got {value}");
    }

    /// <summary>Images per chunk for a batch of <paramref name="B"/> images of <paramref name="perImage"/> workspace floats each, balanced over the chunks.</summary>
    public static int ImagesPerChunk(int B, long perImage)
    {
        if (B <= 1) return Math.Max(B, 1);
        long fit = Math.Max(1, budgetFloats / Math.Max(1, perImage));
        if (fit >= B) return B;
        long chunks = (B + fit - 1) / fit;
        return (int)((B + chunks - 1) / chunks);
    }

    /// <summary>Fills <paramref name="col"/> (C·KH·KW, G·Ho·Wo) from the G images <paramref name="x"/> (G, C, H, W).</summary>
    /// <remarks>
    /// With stride s > 1 every image row is first split into its s column phases (columns q, q + s, q + 2s, ... for
    /// q = 0..s-1, one pooled buffer the size of x): an output row then reads input columns s·ow − p + j, which are
    /// consecutive within phase (j − p) mod s, so each row of col is a few contiguous copies instead of a strided gather.
    /// </remarks>
    public static void Pack(ReadOnlySpan<float> x, Span<float> col, int G, int C, int H, int W, int KH, int KW, int stride, int padding, int Ho, int Wo)
    {
        int K = C * KH * KW, N = G * Ho * Wo, planes = G * C;
        if (x.Length < planes * H * W || col.Length < (long)K * N) throw new ArgumentException($"im2col: x holds {x.Length} floats and col {col.Length}; ({G}, {C}, {H}, {W}) -> ({K}, {N}) needs {planes * H * W} and {(long)K * N}");
        float[]? phases = stride > 1 ? BufferPool.Rent(planes * H * W, clear: false) : null;
        fixed (float* px = x, pc = col, pp = phases)
        {
            nint ax = (nint)px, ac = (nint)pc, ap = (nint)pp;
            if (phases is not null)
                Par.For(planes * H, Math.Max(1, 16384 / Math.Max(1, W)), (s, e) =>
                {
                    for (int r = s; r < e; r++) SplitPhases((float*)ax + (long)r * W, (float*)ap + (long)r * W, W, stride);
                });
            float* source = phases is null ? px : pp;
            nint asrc = (nint)source;
            Par.For(K, Math.Max(1, 16384 / Math.Max(1, N)), (s, e) =>
            {
                for (int r = s; r < e; r++) PackRow((float*)asrc, (float*)ac + (long)r * N, r, G, C, H, W, KH, KW, stride, padding, Ho, Wo);
            });
        }
        if (phases is not null) BufferPool.Return(phases);
    }

    // One image row -> its stride phases side by side: [columns 0, s, 2s, ... | 1, 1 + s, ... | ...].
    private static void SplitPhases(float* src, float* dst, int W, int stride)
    {
        for (int q = 0; q < stride; q++)
            for (int iw = q; iw < W; iw += stride) *dst++ = src[iw];
    }

    // Where phase q of a row starts in SplitPhases' layout: the lengths of phases 0..q-1, ceil((W − q')/s) each.
    private static int PhaseStart(int q, int W, int stride)
    {
        int start = 0;
        for (int p = 0; p < q; p++) start += (W - p + stride - 1) / stride;
        return start;
    }

    // Row r = (c, i, j) of col from x (stride 1) or from x split into phases (stride > 1).
    private static void PackRow(float* x, float* dst, int r, int G, int C, int H, int W, int KH, int KW, int stride, int padding, int Ho, int Wo)
    {
        int c = r / (KH * KW), i = r / KW % KH, j = r % KW;
        var (owStart, owEnd) = ValidColumns(j, W, stride, padding, Wo);
        int span = owEnd - owStart;
        // input column of output column ow: stride·ow − padding + j = its phase q's element ow + shift
        int offset = j - padding, q = ((offset % stride) + stride) % stride, shift = (offset - q) / stride;
        int rowStart = stride == 1 ? offset : PhaseStart(q, W, stride) + shift;
        for (int g = 0; g < G; g++)
        {
            float* plane = x + ((long)g * C + c) * H * W;
            for (int oh = 0; oh < Ho; oh++)
            {
                float* d = dst + ((long)g * Ho + oh) * Wo;
                int ih = oh * stride - padding + i;
                if (ih < 0 || ih >= H || span <= 0)
                {
                    new Span<float>(d, Wo).Clear();
                    continue;
                }
                if (owStart > 0) new Span<float>(d, owStart).Clear();
                if (owEnd < Wo) new Span<float>(d + owEnd, Wo - owEnd).Clear();
                float* s = plane + (long)ih * W + rowStart;
                new ReadOnlySpan<float>(s + owStart, span).CopyTo(new Span<float>(d + owStart, span));
            }
        }
    }

    /// <summary>dX (G, C, H, W) += col2im(<paramref name="dCol"/>) with dCol (C·KH·KW, G·Ho·Wo): the adjoint of <see cref="Pack"/>.</summary>
    public static void UnpackAdd(ReadOnlySpan<float> dCol, Span<float> dX, int G, int C, int H, int W, int KH, int KW, int stride, int padding, int Ho, int Wo)
    {
        int K = C * KH * KW, N = G * Ho * Wo;
        if (dX.Length < G * C * H * W || dCol.Length < (long)K * N) throw new ArgumentException($"col2im: dCol holds {dCol.Length} floats and dX {dX.Length}; ({K}, {N}) -> ({G}, {C}, {H}, {W}) needs {(long)K * N} and {G * C * H * W}");
        fixed (float* pc = dCol, px = dX)
        {
            nint ac = (nint)pc, ax = (nint)px;
            Par.For(G * C, Math.Max(1, 4096 / Math.Max(1, H * W)), (s, e) =>
            {
                for (int plane = s; plane < e; plane++) UnpackPlane((float*)ac, (float*)ax + (long)plane * H * W, plane / C, plane % C, N, H, W, KH, KW, stride, padding, Ho, Wo);
            });
        }
    }

    private static void UnpackPlane(float* col, float* dx, int g, int c, int N, int H, int W, int KH, int KW, int stride, int padding, int Ho, int Wo)
    {
        for (int i = 0; i < KH; i++)
            for (int j = 0; j < KW; j++)
            {
                var (owStart, owEnd) = ValidColumns(j, W, stride, padding, Wo);
                int span = owEnd - owStart;
                if (span <= 0) continue;
                float* src = col + ((long)(c * KH + i) * KW + j) * N + (long)g * Ho * Wo;
                for (int oh = 0; oh < Ho; oh++)
                {
                    int ih = oh * stride - padding + i;
                    if (ih < 0 || ih >= H) continue;
                    float* s = src + (long)oh * Wo;
                    float* d = dx + (long)ih * W - padding + j;
                    if (stride == 1)
                    {
                        var dst = new Span<float>(d + owStart, span);
                        TensorPrimitives.Add(dst, new ReadOnlySpan<float>(s + owStart, span), dst);
                    }
                    else for (int ow = owStart; ow < owEnd; ow++) d[ow * stride] += s[ow];
                }
            }
    }

    // The output columns ow whose input column ow·s − p + j lies inside [0, W): [start, end).
    private static (int Start, int End) ValidColumns(int j, int W, int stride, int padding, int Wo)
    {
        int a = padding - j, b = W - 1 + padding - j;
        int start = a <= 0 ? 0 : (a + stride - 1) / stride;
        int end = b < 0 ? 0 : Math.Min(Wo, b / stride + 1);
        return (start, Math.Max(start, end));
    }
}

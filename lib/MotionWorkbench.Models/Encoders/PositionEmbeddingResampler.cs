using MotionWorkbench.Tensors;

namespace MotionWorkbench.Models;

/// <summary>
/// timm's <c>resample_abs_pos_embed</c>: the class-token entry is kept, the patch entries form a (rows, cols, C) grid
/// that is resized with PyTorch's <c>F.interpolate(mode="bicubic", antialias=True, align_corners=False)</c>: a separable
/// PIL-style filter with the cubic constant a = −0.5, support 2·scale when downsampling, weights normalised per output
/// pixel. An axis whose size does not change is copied (PyTorch skips it).
/// </summary>
public static class PositionEmbeddingResampler
{
    /// <summary>Keys' cubic convolution kernel with a = −0.5 (PyTorch's antialias filter).</summary>
    public static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /// <summary>The (outSize, inSize) weight matrix W with new[c] = Σ_k W[c, k]·old[k] along one axis.</summary>
    public static double[,] Weights(int inSize, int outSize)
    {
        if (inSize <= 0 || outSize <= 0) throw new ArgumentException($"resampling sizes must be positive, got {inSize} -> {outSize}");
        var w = new double[outSize, inSize];
        if (inSize == outSize)
        {
            for (int i = 0; i < inSize; i++) w[i, i] = 1;
            return w;
        }
        double scale = (double)inSize / outSize;                   // align_corners=False, no scale_factor: in/out
        double support = scale >= 1 ? 2 * scale : 2;               // interp_size 4 for bicubic: (4/2)·scale
        double invScale = scale >= 1 ? 1 / scale : 1;
        for (int i = 0; i < outSize; i++)
        {
            double center = scale * (i + 0.5);
            int xmin = Math.Max((int)(center - support + 0.5), 0);  // C++ truncation toward zero, as in PyTorch
            int xmax = Math.Min((int)(center + support + 0.5), inSize);
            double total = 0;
            for (int j = xmin; j < xmax; j++) total += w[i, j] = Cubic((j - center + 0.5) * invScale);
            if (total != 0) for (int j = xmin; j < xmax; j++) w[i, j] /= total;
        }
        return w;
    }

    /// <summary>
    /// Resizes a position embedding (1, prefix + oldRows·oldCols, C) to (1, prefix + newRows·newCols, C), keeping the
    /// first <paramref name="prefixTokens"/> entries (the class token). Rows are time (height), columns are parts (width).
    /// </summary>
    public static Tensor Resample(Tensor posEmbed, int oldRows, int oldCols, int newRows, int newCols, int prefixTokens = 1)
    {
        if (posEmbed.Rank != 3 || posEmbed.Shape[0] != 1 || posEmbed.Shape[1] != prefixTokens + oldRows * oldCols)
            throw new ArgumentException($"position embedding {Tensor.Format(posEmbed.Shape)} is not (1, {prefixTokens} + {oldRows}·{oldCols}, C)");
        int C = posEmbed.Shape[2];
        var src = posEmbed.Data;
        var wr = Weights(oldRows, newRows);
        var wc = Weights(oldCols, newCols);
        // width first (the axis that changes in the reference), then height; both in double, rounded once
        var mid = new double[oldRows * newCols * C];
        for (int r = 0; r < oldRows; r++)
            for (int c = 0; c < newCols; c++)
                for (int k = 0; k < oldCols; k++)
                {
                    double w = wc[c, k];
                    if (w == 0) continue;
                    int s = (prefixTokens + r * oldCols + k) * C, d = (r * newCols + c) * C;
                    for (int e = 0; e < C; e++) mid[d + e] += w * src[s + e];
                }
        var result = Tensor.Zeros(1, prefixTokens + newRows * newCols, C);
        var dst = result.Data;
        src.Slice(0, prefixTokens * C).CopyTo(dst);
        var acc = new double[C];
        for (int r = 0; r < newRows; r++)
            for (int c = 0; c < newCols; c++)
            {
                Array.Clear(acc);
                for (int k = 0; k < oldRows; k++)
                {
                    double w = wr[r, k];
                    if (w == 0) continue;
                    int s = (k * newCols + c) * C;
                    for (int e = 0; e < C; e++) acc[e] += w * mid[s + e];
                }
                int d = (prefixTokens + r * newCols + c) * C;
                for (int e = 0; e < C; e++) dst[d + e] = (float)acc[e];
            }
        return result;
    }
}

namespace MotionWorkbench.Tensors.Tests.Support;

/// <summary>Direct (loop) convolution in double precision: the independent reference of <see cref="Ops.Conv2d"/>.</summary>
public static class ConvReference
{
    /// <summary>y (B, Cout, Ho, Wo) and, for an upstream gradient dy, dx, dw and db.</summary>
    public static (double[] Y, double[] Dx, double[] Dw, double[] Db) Run(float[] x, int[] xs, float[] w, int[] ws, float[]? bias, int stride, int padding, float[] dy)
    {
        int B = xs[0], C = xs[1], H = xs[2], W = xs[3], O = ws[0], KH = ws[2], KW = ws[3];
        int Ho = (H + 2 * padding - KH) / stride + 1, Wo = (W + 2 * padding - KW) / stride + 1;
        var y = new double[B * O * Ho * Wo];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[O];
        for (int b = 0; b < B; b++)
            for (int o = 0; o < O; o++)
                for (int oh = 0; oh < Ho; oh++)
                    for (int ow = 0; ow < Wo; ow++)
                    {
                        int at = ((b * O + o) * Ho + oh) * Wo + ow;
                        double acc = bias?[o] ?? 0, g = dy[at];
                        db[o] += g;
                        for (int c = 0; c < C; c++)
                            for (int i = 0; i < KH; i++)
                                for (int j = 0; j < KW; j++)
                                {
                                    int ih = oh * stride - padding + i, iw = ow * stride - padding + j;
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                    int xi = ((b * C + c) * H + ih) * W + iw, wi = ((o * C + c) * KH + i) * KW + j;
                                    acc += (double)x[xi] * w[wi];
                                    dx[xi] += g * w[wi];
                                    dw[wi] += g * x[xi];
                                }
                        y[at] = acc;
                    }
        return (y, dx, dw, db);
    }
}

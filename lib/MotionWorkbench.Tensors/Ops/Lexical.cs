using System.Numerics.Tensors;
using MotionWorkbench.Tensors.Kernels;

namespace MotionWorkbench.Tensors;

// Lexical (SPLADE / LexLIP) head ops.
//   LexicalMaxPool: x (B, T, H), W (V, H), b (V), valid (B, T) -> z (B, V)
//     z[b, j] = max over valid t of (x[b, t]·W[j] + b[j]);  t*[b, j] = the first such argmax (kept for backward)
//     dx[b, t*] += dz[b, j]·W[j];  dW[j] += dz[b, j]·x[b, t*];  db[j] += dz[b, j]
//     Forward tiles V (tileRows vocabulary rows, default 512) and groups batch rows (about 256 tokens a group): one GEMM
//     x_group (rows, H)·W_tileᵀ into a rows × tile scratch, then the column max per item, so B × T × V is never
//     materialised. (tile, group) work items run over Par.
//     Backward is a sparse scatter through t* (B·V·H multiply-adds, T times fewer than a dense GEMM): dx split over
//     the batch, dW/db split over vocabulary rows, so no two threads write the same row.
//   Log1pRelu: y = ln(1 + max(z, 0))       dz += dy / (1 + z) for z > 0, else 0
//   FlopsRegularizer: w (N, V) -> (1);  L = Σ_j m_j²,  m_j = mean_i |w[i, j]|;  dw[i, j] += dL·2·m_j·sign(w[i, j]) / N
//   SoftmaxBottleneck: z (B, V), E (V, H) -> (B, H);  p = softmax(z) per row, out = p·E with E under stop-gradient
//     (E never receives a gradient, even when it requires one);  dp = dOut·Eᵀ,  dz += p ⊙ (dp − Σ dp ⊙ p). Caches p.
//   ScatterColumns: x (B, A), columns[A] (distinct, in [0, V)) -> y (B, V);  y[b, columns[a]] = x[b, a], every other
//     entry = fill;  dx[b, a] += dy[b, columns[a]]. A lexical head over a vocabulary subset (lex.vocabulary = captions)
//     projects onto the subset's rows only and scatters back, so the vectors keep the full vocabulary's ids.
public static partial class Ops
{
    /// <summary>Default number of vocabulary rows per <see cref="LexicalMaxPool(Tensor, Tensor, Tensor?, bool[], int[]?, int)"/> tile.</summary>
    public const int LexicalTileRows = 512;

    /// <summary>
    /// Fused vocabulary projection and max over tokens: z[b, j] = max over tokens t with valid[b·T + t] of
    /// x[b, t]·W[j] + bias[j]. <paramref name="valid"/> (B·T, true = the token counts) needs at least one token per row.
    /// <paramref name="argmaxOut"/> (B·V), when given, receives the winning token per (b, j).
    /// </summary>
    public static Tensor LexicalMaxPool(Tensor x, Tensor weight, Tensor? bias, bool[] valid, int[]? argmaxOut = null, int tileRows = LexicalTileRows)
    {
        if (x.Rank != 3) throw new ArgumentException($"LexicalMaxPool: tokens must be (B, T, H), got {Tensor.Format(x.Shape)}");
        if (weight.Rank != 2 || weight.Shape[1] != x.Shape[2]) throw new ArgumentException($"LexicalMaxPool: weight must be (V, H={x.Shape[2]}), got {Tensor.Format(weight.Shape)}");
        int B = x.Shape[0], T = x.Shape[1], H = x.Shape[2], V = weight.Shape[0];
        if (bias is not null && (bias.Rank != 1 || bias.Size != V)) throw new ArgumentException($"LexicalMaxPool: bias {Tensor.Format(bias.Shape)} must be ({V}) for weight {Tensor.Format(weight.Shape)}");
        ArgumentNullException.ThrowIfNull(valid);
        if (valid.Length != B * T) throw new ArgumentException($"LexicalMaxPool: valid mask has {valid.Length} entries, expected B·T = {B}·{T}");
        for (int b = 0; b < B; b++)
            if (Array.IndexOf(valid, true, b * T, T) < 0) throw new ArgumentException($"LexicalMaxPool: batch row {b} has no valid token (every row needs at least one)");
        if (argmaxOut is not null && argmaxOut.Length != B * V) throw new ArgumentException($"LexicalMaxPool: argmax buffer has {argmaxOut.Length} entries, expected B·V = {B * V}");
        if (tileRows <= 0) throw new ArgumentOutOfRangeException(nameof(tileRows), $"LexicalMaxPool: tileRows must be positive, got {tileRows}");
        int tile = Math.Max(1, Math.Min(tileRows, V)), tiles = (V + tile - 1) / tile;
        int g = Math.Clamp(256 / Math.Max(1, T), 1, Math.Max(1, B)), groups = (B + g - 1) / g;
        var y = Tensor.Pooled([B, V]);
        var argmax = new int[B * V];
        var mask = (bool[])valid.Clone();
        unsafe
        {
            fixed (float* px = x.Data, pw = weight.Data, py = y.Data)
            fixed (int* pa = argmax)
            {
                nint ax = (nint)px, aw = (nint)pw, ay = (nint)py, aa = (nint)pa;
                float[]? biasArr = bias?.DataArray; int biasAt = bias?.DataOffset ?? 0;
                // a work item is (vocabulary tile, group of batch rows): one GEMM with about 256 token rows, so the
                // W tile is packed once per group rather than once per batch row; consecutive items share the tile
                Par.For(tiles * groups, 1, (s, e) =>
                {
                    var scratch = BufferPool.Rent(g * T * tile, clear: false);
                    try
                    {
                        fixed (float* ps = scratch)
                            for (int item = s; item < e; item++)
                            {
                                int j0 = item / groups * tile, n = Math.Min(tile, V - j0);
                                int b0 = item % groups * g, nb = Math.Min(g, B - b0);
                                Gemm.Serial(false, true, nb * T, n, H, 1f, (float*)ax + (long)b0 * T * H, H, (float*)aw + (long)j0 * H, H, 0f, ps, n);
                                for (int b = b0; b < b0 + nb; b++)
                                {
                                    float* yrow = (float*)ay + (long)b * V + j0;
                                    int* arow = (int*)aa + (long)b * V + j0;
                                    bool first = true;
                                    for (int t = 0; t < T; t++)
                                    {
                                        if (!mask[b * T + t]) continue;
                                        float* srow = ps + ((long)(b - b0) * T + t) * n;
                                        if (first)
                                        {
                                            for (int j = 0; j < n; j++) { yrow[j] = srow[j]; arow[j] = t; }
                                            first = false;
                                        }
                                        else
                                            for (int j = 0; j < n; j++)
                                                if (srow[j] > yrow[j]) { yrow[j] = srow[j]; arow[j] = t; }
                                    }
                                    if (biasArr is not null)
                                        TensorPrimitives.Add(new ReadOnlySpan<float>(yrow, n), new ReadOnlySpan<float>(biasArr, biasAt + j0, n), new Span<float>(yrow, n));
                                }
                            }
                    }
                    finally { BufferPool.Return(scratch); }
                });
            }
        }
        if (argmaxOut is not null) argmax.CopyTo(argmaxOut, 0);
        var parents = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return y.Record("lexical_max_pool", parents, () => LexicalMaxPoolBackward(y, x, weight, bias, argmax, B, T, H, V));
    }

    /// <summary>As <see cref="LexicalMaxPool(Tensor, Tensor, Tensor?, bool[], int[]?, int)"/> with a float mask (B·T, nonzero = the token counts).</summary>
    public static Tensor LexicalMaxPool(Tensor x, Tensor weight, Tensor? bias, ReadOnlySpan<float> valid, int[]? argmaxOut = null, int tileRows = LexicalTileRows)
    {
        var mask = new bool[valid.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = valid[i] != 0;
        return LexicalMaxPool(x, weight, bias, mask, argmaxOut, tileRows);
    }

    private static unsafe void LexicalMaxPoolBackward(Tensor y, Tensor x, Tensor weight, Tensor? bias, int[] argmax, int B, int T, int H, int V)
    {
        fixed (float* pdy = y.GradSpan, px = x.Data, pw = weight.Data)
        {
            nint ady = (nint)pdy, ax = (nint)px, aw = (nint)pw;
            if (x.RequiresGrad)
                fixed (float* pdx = x.GradSpan)
                {
                    nint adx = (nint)pdx;
                    Par.For(B, 1, 1, (s, e) =>
                    {
                        for (int b = s; b < e; b++)
                        {
                            float* dyrow = (float*)ady + (long)b * V;
                            for (int j = 0; j < V; j++)
                            {
                                float g = dyrow[j];
                                if (g == 0) continue;
                                var dxr = new Span<float>((float*)adx + ((long)b * T + argmax[b * V + j]) * H, H);
                                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>((float*)aw + (long)j * H, H), g, dxr, dxr);
                            }
                        }
                    });
                }
            if (weight.RequiresGrad)
                fixed (float* pdw = weight.GradSpan)
                {
                    nint adw = (nint)pdw;
                    Par.For(V, 64, (s, e) =>
                    {
                        for (int j = s; j < e; j++)
                        {
                            var dwr = new Span<float>((float*)adw + (long)j * H, H);
                            for (int b = 0; b < B; b++)
                            {
                                float g = ((float*)ady)[(long)b * V + j];
                                if (g == 0) continue;
                                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>((float*)ax + ((long)b * T + argmax[b * V + j]) * H, H), g, dwr, dwr);
                            }
                        }
                    });
                }
            if (bias is not null && bias.RequiresGrad)
            {
                var db = bias.GradSpan;
                for (int b = 0; b < B; b++) TensorPrimitives.Add(db, new ReadOnlySpan<float>((float*)ady + (long)b * V, V), db);
            }
        }
    }

    /// <summary>ln(1 + max(z, 0)), the SPLADE activation.</summary>
    public static Tensor Log1pRelu(Tensor z)
    {
        var y = Tensor.Pooled((int[])z.Shape.Clone());
        var zs = z.Data; var ys = y.Data;
        for (int i = 0; i < ys.Length; i++) ys[i] = zs[i] > 0 ? (float)Math.Log(1.0 + zs[i]) : 0f;
        return y.Record("log1p_relu", [z], () =>
        {
            if (!z.RequiresGrad) return;
            var dy = y.GradSpan; var zd = z.Data; var dz = z.GradSpan;
            for (int i = 0; i < dz.Length; i++) if (zd[i] > 0) dz[i] += dy[i] / (1f + zd[i]);
        });
    }

    /// <summary>FLOPS regulariser (Paria et al. 2020) of w (N, V): Σ_j (mean_i |w[i, j]|)², shape (1).</summary>
    public static Tensor FlopsRegularizer(Tensor w)
    {
        if (w.Rank != 2) throw new ArgumentException($"FlopsRegularizer: input must be (N, V), got {Tensor.Format(w.Shape)}");
        int N = w.Shape[0], V = w.Shape[1];
        if (N == 0) throw new ArgumentException("FlopsRegularizer: needs at least one row");
        var mean = new double[V];
        var ws = w.Data;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < V; j++) mean[j] += Math.Abs(ws[i * V + j]);
        double total = 0;
        for (int j = 0; j < V; j++) { mean[j] /= N; total += mean[j] * mean[j]; }
        var y = Tensor.Pooled([1]);
        y.Data[0] = (float)total;
        return y.Record("flops", [w], () =>
        {
            if (!w.RequiresGrad) return;
            float g = y.GradSpan[0];
            var wd = w.Data; var dw = w.GradSpan;
            for (int i = 0; i < N; i++)
                for (int j = 0; j < V; j++)
                {
                    float v = wd[i * V + j];
                    if (v != 0) dw[i * V + j] += (float)(g * 2 * mean[j] / N) * MathF.Sign(v);
                }
        });
    }

    /// <summary>
    /// Continuous bag of words: softmax(z) per row (B, V) times <paramref name="embedding"/> (V, H) -> (B, H). The
    /// embedding is under stop-gradient: only z receives a gradient.
    /// </summary>
    public static unsafe Tensor SoftmaxBottleneck(Tensor z, Tensor embedding)
    {
        if (z.Rank != 2) throw new ArgumentException($"SoftmaxBottleneck: logits must be (B, V), got {Tensor.Format(z.Shape)}");
        if (embedding.Rank != 2 || embedding.Shape[0] != z.Shape[1]) throw new ArgumentException($"SoftmaxBottleneck: embedding must be (V={z.Shape[1]}, H), got {Tensor.Format(embedding.Shape)}");
        int B = z.Shape[0], V = z.Shape[1], H = embedding.Shape[1];
        bool rec = Tensor.Recording(z);
        var y = Tensor.Pooled([B, H]);
        var p = rec ? y.RentCache(B * V) : BufferPool.Rent(B * V, clear: false);
        try
        {
            for (int r = 0; r < B; r++) SoftmaxRow(z.Data.Slice(r * V, V), p.AsSpan(r * V, V));
            fixed (float* pp = p, pe = embedding.Data, py = y.Data) Gemm.Run(false, false, B, H, V, 1f, pp, V, pe, H, 0f, py, H);
        }
        finally { if (!rec) BufferPool.Return(p); }
        var e = embedding;
        return y.Record("softmax_bottleneck", [z], () =>
        {
            if (!z.RequiresGrad) return;
            var dp = BufferPool.Rent(B * V, clear: false);
            try
            {
                fixed (float* pdy = y.GradSpan, pe = e.Data, pdp = dp) Gemm.Run(false, true, B, V, H, 1f, pdy, H, pe, H, 0f, pdp, V);
                var dz = z.GradSpan;
                for (int r = 0; r < B; r++) SoftmaxBackwardRow(dp.AsSpan(r * V, V), p.AsSpan(r * V, V), dz.Slice(r * V, V));
            }
            finally { BufferPool.Return(dp); }
        });
    }

    /// <summary>
    /// Places the A columns of <paramref name="x"/> (B, A) at <paramref name="columns"/> of a (B, <paramref name="width"/>)
    /// result whose other entries are <paramref name="fill"/>. The columns must be distinct and inside [0, width).
    /// </summary>
    public static Tensor ScatterColumns(Tensor x, int[] columns, int width, float fill = 0f)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (x.Rank != 2 || x.Shape[1] != columns.Length)
            throw new ArgumentException($"ScatterColumns: input must be (B, A={columns.Length}), got {Tensor.Format(x.Shape)}");
        var seen = new bool[Math.Max(0, width)];
        for (int a = 0; a < columns.Length; a++)
        {
            if ((uint)columns[a] >= (uint)width) throw new ArgumentOutOfRangeException(nameof(columns), $"ScatterColumns: column {columns[a]} at position {a} is outside [0, {width})");
            if (seen[columns[a]]) throw new ArgumentException($"ScatterColumns: column {columns[a]} is listed twice", nameof(columns));
            seen[columns[a]] = true;
        }
        int B = x.Shape[0], A = columns.Length;
        var y = Tensor.Pooled([B, width]);
        var xs = x.Data; var ys = y.Data;
        ys.Fill(fill);
        for (int b = 0; b < B; b++)
            for (int a = 0; a < A; a++) ys[b * width + columns[a]] = xs[b * A + a];
        return y.Record("scatter_columns", [x], () =>
        {
            if (!x.RequiresGrad) return;
            var dy = y.GradSpan; var dx = x.GradSpan;
            for (int b = 0; b < B; b++)
                for (int a = 0; a < A; a++) dx[b * A + a] += dy[b * width + columns[a]];
        });
    }
}

using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Models;

/// <summary>
/// The "no patches" baseline: <c>embedding</c> Linear(J·3 → C) per frame, plus a fixed sinusoidal position encoding
/// (base 10000), then post-norm transformer layers (<c>layers.{i}</c>, torch's TransformerEncoderLayer with GELU,
/// LayerNorm eps 1e-5) with a key-padding mask, and a mean over the real frames.
/// </summary>
public sealed class RawSequenceEncoder : MotionEncoder
{
    private readonly RawSequenceConfig config;
    private readonly float[] positions;

    public Linear Embedding { get; }
    public Dropout InputDropout { get; }
    public ModuleList<PostNormBlock> Layers { get; }

    public RawSequenceEncoder(RawSequenceConfig config, ulong seed)
    {
        config.Validate();
        this.config = config;
        int C = config.Width;
        Embedding = Child("embedding", new Linear(config.InputFeatures, C));
        InputDropout = Child("dropout", new Dropout(config.Dropout, seed * 977 + 5));
        Layers = Child("layers", new ModuleList<PostNormBlock>(config.Depth, i => new PostNormBlock(C, config.Heads, config.MlpDim, config.Dropout, seed * 131 + (ulong)i + 1, 1e-5f)));
        positions = SinusoidalEncoding(config.MaxFrames, C);
        Init.Timm(this, new Random(unchecked((int)(seed ^ (seed >> 32)))));
    }

    /// <summary>pe[t, 2i] = sin(t / 10000^(2i/C)), pe[t, 2i+1] = cos(same) (TMR/ACTOR's PositionalEncoding).</summary>
    public static float[] SinusoidalEncoding(int frames, int width)
    {
        var pe = new float[frames * width];
        for (int t = 0; t < frames; t++)
            for (int i = 0; i < width; i += 2)
            {
                double div = Math.Exp(i * (-Math.Log(10000.0) / width));
                pe[t * width + i] = (float)Math.Sin(t * div);
                if (i + 1 < width) pe[t * width + i + 1] = (float)Math.Cos(t * div);
            }
        return pe;
    }

    /// <summary>The configuration.</summary>
    public RawSequenceConfig Config => config;

    /// <inheritdoc />
    public override MotionEncoderConfig EncoderConfig => config;

    /// <inheritdoc />
    public override bool KeepAttention
    {
        get => Layers.Items.Length > 0 && Layers[0].Attention.KeepProbabilities;
        set { foreach (var b in Layers.Items) b.Attention.KeepProbabilities = value; }
    }

    /// <inheritdoc />
    public override IReadOnlyList<AttentionMap> AttentionMaps() => Maps(Layers.Items.Select(b => b.Attention));

    /// <inheritdoc />
    public override Tensor ForwardTokens(MotionInput input)
    {
        var x = input.Values;
        if (x.Rank != 3 || x.Shape[2] != config.InputFeatures)
            throw new ArgumentException($"raw-sequence input must be (B, T, {config.InputFeatures}), got {Tensor.Format(x.Shape)}");
        int B = x.Shape[0], T = x.Shape[1], C = config.Width;
        if (T > config.MaxFrames) throw new ArgumentException($"raw-sequence input has {T} frames, more than the {config.MaxFrames} the position encoding covers");
        var mask = input.PaddingMask;
        if (mask is not null && mask.Length != B * T) throw new ArgumentException($"raw-sequence padding mask has {mask.Length} entries, expected B·T = {B}·{T}");
        var pe = Tensor.FromArray(positions.AsSpan(0, T * C), T, C);
        var h = InputDropout.Forward(Ops.Add(Embedding.Forward(x), pe));   // (B, T, C)
        foreach (var layer in Layers.Items) h = layer.Forward(h, mask);       // (B, T, C)
        return h;
    }

    /// <inheritdoc />
    public override Tensor Forward(MotionInput input)
    {
        var h = ForwardTokens(input);
        int B = h.Shape[0], T = h.Shape[1];
        return MaskedMean(h, input.PaddingMask is null ? null : Array.ConvertAll(input.PaddingMask, p => !p), B, T);
    }

    /// <summary>Mean over axis 1 of (B, T, C) counting only the rows where <paramref name="keep"/> (B·T) is true (all when null).</summary>
    internal static Tensor MaskedMean(Tensor h, bool[]? keep, int B, int T)
    {
        var w = new float[B * T];
        for (int b = 0; b < B; b++)
        {
            int n = 0;
            for (int t = 0; t < T; t++) if (keep is null || keep[b * T + t]) n++;
            if (n == 0) throw new ArgumentException($"masked mean: batch item {b} has no unpadded position");
            for (int t = 0; t < T; t++) w[b * T + t] = keep is null || keep[b * T + t] ? 1f / n : 0f;
        }
        return WeightedSum(h, w);
    }

    /// <summary>
    /// Σ_t w[b, t]·h[b, t, :] for h (B, T, C) and w (B·T), as one batched (B, 1, T)·(B, T, C) product (pooling by GEMM: one product
    /// instead of a multiply and a reduction).
    /// </summary>
    internal static Tensor WeightedSum(Tensor h, float[] w)
    {
        int B = h.Shape[0], T = h.Shape[1], C = h.Shape[2];
        if (w.Length != B * T) throw new ArgumentException($"weighted sum: {w.Length} weights for {Tensor.Format(h.Shape)}");
        return Ops.Reshape(Ops.MatMul(Tensor.Wrap(w, B, 1, T), h), B, C);  // (B, 1, T)·(B, T, C) -> (B, C)
    }
}

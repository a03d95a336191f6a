using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Models;

/// <summary>
/// timm's VisionTransformer on motion patches (B, 3, Frames, Parts·P), with timm's parameter names: <c>cls_token</c>
/// (1, 1, C), <c>pos_embed</c> (1, 1 + L, C), <c>patch_embed.proj.*</c> (conv layout), <c>blocks.{i}.*</c>, and
/// <c>fc_norm.*</c> (mean pooling, the reference) or <c>norm.*</c> (class-token pooling). Pre-norm blocks, LayerNorm
/// eps 1e-6, exact GELU. Padded rows are not masked (as the reference).
/// </summary>
public sealed class VisionTransformer : MotionEncoder
{
    private readonly VitConfig config;

    public Tensor ClassToken { get; }
    public Tensor PositionEmbedding { get; }
    public PatchEmbed PatchEmbed { get; }
    public ModuleList<PreNormBlock> Blocks { get; }

    /// <summary><c>fc_norm</c> for mean pooling, <c>norm</c> for class-token pooling.</summary>
    public LayerNorm FinalNorm { get; }

    public VisionTransformer(VitConfig config, ulong seed)
    {
        config.Validate();
        this.config = config;
        int C = config.Width;
        ClassToken = Param("cls_token", 1, 1, C);
        PositionEmbedding = Param("pos_embed", 1, 1 + config.PatchCount, C);
        PatchEmbed = Child("patch_embed", new PatchEmbed(C, config.PatchSize));
        Blocks = Child("blocks", new ModuleList<PreNormBlock>(config.Depth, i => new PreNormBlock(C, config.Heads, config.MlpDim, config.Dropout, seed * 131 + (ulong)i + 1, 1e-6f)));
        FinalNorm = config.Pooling == VitPooling.MeanPatchTokens
            ? Child("fc_norm", new LayerNorm(C, 1e-6f))
            : Child("norm", new LayerNorm(C, 1e-6f));
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        Init.Timm(this, rng);
        Init.TruncatedNormal(PositionEmbedding, 0.02f, rng);
        Init.Normal(ClassToken, 1e-6f, rng);
        float bound = 1f / MathF.Sqrt(3 * config.PatchSize * config.PatchSize); // torch Conv2d default (timm leaves the patch conv to it)
        Init.Uniform(PatchEmbed.Proj.Weight, -bound, bound, rng);
        Init.Uniform(PatchEmbed.Proj.Bias, -bound, bound, rng);
    }

    /// <summary>The configuration.</summary>
    public VitConfig Config => config;

    /// <inheritdoc />
    public override MotionEncoderConfig EncoderConfig => config;

    /// <inheritdoc />
    public override bool KeepAttention
    {
        get => Blocks.Items.Length > 0 && Blocks[0].Attn.KeepProbabilities;
        set { foreach (var b in Blocks.Items) b.Attn.KeepProbabilities = value; }
    }

    /// <inheritdoc />
    public override IReadOnlyList<AttentionMap> AttentionMaps() => Maps(Blocks.Items.Select(b => b.Attn));

    private Tensor Blocks_(MotionInput input)
    {
        var x = input.Values;
        if (x.Rank != 4 || x.Shape[1] != 3 || x.Shape[2] != config.Frames || x.Shape[3] != config.ImageWidth)
            throw new ArgumentException($"ViT input must be (B, 3, {config.Frames}, {config.ImageWidth}) motion patches, got {Tensor.Format(x.Shape)}");
        int B = x.Shape[0], C = config.Width, L = config.PatchCount;
        var tokens = PatchEmbed.Forward(x);                                            // (B, L, C)
        var seq = Ops.Concat([Tokens.Expand(ClassToken, B), tokens], 1);              // (B, 1 + L, C)
        var h = Ops.Add(seq, Ops.Reshape(PositionEmbedding, 1 + L, C));                // (B, 1 + L, C)
        foreach (var block in Blocks.Items) h = block.Forward(h);                      // (B, 1 + L, C)
        return h;
    }

    /// <summary>
    /// MAE-style forward on the kept patch tokens only: patch embedding and position embedding for all L patches, then
    /// the kept ones of <paramref name="mask"/> (B rows, T = L patches) behind the class token through the blocks.
    /// Returns (B, 1 + Keep, C) (after the final norm for class-token pooling, as <see cref="ForwardTokens"/>).
    /// </summary>
    public Tensor ForwardMaskedTokens(MotionInput input, TokenMask mask)
    {
        var x = input.Values;
        if (x.Rank != 4 || x.Shape[1] != 3 || x.Shape[2] != config.Frames || x.Shape[3] != config.ImageWidth)
            throw new ArgumentException($"ViT input must be (B, 3, {config.Frames}, {config.ImageWidth}) motion patches, got {Tensor.Format(x.Shape)}");
        int B = x.Shape[0], C = config.Width, L = config.PatchCount;
        if (mask.B != B || mask.T != L) throw new ArgumentException($"ViT masked forward: the mask is for ({mask.B}, {mask.T}) tokens, the batch has ({B}, {L})");
        var tokens = Ops.Add(PatchEmbed.Forward(x), Ops.Reshape(Ops.Slice(PositionEmbedding, 1, 1, L), L, C)); // (B, L, C)
        var kept = Ops.GatherTokens(tokens, mask);                                                             // (B, Keep, C)
        var cls = Ops.Add(Tokens.Expand(ClassToken, B), Ops.Reshape(Ops.Slice(PositionEmbedding, 1, 0, 1), 1, C));
        var h = Ops.Concat([cls, kept], 1);
        foreach (var block in Blocks.Items) h = block.Forward(h);
        return config.Pooling == VitPooling.ClassToken ? FinalNorm.Forward(h) : h;
    }

    /// <summary>Pooled features (B, C) of a masked forward: the mean of the kept patch tokens then fc_norm, or the class token.</summary>
    public Tensor PoolMasked(Tensor h)
    {
        int B = h.Shape[0], n = h.Shape[1] - 1, C = h.Shape[2];
        if (config.Pooling == VitPooling.ClassToken) return Ops.Reshape(Ops.Slice(h, 1, 0, 1), B, C);
        var w = new float[B * (1 + n)];
        for (int b = 0; b < B; b++) Array.Fill(w, 1f / n, b * (1 + n) + 1, n);
        return FinalNorm.Forward(RawSequenceEncoder.WeightedSum(h, w));
    }

    /// <inheritdoc />
    public override Tensor PoolTokens(Tensor tokens) => PoolMasked(tokens);

    /// <summary>The pixels of every patch (B, L, 3·P·P) in the patch embedding's order (channel, row, column), no gradient.</summary>
    public Tensor PatchPixels(Tensor x) => PatchEmbed.Pixels(x, config.PatchSize);

    /// <inheritdoc />
    public override Tensor Forward(MotionInput input)
    {
        var h = Blocks_(input);
        int B = h.Shape[0], L = config.PatchCount, C = config.Width;
        if (config.Pooling == VitPooling.MeanPatchTokens)
        {
            var w = new float[B * (1 + L)];                                            // 0 for the class token, 1/L for each patch token
            for (int b = 0; b < B; b++) Array.Fill(w, 1f / L, b * (1 + L) + 1, L);
            return FinalNorm.Forward(RawSequenceEncoder.WeightedSum(h, w));           // (B, C): mean of the patch tokens, then fc_norm
        }
        return Ops.Reshape(Ops.Slice(FinalNorm.Forward(h), 1, 0, 1), B, C);            // (B, C): class token after norm
    }

    /// <inheritdoc />
    public override Tensor ForwardTokens(MotionInput input)
    {
        var h = Blocks_(input);
        return config.Pooling == VitPooling.ClassToken ? FinalNorm.Forward(h) : h;     // timm forward_features (norm is Identity for avg pooling)
    }
}

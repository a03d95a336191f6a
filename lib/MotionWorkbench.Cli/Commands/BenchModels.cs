using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Cli.Commands;

/// <summary>
/// The benchmark models, the same as environment/reference/bench_torch.py builds in PyTorch (perf-anchors.md "Models"):
/// a ViT encoder over 70 motion patches of 16×16×3 = 768 values (the peer's Conv2d(3, C, 16, stride 16) on 80×224×3 is
/// the same Linear 768 -> C per patch) plus a class token and learned positions (71 tokens), pre-norm blocks, final
/// LayerNorm, class token, Linear(C, 256); and a text encoder: Embedding(30522, 256) + positions (24), LayerNorm,
/// pre-norm blocks with a key-padding mask, final LayerNorm, class token, Linear(256, 256).
/// </summary>
internal sealed class BenchVit : Module
{
    public const int Patches = 70, PatchValues = 768;
    public Linear PatchEmbed { get; }
    public Tensor ClassToken { get; }
    public Tensor PosEmbed { get; }
    public PreNormBlock[] Blocks { get; }
    public MotionWorkbench.Tensors.Nn.LayerNorm Norm { get; }
    public Linear Head { get; }
    public int Width { get; }

    public BenchVit(int C, int depth, int heads, int hidden, float dropout, ulong seed)
    {
        Width = C;
        PatchEmbed = Child("patch_embed", new Linear(PatchValues, C));
        ClassToken = Param("cls_token", 1, 1, C);
        PosEmbed = Param("pos_embed", 1, Patches + 1, C);
        var blocks = Child("blocks", new ModuleList<PreNormBlock>(depth, i => new PreNormBlock(C, heads, hidden, dropout, seed * 100 + (ulong)i, eps: 1e-5f)));
        Blocks = blocks.Items;
        Norm = Child("norm", new MotionWorkbench.Tensors.Nn.LayerNorm(C, 1e-5f));
        Head = Child("head", new Linear(C, 256));
    }

    /// <summary>patches (B, 70, 768) -> every token after the final norm (B, 71, C).</summary>
    public Tensor TokenStates(Tensor patches)
    {
        int B = patches.Shape[0];
        var x = PatchEmbed.Forward(patches);
        var cls = Ops.Add(Tensor.Zeros(B, 1, Width), ClassToken);
        x = Ops.Add(Ops.Concat([cls, x], 1), PosEmbed);
        foreach (var block in Blocks) x = block.Forward(x);
        return Norm.Forward(x);
    }

    /// <summary>patches (B, 70, 768) -> (B, 256).</summary>
    public Tensor Forward(Tensor patches)
    {
        int B = patches.Shape[0];
        var x = PatchEmbed.Forward(patches);                                   // (B, L, C)
        var cls = Ops.Add(Tensor.Zeros(B, 1, Width), ClassToken);              // (B, 1, C)
        x = Ops.Add(Ops.Concat([cls, x], 1), PosEmbed);                        // (B, 1 + L, C)
        foreach (var block in Blocks) x = block.Forward(x);                    // (B, 1 + L, C)
        x = Norm.Forward(x);
        var first = Ops.Reshape(Ops.Slice(x, 1, 0, 1), B, Width);              // (B, C)
        return Head.Forward(first);                                            // (B, 256)
    }
}

/// <summary>The BERT-style text tower of the CLIP benchmark (pre-norm layers, as the peer's TransformerEncoderLayer(norm_first=True)).</summary>
internal sealed class BenchText : Module
{
    public const int Vocab = 30522, Tokens = 24;
    public MotionWorkbench.Tensors.Nn.Embedding TokenEmbed { get; }
    public Tensor PosEmbed { get; }
    public MotionWorkbench.Tensors.Nn.LayerNorm EmbedNorm { get; }
    public PreNormBlock[] Blocks { get; }
    public MotionWorkbench.Tensors.Nn.LayerNorm Norm { get; }
    public Linear Head { get; }
    public int Width { get; }

    public BenchText(int C, int depth, int heads, int hidden, float dropout, ulong seed)
    {
        Width = C;
        TokenEmbed = Child("token_embed", new MotionWorkbench.Tensors.Nn.Embedding(Vocab, C));
        PosEmbed = Param("pos_embed", 1, Tokens, C);
        EmbedNorm = Child("embed_norm", new MotionWorkbench.Tensors.Nn.LayerNorm(C, 1e-5f));
        var blocks = Child("blocks", new ModuleList<PreNormBlock>(depth, i => new PreNormBlock(C, heads, hidden, dropout, seed * 100 + 50 + (ulong)i, eps: 1e-5f)));
        Blocks = blocks.Items;
        Norm = Child("norm", new MotionWorkbench.Tensors.Nn.LayerNorm(C, 1e-5f));
        Head = Child("head", new Linear(C, 256));
    }

    /// <summary>ids (B·L), padding (B·L, true = pad) -> every token after the final norm (B, L, C).</summary>
    public Tensor TokenStates(int[] ids, bool[] padding, int B)
    {
        var x = EmbedNorm.Forward(Ops.Add(TokenEmbed.Forward(ids, B, Tokens), PosEmbed));
        foreach (var block in Blocks) x = block.Forward(x, padding);
        return Norm.Forward(x);
    }

    /// <summary>ids (B·L), padding (B·L, true = pad) -> (B, 256).</summary>
    public Tensor Forward(int[] ids, bool[] padding, int B)
    {
        var x = Ops.Add(TokenEmbed.Forward(ids, B, Tokens), PosEmbed);        // (B, L, C)
        x = EmbedNorm.Forward(x);
        foreach (var block in Blocks) x = block.Forward(x, padding);           // (B, L, C)
        x = Norm.Forward(x);
        var first = Ops.Reshape(Ops.Slice(x, 1, 0, 1), B, Width);              // (B, C)
        return Head.Forward(first);                                            // (B, 256)
    }
}

/// <summary>ViT-Tiny + text tower + learnable logit scale, trained with the symmetric InfoNCE loss.</summary>
internal sealed class BenchClip : Module
{
    public BenchVit Motion { get; }
    public BenchText Text { get; }
    public Tensor LogitScale { get; }

    public BenchClip(float dropout, ulong seed)
    {
        Motion = Child("motion", new BenchVit(192, 12, 3, 768, dropout, seed));
        Text = Child("text", new BenchText(256, 4, 4, 1024, dropout, seed + 1));
        LogitScale = Param("logit_scale", 1);
        LogitScale.Data[0] = MathF.Log(1f / 0.07f);
    }
}

/// <summary>
/// The ResNet CLIP benchmark (bench_torch.py "resnet18-clip"): torchvision's resnet18 (stages [2, 2, 2, 2], BatchNorm
/// with batch statistics) over (B, 3, 224, 80) motion-patch images as <see cref="MotionWorkbench.Models.ResNetEncoder"/>
/// (network-space input), Linear(512, 256), the 4-layer BERT-256 text tower and a learnable logit scale; dropout in the
/// text tower only (the ResNet has none), as the peer.
/// </summary>
internal sealed class BenchResNetClip : Module
{
    public const int Frames = 224, Width = 80;
    public MotionWorkbench.Models.ResNetEncoder Motion { get; }
    public Linear Head { get; }
    public BenchText Text { get; }
    public Tensor LogitScale { get; }

    public static MotionWorkbench.Models.ResNetConfig Config =>
        MotionWorkbench.Models.ResNetConfig.ResNet18 with { Input = MotionWorkbench.Models.ResNetInput.Network, Frames = Frames, ImageWidth = Width };

    public BenchResNetClip(float dropout, ulong seed)
    {
        Motion = Child("motion", new MotionWorkbench.Models.ResNetEncoder(Config, seed));
        Head = Child("head", new Linear(512, 256));
        Text = Child("text", new BenchText(256, 4, 4, 1024, dropout, seed + 1));
        LogitScale = Param("logit_scale", 1);
        LogitScale.Data[0] = MathF.Log(1f / 0.07f);
    }

    /// <summary>images (B, 3, 224, 80) -> (B, 256).</summary>
    public Tensor Forward(Tensor images) => Head.Forward(MotionWorkbench.Models.ResNetEncoder.Pool(Motion.ForwardFeatureMap(images)));
}

/// <summary>
/// The Lex benchmark (bench_torch.py "lex-tiny"): the CLIP towers with lexical heads instead of the dense ones. Each head:
/// Linear(C → 256), GELU, LayerNorm, then the vocabulary projection (30,522 × 256) + bias fused with the max over tokens
/// (the text head tied to the token embedding, the motion head its own weight), log1p(ReLU), L2 normalisation; loss:
/// InfoNCE at τ = 0.05 + 0.002·(FLOPS(motion) + FLOPS(text)). The peer materialises the (B, L, V) logits, as SPLADE does.
/// </summary>
internal sealed class BenchLex : Module
{
    public BenchVit Motion { get; }
    public BenchText Text { get; }
    public Linear MotionTransform { get; }
    public MotionWorkbench.Tensors.Nn.LayerNorm MotionNorm { get; }
    public Tensor MotionVocab { get; }
    public Tensor MotionBias { get; }
    public Linear TextTransform { get; }
    public MotionWorkbench.Tensors.Nn.LayerNorm TextNorm { get; }
    public Tensor TextBias { get; }

    /// <summary>lex-tiny-captions: the vocabulary ids the heads score (lex.vocabulary = captions); null: all of them.</summary>
    public int[]? Active { get; }

    public BenchLex(float dropout, ulong seed, int[]? active = null)
    {
        Active = active;
        Motion = Child("motion", new BenchVit(192, 12, 3, 768, dropout, seed));
        Text = Child("text", new BenchText(256, 4, 4, 1024, dropout, seed + 1));
        MotionTransform = Child("motion_transform", new Linear(192, 256));
        MotionNorm = Child("motion_norm", new MotionWorkbench.Tensors.Nn.LayerNorm(256, 1e-5f));
        MotionVocab = Param("motion_vocab", BenchText.Vocab, 256);
        MotionBias = Param("motion_bias", BenchText.Vocab);
        TextTransform = Child("text_transform", new Linear(256, 256));
        TextNorm = Child("text_norm", new MotionWorkbench.Tensors.Nn.LayerNorm(256, 1e-5f));
        TextBias = Param("text_bias", BenchText.Vocab);
    }

    public Tensor MotionLexical(Tensor patches)
    {
        var h = MotionNorm.Forward(MotionTransform.ForwardGelu(Motion.TokenStates(patches)));
        var valid = new bool[h.Shape[0] * h.Shape[1]];
        Array.Fill(valid, true);
        return Ops.L2Normalize(Ops.Log1pRelu(Pool(h, MotionVocab, MotionBias, valid)));
    }

    public Tensor TextLexical(int[] ids, bool[] padding, int B)
    {
        var h = TextNorm.Forward(TextTransform.ForwardGelu(Text.TokenStates(ids, padding, B)));
        return Ops.L2Normalize(Ops.Log1pRelu(Pool(h, Text.TokenEmbed.Weight, TextBias, Array.ConvertAll(padding, p => !p))));
    }

    /// <summary>The fused projection + max, over <see cref="Active"/> rows only when set (as LexicalHead does).</summary>
    private Tensor Pool(Tensor h, Tensor weight, Tensor bias, bool[] valid) => Active is null
        ? Ops.LexicalMaxPool(h, weight, bias, valid)
        : Ops.ScatterColumns(Ops.LexicalMaxPool(h, Ops.IndexSelect(weight, Active), Ops.IndexSelect(bias, Active), valid), Active, BenchText.Vocab, -1e9f);

    public Tensor Loss(Tensor patches, int[] ids, bool[] padding, int B)
    {
        var m = MotionLexical(patches);
        var t = TextLexical(ids, padding, B);
        var nce = MotionWorkbench.Models.Contrastive.Loss(t, m, 1f / 0.05f);
        var flops = Ops.Add(Ops.FlopsRegularizer(m), Ops.FlopsRegularizer(t));
        return Ops.Add(nce, Ops.Scale(Ops.Reshape(flops, nce.Shape), 0.002f));
    }
}

/// <summary>
/// minilm-clip: the ViT-Tiny motion tower of clip-tiny and the workbench's own MiniLM-L6 text encoder (the
/// <see cref="MotionWorkbench.Models.TextEncoder"/> a run with model.textKind = minilm-l6 trains: BERT 6 x 384, 12 heads
/// of 32, FFN 1536, post-norm, erf-GELU, LayerNorm eps 1e-12, token types), attention-mask mean pooling, Linear(384, 256);
/// symmetric InfoNCE with a learnable logit scale. Random weights (the timing does not depend on them).
/// </summary>
internal sealed class BenchMiniLmClip : Module
{
    public BenchVit Motion { get; }
    public MotionWorkbench.Models.TextEncoder Text { get; }
    public Linear TextHead { get; }
    public Tensor LogitScale { get; }

    public BenchMiniLmClip(float dropout, ulong seed)
    {
        Motion = Child("motion", new BenchVit(192, 12, 3, 768, dropout, seed));
        Text = Child("text", new MotionWorkbench.Models.TextEncoder(MotionWorkbench.Models.TextKind.MiniLmL6.PretrainedConfig! with { Dropout = dropout }, seed + 1));
        TextHead = Child("text_head", new Linear(384, 256));
        LogitScale = Param("logit_scale", 1);
        LogitScale.Data[0] = MathF.Log(1f / 0.07f);
    }

    /// <summary>ids (B·L), attention mask (B·L, 1 = real token) -> (B, 256).</summary>
    public Tensor TextForward(int[] ids, int[] mask, int B, int L) => TextHead.Forward(Text.Pool(Text.ForwardTokens(ids, mask, B, L), mask));
}

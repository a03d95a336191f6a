using MotionWorkbench.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="LexicalHead"/>: hidden = <c>layer_norm</c>(GELU(<c>transform</c>(tokens))), vocabulary
/// logits hidden·Wᵀ + <c>bias</c> with W the tied word embeddings (text) or the head's own <c>weight</c> (motion),
/// max over the valid tokens, w = log(1 + ReLU(z)). With active words only those rows are scored, the rest of the
/// (B, V) vector at the own engine's <see cref="LexicalHead.OutsideLogit"/> (so 0 after log1p·ReLU).
/// </summary>
public sealed class TorchLexicalHead
{
    private readonly TorchLinear transform;
    private readonly TorchLayerNorm layerNorm;
    private readonly Parameter bias, projection;
    private readonly Tensor? active;
    private readonly int[]? activeIds;

    public TorchLexicalHead(TorchModel owner, string prefix, double layerNormEps, Parameter? tiedWeight, IReadOnlyList<int>? activeWords)
    {
        ArgumentNullException.ThrowIfNull(owner);
        transform = new TorchLinear(owner, TorchModel.Key(prefix, "transform"));
        layerNorm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "layer_norm"), layerNormEps);
        bias = owner.Get(TorchModel.Key(prefix, "bias"));
        projection = tiedWeight ?? owner.Get(TorchModel.Key(prefix, "weight"));
        if (activeWords is not null)
        {
            activeIds = activeWords.Distinct().Order().ToArray();
            active = owner.Buffer(tensor(Array.ConvertAll(activeIds, i => (long)i), device: owner.Device));
        }
    }

    /// <summary>Vocabulary size V (the dimension of the vectors).</summary>
    public long VocabularySize => bias.shape[0];

    /// <summary>LayerNorm(GELU(transform(tokens))) (B, L, C).</summary>
    public Tensor Hidden(Tensor tokens) => layerNorm.Forward(TorchOps.Gelu(transform.Forward(tokens)));

    /// <summary>Max-pooled vocabulary logits z (B, V) of hidden states (B, L, C) over the valid tokens (B, L) bool (all when null).</summary>
    public Tensor MaxLogitsOfHidden(Tensor hidden, Tensor? valid)
    {
        var w = active is null ? projection : projection.index_select(0, active);
        var b = active is null ? bias : bias.index_select(0, active);
        var logits = F.linear(hidden, w, b);                                                   // (B, L, V or A)
        if (valid is not null) logits = logits.masked_fill(valid.logical_not().unsqueeze(2), float.NegativeInfinity);
        var z = logits.amax([1]);                                                               // (B, V or A)
        if (active is null) return z;
        var all = full([z.shape[0], VocabularySize], LexicalHead.OutsideLogit, dtype: z.dtype, device: z.device);
        return all.index_copy(1, active, z);
    }

    /// <summary>The lexical vectors w = log(1 + ReLU(z)) (B, V), not normalised.</summary>
    public Tensor Forward(Tensor tokens, Tensor? valid) => MaxLogitsOfHidden(Hidden(tokens), valid).relu().log1p();

    /// <summary>
    /// Masked-token cross-entropy through this head (as <see cref="LexicalHead.MaskedTokenLoss"/>): rows of hidden (N, C)
    /// predict <paramref name="labels"/> over the vocabulary, or over the active words only (labels outside them left out).
    /// </summary>
    public Tensor MaskedTokenLoss(Tensor hidden, int[] rows, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Length != labels.Length) throw new ArgumentException($"lexical head: {rows.Length} masked rows but {labels.Length} labels");
        var device = hidden.device;
        if (activeIds is null)
        {
            var picked = hidden.index_select(0, tensor(Array.ConvertAll(rows, v => (long)v), device: device));
            return F.cross_entropy(F.linear(picked, projection, bias), tensor(Array.ConvertAll(labels, v => (long)v), device: device));
        }
        var keptRows = new List<long>(rows.Length);
        var keptLabels = new List<long>(rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            int at = Array.BinarySearch(activeIds, labels[i]);
            if (at >= 0) { keptRows.Add(rows[i]); keptLabels.Add(at); }
        }
        if (keptRows.Count == 0) throw new ArgumentException($"lexical head: none of the {labels.Length} masked word pieces is in the active vocabulary ({activeIds.Length} words)");
        var h = hidden.index_select(0, tensor(keptRows.ToArray(), device: device));
        return F.cross_entropy(F.linear(h, projection.index_select(0, active!), bias.index_select(0, active!)), tensor(keptLabels.ToArray(), device: device));
    }
}

/// <summary>
/// The own engine's <see cref="MaskedMotionDecoder"/> (CMMM): kept tokens through <c>embed</c>, <c>mask_token</c> at the
/// masked positions, back in patch order plus <c>pos_embed</c>, one pre-norm block, <c>norm</c>, <c>pred</c> -> the
/// masked patches' pixels (B·(L − Keep), 3·P·P).
/// </summary>
public sealed class TorchMaskedMotionDecoder
{
    private readonly TorchLinear embed, pred;
    private readonly Parameter maskToken, positionEmbedding;
    private readonly TorchPreNormBlock block;
    private readonly TorchLayerNorm norm;
    private readonly int patches;

    public TorchMaskedMotionDecoder(TorchModel owner, string prefix, VitConfig vit)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(vit);
        patches = vit.PatchCount;
        embed = new TorchLinear(owner, TorchModel.Key(prefix, "embed"));
        maskToken = owner.Get(TorchModel.Key(prefix, "mask_token"));
        positionEmbedding = owner.Get(TorchModel.Key(prefix, "pos_embed"));
        block = new TorchPreNormBlock(owner, TorchModel.Key(prefix, "blocks.0"), vit.Heads, 0, 1e-6f);
        norm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "norm"), 1e-6f);
        pred = new TorchLinear(owner, TorchModel.Key(prefix, "pred"));
    }

    public Tensor Forward(Tensor encoded, MotionWorkbench.Tensors.TokenMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int B = mask.B, L = mask.T, keep = mask.Keep;
        long C = encoded.shape[2];
        if (L != patches) throw new ArgumentException($"MAE decoder: built for {patches} patches, the mask has {L}");
        var kept = embed.Forward(encoded.narrow(1, 1, keep));                                     // (B, Keep, C)
        var fill = maskToken.expand(B, L - keep, C);                                              // (B, L − Keep, C)
        var joined = cat([kept, fill], 1).reshape(B * L, C);
        var order = new long[B * L];
        var masked = new long[B * (L - keep)];
        for (int b = 0, at = 0; b < B; b++)
        {
            var k = mask.KeptRow(b); var m = mask.MaskedRow(b);
            for (int i = 0; i < k.Length; i++) order[b * L + k[i]] = b * L + i;
            for (int i = 0; i < m.Length; i++) { order[b * L + m[i]] = b * L + keep + i; masked[at++] = b * L + m[i]; }
        }
        var device = encoded.device;
        var h = joined.index_select(0, tensor(order, device: device)).reshape(B, L, C) + positionEmbedding;
        h = block.Forward(h);
        return pred.Forward(norm.Forward(h).reshape(B * L, C).index_select(0, tensor(masked, device: device)));
    }
}

/// <summary>
/// The own engine's <see cref="LexicalModel"/> (architecture "lex") on TorchSharp, every phase (LexCMLP and the "†"
/// baseline, LexMLM, CMMM, LexMMM): <c>motion_encoder</c>, <c>text_encoder</c>, <c>text_lex</c> (tied to the word embeddings) and
/// <c>motion_lex</c>; L2-normalised lexical vectors; InfoNCE at the fixed τ plus the FLOPS regulariser (with the
/// trainer's warm-up); the weak decoder (<c>decoder.layer.{i}</c>) and the MAE decoder (<c>mae.*</c>, ViT only)
/// and the pre-training phases (model.lexPhase mlm, cmmm, mmm) compute the own engine's losses (<see cref="TrainingLoss"/>).
/// </summary>
public sealed class TorchLexicalModel : TorchRetrievalModel
{
    private float flopsWeightScale = 1f;

    public TorchLexicalModel(LexicalRetrievalModel own, Device device) : base(own, device)
    {
        maskTokens = own.MaskTokens;
        var model = own.Model;
        Options = model.Options;
        Phase = own.Phase;
        FlopsWarmupSteps = own.FlopsWarmupSteps;
        MotionEncoder = TorchMotionEncoder.Create(this, "motion_encoder", model.MotionEncoder.EncoderConfig);
        TextEncoder = new TorchTextEncoder(this, "text_encoder", model.TextEncoder.Config);
        TextLex = new TorchLexicalHead(this, "text_lex", model.TextEncoder.Config.LayerNormEps, TextEncoder.WordEmbeddings, Options.ActiveWords);
        MotionLex = new TorchLexicalHead(this, "motion_lex", model.TextEncoder.Config.LayerNormEps, null, Options.ActiveWords);
        flopsWeightScale = model.FlopsWeightScale;
        textConfig = model.TextEncoder.Config;
        ownLossName = own.LossName;
        decoder = Enumerable.Range(0, model.Decoder.Layer.Count)
            .Select(i => new TorchPostNormBlock(this, $"decoder.layer.{i}", textConfig.Heads, textConfig.Dropout, textConfig.LayerNormEps)).ToArray();
        if (model.MotionDecoder is not null && MotionEncoder is TorchVisionTransformer vit) MotionDecoder = new TorchMaskedMotionDecoder(this, "mae", vit.Config);
    }

    private readonly CaptionMaskTokens? maskTokens;
    private readonly MotionWorkbench.Models.TextEncoderConfig textConfig;
    private readonly string ownLossName;
    private readonly TorchPostNormBlock[] decoder;

    /// <summary>The MAE decoder of CMMM (ViT motion encoder only).</summary>
    public TorchMaskedMotionDecoder? MotionDecoder { get; }

    public LexicalOptions Options { get; }

    /// <summary>model.lexPhase: "cmlp", "mlm", "cmmm" or "mmm".</summary>
    public string Phase { get; }

    public int FlopsWarmupSteps { get; }
    public override TorchMotionEncoder MotionEncoder { get; }
    public override TorchTextEncoder TextEncoder { get; }
    public TorchLexicalHead TextLex { get; }
    public TorchLexicalHead MotionLex { get; }

    public override Architecture Architecture => Architecture.Lex;

    /// <summary>Factor in [0, 1] on the FLOPS weight for the current step (see <see cref="LexicalModel.FlopsWeightScale"/>).</summary>
    public float FlopsWeightScale
    {
        get => flopsWeightScale;
        set => flopsWeightScale = value is >= 0f and <= 1f ? value : throw new ArgumentOutOfRangeException(nameof(value), $"lexical model: the FLOPS weight scale must be in [0, 1], got {value}");
    }

    public override void BeginStep(int globalStep) => FlopsWeightScale = LexicalRetrievalModel.FlopsRamp(globalStep, FlopsWarmupSteps);

    /// <summary>Raw (unnormalised) motion lexical vectors (B, V).</summary>
    public Tensor MotionLexical(TorchMotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MotionLex.Forward(MotionEncoder.ForwardTokens(input), input.PaddingMask?.logical_not());
    }

    /// <summary>Raw (unnormalised) caption lexical vectors (B, V); padding tokens excluded.</summary>
    public Tensor TextLexical(Tensor inputIds, Tensor attentionMask) =>
        TextLex.Forward(TextEncoder.ForwardTokens(inputIds, attentionMask), attentionMask.ne(0));

    public override Tensor EncodeMotion(TorchMotionInput input) => TorchOps.L2Normalize(MotionLexical(input));

    public override Tensor EncodeText(Tensor inputIds, Tensor attentionMask) => TorchOps.L2Normalize(TextLexical(inputIds, attentionMask));

    /// <summary>FLOPS(w) = Σ_j (mean_i |w[i, j]|)² over (N, V) vectors.</summary>
    public static Tensor Flops(Tensor w) => w.abs().mean([0]).square().sum();

    /// <summary>InfoNCE (1/τ) on the normalised vectors + FlopsWeight·FlopsWeightScale·(FLOPS(motion) + FLOPS(text)).</summary>
    public override Tensor ContrastiveLoss(Tensor text, Tensor motion)
    {
        var loss = TorchOps.Contrastive(text, motion, 1f / Options.Temperature, null);
        float weight = Options.FlopsWeight * FlopsWeightScale;
        return weight == 0 ? loss : loss + (Flops(text) + Flops(motion)) * weight;
    }

    public override bool TrainsContrastively => Phase == "cmlp";

    /// <summary>
    /// Whether <see cref="TrainingLoss"/> computes the pre-training phases (mlm, cmmm, mmm; parity-tested against the own
    /// engine). Off by default, so a bare torch Lex model computes the contrastive loss only; the torch trainer
    /// (train.engine = torch) sets it and trains every phase.
    /// </summary>
    public bool PretrainingPhases { get; set; }

    /// <summary>The own model's loss name (for a pre-training phase only with <see cref="PretrainingPhases"/>; otherwise it says the phase is not trained here).</summary>
    public override string LossName => Phase == "cmlp" || PretrainingPhases ? ownLossName : $"Lex phase {Phase} (not trained by the torch engine unless PretrainingPhases is set)";

    /// <summary>
    /// The phase's loss: contrastive (cmlp), or with <see cref="PretrainingPhases"/> LexMLM (mlm), CMMM (cmmm) or LexMMM
    /// (mmm), as the own engine's <see cref="LexicalRetrievalModel.TrainingLoss"/>.
    /// </summary>
    public override Tensor TrainingLoss(ContrastiveBatch batch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Phase == "cmlp") return base.TrainingLoss(batch, seed);
        if (!PretrainingPhases)
            throw new NotSupportedException($"the torch engine trains Lex's contrastive phase (model.lexPhase = cmlp) by default; phase '{Phase}' runs on the own engine (train.engine = mw)");
        if (Phase == "cmmm") return CmmmLoss(TorchInterop.ToTorch(batch.Motion, Device), seed);
        var masks = LexicalRetrievalModel.RequireMaskTokens(maskTokens, Phase).Make(batch.Text, seed);
        if (Phase == "mlm") return LexMlmLoss(batch.Text, masks);
        return LexMmmLoss(TorchInterop.ToTorch(batch.Motion, Device), batch.Text, masks);
    }

    /// <summary>Phase 1 (LexMLM) on a caption batch, as <see cref="LexicalModel.LexMlmLoss"/>: the text MLM loss through the text head plus the weak decoder's loss from the text bottleneck.</summary>
    public Tensor LexMlmLoss(MotionWorkbench.Text.EncodedBatch batch, CaptionMasks masks)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.EncoderRows.Length == 0) throw new ArgumentException("LexMLM: the caption batch has no maskable word piece (every caption is empty)");
        int B = batch.BatchSize, L = batch.Length, C = textConfig.Width;
        var (_, mask) = TorchInterop.ToTorch(batch, Device);
        var ids = tensor(Array.ConvertAll(masks.EncoderIds, v => (long)v), [B, L], device: Device);
        var hidden = TextLex.Hidden(TextEncoder.ForwardTokens(ids, mask));                        // (B, L, C)
        var mlm = TextLex.MaskedTokenLoss(hidden.reshape(B * L, C), masks.EncoderRows, masks.EncoderLabels);
        var valid = tensor(BottleneckTokens(masks.Inner, batch.AttentionMask, B, L), [B, L], device: Device);
        var z = TextLex.MaxLogitsOfHidden(hidden, valid);
        return mlm + DecoderLoss(z, batch, masks);
    }

    /// <summary>Phase 3 (LexMMM), as <see cref="LexicalModel.LexMmmLoss"/>: the weak decoder from the motion bottleneck plus the phase-1 losses.</summary>
    public Tensor LexMmmLoss(TorchMotionInput motion, MotionWorkbench.Text.EncodedBatch batch, CaptionMasks masks)
    {
        ArgumentNullException.ThrowIfNull(motion);
        ArgumentNullException.ThrowIfNull(batch);
        var tokens = MotionEncoder.ForwardTokens(motion);
        if (tokens.shape[0] != batch.BatchSize) throw new ArgumentException($"LexMMM: {tokens.shape[0]} motions but {batch.BatchSize} captions");
        var z = MotionLex.MaxLogitsOfHidden(MotionLex.Hidden(tokens), motion.PaddingMask?.logical_not());
        return DecoderLoss(z, batch, masks) + LexMlmLoss(batch, masks);
    }

    /// <summary>The weak decoder's cross-entropy on the decoder-masked positions, its [CLS] input replaced by softmax(z)·E (E under stop-gradient).</summary>
    public Tensor DecoderLoss(Tensor z, MotionWorkbench.Text.EncodedBatch batch, CaptionMasks masks)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.DecoderRows.Length == 0) throw new ArgumentException("weak decoder: the caption batch has no masked word piece");
        int B = batch.BatchSize, L = batch.Length, C = textConfig.Width;
        var bag = z.softmax(1).matmul(TextEncoder.WordEmbeddings.detach());                      // (B, C)
        var x = TextEncoder.Embed(tensor(Array.ConvertAll(masks.DecoderIds, v => (long)v), [B, L], device: Device));
        x = L > 1 ? cat([bag.unsqueeze(1), x.narrow(1, 1, L - 1)], 1) : bag.unsqueeze(1);
        var (_, mask) = TorchInterop.ToTorch(batch, Device);
        var padding = mask.eq(0);
        foreach (var layer in decoder) x = layer.Forward(x, padding);
        var h = TextLex.Hidden(x);
        return TextLex.MaskedTokenLoss(h.reshape(B * L, C), masks.DecoderRows, masks.DecoderLabels);
    }

    /// <summary>Phase 2 (CMMM) on motions only, as <see cref="LexicalModel.CmmmLoss"/>: two masked views, MAE reconstruction of each plus InfoNCE (τ 0.1) between them.</summary>
    public Tensor CmmmLoss(TorchMotionInput motion, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(motion);
        if (MotionEncoder is not TorchVisionTransformer vit || MotionDecoder is null)
            throw new InvalidOperationException("CMMM (masked motion modelling) masks motion-patch tokens: it needs the ViT motion encoder (model.lexMotionEncoder = vit)");
        int B = (int)motion.Values.shape[0], L = vit.Config.PatchCount;
        var pixels = vit.PatchPixels(motion.Values);                                               // (B, L, 3·P·P)
        var flat = pixels.reshape(B * L, pixels.shape[2]);
        (Tensor Mse, Tensor Pooled) View(ulong s)
        {
            var mask = MotionWorkbench.Tensors.TokenMasking.Sample(B, L, LexicalModel.CmmmMaskRatio, s);
            var h = vit.ForwardMaskedTokens(motion, mask);
            var pooled = TorchOps.L2Normalize(vit.PoolMasked(h));
            var rows = new long[B * (L - mask.Keep)];
            for (int b = 0, at = 0; b < B; b++) foreach (var t in mask.MaskedRow(b)) rows[at++] = b * L + t;
            var target = flat.index_select(0, tensor(rows, device: Device));
            return (F.mse_loss(MotionDecoder.Forward(h, mask), target), pooled);
        }
        var (mse1, v1) = View(seed);
        var (mse2, v2) = View(seed ^ 0x5DEECE66DUL);
        var nce = TorchOps.Contrastive(v1, v2, 1f / LexicalModel.CmmmTemperature, null);
        return (mse1 + mse2) * 0.5f + nce;
    }

    /// <summary>The inner word pieces of each caption (no [CLS]/[SEP]/padding); all real tokens of a caption that has none.</summary>
    private static bool[] BottleneckTokens(bool[] inner, int[] attention, int B, int L)
    {
        var valid = (bool[])inner.Clone();
        for (int b = 0; b < B; b++)
            if (Array.IndexOf(valid, true, b * L, L) < 0)
                for (int t = 0; t < L; t++) valid[b * L + t] = attention[b * L + t] != 0;
        return valid;
    }
}

using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// A lexical (SPLADE / LexLIP) head in BERT's MLM-head shape: <c>transform</c> Linear(in → C) with exact GELU,
/// <c>layer_norm</c>, then the vocabulary projection (V, C) plus <c>bias</c> (V), fused with the max over tokens
/// (<see cref="Ops.LexicalMaxPool(Tensor, Tensor, Tensor?, bool[], int[]?, int)"/>, tiled over V) and
/// w = log(1 + ReLU(z)). The text head's projection is the word-embedding table (tied, not a parameter of the head);
/// the motion head owns a <c>weight</c> (V, C), a copy of the text head made when the model is built. A motion
/// encoder narrower or wider than the text width is bridged by <c>transform</c> taking the motion width.
/// </summary>
public sealed class LexicalHead : Module
{
    private readonly Tensor? tied;

    public Linear Transform { get; }
    public LayerNorm LayerNorm { get; }
    public Tensor Bias { get; }

    /// <summary>The head's own projection (V, C); null when tied to the word embeddings.</summary>
    public Tensor? OwnWeight { get; }

    /// <summary>The vocabulary projection in use (V, C).</summary>
    public Tensor Projection => OwnWeight ?? tied!;

    public int InputWidth { get; }
    public int VocabularySize => Bias.Size;

    /// <summary>
    /// The vocabulary ids the head scores (sorted, distinct; lex.vocabulary = captions), or null for the whole
    /// vocabulary. The vectors keep all <see cref="VocabularySize"/> entries; those outside the subset are 0 (their max
    /// logits are <see cref="OutsideLogit"/>, so the bottleneck's softmax gives them no mass). Parameters keep the full
    /// vocabulary's shapes, so checkpoints of either mode have the same tensors.
    /// </summary>
    public int[]? ActiveWords { get; }

    /// <summary>The max logit of a word outside <see cref="ActiveWords"/>.</summary>
    public const float OutsideLogit = -1e9f;

    /// <param name="tiedWeight">The word-embedding table (V, C) to tie to; null gives the head its own weight.</param>
    /// <param name="activeWords">Vocabulary ids to score (see <see cref="ActiveWords"/>); null scores every word.</param>
    public LexicalHead(int inputWidth, int width, int vocabularySize, float layerNormEps, Tensor? tiedWeight, ulong seed, IReadOnlyList<int>? activeWords = null)
    {
        if (activeWords is not null)
        {
            var ids = activeWords.Distinct().Order().ToArray();
            if (ids.Length == 0) throw new ArgumentException("lexical head: the active vocabulary is empty");
            if (ids[0] < 0 || ids[^1] >= vocabularySize) throw new ArgumentException($"lexical head: active word id {(ids[0] < 0 ? ids[0] : ids[^1])} is outside the vocabulary [0, {vocabularySize})");
            ActiveWords = ids;
        }
        if (tiedWeight is not null && (tiedWeight.Rank != 2 || tiedWeight.Shape[0] != vocabularySize || tiedWeight.Shape[1] != width))
            throw new ArgumentException($"lexical head: the tied weight {Tensor.Format(tiedWeight.Shape)} must be (V={vocabularySize}, C={width})");
        InputWidth = inputWidth;
        tied = tiedWeight;
        Transform = Child("transform", new Linear(inputWidth, width));
        LayerNorm = Child("layer_norm", new LayerNorm(width, layerNormEps));
        Bias = Param("bias", vocabularySize);
        if (tiedWeight is null) OwnWeight = Param("weight", vocabularySize, width);
        Init.Bert(this, new Random(unchecked((int)(seed ^ (seed >> 32)) + 41)));
    }

    /// <summary>The (B, L, C) hidden states the vocabulary projection reads: LayerNorm(GELU(transform(tokens))).</summary>
    public Tensor Hidden(Tensor tokens)
    {
        if (tokens.Rank != 3 || tokens.Shape[2] != InputWidth)
            throw new ArgumentException($"lexical head: tokens must be (B, L, {InputWidth}), got {Tensor.Format(tokens.Shape)}");
        return LayerNorm.Forward(Transform.ForwardGelu(tokens));
    }

    /// <summary>Max-pooled vocabulary logits z (B, V) over the valid tokens (B·L flags, true = counts).</summary>
    public Tensor MaxLogits(Tensor tokens, bool[] valid) => MaxLogitsOfHidden(Hidden(tokens), valid);

    /// <summary>
    /// Max-pooled vocabulary logits z (B, V) of hidden states (B, L, C) from <see cref="Hidden"/>. With
    /// <see cref="ActiveWords"/> only those rows of the projection are scored (gathered, so the tied word embeddings
    /// still receive their gradient) and the result is scattered back to V columns, the rest at <see cref="OutsideLogit"/>.
    /// </summary>
    public Tensor MaxLogitsOfHidden(Tensor hidden, bool[] valid)
    {
        if (ActiveWords is null) return Ops.LexicalMaxPool(hidden, Projection, Bias, valid);
        var z = Ops.LexicalMaxPool(hidden, Ops.IndexSelect(Projection, ActiveWords), Ops.IndexSelect(Bias, ActiveWords), valid);
        return Ops.ScatterColumns(z, ActiveWords, VocabularySize, OutsideLogit);
    }

    /// <summary>The lexical vectors w = log(1 + ReLU(z)) (B, V), not normalised.</summary>
    public Tensor Forward(Tensor tokens, bool[] valid) => Ops.Log1pRelu(MaxLogits(tokens, valid));

    /// <summary>
    /// Masked-token cross-entropy through this head: rows <paramref name="rows"/> of <paramref name="hidden"/> (N, C)
    /// predict the word pieces <paramref name="labels"/> over the vocabulary, or, with <see cref="ActiveWords"/>, over
    /// the active words only (labels outside them are left out; none at all is an error).
    /// </summary>
    public Tensor MaskedTokenLoss(Tensor hidden, int[] rows, int[] labels)
    {
        if (rows.Length != labels.Length) throw new ArgumentException($"lexical head: {rows.Length} masked rows but {labels.Length} labels");
        if (ActiveWords is null) return Ops.CrossEntropy(Ops.Linear(Ops.IndexSelect(hidden, rows), Projection, Bias), labels);
        var keptRows = new List<int>(rows.Length);
        var keptLabels = new List<int>(rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            int at = Array.BinarySearch(ActiveWords, labels[i]);
            if (at >= 0) { keptRows.Add(rows[i]); keptLabels.Add(at); }
        }
        if (keptRows.Count == 0) throw new ArgumentException($"lexical head: none of the {labels.Length} masked word pieces is in the active vocabulary ({ActiveWords.Length} words)");
        return Ops.CrossEntropy(Ops.Linear(Ops.IndexSelect(hidden, keptRows.ToArray()), Ops.IndexSelect(Projection, ActiveWords), Ops.IndexSelect(Bias, ActiveWords)), keptLabels.ToArray());
    }

    /// <summary>Copies another head's transform (when the widths agree), layer norm, bias and projection into this one.</summary>
    public void CopyFrom(LexicalHead source)
    {
        if (OwnWeight is null) throw new InvalidOperationException("lexical head: a tied head cannot take another head's projection");
        if (source.VocabularySize != VocabularySize || source.Projection.Shape[1] != Projection.Shape[1])
            throw new ArgumentException($"lexical head: cannot copy a head over {source.VocabularySize} words of width {source.Projection.Shape[1]} into one over {VocabularySize} of width {Projection.Shape[1]}");
        if (!(source.ActiveWords ?? []).SequenceEqual(ActiveWords ?? []))
            throw new ArgumentException($"lexical head: cannot copy a head over {source.ActiveWords?.Length ?? source.VocabularySize} active words into one over {ActiveWords?.Length ?? VocabularySize}");
        if (source.InputWidth == InputWidth)
        {
            source.Transform.Weight.Data.CopyTo(Transform.Weight.Data);
            if (source.Transform.Bias is not null && Transform.Bias is not null) source.Transform.Bias.Data.CopyTo(Transform.Bias.Data);
        }
        source.LayerNorm.Weight.Data.CopyTo(LayerNorm.Weight.Data);
        source.LayerNorm.Bias.Data.CopyTo(LayerNorm.Bias.Data);
        source.Bias.Data.CopyTo(Bias.Data);
        source.Projection.Data.CopyTo(OwnWeight.Data);
    }
}

/// <summary>Settings of a <see cref="LexicalModel"/> beyond its encoders.</summary>
/// <param name="Temperature">τ of the InfoNCE on the normalised lexical vectors (LexLIP: 0.05, fixed).</param>
/// <param name="FlopsWeight">Weight of FLOPS(w_motion) + FLOPS(w_text) (LexLIP: 0.002), on the normalised vectors.</param>
/// <param name="ActiveWords">The vocabulary ids both heads score (lex.vocabulary = captions: the word pieces of the
/// training captions), or null for the whole vocabulary (the method's default).</param>
public sealed record LexicalOptions(float Temperature = 0.05f, float FlopsWeight = 0.002f, IReadOnlyList<int>? ActiveWords = null);

/// <summary>
/// The Lex retrieval model: <c>motion_encoder</c> (ViT over motion patches or the raw-sequence transformer),
/// <c>text_encoder</c> (DistilBERT/BERT), <c>text_lex</c> (lexical head tied to the word embeddings) and
/// <c>motion_lex</c> (the motion tower's own copy, initialised from <c>text_lex</c>). Both towers give L2-normalised
/// vectors over the text vocabulary; similarity is their dot product. The loss (phase LexCMLP, and the "†" baseline)
/// is the symmetric InfoNCE at τ plus the FLOPS sparsity regulariser.
/// </summary>
public sealed class LexicalModel : Module
{
    public MotionEncoder MotionEncoder { get; }
    public TextEncoder TextEncoder { get; }
    public LexicalHead TextLex { get; }
    public LexicalHead MotionLex { get; }
    public LexicalOptions Options { get; }

    /// <summary>The weak decoder of the bottleneck phases (LexMLM, LexMMM); unused by LexCMLP but always present, so
    /// every phase's checkpoint loads into the next one.</summary>
    public WeakDecoder Decoder { get; }

    /// <summary>The MAE decoder of phase 2 (CMMM); only with a ViT motion encoder (null for the raw-sequence one).</summary>
    public MaskedMotionDecoder? MotionDecoder { get; }

    /// <summary>Fraction of motion-patch tokens masked in CMMM [D: 50–75 %; MAE's 75 %].</summary>
    public const float CmmmMaskRatio = 0.75f;

    /// <summary>τ of CMMM's InfoNCE between two masked views of a clip [D: 0.1].</summary>
    public const float CmmmTemperature = 0.1f;

    /// <summary>Vocabulary size (the dimension of the lexical vectors).</summary>
    public int VocabularySize => TextEncoder.Config.VocabSize;

    public LexicalModel(MotionEncoderConfig motion, TextEncoderConfig text, LexicalOptions options, ulong seed)
    {
        text.Validate();
        if (!(options.Temperature > 0)) throw new ArgumentException($"lexical model: the temperature must be positive, got {options.Temperature}");
        if (!(options.FlopsWeight >= 0)) throw new ArgumentException($"lexical model: the FLOPS weight must be non-negative, got {options.FlopsWeight}");
        Options = options;
        MotionEncoder = Child("motion_encoder", MotionEncoder.Create(motion, seed * 7 + 1));
        TextEncoder = Child("text_encoder", new TextEncoder(text, seed * 7 + 2));
        TextLex = Child("text_lex", new LexicalHead(text.Width, text.Width, text.VocabSize, text.LayerNormEps, TextEncoder.Embeddings.WordEmbeddings.Weight, seed * 7 + 3, options.ActiveWords));
        MotionLex = Child("motion_lex", new LexicalHead(MotionEncoder.FeatureDim, text.Width, text.VocabSize, text.LayerNormEps, null, seed * 7 + 4, options.ActiveWords));
        MotionLex.CopyFrom(TextLex);
        Decoder = Child("decoder", new WeakDecoder(text, 2, seed * 7 + 5));
        if (MotionEncoder is VisionTransformer vit) MotionDecoder = Child("mae", new MaskedMotionDecoder(vit.Config, seed * 7 + 6));
    }

    /// <summary>
    /// Phase 2 (CMMM) loss on motions only [D]: two views of each clip with different random masks of
    /// <see cref="CmmmMaskRatio"/> of the patch tokens; for each view the MAE decoder reconstructs the masked patches'
    /// pixels (MSE), and the two views' pooled embeddings are pulled together by InfoNCE at τ = 0.1.
    /// Loss = (MSE₁ + MSE₂) / 2 + InfoNCE.
    /// </summary>
    public Tensor CmmmLoss(MotionInput motion, ulong seed)
    {
        if (MotionEncoder is not VisionTransformer vit || MotionDecoder is null)
            throw new InvalidOperationException("CMMM (masked motion modelling) masks motion-patch tokens: it needs the ViT motion encoder (model.lexMotionEncoder = vit)");
        int B = motion.Values.Shape[0], L = vit.Config.PatchCount;
        var pixels = vit.PatchPixels(motion.Values);                                      // (B, L, 3·P·P)
        Tensor View(ulong s, out Tensor pooled)
        {
            var mask = TokenMasking.Sample(B, L, CmmmMaskRatio, s);
            var h = vit.ForwardMaskedTokens(motion, mask);
            pooled = Ops.L2Normalize(vit.PoolMasked(h));
            var rows = new int[B * (L - mask.Keep)];
            for (int b = 0, at = 0; b < B; b++) foreach (var t in mask.MaskedRow(b)) rows[at++] = b * L + t;
            var target = Ops.IndexSelect(Ops.Reshape(pixels, B * L, pixels.Shape[2]), rows);
            return Ops.MseLoss(MotionDecoder.Forward(h, mask), target);
        }
        var mse1 = View(seed, out var v1);
        var mse2 = View(seed ^ 0x5DEECE66DUL, out var v2);
        var nce = Contrastive.Loss(v1, v2, 1f / CmmmTemperature);
        return Ops.Add(Ops.Scale(Ops.Add(mse1, mse2), 0.5f), Ops.Reshape(nce, mse1.Shape));
    }

    /// <summary>
    /// Phase 1 (LexMLM) loss on a caption batch: the text MLM cross-entropy on the encoder's 30 %-masked positions
    /// (through the text lexical head, per token) + the weak decoder's cross-entropy on the 50 %-masked caption
    /// reconstructed from the text's bottleneck b = softmax(z)·E (z: the max-pooled vocabulary logits of the masked
    /// caption's inner tokens, E the word embeddings under stop-gradient).
    /// </summary>
    public Tensor LexMlmLoss(EncodedBatch batch, CaptionMasks masks)
    {
        if (masks.EncoderRows.Length == 0) throw new ArgumentException("LexMLM: the caption batch has no maskable word piece (every caption is empty)");
        int B = batch.BatchSize, L = batch.Length, C = TextEncoder.Config.Width;
        var tokens = TextEncoder.ForwardTokens(masks.EncoderIds, batch.AttentionMask, B, L);
        var hidden = TextLex.Hidden(tokens);                                               // (B, L, C)
        var mlm = TextLex.MaskedTokenLoss(Ops.Reshape(hidden, B * L, C), masks.EncoderRows, masks.EncoderLabels);
        var z = TextLex.MaxLogitsOfHidden(hidden, BottleneckTokens(masks.Inner, batch.AttentionMask, B, L));
        return Ops.Add(mlm, DecoderLoss(z, batch, masks));
    }

    /// <summary>
    /// Phase 3 (LexMMM) loss: the weak decoder reconstructs the 50 %-masked caption from the motion's bottleneck
    /// (softmax of the motion's max-pooled vocabulary logits times E), plus the text side's phase-1 losses at weight 1.
    /// </summary>
    public Tensor LexMmmLoss(MotionInput motion, EncodedBatch batch, CaptionMasks masks)
    {
        var tokens = MotionEncoder.ForwardTokens(motion);
        int B = tokens.Shape[0], L = tokens.Shape[1];
        if (B != batch.BatchSize) throw new ArgumentException($"LexMMM: {B} motions but {batch.BatchSize} captions");
        var valid = new bool[B * L];
        if (motion.PaddingMask is { } pad && pad.Length == B * L) for (int i = 0; i < valid.Length; i++) valid[i] = !pad[i];
        else Array.Fill(valid, true);
        var z = MotionLex.MaxLogits(tokens, valid);
        return Ops.Add(DecoderLoss(z, batch, masks), LexMlmLoss(batch, masks));
    }

    /// <summary>Cross-entropy of the weak decoder on the decoder-masked positions, its [CLS] input replaced by b = softmax(z)·E.</summary>
    public Tensor DecoderLoss(Tensor z, EncodedBatch batch, CaptionMasks masks)
    {
        if (masks.DecoderRows.Length == 0) throw new ArgumentException("weak decoder: the caption batch has no masked word piece");
        int B = batch.BatchSize, L = batch.Length, C = TextEncoder.Config.Width;
        var bag = Ops.SoftmaxBottleneck(z, TextEncoder.Embeddings.WordEmbeddings.Weight);   // (B, C), E under stop-gradient
        var x = TextEncoder.Embeddings.Forward(masks.DecoderIds, B, L);                     // (B, L, C)
        x = L > 1 ? Ops.Concat([Ops.Reshape(bag, B, 1, C), Ops.Slice(x, 1, 1, L - 1)], 1) : Ops.Reshape(bag, B, 1, C);
        var padding = Array.ConvertAll(batch.AttentionMask, m => m == 0);
        var h = TextLex.Hidden(Decoder.Forward(x, padding.Contains(true) ? padding : null));
        return TextLex.MaskedTokenLoss(Ops.Reshape(h, B * L, C), masks.DecoderRows, masks.DecoderLabels);
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

    /// <summary>Raw (unnormalised) motion lexical vectors (B, V).</summary>
    public Tensor MotionLexical(MotionInput input)
    {
        var tokens = MotionEncoder.ForwardTokens(input); // (B, L, C)
        int B = tokens.Shape[0], L = tokens.Shape[1];
        var valid = new bool[B * L];
        if (input.PaddingMask is { } pad && pad.Length == B * L) for (int i = 0; i < valid.Length; i++) valid[i] = !pad[i];
        else Array.Fill(valid, true);
        return MotionLex.Forward(tokens, valid);
    }

    /// <summary>Raw (unnormalised) caption lexical vectors (B, V); padding tokens excluded.</summary>
    public Tensor TextLexical(EncodedBatch batch)
    {
        var tokens = TextEncoder.ForwardTokens(batch);
        return TextLex.Forward(tokens, Array.ConvertAll(batch.AttentionMask, m => m != 0));
    }

    /// <summary>L2-normalised motion lexical vectors (B, V).</summary>
    public Tensor EncodeMotion(MotionInput input) => Ops.L2Normalize(MotionLexical(input));

    /// <summary>L2-normalised caption lexical vectors (B, V).</summary>
    public Tensor EncodeText(EncodedBatch batch) => Ops.L2Normalize(TextLexical(batch));

    /// <summary>
    /// Factor in [0, 1] on <see cref="LexicalOptions.FlopsWeight"/> for the current training step: the trainer's FLOPS
    /// warm-up (SPLADE's quadratic ramp, model.lexFlopsWarmupSteps) sets it; 1 without a warm-up.
    /// </summary>
    public float FlopsWeightScale
    {
        get => flopsWeightScale;
        set => flopsWeightScale = value is >= 0f and <= 1f ? value : throw new ArgumentOutOfRangeException(nameof(value), $"lexical model: the FLOPS weight scale must be in [0, 1], got {value}");
    }
    private float flopsWeightScale = 1f;

    /// <summary>InfoNCE (1/τ) on normalised lexical vectors + FlopsWeight·FlopsWeightScale·(FLOPS(motion) + FLOPS(text)).</summary>
    public Tensor ContrastiveLoss(Tensor text, Tensor motion)
    {
        var loss = Contrastive.Loss(text, motion, 1f / Options.Temperature);
        float weight = Options.FlopsWeight * FlopsWeightScale;
        if (weight == 0) return loss;
        var flops = Ops.Add(Ops.FlopsRegularizer(text), Ops.FlopsRegularizer(motion));
        return Ops.Add(loss, Ops.Scale(Ops.Reshape(flops, loss.Shape), weight));
    }

    /// <summary>"motion" (motion encoder), "text" (text encoder, word embeddings included) and "heads" (both lexical heads, the weak decoder and the MAE decoder).</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() =>
    [
        ("motion", MotionEncoder.Parameters().ToList()),
        ("text", TextEncoder.Parameters().ToList()),
        ("heads", MotionLex.Parameters().Concat(TextLex.Parameters()).Concat(Decoder.Parameters()).Concat(MotionDecoder?.Parameters() ?? []).ToList()),
    ];
}

using MotionWorkbench.Patches;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;

namespace MotionWorkbench.Models;

/// <summary>
/// Architecture "caption" behind <see cref="IRetrievalModel"/>: a <see cref="CaptionNetwork"/> (the patch encoder (ViT, or
/// ResNet with model.motionEncoder = resnet) + text encoder +
/// heads of the retrieval model, so the trainer's per-epoch retrieval evaluation, the embedding cache and
/// <c>mw eval</c> work as for "vit", plus a <see cref="CaptionDecoder"/> over the encoder's output tokens). The training
/// loss is the decoder's teacher-forced cross-entropy on the batch's captions, plus
/// <see cref="ModelSpec.CaptionContrastiveWeight"/> x the symmetric InfoNCE of the two towers when that weight is
/// positive. With <see cref="ModelSpec.CaptionFreezeEncoder"/> the encoder runs without gradient and is not in the
/// optimiser. The decoder shares the run's WordPiece vocabulary ([CLS] = BOS, [SEP] = EOS, [PAD] ignored) and
/// learns at train.headLr (it is in the "heads" group). With model.captionLexWords K &gt; 0 the decoder's memory starts
/// with each motion's top-K lexical words of model.captionLexRun (<see cref="LexPrefix"/>, attached by the trainer and by
/// the training library's <c>CaptionRun</c>, which compute them with <c>CaptionLexPrefix</c>).
/// </summary>
public sealed class CaptionModel(CaptionNetwork network, bool freezeEncoder, float contrastiveWeight) : IRetrievalModel
{
    public CaptionNetwork Network { get; } = network;
    public bool FreezeEncoder { get; } = freezeEncoder;
    public float ContrastiveWeight { get; } = contrastiveWeight;

    public Module Module => Network;

    /// <summary>K: the prefix words per motion the decoder reads (model.captionLexWords; 0 = none).</summary>
    public int PrefixWords => Network.Decoder.Config.PrefixWords;

    /// <summary>The motions' prefix words when <see cref="PrefixWords"/> &gt; 0 (the trainer and <c>CaptionRun.Open</c> attach them).</summary>
    public ICaptionPrefix? LexPrefix { get; set; }

    /// <summary>The B·K prefix ids of these samples (-1 = absent), or null without a prefix.</summary>
    public int[]? PrefixIds(IReadOnlyList<TrainingSample> samples)
    {
        if (PrefixWords == 0) return null;
        var prefix = LexPrefix ?? throw new InvalidOperationException($"the caption model reads {PrefixWords} lexical prefix words per motion (model.captionLexWords), but none were attached (CaptionLexPrefix.Prepare / CaptionRun.Open)");
        if (prefix.K != PrefixWords) throw new InvalidOperationException($"the caption model reads {PrefixWords} prefix words, the attached prefix has {prefix.K}");
        return prefix.Ids(samples);
    }

    public MotionRepresentation Representation => MotionRepresentation.Patches;

    /// <summary>
    /// The model over a vocabulary size only (what <see cref="ModelFactory"/> knows): the decoder's own BOS/EOS/PAD ids are
    /// those of a vocabulary built from captions (<c>CaptionVocabulary</c>: [PAD] 0, [CLS] 2, [SEP] 3); <see cref="Generate"/> takes the run's
    /// vocabulary's ids, and the loss reads the padding from the attention mask, so a BERT vocabulary works the same.
    /// </summary>
    public static CaptionModel Create(ModelSpec spec, int vocabularySize, ulong seed)
    {
        var encoders = TransformerModel.ToModelConfig(spec, vocabularySize);   // model.motionEncoder: the ViT or the ResNet
        // a frozen ResNet keeps its BatchNorm statistics too (no running-statistics updates in training), in both engines
        if (spec.CaptionFreezeEncoder && encoders.Motion is ResNetConfig resnet) encoders = encoders with { Motion = resnet with { BatchNorm = ResNetBatchNorm.Frozen } };
        var decoder = DecoderConfig(spec, vocabularySize, bosId: 2, eosId: 3, padId: 0);
        return new(new CaptionNetwork(encoders, decoder, seed), spec.CaptionFreezeEncoder, spec.CaptionContrastiveWeight);
    }

    /// <summary>The decoder's sizes under a spec: 0 widths/heads/MLP take the text encoder's; positions = model.textMaxPositions;
    /// the memory is as wide as the motion encoder's tokens (model.vitWidth, or 8 x model.resnetWidth for the ResNet).</summary>
    public static CaptionDecoderConfig DecoderConfig(ModelSpec spec, int vocabularySize, int bosId, int eosId, int padId) =>
        new(spec.CaptionWidth > 0 ? spec.CaptionWidth : spec.TextWidth, spec.CaptionDepth, spec.CaptionHeads > 0 ? spec.CaptionHeads : spec.TextHeads,
            spec.CaptionMlp > 0 ? spec.CaptionMlp : spec.TextFfn, vocabularySize, spec.TextMaxPositions, MemoryWidth(spec), bosId, eosId, padId, spec.CaptionDropout, spec.CaptionLexWords);

    /// <summary>The width of the motion encoder's tokens under a spec (the decoder's memory width).</summary>
    public static int MemoryWidth(ModelSpec spec) => spec.MotionEncoder == Architecture.Resnet ? 8 * spec.ResnetWidth : spec.VitWidth;

    public Tensor EncodeMotion(MotionBatch batch) => Network.EncodeMotion(TransformerModel.PatchInput(batch.RequirePatches("the caption model")));

    public Tensor EncodeText(EncodedBatch batch) => Network.EncodeText(batch);

    public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Network.ContrastiveLoss(text, motion);

    public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() => Network.ParameterGroups(FreezeEncoder);

    public bool TrainsContrastively => false;

    public string LossName => "caption";

    /// <summary>The motion encoder's output tokens of a patch batch; without gradient when the encoder is frozen.</summary>
    public Tensor MotionTokens(PatchBatch patches)
    {
        var input = TransformerModel.PatchInput(patches);
        if (!FreezeEncoder) return Network.MotionTokens(input);
        using (Autograd.NoGrad()) return Network.MotionTokens(input);
    }

    public Tensor TrainingLoss(ContrastiveBatch batch, ulong seed)
    {
        var tokens = MotionTokens(batch.Motion.RequirePatches("the caption model"));                 // (B, L', C): ViT 1 + L, ResNet h·w
        var (memory, padding) = Network.Decoder.Memory(tokens, PrefixIds(batch.Samples));          // (B, K + 1 + L, C)
        var loss = Network.Decoder.Loss(memory, padding, batch.Text);
        if (ContrastiveWeight > 0)
            loss = Ops.Add(loss, Ops.Scale(Network.ContrastiveLoss(Network.EncodeText(batch.Text), Network.EmbedMotionTokens(tokens)), ContrastiveWeight));
        return loss;
    }

    /// <summary>The ids a caption never contains: [PAD], [CLS], [MASK] and [UNK].</summary>
    public static int[] BannedIds(WordPieceVocabulary vocabulary) =>
        new[] { vocabulary.PaddingId, vocabulary.ClassifierId, vocabulary.UnknownId, vocabulary.MaskId ?? -1 }.Where(i => i >= 0).Distinct().ToArray();

    /// <summary>
    /// Captions of a patch batch (one per motion) by greedy (beam 1) or beam search, starting from the vocabulary's [CLS]
    /// and ending at its [SEP]; [PAD], [CLS], [MASK], [UNK] are never generated (with the options' own banned ids);
    /// eval mode, no gradient. A model with prefix words needs their B·K ids (<see cref="PrefixIds"/>).
    /// </summary>
    public IReadOnlyList<CaptionHypothesis> Generate(PatchBatch patches, CaptionSearchOptions options, WordPieceVocabulary vocabulary, int[]? prefixIds = null)
    {
        if (vocabulary.Count != Network.Decoder.Config.VocabularySize)
            throw new ArgumentException($"{vocabulary.Source}: {vocabulary.Count} tokens, but the caption decoder has {Network.Decoder.Config.VocabularySize}");
        options = options with { Banned = [.. BannedIds(vocabulary), .. options.Banned ?? []] };
        using var _ = Autograd.NoGrad();
        bool training = Network.Training;
        Network.Eval();
        try
        {
            var (memory, padding) = Network.Decoder.Memory(Network.MotionTokens(TransformerModel.PatchInput(patches)), prefixIds);
            return CaptionSearch.Decode(Network.Decoder.Scorer(memory, padding, vocabulary.ClassifierId, vocabulary.SeparatorId), patches.BatchSize, options);
        }
        finally { Network.Train(training); }
    }

    /// <summary>
    /// train.initFrom into a caption model: from a caption run every parameter (strict); from a dense retrieval run
    /// ("vit", or "resnet" into a caption model whose model.motionEncoder is resnet) its motion encoder, text encoder and
    /// heads (the decoder starts fresh); from a Lex run over the same patch encoder its motion and text encoders (the
    /// dense heads and the decoder start fresh). Shapes must match (the same model.vit*/resnet* / text* settings and vocabulary).
    /// </summary>
    /// <param name="source">The model settings of the run the checkpoint comes from.</param>
    public string LoadInit(IReadOnlyDictionary<string, Tensor> tensors, ModelSpec source, string checkpoint)
    {
        var arch = source.Architecture;
        if (arch == Architecture.Caption)
        {
            int theirs = source.CaptionLexWords;
            if ((theirs > 0) != (PrefixWords > 0))
                throw new InvalidDataException($"train.initFrom: {checkpoint} is a caption run {(theirs > 0 ? $"with a lexical prefix (model.captionLexWords = {theirs})" : "without a lexical prefix")}; " +
                    $"this run's model.captionLexWords is {PrefixWords}: both or neither read prefix words (caption_decoder.prefix_type)");
            Network.LoadStateDict(tensors, strict: true, checkpoint);
            return "every parameter (a caption run)";
        }
        var encoder = Network.MotionEncoder is ResNetEncoder ? Architecture.Resnet : Architecture.Vit;
        string[] prefixes = arch switch
        {
            _ when arch == encoder => ["motion_encoder.", "text_encoder.", "motion_head.", "text_head.", "logit_scale"],
            _ when arch == Architecture.Lex && source.LexMotionEncoder == encoder => ["motion_encoder.", "text_encoder."],
            _ => throw new InvalidDataException($"train.initFrom: {checkpoint} holds a '{arch}' model" + (arch == Architecture.Lex ? $" over model.lexMotionEncoder = {source.LexMotionEncoder}" : "") +
                $"; this caption model's motion encoder is '{encoder}' (model.motionEncoder): it starts from a '{encoder}' or lex (model.lexMotionEncoder = {encoder}) retrieval run, or from a caption run"),
        };
        var picked = tensors.Where(kv => prefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal))).ToDictionary(kv => kv.Key, kv => kv.Value);
        var ours = Network.StateDict();
        var missing = ours.Keys.Where(k => prefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal)) && !picked.ContainsKey(k)).ToList();
        var unexpected = picked.Keys.Where(k => !ours.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"train.initFrom: {checkpoint} ('{arch}') does not fit this caption model's encoders" +
                (missing.Count > 0 ? $"; missing {Module.FirstFew(missing, ", ")}" : "") + (unexpected.Count > 0 ? $"; unexpected {Module.FirstFew(unexpected, ", ")}" : "") +
                " (the same model.vit*/resnet* and model.text* settings are needed)");
        try
        {
            Network.LoadStateDict(picked, strict: false, checkpoint);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"train.initFrom: {checkpoint} ('{arch}') does not fit this caption model's encoders (the same model.vit*/resnet* and model.text* settings are needed): {e.Message}", e);
        }
        return $"{picked.Count} tensors ({string.Join(", ", prefixes.Select(p => p.TrimEnd('.')))}) from a '{arch}' run; the caption decoder" + (arch == Architecture.Lex ? " and the dense heads start" : " starts") + " fresh";
    }
}

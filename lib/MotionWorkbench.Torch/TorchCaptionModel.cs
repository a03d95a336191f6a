using MotionWorkbench.Models;
using MotionWorkbench.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MotionWorkbench.Torch;

/// <summary>
/// The own engine's <see cref="MultiHeadAttention"/> (<c>q_lin</c>, <c>k_lin</c>, <c>v_lin</c>, <c>out_lin</c>) with
/// <c>Ops.CrossAttention</c>'s masks: queries x (B, Lq, C) over memory (B, Lk, C); key padding (B, Lk) bool (true =
/// padded key); causal: query i sees keys j ≤ i + Lk − Lq. A query row whose keys are all masked gives zeros (no
/// gradient). Dropout on the probabilities in training mode.
/// </summary>
internal sealed class TorchDecoderAttention(TorchModel owner, string prefix, int heads, double dropout)
{
    private readonly TorchLinear q = new(owner, TorchModel.Key(prefix, "q_lin"));
    private readonly TorchLinear k = new(owner, TorchModel.Key(prefix, "k_lin"));
    private readonly TorchLinear v = new(owner, TorchModel.Key(prefix, "v_lin"));
    private readonly TorchLinear output = new(owner, TorchModel.Key(prefix, "out_lin"));

    public Tensor Forward(Tensor x, Tensor memory, Tensor? keyPadding, bool causal)
    {
        long B = x.shape[0], Lq = x.shape[1], C = x.shape[2], Lk = memory.shape[1], D = C / heads;
        var qh = q.Forward(x).view(B, Lq, heads, D).transpose(1, 2);          // (B, H, Lq, D)
        var kh = k.Forward(memory).view(B, Lk, heads, D).transpose(1, 2);     // (B, H, Lk, D)
        var vh = v.Forward(memory).view(B, Lk, heads, D).transpose(1, 2);
        var s = qh.matmul(kh.transpose(2, 3)) * (float)(1.0 / Math.Sqrt(D)); // (B, H, Lq, Lk)
        Tensor? allowed = null;                                                // (B or 1, 1, Lq, Lk), true = attend
        if (causal)
        {
            var tri = new bool[Lq * Lk];
            for (long i = 0; i < Lq; i++)
                for (long j = 0; j < Lk; j++) tri[i * Lk + j] = j <= i + Lk - Lq;
            allowed = tensor(tri, [1, 1, Lq, Lk]).to(x.device);
        }
        if (keyPadding is not null)
        {
            var keys = keyPadding.logical_not().view(B, 1, 1, Lk);
            allowed = allowed is null ? keys.expand(B, 1, Lq, Lk) : allowed.logical_and(keys);
        }
        Tensor p;
        if (allowed is null) p = F.softmax(s, -1);
        else
        {
            // a large finite fill: a fully masked row softmaxes to a uniform row (no NaN), then is zeroed
            p = F.softmax(s.masked_fill(allowed.logical_not(), -1e30f), -1);
            var anyKey = allowed.any(3, keepdim: true).to(p.dtype);           // (B or 1, 1, Lq, 1)
            p = p * anyKey;
        }
        p = TorchOps.Dropout(owner, p, dropout);
        return output.Forward(p.matmul(vh).transpose(1, 2).reshape(B, Lq, C)); // (B, Lq, C)
    }
}

/// <summary>
/// The own engine's <see cref="PreNormDecoderBlock"/>: x = x + drop(self_attn(norm1(x), causal, padding));
/// x = x + drop(cross_attn(norm2(x), memory, memory padding)); x = x + drop(mlp(norm3(x))).
/// </summary>
internal sealed class TorchPreNormDecoderBlock(TorchModel owner, string prefix, int heads, double dropout, double eps)
{
    private readonly TorchLayerNorm norm1 = new(owner, TorchModel.Key(prefix, "norm1"), eps);
    private readonly TorchDecoderAttention selfAttn = new(owner, TorchModel.Key(prefix, "self_attn"), heads, dropout);
    private readonly TorchLayerNorm norm2 = new(owner, TorchModel.Key(prefix, "norm2"), eps);
    private readonly TorchDecoderAttention crossAttn = new(owner, TorchModel.Key(prefix, "cross_attn"), heads, dropout);
    private readonly TorchLayerNorm norm3 = new(owner, TorchModel.Key(prefix, "norm3"), eps);
    private readonly TorchMlp mlp = new(owner, TorchModel.Key(prefix, "mlp"), dropout);

    public Tensor Forward(Tensor x, Tensor? padding, Tensor memory, Tensor? memoryPadding)
    {
        var h = norm1.Forward(x);
        x = x + TorchOps.Dropout(owner, selfAttn.Forward(h, h, padding, causal: true), dropout);
        x = x + TorchOps.Dropout(owner, crossAttn.Forward(norm2.Forward(x), memory, memoryPadding, causal: false), dropout);
        return x + TorchOps.Dropout(owner, mlp.Forward(norm3.Forward(x)), dropout);
    }
}

/// <summary>
/// The own engine's <see cref="CaptionDecoder"/> on TorchSharp (names under <c>caption_decoder.</c>): memory =
/// <c>memory_proj</c>(<c>memory_norm</c>(motion tokens)), with prefix words (<c>token_embed</c>[id] + <c>prefix_type</c>)
/// before them; word pieces <c>token_embed</c> + <c>pos_embed</c>, dropout, <c>blocks.{i}</c>, <c>norm</c>; logits tied
/// to <c>token_embed</c> plus <c>out_bias</c>; the teacher-forced cross-entropy over the real targets.
/// </summary>
public sealed class TorchCaptionDecoder
{
    private readonly TorchModel owner;
    private readonly TorchLayerNorm memoryNorm, norm;
    private readonly TorchLinear memoryProjection;
    private readonly Parameter tokenEmbedding, positionEmbedding, outputBias;
    private readonly Parameter? prefixType;
    private readonly TorchPreNormDecoderBlock[] blocks;

    internal TorchCaptionDecoder(TorchModel owner, string prefix, CaptionDecoder own)
    {
        this.owner = owner;
        Config = own.Config;
        memoryNorm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "memory_norm"), own.MemoryNorm.Eps);
        memoryProjection = new TorchLinear(owner, TorchModel.Key(prefix, "memory_proj"));
        tokenEmbedding = owner.Get(TorchModel.Key(prefix, "token_embed.weight"));
        positionEmbedding = owner.Get(TorchModel.Key(prefix, "pos_embed"));
        blocks = own.Blocks.Items.Select((b, i) => new TorchPreNormDecoderBlock(owner, TorchModel.Key(prefix, $"blocks.{i}"), Config.Heads, Config.Dropout, b.Norm1.Eps)).ToArray();
        norm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "norm"), own.Norm.Eps);
        outputBias = owner.Get(TorchModel.Key(prefix, "out_bias"));
        prefixType = Config.PrefixWords > 0 ? owner.Get(TorchModel.Key(prefix, "prefix_type")) : null;
        EmbeddingDropout = own.EmbeddingDropout.P;
    }

    public CaptionDecoderConfig Config { get; }

    /// <summary>The dropout after the token + position embeddings.</summary>
    public double EmbeddingDropout { get; }

    /// <summary>The tied token embedding (V, C).</summary>
    public Parameter TokenEmbedding => tokenEmbedding;

    private Device Device => owner.Device;

    private Tensor Embed(long[] ids, long B, long L) =>
        tokenEmbedding.index_select(0, tensor(ids).to(Device)).view(B, L, Config.Width);

    /// <summary>
    /// The memory (B, K + Lm, C) of motion tokens (B, Lm, M) and, with K prefix words, B·K prefix ids (negative = absent)
    /// with its padding (B, K + Lm) bool (true = absent word); without a prefix the padding is null.
    /// </summary>
    public (Tensor Memory, Tensor? Padding) Memory(Tensor motionTokens, int[]? prefixIds)
    {
        if (motionTokens.dim() != 3 || motionTokens.shape[2] != Config.MemoryWidth)
            throw new ArgumentException($"caption decoder: motion tokens must be (B, Lm, {Config.MemoryWidth}), got ({string.Join(", ", motionTokens.shape)})");
        var motion = memoryProjection.Forward(memoryNorm.Forward(motionTokens));   // (B, Lm, C)
        int K = Config.PrefixWords;
        if (K == 0)
        {
            if (prefixIds is { Length: > 0 }) throw new ArgumentException("caption decoder: it reads no prefix words (model.captionLexWords = 0), but some were given");
            return (motion, null);
        }
        long B = motion.shape[0], Lm = motion.shape[1];
        var (ids, padding) = CaptionDecoder.PrefixLayout(Config, prefixIds, (int)B, (int)Lm);
        var words = Embed(Array.ConvertAll(ids, i => (long)i), B, K) + prefixType!;                                      // (B, K, C)
        return (cat([words, motion], 1), tensor(padding, [B, K + Lm]).to(Device));
    }

    /// <summary>Hidden states (B, L, C) after the final norm of ids (B·L) with an optional padding (B, L) (true = [PAD]).</summary>
    public Tensor Hidden(Tensor memory, Tensor? memoryPadding, long[] ids, long B, long L, Tensor? padding = null)
    {
        if (L > Config.MaxPositions) throw new ArgumentException($"caption decoder: {L} tokens exceed its {Config.MaxPositions} positions");
        if (memory.shape[0] != B) throw new ArgumentException($"caption decoder: memory has {memory.shape[0]} rows for {B} captions");
        foreach (var id in ids)
            if ((ulong)id >= (ulong)Config.VocabularySize) throw new ArgumentException($"caption decoder: token id {id} is outside the vocabulary [0, {Config.VocabularySize})");
        var x = Embed(ids, B, L) + positionEmbedding.narrow(0, 0, L);                     // (B, L, C)
        x = TorchOps.Dropout(owner, x, EmbeddingDropout);
        foreach (var block in blocks) x = block.Forward(x, padding, memory, memoryPadding);
        return norm.Forward(x);
    }

    /// <summary>Logits (N, V) of hidden rows (N, C): the tied output projection.</summary>
    public Tensor Logits(Tensor hidden) => F.linear(hidden, tokenEmbedding, outputBias);

    /// <summary>Teacher-forced cross-entropy (as <see cref="CaptionDecoder.Loss"/>): mean over the real targets, captions cut to the positions.</summary>
    public Tensor Loss(Tensor memory, Tensor? memoryPadding, EncodedBatch captions)
    {
        var (T, inputs, padding, rows, targets) = CaptionDecoder.TeacherForcing(captions, Config.MaxPositions);
        int B = captions.BatchSize;
        static long[] Long(int[] a) => Array.ConvertAll(a, i => (long)i);
        var h = Hidden(memory, memoryPadding, Long(inputs), B, T, tensor(padding, [B, T]).to(Device));   // (B, T, C)
        var picked = h.reshape(B * T, Config.Width).index_select(0, tensor(Long(rows)).to(Device));      // (N, C)
        return F.cross_entropy(Logits(picked), tensor(Long(targets)).to(Device));
    }
}

/// <summary>
/// Architecture "caption" (the own engine's <see cref="CaptionModel"/>) on TorchSharp: the ViT or ResNet (<c>motion_encoder</c>),
/// <c>text_encoder</c>, <c>motion_head</c>, <c>text_head</c>, <c>logit_scale</c> when learnable and the
/// <c>caption_decoder</c> (<see cref="TorchCaptionDecoder"/>) under exactly the own names, so checkpoints move between
/// the engines. The training loss is the own one: the decoder's teacher-forced cross-entropy over the encoder's output
/// tokens (under no-grad when the encoder is frozen; the encoder is then not in the optimiser, as the own groups say), with
/// the own model's lexical prefix ids, plus model.captionContrastiveWeight x the symmetric InfoNCE of the text
/// embeddings and the motion embeddings pooled from the same tokens. The towers embed as the own (retrieval evaluation).
/// </summary>
public sealed class TorchCaptionModel : TorchDenseModel
{
    private readonly CaptionModel own;

    public TorchCaptionModel(CaptionModel own, Device device) : base(own, own.Network.Config, device)
    {
        this.own = own;
        Decoder = new TorchCaptionDecoder(this, "caption_decoder", own.Network.Decoder);
    }

    public override Architecture Architecture => Architecture.Caption;
    public TorchCaptionDecoder Decoder { get; }

    /// <summary>The own model's frozen-encoder setting (model.captionFreezeEncoder).</summary>
    public bool FreezeEncoder => own.FreezeEncoder;

    /// <summary>The own model's contrastive weight (model.captionContrastiveWeight).</summary>
    public float ContrastiveWeight => own.ContrastiveWeight;

    public override Tensor EncodeMotion(TorchMotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return TorchOps.L2Normalize(MotionHead.Forward(MotionEncoder.Forward(input)));
    }

    /// <summary>The encoder's output tokens (ViT (B, 1 + L, C), ResNet (B, h·w, C)); without gradient when the encoder is frozen (in the current mode).</summary>
    public Tensor MotionTokens(TorchMotionInput input)
    {
        if (!FreezeEncoder) return MotionEncoder.ForwardTokens(input);
        using (torch.no_grad()) return MotionEncoder.ForwardTokens(input);
    }

    /// <summary>L2-normalised motion embeddings (B, E) of the encoder's output tokens (its pooling, then the head).</summary>
    public Tensor EmbedMotionTokens(Tensor tokens) => TorchOps.L2Normalize(MotionHead.Forward(MotionEncoder.PoolTokens(tokens)));

    public override Tensor TrainingLoss(ContrastiveBatch batch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Motion.RequirePatches("the caption model");
        var tokens = MotionTokens(TorchInterop.ToTorch(batch.Motion, Device));                   // (B, L', C)
        var (memory, padding) = Decoder.Memory(tokens, own.PrefixIds(batch.Samples));             // (B, K + 1 + L, C)
        var loss = Decoder.Loss(memory, padding, batch.Text);
        if (ContrastiveWeight > 0)
            loss = loss + ContrastiveLoss(EncodeText(batch.Text), EmbedMotionTokens(tokens)) * ContrastiveWeight;
        return loss;
    }

    public override bool TrainsContrastively => false;

    public override string LossName => own.LossName;
}

using MotionWorkbench.Models;
using MotionWorkbench.Training;
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

    public TorchLexicalHead(TorchModel owner, string prefix, double layerNormEps, Parameter? tiedWeight, IReadOnlyList<int>? activeWords)
    {
        ArgumentNullException.ThrowIfNull(owner);
        transform = new TorchLinear(owner, TorchModel.Key(prefix, "transform"));
        layerNorm = new TorchLayerNorm(owner, TorchModel.Key(prefix, "layer_norm"), layerNormEps);
        bias = owner.Get(TorchModel.Key(prefix, "bias"));
        projection = tiedWeight ?? owner.Get(TorchModel.Key(prefix, "weight"));
        if (activeWords is not null)
        {
            var ids = activeWords.Distinct().Order().Select(i => (long)i).ToArray();
            active = owner.Buffer(tensor(ids, device: owner.Device));
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
}

/// <summary>
/// The own engine's <see cref="LexicalModel"/> (architecture "lex") on TorchSharp, contrastive phase (LexCMLP and the
/// "†" baseline): <c>motion_encoder</c>, <c>text_encoder</c>, <c>text_lex</c> (tied to the word embeddings) and
/// <c>motion_lex</c>; L2-normalised lexical vectors; InfoNCE at the fixed τ plus the FLOPS regulariser (with the
/// trainer's warm-up). The weak decoder's and MAE decoder's parameters are held (so checkpoints of every phase load)
/// but the pre-training phases (model.lexPhase mlm, cmmm, mmm) run on the own engine only.
/// </summary>
public sealed class TorchLexicalModel : TorchRetrievalModel
{
    private float flopsWeightScale = 1f;

    public TorchLexicalModel(LexicalRetrievalModel own, Device device) : base(own, device)
    {
        var model = own.Model;
        Options = model.Options;
        Phase = own.Phase;
        FlopsWarmupSteps = own.FlopsWarmupSteps;
        MotionEncoder = TorchMotionEncoder.Create(this, "motion_encoder", model.MotionEncoder.EncoderConfig);
        TextEncoder = new TorchTextEncoder(this, "text_encoder", model.TextEncoder.Config);
        TextLex = new TorchLexicalHead(this, "text_lex", model.TextEncoder.Config.LayerNormEps, TextEncoder.WordEmbeddings, Options.ActiveWords);
        MotionLex = new TorchLexicalHead(this, "motion_lex", model.TextEncoder.Config.LayerNormEps, null, Options.ActiveWords);
        flopsWeightScale = model.FlopsWeightScale;
    }

    public LexicalOptions Options { get; }

    /// <summary>model.lexPhase: "cmlp" trains here; "mlm", "cmmm", "mmm" are own-engine phases.</summary>
    public string Phase { get; }

    public int FlopsWarmupSteps { get; }
    public TorchMotionEncoder MotionEncoder { get; }
    public TorchTextEncoder TextEncoder { get; }
    public TorchLexicalHead TextLex { get; }
    public TorchLexicalHead MotionLex { get; }

    public override string Architecture => "lex";

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

    public override string LossName => Phase == "cmlp" ? "contrastive" : $"Lex phase {Phase}";

    public override Tensor TrainingLoss(ContrastiveBatch batch, RunData data, ulong seed)
    {
        if (Phase != "cmlp")
            throw new NotSupportedException($"the torch engine trains Lex's contrastive phase (model.lexPhase = cmlp) only; phase '{Phase}' runs on the own engine (train.engine = mw)");
        return base.TrainingLoss(batch, data, seed);
    }
}

using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Models;

/// <summary>
/// The reference's ProjectionHead: projected = <c>projection</c>(x); h = <c>fc</c>(GELU(projected)); h = dropout(h);
/// out = <c>layer_norm</c>(h + projected) with eps 1e-5. Linear layers start with torch's default init.
/// </summary>
public sealed class ProjectionHead : Module
{
    public Linear Projection { get; }
    public Linear Fc { get; }
    public Dropout Dropout { get; }
    public LayerNorm LayerNorm { get; }

    public ProjectionHead(int inputDim, int embeddingDim, float dropout, ulong seed)
    {
        Projection = Child("projection", new Linear(inputDim, embeddingDim));
        Fc = Child("fc", new Linear(embeddingDim, embeddingDim));
        Dropout = Child("dropout", new Dropout(dropout, seed * 977 + 11));
        LayerNorm = Child("layer_norm", new LayerNorm(embeddingDim, 1e-5f));
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32)) + 41));
        TorchDefaultInit(Projection, rng);
        TorchDefaultInit(Fc, rng);
    }

    /// <summary>torch.nn.Linear's default: weight and bias uniform in ±1/√in.</summary>
    public static void TorchDefaultInit(Linear linear, Random rng)
    {
        float bound = 1f / MathF.Sqrt(linear.InFeatures);
        Init.Uniform(linear.Weight, -bound, bound, rng);
        if (linear.Bias is not null) Init.Uniform(linear.Bias, -bound, bound, rng);
    }

    /// <summary>x (B, in) -> (B, embeddingDim).</summary>
    public Tensor Forward(Tensor x)
    {
        var projected = Projection.Forward(x);                                                 // (B, E)
        var h = Fc.Forward(Ops.Gelu(projected));                                               // (B, E)
        var sum = Dropout.Training && Dropout.P > 0 ? Ops.AddDropout(projected, h, Dropout.P, Dropout.Rng) : Ops.Add(projected, h);
        return LayerNorm.Forward(sum);                                                         // (B, E)
    }
}

/// <summary>CLIP's symmetric InfoNCE on L2-normalised embeddings.</summary>
public static class Contrastive
{
    /// <summary>
    /// ½·[CE(s·T·Mᵀ, diag) + CE((s·T·Mᵀ)ᵀ, diag)] with s = exp(<paramref name="logScale"/>) when given, otherwise
    /// s = <paramref name="scale"/>. Rows of <paramref name="text"/> (N, E) pair with rows of <paramref name="motion"/> (N, E).
    /// </summary>
    public static Tensor Loss(Tensor text, Tensor motion, float scale, Tensor? logScale = null)
    {
        if (text.Rank != 2) throw new ArgumentException($"contrastive loss: text embeddings must be (N, E), got {Tensor.Format(text.Shape)}");
        if (!text.Shape.AsSpan().SequenceEqual(motion.Shape)) throw new ArgumentException($"contrastive loss: text {Tensor.Format(text.Shape)} and motion {Tensor.Format(motion.Shape)} embeddings differ in shape");
        int N = text.Shape[0];
        var sim = Ops.MatMul(text, motion, transB: true);                                       // (N, N): text rows, motion columns
        var logits = logScale is null ? Ops.Scale(sim, scale) : Ops.Mul(sim, Ops.Exp(Ops.Reshape(logScale, 1, 1)));
        var targets = Enumerable.Range(0, N).ToArray();
        var t2m = Ops.CrossEntropy(logits, targets);
        var m2t = Ops.CrossEntropy(Ops.Transpose(logits, 0, 1), targets);
        return Ops.Scale(Ops.Add(t2m, m2t), 0.5f);
    }

    /// <summary>
    /// The optimiser groups of a contrastive model: "motion" (the motion encoder), "text" (the text encoder), "heads"
    /// (both projection heads) and, when the temperature is learnable, "temperature".
    /// </summary>
    public static IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups(
        Module motionEncoder, Module textEncoder, Module motionHead, Module textHead, Tensor? logitScale)
    {
        var groups = new List<(string, IReadOnlyList<Tensor>)>
        {
            ("motion", motionEncoder.Parameters().ToList()),
            ("text", textEncoder.Parameters().ToList()),
            ("heads", motionHead.Parameters().Concat(textHead.Parameters()).ToList()),
        };
        if (logitScale is not null) groups.Add(("temperature", [logitScale]));
        return groups;
    }
}

namespace MotionWorkbench.Tensors.Nn;

/// <summary>y = x·Wᵀ + b with PyTorch's layout: <c>weight</c> (Out, In), <c>bias</c> (Out).</summary>
public sealed class Linear : Module
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public int InFeatures { get; }
    public int OutFeatures { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = Param("weight", outFeatures, inFeatures);
        Bias = bias ? Param("bias", outFeatures) : null;
    }

    public Tensor Forward(Tensor x) => Ops.Linear(x, Weight, Bias); // (..., In) -> (..., Out)

    /// <summary>dropout(gelu(Linear(x))), fused.</summary>
    public Tensor ForwardGelu(Tensor x, float dropout = 0f, DropoutRng? rng = null) => Ops.LinearGelu(x, Weight, Bias, dropout, rng);
}

/// <summary>Layer norm over the last axis with <c>weight</c> and <c>bias</c> (C).</summary>
public sealed class LayerNorm : Module
{
    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public float Eps { get; }

    public LayerNorm(int C, float eps = 1e-5f)
    {
        Eps = eps;
        Weight = Param("weight", C);
        Bias = Param("bias", C);
        Weight.Data.Fill(1f);
    }

    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, Weight, Bias, Eps);
}

/// <summary>Token embedding table <c>weight</c> (V, C).</summary>
public sealed class Embedding : Module
{
    public Tensor Weight { get; }

    public Embedding(int V, int C) => Weight = Param("weight", V, C);

    /// <summary>ids (B, L) -> (B, L, C).</summary>
    public Tensor Forward(ReadOnlySpan<int> ids, params int[] idShape) => Ops.Embedding(Weight, ids, idShape);
}

/// <summary>Dropout with its own seeded mask stream; identity in eval mode or when p = 0.</summary>
public sealed class Dropout(float p, ulong seed) : Module
{
    public float P { get; } = p;
    public DropoutRng Rng { get; } = new(seed);

    public Tensor Forward(Tensor x) => Training && P > 0 ? Ops.Dropout(x, P, Rng) : x;
}

/// <summary>Two-layer MLP: fc2(dropout(gelu(fc1(x)))) with names fc1/fc2 (timm) or lin1/lin2 (DistilBERT).</summary>
public sealed class Mlp : Module
{
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }
    public Dropout Drop { get; }

    public Mlp(int C, int hidden, float dropout, ulong seed, string fc1Name = "fc1", string fc2Name = "fc2")
    {
        Fc1 = Child(fc1Name, new Linear(C, hidden));
        Fc2 = Child(fc2Name, new Linear(hidden, C));
        Drop = Child("drop", new Dropout(dropout, seed)); // no parameters, only the train/eval mode
    }

    public Tensor Forward(Tensor x)
    {
        var h = Fc1.ForwardGelu(x, Drop.Training ? Drop.P : 0f, Drop.Rng); // (B, L, hidden): dropout(gelu(fc1 x))
        return Fc2.Forward(h);                                              // (B, L, C)
    }
}

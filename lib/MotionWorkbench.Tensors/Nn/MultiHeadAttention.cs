namespace MotionWorkbench.Tensors.Nn;

/// <summary>
/// Multi-head attention with separate projections <c>q_lin</c>, <c>k_lin</c>, <c>v_lin</c> and <c>out_lin</c>:
/// out_lin(attention(q_lin(x), k_lin(memory), v_lin(memory))). With memory = x and <c>causal</c> it is a decoder's
/// causal self-attention (position i attends to j ≤ i); with the encoder's tokens as memory it is cross-attention.
/// The key padding mask (B·Lk, true = padded key) applies to the memory. Dropout applies to the attention probabilities.
/// </summary>
public sealed class MultiHeadAttention : Module
{
    public int Width { get; }
    public int Heads { get; }
    public Linear Q { get; }
    public Linear K { get; }
    public Linear V { get; }
    public Linear Out { get; }
    public float AttentionDropout { get; }
    public DropoutRng Rng { get; }

    /// <summary>Keep the attention probabilities (B, H, Lq, Lk) of the next forwards in <see cref="LastProbabilities"/>.</summary>
    public bool KeepProbabilities { get; set; }

    public float[]? LastProbabilities { get; private set; }

    public MultiHeadAttention(int C, int heads, float attentionDropout, ulong seed, int memoryWidth = 0)
    {
        if (heads <= 0 || C % heads != 0) throw new ArgumentException($"MultiHeadAttention: width {C} is not divisible by {heads} heads");
        int M = memoryWidth > 0 ? memoryWidth : C;
        Width = C;
        Heads = heads;
        AttentionDropout = attentionDropout;
        Rng = new DropoutRng(seed);
        Q = Child("q_lin", new Linear(C, C));
        K = Child("k_lin", new Linear(M, C));
        V = Child("v_lin", new Linear(M, C));
        Out = Child("out_lin", new Linear(C, C));
    }

    /// <summary>x (B, Lq, C) over memory (B, Lk, M) -> (B, Lq, C).</summary>
    public Tensor Forward(Tensor x, Tensor memory, bool[]? memoryPadding = null, bool causal = false)
    {
        int B = x.Shape[0], Lq = x.Shape[1], Lk = memory.Shape[1];
        float[]? probs = null;
        if (KeepProbabilities)
        {
            probs = LastProbabilities?.Length == B * Heads * Lq * Lk ? LastProbabilities : new float[B * Heads * Lq * Lk];
            LastProbabilities = probs;
        }
        var a = Ops.CrossAttention(Q.Forward(x), K.Forward(memory), V.Forward(memory), Heads, memoryPadding, causal, Training ? AttentionDropout : 0f, Rng, probs);
        return Out.Forward(a);
    }

    /// <summary>Causal self-attention: x (B, L, C), key padding (B·L) -> (B, L, C).</summary>
    public Tensor ForwardCausal(Tensor x, bool[]? keyPadding = null) => Forward(x, x, keyPadding, causal: true);
}

/// <summary>
/// Pre-norm transformer decoder block (GPT-2 / torch's TransformerDecoderLayer with norm_first = true):
/// x = x + drop(self_attn(norm1(x), causal, padding)); x = x + drop(cross_attn(norm2(x), memory, memory padding));
/// x = x + drop(mlp(norm3(x))). Exact GELU in the MLP.
/// </summary>
public sealed class PreNormDecoderBlock : Module
{
    public LayerNorm Norm1 { get; }
    public MultiHeadAttention SelfAttn { get; }
    public LayerNorm Norm2 { get; }
    public MultiHeadAttention CrossAttn { get; }
    public LayerNorm Norm3 { get; }
    public Mlp Mlp { get; }
    public Dropout Drop { get; }

    public PreNormDecoderBlock(int C, int heads, int hidden, float dropout, ulong seed, float eps = 1e-5f, int memoryWidth = 0)
    {
        Norm1 = Child("norm1", new LayerNorm(C, eps));
        SelfAttn = Child("self_attn", new MultiHeadAttention(C, heads, dropout, seed * 8 + 1));
        Norm2 = Child("norm2", new LayerNorm(C, eps));
        CrossAttn = Child("cross_attn", new MultiHeadAttention(C, heads, dropout, seed * 8 + 2, memoryWidth));
        Norm3 = Child("norm3", new LayerNorm(C, eps));
        Mlp = Child("mlp", new Mlp(C, hidden, dropout, seed * 8 + 3));
        Drop = Child("drop", new Dropout(dropout, seed * 8 + 4));
    }

    /// <summary>x (B, L, C), padding (B·L, true = padded token), memory (B, Lm, M), memory padding (B·Lm) -> (B, L, C).</summary>
    public Tensor Forward(Tensor x, bool[]? padding, Tensor memory, bool[]? memoryPadding = null)
    {
        x = Residual(x, SelfAttn.ForwardCausal(Norm1.Forward(x), padding));
        x = Residual(x, CrossAttn.Forward(Norm2.Forward(x), memory, memoryPadding));
        return Residual(x, Mlp.Forward(Norm3.Forward(x)));
    }

    private Tensor Residual(Tensor x, Tensor y) => Training && Drop.P > 0 ? Ops.AddDropout(x, y, Drop.P, Drop.Rng) : Ops.Add(x, y);
}

namespace MotionWorkbench.Tensors.Nn;

/// <summary>
/// Multi-head self-attention: proj(attention(q, k, v)). Holds either one fused <c>qkv</c> Linear (C -> 3C) and
/// <c>proj</c> (timm's names), or separate <c>q_lin</c>, <c>k_lin</c>, <c>v_lin</c> and <c>out_lin</c> (DistilBERT's),
/// so both checkpoint families map on by name. Dropout applies to the attention probabilities. With
/// <see cref="KeepProbabilities"/> the last forward's probabilities (B, H, L, L) are copied to <see cref="LastProbabilities"/>.
/// </summary>
public sealed class MultiHeadSelfAttention : Module
{
    public int Width { get; }
    public int Heads { get; }
    public bool Fused { get; }
    public Linear? Qkv { get; }
    public Linear? Q { get; }
    public Linear? K { get; }
    public Linear? V { get; }
    public Linear Out { get; }
    public float AttentionDropout { get; }
    public DropoutRng Rng { get; }

    /// <summary>Keep the attention probabilities of the next forwards (for visualisation).</summary>
    public bool KeepProbabilities { get; set; }

    /// <summary>Probabilities (B, H, L, L) of the last forward when <see cref="KeepProbabilities"/> was on.</summary>
    public float[]? LastProbabilities { get; private set; }

    /// <summary>Shape of <see cref="LastProbabilities"/>: (B, H, L, L).</summary>
    public int[]? LastProbabilitiesShape { get; private set; }

    public MultiHeadSelfAttention(int C, int heads, bool fused, float attentionDropout, ulong seed, bool qkvBias = true)
    {
        if (C % heads != 0) throw new ArgumentException($"MultiHeadSelfAttention: width {C} is not divisible by {heads} heads");
        Width = C;
        Heads = heads;
        Fused = fused;
        AttentionDropout = attentionDropout;
        Rng = new DropoutRng(seed);
        if (fused)
        {
            Qkv = Child("qkv", new Linear(C, 3 * C, qkvBias));
            Out = Child("proj", new Linear(C, C));
        }
        else
        {
            Q = Child("q_lin", new Linear(C, C, qkvBias));
            K = Child("k_lin", new Linear(C, C, qkvBias));
            V = Child("v_lin", new Linear(C, C, qkvBias));
            Out = Child("out_lin", new Linear(C, C));
        }
    }

    /// <summary>x (B, L, C), optional key padding (B·L, true = padded key) -> (B, L, C).</summary>
    public Tensor Forward(Tensor x, bool[]? keyPadding = null)
    {
        int B = x.Shape[0], L = x.Shape[1];
        float p = Training ? AttentionDropout : 0f;
        float[]? probs = null;
        if (KeepProbabilities)
        {
            probs = LastProbabilities?.Length == B * Heads * L * L ? LastProbabilities : new float[B * Heads * L * L];
            LastProbabilities = probs;
            LastProbabilitiesShape = [B, Heads, L, L];
        }
        var a = Fused
            ? Ops.Attention(Qkv!.Forward(x), Heads, keyPadding, p, Rng, probs)                           // (B, L, 3C) -> (B, L, C)
            : Ops.Attention(Q!.Forward(x), K!.Forward(x), V!.Forward(x), Heads, keyPadding, p, Rng, probs); // 3 x (B, L, C) -> (B, L, C)
        return Out.Forward(a);                                                                           // (B, L, C)
    }
}

namespace MotionWorkbench.Tensors.Nn;

/// <summary>
/// Pre-norm encoder block (ViT / timm names): x = x + drop(attn(norm1(x))); x = x + drop(mlp(norm2(x))).
/// Dropout p sits on the attention probabilities, after the attention projection, after the GELU and after fc2,
/// the same four places as torch's TransformerEncoderLayer and timm's Block.
/// </summary>
public sealed class PreNormBlock : Module
{
    public LayerNorm Norm1 { get; }
    public MultiHeadSelfAttention Attn { get; }
    public LayerNorm Norm2 { get; }
    public Mlp Mlp { get; }
    public Dropout Drop { get; }

    public PreNormBlock(int C, int heads, int hidden, float dropout, ulong seed, float eps = 1e-6f, bool fusedQkv = true)
    {
        Norm1 = Child("norm1", new LayerNorm(C, eps));
        Attn = Child("attn", new MultiHeadSelfAttention(C, heads, fusedQkv, dropout, seed * 4 + 1));
        Norm2 = Child("norm2", new LayerNorm(C, eps));
        Mlp = Child("mlp", new Mlp(C, hidden, dropout, seed * 4 + 2));
        Drop = Child("drop", new Dropout(dropout, seed * 4 + 3));
    }

    public Tensor Forward(Tensor x, bool[]? keyPadding = null)
    {
        x = Residual(x, Attn.Forward(Norm1.Forward(x), keyPadding)); // (B, L, C)
        return Residual(x, Mlp.Forward(Norm2.Forward(x)));           // (B, L, C)
    }

    private Tensor Residual(Tensor x, Tensor y) => Training && Drop.P > 0 ? Ops.AddDropout(x, y, Drop.P, Drop.Rng) : Ops.Add(x, y);
}

/// <summary>
/// Post-norm encoder block (BERT / DistilBERT names): x = sa_layer_norm(x + drop(attention(x)));
/// x = output_layer_norm(x + drop(ffn(x))), with separate q_lin/k_lin/v_lin/out_lin and ffn.lin1/lin2.
/// </summary>
public sealed class PostNormBlock : Module
{
    public MultiHeadSelfAttention Attention { get; }
    public LayerNorm AttentionNorm { get; }
    public Mlp Ffn { get; }
    public LayerNorm OutputNorm { get; }
    public Dropout Drop { get; }

    public PostNormBlock(int C, int heads, int hidden, float dropout, ulong seed, float eps = 1e-12f, bool fusedQkv = false)
    {
        Attention = Child("attention", new MultiHeadSelfAttention(C, heads, fusedQkv, dropout, seed * 4 + 1));
        AttentionNorm = Child("sa_layer_norm", new LayerNorm(C, eps));
        Ffn = Child("ffn", new Mlp(C, hidden, dropout, seed * 4 + 2, "lin1", "lin2"));
        OutputNorm = Child("output_layer_norm", new LayerNorm(C, eps));
        Drop = Child("drop", new Dropout(dropout, seed * 4 + 3));
    }

    public Tensor Forward(Tensor x, bool[]? keyPadding = null)
    {
        x = AttentionNorm.Forward(Residual(x, Attention.Forward(x, keyPadding))); // (B, L, C)
        return OutputNorm.Forward(Residual(x, Ffn.Forward(x)));                   // (B, L, C)
    }

    private Tensor Residual(Tensor x, Tensor y) => Training && Drop.P > 0 ? Ops.AddDropout(x, y, Drop.P, Drop.Rng) : Ops.Add(x, y);
}

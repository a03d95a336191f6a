using MotionWorkbench.Tensors.Nn;

namespace MotionWorkbench.Tensors;

/// <summary>
/// Seeded initialisers (every one takes an explicit <see cref="Random"/>) and the schemes timm and Hugging Face use
/// for ViT and BERT.
/// </summary>
public static class Init
{
    /// <summary>N(mean, std²) by Box-Muller.</summary>
    public static void Normal(Tensor t, float std, Random rng, float mean = 0f)
    {
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = mean + std * (float)Gaussian(rng);
    }

    /// <summary>N(mean, std²) redrawn until inside [a, b] (absolute bounds, as timm's trunc_normal_ with a=-2, b=2).</summary>
    public static void TruncatedNormal(Tensor t, float std, Random rng, float mean = 0f, float a = -2f, float b = 2f)
    {
        if (!(a < b)) throw new ArgumentException($"TruncatedNormal: bounds [{a}, {b}] are empty");
        var d = t.Data;
        for (int i = 0; i < d.Length; i++)
        {
            float v;
            int tries = 0;
            do
            {
                v = mean + std * (float)Gaussian(rng);
                if (++tries > 1000) throw new ArgumentException($"TruncatedNormal: N({mean}, {std}²) almost never falls in [{a}, {b}]");
            }
            while (v < a || v > b);
            d[i] = v;
        }
    }

    /// <summary>U(low, high).</summary>
    public static void Uniform(Tensor t, float low, float high, Random rng)
    {
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = low + (high - low) * (float)rng.NextDouble();
    }

    /// <summary>All zeros.</summary>
    public static void Zeros(Tensor t) => t.Data.Clear();

    /// <summary>All ones.</summary>
    public static void Ones(Tensor t) => t.Data.Fill(1f);

    /// <summary>
    /// timm's ViT scheme: Linear weights trunc-normal(std 0.02), biases 0; LayerNorm weight 1, bias 0;
    /// Embedding weights trunc-normal(0.02). Position embeddings and class tokens are the model's own (timm: trunc-normal
    /// 0.02 and normal 1e-6).
    /// </summary>
    public static void Timm(Module module, Random rng) => Scheme(module, rng, truncated: true);

    /// <summary>Hugging Face BERT's scheme: Linear and Embedding weights normal(std 0.02), biases 0, LayerNorm 1/0.</summary>
    public static void Bert(Module module, Random rng) => Scheme(module, rng, truncated: false);

    private static void Scheme(Module module, Random rng, bool truncated)
    {
        foreach (var (_, m) in module.NamedModules())
        {
            switch (m)
            {
                case Linear l:
                    if (truncated) TruncatedNormal(l.Weight, 0.02f, rng); else Normal(l.Weight, 0.02f, rng);
                    if (l.Bias is not null) Zeros(l.Bias);
                    break;
                case Nn.LayerNorm n:
                    Ones(n.Weight);
                    Zeros(n.Bias);
                    break;
                case Nn.Embedding e:
                    if (truncated) TruncatedNormal(e.Weight, 0.02f, rng); else Normal(e.Weight, 0.02f, rng);
                    break;
            }
        }
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

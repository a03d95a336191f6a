using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace MotionWorkbench.Tensors.Optim;

/// <summary>
/// Adam (L2 weight decay added to the gradient, torch.optim.Adam) or AdamW (decoupled decay, torch.optim.AdamW),
/// over a <see cref="ParameterStore"/> with parameter groups. Per element, at step t:
///   g = grad (+ wd·p for Adam);  p -= lr·wd·p (AdamW);  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;
///   p -= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)
/// m and v are flat arrays in the store's layout; each parameter range is one vectorised loop.
/// </summary>
public class Adam
{
    private readonly ParameterStore store;
    private readonly (int Offset, int Length)[][] ranges;

    public IReadOnlyList<ParamGroup> Groups { get; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public bool DecoupledWeightDecay { get; }
    /// <summary>Steps taken (the bias correction's t); set it when restoring a checkpoint together with <see cref="M"/> and <see cref="V"/>.</summary>
    public int StepCount
    {
        get => stepCount;
        set => stepCount = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Adam step count must be >= 0");
    }

    private int stepCount;
    public float[] M { get; }
    public float[] V { get; }

    public Adam(ParameterStore store, IReadOnlyList<ParamGroup> groups, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, bool decoupledWeightDecay = false)
    {
        this.store = store;
        Groups = groups;
        Beta1 = beta1; Beta2 = beta2; Eps = eps;
        DecoupledWeightDecay = decoupledWeightDecay;
        M = new float[store.Count];
        V = new float[store.Count];
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        ranges = groups.Select(g => g.Parameters.Select(p =>
        {
            if (!seen.Add(p)) throw new ArgumentException($"Adam: parameter {p} is in more than one group (group '{g.Name}')");
            return (store.OffsetOf(p), p.Size);
        }).ToArray()).ToArray();
    }

    /// <summary>One group holding every parameter of the store.</summary>
    public Adam(ParameterStore store, float learningRate, float weightDecay = 0f, bool decoupledWeightDecay = false)
        : this(store, [new ParamGroup("all", store.Entries.Select(e => e.Tensor).ToList(), learningRate, weightDecay)], decoupledWeightDecay: decoupledWeightDecay) { }

    /// <summary>Clears all gradients.</summary>
    public void ZeroGrad() => store.ZeroGrad();

    /// <summary>Applies one update to every group.</summary>
    public void Step()
    {
        StepCount++;
        float bc1 = 1f - MathF.Pow(Beta1, StepCount), bc2 = 1f - MathF.Pow(Beta2, StepCount);
        for (int gi = 0; gi < Groups.Count; gi++)
        {
            var g = Groups[gi];
            float stepSize = g.LearningRate / bc1, invSqrtBc2 = 1f / MathF.Sqrt(bc2);
            float l2 = DecoupledWeightDecay ? 0f : g.WeightDecay;
            float decay = DecoupledWeightDecay ? 1f - g.LearningRate * g.WeightDecay : 1f;
            foreach (var (offset, length) in ranges[gi])
            {
                if (length < 1 << 16)
                {
                    Update(store.Values.AsSpan(offset, length), store.Grads.AsSpan(offset, length), M.AsSpan(offset, length), V.AsSpan(offset, length), stepSize, invSqrtBc2, l2, decay);
                    continue;
                }
                Par.For(length, 1 << 15, 1, (s, e) =>
                    Update(store.Values.AsSpan(offset + s, e - s), store.Grads.AsSpan(offset + s, e - s), M.AsSpan(offset + s, e - s), V.AsSpan(offset + s, e - s), stepSize, invSqrtBc2, l2, decay));
            }
        }
    }

    private void Update(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float stepSize, float invSqrtBc2, float l2, float decay)
    {
        float b1 = Beta1, b2 = Beta2, eps = Eps;
        int i = 0, n = p.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(b1); var vb1c = Vector256.Create(1 - b1);
            var vb2 = Vector256.Create(b2); var vb2c = Vector256.Create(1 - b2);
            var vl2 = Vector256.Create(l2); var vdecay = Vector256.Create(decay);
            var vstep = Vector256.Create(stepSize); var vbc2 = Vector256.Create(invSqrtBc2); var veps = Vector256.Create(eps);
            for (; i <= n - 8; i += 8)
            {
                var pv = Vector256.Create((ReadOnlySpan<float>)p.Slice(i, 8));
                var gv = Vector256.Create(grad.Slice(i, 8)) + vl2 * pv;
                pv *= vdecay;
                var mv = vb1 * Vector256.Create((ReadOnlySpan<float>)m.Slice(i, 8)) + vb1c * gv;
                var vv = vb2 * Vector256.Create((ReadOnlySpan<float>)v.Slice(i, 8)) + vb2c * gv * gv;
                pv -= vstep * mv / (Vector256.Sqrt(vv) * vbc2 + veps);
                mv.CopyTo(m.Slice(i, 8)); vv.CopyTo(v.Slice(i, 8)); pv.CopyTo(p.Slice(i, 8));
            }
        }
        for (; i < n; i++)
        {
            float gi = grad[i] + l2 * p[i];
            p[i] *= decay;
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            p[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) * invSqrtBc2 + eps);
        }
    }

    /// <summary>Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public float ClipGradNorm(float maxNorm) => GradClip.ClipGlobalNorm(store.Grads, maxNorm);
}

/// <summary>AdamW: Adam with decoupled weight decay (torch.optim.AdamW; default decay 0.01).</summary>
public sealed class AdamW(ParameterStore store, IReadOnlyList<ParamGroup> groups, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
    : Adam(store, groups, beta1, beta2, eps, decoupledWeightDecay: true);

/// <summary>Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_).</summary>
public static class GradClip
{
    /// <summary>norm = ‖g‖₂ over everything; if norm &gt; max, g *= max/(norm + 1e-6). Returns norm.</summary>
    public static float ClipGlobalNorm(Span<float> grads, float maxNorm)
    {
        double sum = 0;
        const int chunk = 4096;
        for (int i = 0; i < grads.Length; i += chunk) sum += TensorPrimitives.SumOfSquares(grads.Slice(i, Math.Min(chunk, grads.Length - i)));
        float norm = (float)Math.Sqrt(sum);
        float coef = maxNorm / (norm + 1e-6f);
        if (coef < 1f) TensorPrimitives.Multiply(grads, coef, grads);
        return norm;
    }
}

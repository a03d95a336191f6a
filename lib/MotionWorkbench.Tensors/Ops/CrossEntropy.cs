namespace MotionWorkbench.Tensors;

// Cross-entropy with integer targets, mean over rows: logits (N, V), targets (N) in [0, V).
//   loss = −(1/N) Σ_n log softmax(logits_n)[t_n]
//   dlogits_n += dLoss·(softmax(logits_n) − onehot(t_n)) / N
// Caches the softmax (N, V).
public static partial class Ops
{
    /// <summary>Mean cross-entropy of <paramref name="logits"/> (N, V) against class indices.</summary>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets)
    {
        if (logits.Rank != 2) throw new ArgumentException($"CrossEntropy: logits must be (N, V), got {Tensor.Format(logits.Shape)}");
        int N = logits.Shape[0], V = logits.Shape[1];
        if (targets.Length != N) throw new ArgumentException($"CrossEntropy: {targets.Length} targets for {N} rows of logits {Tensor.Format(logits.Shape)}");
        var t = targets.ToArray();
        var loss = Tensor.Pooled([1]);
        var probs = loss.RentCache(N * V);
        double total = 0;
        var lg = logits.Data;
        for (int n = 0; n < N; n++)
        {
            if ((uint)t[n] >= (uint)V) throw new ArgumentOutOfRangeException(nameof(targets), $"CrossEntropy: target {t[n]} at row {n} is outside [0, {V})");
            var row = probs.AsSpan(n * V, V);
            LogSoftmaxRow(lg.Slice(n * V, V), row);
            total -= row[t[n]];
            for (int v = 0; v < V; v++) row[v] = MathF.Exp(row[v]);
        }
        loss.Data[0] = (float)(total / N);
        return loss.Record("cross_entropy", [logits], () =>
        {
            if (!logits.RequiresGrad) return;
            float g = loss.GradSpan[0] / N;
            var dl = logits.GradSpan;
            for (int n = 0; n < N; n++)
                for (int v = 0; v < V; v++)
                    dl[n * V + v] += g * (probs[n * V + v] - (v == t[n] ? 1f : 0f));
        });
    }
}

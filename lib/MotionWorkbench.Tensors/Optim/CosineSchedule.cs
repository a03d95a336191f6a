namespace MotionWorkbench.Tensors.Optim;

/// <summary>
/// Learning-rate factor: linear warm-up from 0 over <c>warmupSteps</c>, then cosine decay from 1 to
/// <c>minFactor</c> over <c>period</c> steps (held at minFactor afterwards, or restarted when <c>restart</c>).
/// <see cref="Apply"/> sets each group's rate to its base rate times the factor.
/// </summary>
public sealed class CosineSchedule(int period, int warmupSteps = 0, float minFactor = 0f, bool restart = false)
{
    public int Period { get; } = period > 0 ? period : throw new ArgumentOutOfRangeException(nameof(period), $"cosine period must be > 0, got {period}");
    public int WarmupSteps { get; } = warmupSteps >= 0 ? warmupSteps : throw new ArgumentOutOfRangeException(nameof(warmupSteps));
    public float MinFactor { get; } = minFactor;
    public bool Restart { get; } = restart;

    /// <summary>The factor at (0-based) step <paramref name="step"/>.</summary>
    public float Factor(int step)
    {
        if (step < WarmupSteps) return (step + 1) / (float)WarmupSteps;
        int t = step - WarmupSteps;
        if (Restart) t %= Period;
        else if (t >= Period) return MinFactor;
        double cos = 0.5 * (1 + Math.Cos(Math.PI * t / Period));
        return (float)(MinFactor + (1 - MinFactor) * cos);
    }

    /// <summary>Sets every group's learning rate for <paramref name="step"/>.</summary>
    public void Apply(Adam optimizer, int step)
    {
        float f = Factor(step);
        foreach (var g in optimizer.Groups) g.LearningRate = g.BaseLearningRate * f;
    }
}

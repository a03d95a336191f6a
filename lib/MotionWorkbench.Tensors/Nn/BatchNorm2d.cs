namespace MotionWorkbench.Tensors.Nn;

/// <summary>
/// Batch norm over channel axis 1 with PyTorch's names: parameters <c>weight</c> (C, ones) and <c>bias</c> (C, zeros),
/// buffers <c>running_mean</c> (C, zeros) and <c>running_var</c> (C, ones); momentum 0.1, eps 1e-5 by default (see
/// <see cref="Ops.BatchNorm2d"/>). In training mode it normalises with the batch statistics and updates the running
/// ones (unbiased variance); in eval mode, or in either mode when <see cref="FrozenStatistics"/> is set (fine-tuning's
/// "frozen BN": eval-mode statistics inside a training model; weight and bias still train), it uses the running ones.
/// A loaded state whose running variance is negative or not finite, or whose running mean is not finite, is refused.
/// </summary>
public sealed class BatchNorm2d : Module
{
    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public float Eps { get; }
    public float Momentum { get; }

    /// <summary>Use (and keep) the running statistics also in training mode.</summary>
    public bool FrozenStatistics { get; set; }

    public BatchNorm2d(int C, float eps = 1e-5f, float momentum = 0.1f)
    {
        if (C < 1) throw new ArgumentException($"BatchNorm2d: channels must be positive, got {C}");
        (Eps, Momentum) = (eps, momentum);
        Weight = Param("weight", C);
        Bias = Param("bias", C);
        RunningMean = Buffer("running_mean", 0f, C);
        RunningVar = Buffer("running_var", 1f, C);
        Weight.Data.Fill(1f);
    }

    /// <summary>True when the next forward normalises with the batch statistics (training mode, statistics not frozen).</summary>
    public bool UsesBatchStatistics => Training && !FrozenStatistics;

    /// <summary>x (B, C, ...) -> same shape.</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm2d(x, Weight, Bias, RunningMean, RunningVar, UsesBatchStatistics, Momentum, Eps);

    /// <summary>relu(bn(x) + residual), fused (residual optional).</summary>
    public Tensor ForwardRelu(Tensor x, Tensor? residual = null) => Ops.BatchNorm2dRelu(x, Weight, Bias, RunningMean, RunningVar, UsesBatchStatistics, Momentum, Eps, residual);

    /// <inheritdoc />
    protected override void CheckState(string prefix, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        if (state.TryGetValue(prefix + "running_var", out var v))
        {
            var d = v.Data;
            for (int i = 0; i < d.Length; i++)
                if (!(d[i] >= 0) || float.IsInfinity(d[i]))
                    throw new InvalidDataException($"{source}: {prefix}running_var[{i}] is {d[i]}: a BatchNorm running variance must be finite and >= 0");
        }
        if (state.TryGetValue(prefix + "running_mean", out var m))
        {
            var d = m.Data;
            for (int i = 0; i < d.Length; i++)
                if (!float.IsFinite(d[i])) throw new InvalidDataException($"{source}: {prefix}running_mean[{i}] is {d[i]}: a BatchNorm running mean must be finite");
        }
    }
}

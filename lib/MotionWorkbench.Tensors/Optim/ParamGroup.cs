namespace MotionWorkbench.Tensors.Optim;

/// <summary>A set of parameters with its own learning rate and weight decay.</summary>
public sealed class ParamGroup(string name, IReadOnlyList<Tensor> parameters, float learningRate, float weightDecay = 0f)
{
    public string Name { get; } = name;
    public IReadOnlyList<Tensor> Parameters { get; } = parameters;

    /// <summary>The configured learning rate (schedules scale from it).</summary>
    public float BaseLearningRate { get; } = learningRate;

    /// <summary>The learning rate the next step uses.</summary>
    public float LearningRate { get; set; } = learningRate;

    public float WeightDecay { get; set; } = weightDecay;
}

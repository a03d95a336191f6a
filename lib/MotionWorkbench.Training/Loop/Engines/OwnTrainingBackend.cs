using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Optim;

namespace MotionWorkbench.Training;

/// <summary>
/// The workbench's own float32 engine (<c>train.engine = mw</c>, the CPU default): the model's parameters in one
/// <see cref="ParameterStore"/>, Adam/AdamW over its parameter groups (motion/text/heads/temperature, each with its
/// learning rate), dropout streams whose counters the checkpoint keeps.
/// </summary>
public sealed class OwnTrainingBackend : ITrainingBackend
{
    private readonly IRetrievalModel model;
    private readonly RunConfig config;

    public OwnTrainingBackend(IRetrievalModel model, RunConfig config)
    {
        if (config.Train.Device is not ("cpu" or "auto"))
            throw new ArgumentException($"train.device = {config.Train.Device}: the own engine (train.engine = mw) runs on the CPU only; use train.engine = torch for '{config.Train.Device}'");
        this.model = model;
        this.config = config;
        Store = new ParameterStore(model.Module);
        Optimizer = CreateOptimizer(model, Store, config.Train);
    }

    public TrainingEngine Engine => TrainingEngine.Mw;
    public string Device => "cpu";
    public ParameterStore Store { get; }
    public Adam Optimizer { get; }
    public long ParameterCount => model.Module.ParameterCount();
    public IReadOnlyList<(string Group, float LearningRate)> LearningRates => Optimizer.Groups.Select(g => (g.Name, g.LearningRate)).ToList();

    /// <summary>Adam (or AdamW) over the model's groups with the recipe's learning rates; no weight decay on the temperature.</summary>
    public static Adam CreateOptimizer(IRetrievalModel model, ParameterStore store, TrainSpec t)
    {
        var groups = model.ParameterGroups().Select(g => new ParamGroup(g.Group, g.Parameters, BaseLearningRate(g.Group, t), WeightDecayOf(g.Group, t))).ToList();
        return t.Optimizer == "adamw" ? new AdamW(store, groups) : new Adam(store, groups);
    }

    /// <summary>A parameter group's weight decay: train.weightDecay, none on the temperature.</summary>
    public static float WeightDecayOf(string group, TrainSpec t) => group == "temperature" ? 0f : t.WeightDecay;

    /// <summary>A parameter group's learning rate in the recipe (train.motionLr, textLr, headLr, temperatureLr).</summary>
    public static float BaseLearningRate(string group, TrainSpec t) => group switch
    {
        "motion" => t.MotionLr,
        "text" => t.TextLr,
        "heads" => t.HeadLr,
        "temperature" => t.TemperatureLr,
        _ => throw new InvalidOperationException($"the model reports an unknown parameter group '{group}'"),
    };

    public double Step(int parts, Func<int, MicroBatch> build, StepPosition position, float lrFactor)
    {
        double total = 0;
        model.BeginStep(position.GlobalStep);
        Optimizer.ZeroGrad();
        for (int i = 0; i < parts; i++)
        {
            var part = build(i);
            var loss = model.TrainingLoss(part.Batch, part.Seed);
            float value = loss.Item();
            if (!float.IsFinite(value))
                throw new TrainingDivergedException($"training diverged at {position}: the {model.LossName} loss is {value}");
            if (parts > 1) loss = Ops.Scale(loss, 1f / parts);
            loss.Backward();
            total += value / parts;
        }
        Trainer.CheckGradients(Store, position.GlobalStep, position.Epoch, position.BatchIndex);
        if (config.Train.ClipGradNorm > 0) Optimizer.ClipGradNorm(config.Train.ClipGradNorm);
        foreach (var g in Optimizer.Groups) g.LearningRate = g.BaseLearningRate * lrFactor;
        Optimizer.Step();
        return total;
    }

    public SplitEmbeddings Embed(RunData data, string split, int batchSize) => Embedder.Embed(model, data, split, batchSize);

    public double ContrastiveLoss(Tensor text, Tensor motion)
    {
        using (Autograd.NoGrad())
        using (TensorScope.Begin())
            return model.ContrastiveLoss(text, motion).Item();
    }

    public void Save(string path, RunConfig config, TrainerState state, bool withOptimizer)
    {
        if (!withOptimizer)
        {
            Checkpoint.Save(path, config, model.Module, state with { Engine = Engine.Name });
            return;
        }
        var s = state with { OptimizerSteps = Optimizer.StepCount, DropoutCounters = EngineState.CaptureDropout(model.Module), Engine = Engine.Name };
        Checkpoint.Save(path, config, model.Module, s, Optimizer);
    }

    public void Restore(string path, IReadOnlyDictionary<string, Tensor> tensors, float[]? m, float[]? v, TrainerState saved)
    {
        model.Module.LoadStateDict(tensors, strict: true, path);
        if (m is null || v is null || m.Length != Optimizer.M.Length || v.Length != Optimizer.V.Length)
            throw new InvalidDataException($"{path}: optimiser moments missing or of the wrong size for this model");
        m.CopyTo(Optimizer.M, 0);
        v.CopyTo(Optimizer.V, 0);
        Optimizer.StepCount = saved.OptimizerSteps;
        // A checkpoint of the torch engine has no counters of the own engine's dropout streams: they start afresh
        // (the weights and moments continue exactly; the dropout masks after the resume differ from an uninterrupted run).
        if (saved.Engine is null || TrainingEngine.Of(saved.Engine) == TrainingEngine.Mw) EngineState.RestoreDropout(model.Module, saved.DropoutCounters, path);
    }

    public void SetTraining(bool training) => model.Module.Train(training);

    public void Dispose() { }
}

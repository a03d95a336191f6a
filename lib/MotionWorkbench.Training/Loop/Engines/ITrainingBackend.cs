using MotionWorkbench.Models;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Training;

/// <summary>Where an optimiser step is in the run, for divergence messages.</summary>
public readonly record struct StepPosition(int GlobalStep, int Epoch, int BatchIndex)
{
    public override string ToString() => $"step {GlobalStep + 1} (epoch {Epoch + 1}, batch {BatchIndex + 1})";
}

/// <summary>One micro-batch of an optimiser step and the seed of its masking (see <see cref="IRetrievalModel.TrainingLoss"/>).</summary>
public readonly record struct MicroBatch(ContrastiveBatch Batch, ulong Seed);

/// <summary>
/// The engine half of a training run (<c>train.engine</c>): the <see cref="Trainer"/> owns the recipe — data, batches,
/// schedule, evaluation protocol, metrics, run folder, resume — and a backend owns the weights and the optimiser on its
/// engine and device. <see cref="OwnTrainingBackend"/> runs the workbench's own engine ("mw"); the TorchSharp backend
/// ("torch", in MotionWorkbench.Torch) runs the same models on LibTorch (CPU or CUDA). Both write the same checkpoint
/// format (parameters under the own engine's names, Adam's moments flat in the own engine's parameter order), so a
/// checkpoint of either engine loads, evaluates and resumes in the other.
/// </summary>
public interface ITrainingBackend : IDisposable
{
    /// <summary>The engine it runs (<see cref="TrainingEngine.Mw"/> or <see cref="TrainingEngine.Torch"/>).</summary>
    TrainingEngine Engine { get; }

    /// <summary>The device the weights live on ("cpu", "cuda:0").</summary>
    string Device { get; }

    long ParameterCount { get; }

    /// <summary>Each optimiser group's current learning rate (after the last <see cref="Step"/>'s schedule factor).</summary>
    IReadOnlyList<(string Group, float LearningRate)> LearningRates { get; }

    /// <summary>
    /// One optimiser step over <paramref name="parts"/> micro-batches (<paramref name="build"/>(i) makes the i-th; it is
    /// valid only until the next call, the data layer reuses its buffers): their gradients (each loss scaled by 1/parts)
    /// add up, a non-finite loss
    /// or gradient throws <see cref="TrainingDivergedException"/> naming <paramref name="position"/> (and the parameter),
    /// the global norm is clipped when the recipe says so, every group's learning rate is its base rate x
    /// <paramref name="lrFactor"/>, then Adam steps. Returns the mean loss of the parts.
    /// </summary>
    double Step(int parts, Func<int, MicroBatch> build, StepPosition position, float lrFactor);

    /// <summary>Embeds a split in eval mode, without gradients (the per-epoch selection).</summary>
    SplitEmbeddings Embed(RunData data, string split, int batchSize);

    /// <summary>The model's contrastive loss on (n, D) embeddings (the selection split's loss).</summary>
    double ContrastiveLoss(Tensor text, Tensor motion);

    /// <summary>Writes a checkpoint (atomically); with <paramref name="withOptimizer"/> Adam's moments and the random
    /// streams, so that <see cref="Restore"/> continues exactly.</summary>
    void Save(string path, RunConfig config, TrainerState state, bool withOptimizer);

    /// <summary>Loads a <c>last</c> checkpoint (weights, moments, optimiser steps, random streams) written by either engine.</summary>
    /// <param name="path">The checkpoint file, for messages.</param>
    /// <param name="model">Its model tensors, <paramref name="m"/>/<paramref name="v"/> Adam's flat moments (<see cref="Checkpoint.Read"/>, read once by the trainer).</param>
    void Restore(string path, IReadOnlyDictionary<string, Tensor> model, float[]? m, float[]? v, TrainerState saved);

    /// <summary>Training (dropout on) or eval mode.</summary>
    void SetTraining(bool training);
}

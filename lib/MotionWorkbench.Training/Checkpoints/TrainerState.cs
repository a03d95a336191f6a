namespace MotionWorkbench.Training;

/// <summary>Where a run stands: the next (epoch, batch) to run, counters, the best selection metric so far.</summary>
public sealed record TrainerState
{
    /// <summary>The epoch to continue in (0-based).</summary>
    public int Epoch { get; init; }
    /// <summary>The next batch of <see cref="Epoch"/> to run.</summary>
    public int BatchInEpoch { get; init; }
    /// <summary>Optimiser steps done.</summary>
    public int GlobalStep { get; init; }
    public long SamplesSeen { get; init; }
    public double ElapsedSeconds { get; init; }
    /// <summary>Best selection metric (motion->text R@1 on the selection split) and the epoch (1-based) that reached it.</summary>
    public double BestMetric { get; init; } = double.NegativeInfinity;
    public int BestEpoch { get; init; }
    public bool Completed { get; init; }
    /// <summary>Sum and count of the train losses of <see cref="Epoch"/>'s batches so far, so that an epoch resumed in its
    /// middle still logs the mean over all its batches.</summary>
    public double EpochLossSum { get; init; }
    public int EpochLossCount { get; init; }
    /// <summary>Adam's step count (bias correction).</summary>
    public int OptimizerSteps { get; init; }
    /// <summary>Each dropout stream's counter, by module name, so dropout masks continue where they stopped.</summary>
    public Dictionary<string, ulong> DropoutCounters { get; init; } = [];
    /// <summary>The engine that wrote the checkpoint ("mw", "torch"; null in checkpoints from before train.engine).</summary>
    public string? Engine { get; init; }
    /// <summary>The torch engine's CPU random-generator state (base64 of torch.random.get_rng_state()), so that dropout
    /// masks on the CPU continue exactly on resume (a CUDA generator's state is not saved); null for the own engine,
    /// whose streams are <see cref="DropoutCounters"/>.</summary>
    public string? EngineRandomState { get; init; }
}

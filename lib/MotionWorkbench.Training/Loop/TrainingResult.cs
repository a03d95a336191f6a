using System.Text.Json.Nodes;

namespace MotionWorkbench.Training;

/// <summary>What a progress display shows; reported after every optimiser step and around evaluations.</summary>
public sealed record TrainingProgress(string Phase, int Epoch, int Epochs, int Step, int StepsPerEpoch, int GlobalStep, int TotalSteps,
    double Loss, double SamplesPerSecond, TimeSpan? Eta, string? Message = null);

/// <summary>Passed to <see cref="Trainer.StepCallback"/> after each optimiser step.</summary>
public sealed record TrainingStep(int Epoch, int BatchInEpoch, int GlobalStep, double Loss);

/// <summary>How a run ended.</summary>
public sealed record TrainingResult(string RunDir, bool Completed, TrainerState State, IReadOnlyList<JsonObject> EpochMetrics)
{
    /// <summary>Set when the run completed but did not learn (its last epoch's loss stayed at chance level).</summary>
    public string? Warning { get; init; }

    /// <summary>The dataset files the loaders skipped, each "path: reason" (also in train.log).</summary>
    public IReadOnlyList<string> SkippedFiles { get; init; } = [];

    /// <summary>Warnings about the motion statistics (very few motions, stale shipped files; also in train.log).</summary>
    public IReadOnlyList<string> StatisticsWarnings { get; init; } = [];
}

/// <summary>A loss or gradient became NaN or infinite.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

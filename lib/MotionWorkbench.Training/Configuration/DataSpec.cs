namespace MotionWorkbench.Training;

/// <summary>Where the data comes from and how it is split and tokenised.</summary>
public sealed record DataSpec
{
    /// <summary>A HumanML3D/KIT-format folder (MotionDataset.Load).</summary>
    public string Dir { get; init; } = "data/synthetic";
    public string TrainSplit { get; init; } = "train";
    public string ValSplit { get; init; } = "val";
    public string TestSplit { get; init; } = "test";
    /// <summary>A WordPiece vocab.txt; null builds a word-level vocabulary from the training captions (models trained from
    /// scratch). A pretrained model.textKind reads the weights store's vocabulary instead (leave this unset).</summary>
    public string? VocabPath { get; init; }
    /// <summary>Longest token sequence ([CLS] and [SEP] included).</summary>
    public int MaxTokens { get; init; } = 64;
    /// <summary>Use only the first N clips of the training split (null: all); with <see cref="MixWith"/>, of each dataset.</summary>
    public int? MaxTrainClips { get; init; }
    /// <summary>Use only the first N clips of evaluation splits (null: all).</summary>
    public int? MaxEvalClips { get; init; }
    /// <summary>Train on each motion's first caption only (as evaluation does) instead of a random one per epoch; for overfitting checks.</summary>
    public bool FirstCaptionOnly { get; init; }
    /// <summary>Threads that build patch batches: 0 (the default) = the run's engine threads (train.threads).</summary>
    public int Workers { get; init; }
    /// <summary>Other dataset folders, separated by ';', whose training splits join the training data (paper Table 11,
    /// "trained on both"): each keeps its own skeleton and statistics, every skeleton maps to the same patch image.
    /// Evaluation and model selection use <see cref="Dir"/>. Patch architectures only ("vit", "bag").</summary>
    public string? MixWith { get; init; }
    /// <summary>Two-person data: swap which person comes first in training with probability 1/2 (InterGen's augmentation).</summary>
    public bool SwapPersons { get; init; } = true;

    /// <summary>The folders of <see cref="MixWith"/> (none when empty).</summary>
    public IReadOnlyList<string> MixDirs() =>
        (MixWith ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Rows that start from given weights rather than a fresh initialisation: fine-tuning a trained run on other data
/// (paper Tables 5 and 11; the trainer's <c>train.initFrom</c>) and a ViT initialised from a user's timm checkpoint
/// (Table 4 "pretrained"; <c>train.initMotionEncoder</c>). The experiment's cache key carries the source
/// checkpoint's hash, so retraining the source retrains the fine-tuned row.
/// </summary>
public static class Initialised
{
    /// <summary>Fine-tunes the best checkpoint of <paramref name="sourceRunDir"/> with <paramref name="config"/> (its data; the source's model shape and vocabulary).</summary>
    public static ExperimentResult FineTune(string label, string sourceRunDir, RunConfig config, string runDir, IEnumerable<string>? protocols = null, TextWriter? log = null)
    {
        var source = InitSource.Resolve(sourceRunDir);
        var key = config with
        {
            Name = $"{config.Name} <- {Checkpoint.Hash(source.Checkpoint)[..16]}",
            Train = config.Train with { InitFrom = source.Checkpoint },
        };
        return Experiment.TrainAndEvaluate(label, key, runDir, protocols, log: log);
    }

    /// <summary>Trains a ViT run whose motion encoder starts from a timm ViT checkpoint (.safetensors; position embeddings resampled).</summary>
    public static ExperimentResult WithPretrainedVit(string label, RunConfig config, string runDir, string timmCheckpoint, IEnumerable<string>? protocols = null, TextWriter? log = null)
    {
        if (!File.Exists(timmCheckpoint)) throw new FileNotFoundException($"{timmCheckpoint}: timm ViT checkpoint not found", timmCheckpoint);
        var key = config with
        {
            Name = $"{config.Name} <- {Checkpoint.Hash(timmCheckpoint)[..16]}",
            Train = config.Train with { InitMotionEncoder = Path.GetFullPath(timmCheckpoint) },
        };
        return Experiment.TrainAndEvaluate(label, key, runDir, protocols, log: log);
    }
}

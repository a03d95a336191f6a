using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Optim;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>
/// Training that starts from given weights rather than a fresh initialisation: fine-tuning a trained run on other data
/// (paper Tables 5 and 11) and a ViT initialised from a user's timm checkpoint (Table 4 "pretrained"). The weights are
/// written as the run's <c>last</c> checkpoint at step 0 with zero optimiser moments, and the trainer resumes from it,
/// so the rest of the recipe (groups, schedule, selection, metrics.jsonl) is the trainer's own.
/// </summary>
public static class Initialised
{
    /// <summary>Fine-tunes the best checkpoint of <paramref name="sourceRunDir"/> with <paramref name="config"/> (its data; the source's model shape and vocabulary).</summary>
    public static ExperimentResult FineTune(string label, string sourceRunDir, RunConfig config, string runDir, IEnumerable<string>? protocols = null, TextWriter? log = null)
    {
        var source = RunConfig.Load(sourceRunDir);
        if (source.Model.ToString() != config.Model.ToString())
            throw new ArgumentException($"fine-tuning needs the source run's model shape: {sourceRunDir} has {source.Model}, the new configuration {config.Model}");
        var key = config with { Name = config.Name + " <- " + Path.GetFullPath(sourceRunDir) };
        return Experiment.Run(label, key, runDir, protocols, null, log, () =>
        {
            Directory.CreateDirectory(runDir);
            File.Copy(Path.Combine(sourceRunDir, RunData.VocabFileName), Path.Combine(runDir, RunData.VocabFileName), overwrite: true);
            Start(config, runDir, RunModels.Load(sourceRunDir));
        });
    }

    /// <summary>Trains a ViT run whose motion encoder starts from a timm ViT checkpoint (.safetensors; position embeddings resampled).</summary>
    public static ExperimentResult WithPretrainedVit(string label, RunConfig config, string runDir, string timmCheckpoint, IEnumerable<string>? protocols = null, TextWriter? log = null)
    {
        if (config.Model.Architecture != "vit") throw new ArgumentException($"a pretrained ViT needs model.architecture = vit, got '{config.Model.Architecture}'");
        if (!File.Exists(timmCheckpoint)) throw new FileNotFoundException($"{timmCheckpoint}: timm ViT checkpoint not found", timmCheckpoint);
        var key = config with { Name = config.Name + " <- " + Path.GetFullPath(timmCheckpoint) };
        return Experiment.Run(label, key, runDir, protocols, null, log, () =>
        {
            var data = RunData.ForTraining(config, runDir); // writes vocab.txt and the statistics
            var model = (VitModel)ModelFactory.Create(config.Model, data.Tokenizer.Vocabulary.Count, (ulong)config.Train.Seed);
            var report = model.Model.LoadPretrainedMotionEncoder(timmCheckpoint);
            log?.WriteLine($"{label}: {report}");
            Start(config, runDir, model);
        });
    }

    private static void Start(RunConfig config, string runDir, IRetrievalModel model)
    {
        config.Save(runDir);
        var state = new TrainerState { DropoutCounters = EngineState.CaptureDropout(model.Module) };
        var optimizer = new Adam(new ParameterStore(model.Module), 0f); // zero moments: a fresh optimiser
        Checkpoint.Save(Path.Combine(runDir, Checkpoint.LastFileName), config, model.Module, state, optimizer);
        var result = new Trainer(config, runDir).Run(resume: true);
        if (!result.Completed) throw new InvalidOperationException($"{runDir}: training stopped before the last epoch");
    }
}

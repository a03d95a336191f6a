using MotionWorkbench.Models;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>Rebuilds a run's model from its folder alone: config.json, vocab.txt and a checkpoint.</summary>
public static class RunModels
{
    /// <summary>The checkpoint evaluation uses by default: <c>best</c> when present, else <c>last</c>.</summary>
    public static string DefaultCheckpoint(string runDir)
    {
        var best = Path.Combine(runDir, Checkpoint.BestFileName);
        if (File.Exists(best)) return best;
        var last = Path.Combine(runDir, Checkpoint.LastFileName);
        if (File.Exists(last)) return last;
        throw new FileNotFoundException($"{runDir}: no checkpoint ({Checkpoint.BestFileName} or {Checkpoint.LastFileName}); train first with mw train --out {runDir}", last);
    }

    /// <summary>Loads <paramref name="checkpoint"/> (a file name in the run folder or a path) into a fresh model, in eval mode.</summary>
    public static IRetrievalModel Load(string runDir, string? checkpoint = null)
    {
        var path = checkpoint is null ? DefaultCheckpoint(runDir) : File.Exists(checkpoint) ? checkpoint : Path.Combine(runDir, checkpoint);
        var config = RunConfig.Load(runDir);
        var vocab = WordPieceVocabulary.Load(Path.Combine(runDir, RunData.VocabFileName));
        int joints = config.Model.ReadsRawFrames() ? JointCountOf(runDir) : 0;
        var model = ModelFactory.Create(config.Model, vocab.Count, (ulong)config.Train.Seed, joints, LexicalVocabulary.ForRun(runDir, config, vocab), CaptionMaskTokens.Of(vocab));
        var (tensors, _, _, _, _) = Checkpoint.Read(path);
        model.Module.LoadStateDict(tensors, strict: true, path);
        model.Module.Eval();
        return model;
    }

    /// <summary>The joint count of the skeleton a run was trained on (its saved Mean_raw/Std_raw).</summary>
    public static int JointCountOf(string runDir) =>
        MotionWorkbench.Patches.StatisticsFiles.Exist(runDir) ? MotionWorkbench.Patches.StatisticsFiles.Load(runDir).JointCount
        : throw new FileNotFoundException($"{runDir}: the run's motion statistics (Mean_raw.npy, Std_raw.npy) are missing; a raw-sequence model needs them for its input width");
}

using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>
/// Where <see cref="TrainSpec.InitFrom"/> points: the checkpoint whose weights start a run (fine-tuning) and the
/// vocabulary that goes with them (the text encoder's embedding rows are that vocabulary's ids).
/// </summary>
public sealed record InitSource(string Checkpoint, string Vocabulary, RunConfig SourceConfig)
{
    /// <summary>A run folder (its best checkpoint, else last) or a checkpoint file inside a run folder.</summary>
    public static InitSource Resolve(string from)
    {
        string checkpoint;
        if (Directory.Exists(from)) checkpoint = RunModels.DefaultCheckpoint(from);
        else if (File.Exists(from)) checkpoint = from;
        else throw new FileNotFoundException($"{from}: train.initFrom is neither a run folder nor a checkpoint file", from);
        var runDir = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        var vocabulary = Path.Combine(runDir, RunData.VocabFileName);
        if (!File.Exists(vocabulary))
            throw new FileNotFoundException($"{vocabulary}: train.initFrom needs the vocabulary of the run it starts from (vocab.txt beside {Path.GetFileName(checkpoint)})", vocabulary);
        var (_, _, _, _, source) = Training.Checkpoint.Read(checkpoint);
        return new InitSource(Path.GetFullPath(checkpoint), vocabulary, source);
    }

    /// <summary>Loads the weights into <paramref name="model"/>; throws naming both model shapes when they do not fit.</summary>
    public void Apply(IRetrievalModel model, RunConfig config)
    {
        if (model is CaptionModel caption) // the encoders of a retrieval run (vit, lex) or a whole caption run; the decoder may be new
        {
            caption.LoadInit(Training.Checkpoint.Read(Checkpoint).Model, SourceConfig.Model, Checkpoint);
            return;
        }
        if (config.Model.Architecture == Architecture.Lex && SourceConfig.Model.Architecture != Architecture.Lex)
            throw new InvalidDataException($"train.initFrom: {Checkpoint} holds a dense '{SourceConfig.Model.Architecture}' model: it lacks the lexical heads (text_lex, motion_lex) and the weak decoder " +
                $"that Lex phase '{config.Model.LexPhase}' starts from; chain the phases from a Lex run (phase 1, model.lexPhase=mlm, starts from scratch or from a Lex run)");
        if (SourceConfig.Model.Architecture != config.Model.Architecture)
            throw new InvalidDataException($"train.initFrom: {Checkpoint} holds a '{SourceConfig.Model.Architecture}' model; this run's model.architecture is '{config.Model.Architecture}'");
        var (tensors, _, _, _, _) = Training.Checkpoint.Read(Checkpoint);
        try
        {
            model.Module.LoadStateDict(tensors, strict: true, Checkpoint);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or KeyNotFoundException)
        {
            throw new InvalidDataException($"train.initFrom: {Checkpoint} holds a '{SourceConfig.Model.Architecture}' model that does not fit this run's " +
                $"'{config.Model.Architecture}' model (fine-tuning needs the same model settings; for 'raw', the same skeleton): {e.Message}", e);
        }
    }
}

using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>One generated caption: the motion's id, the decoded text, its word-piece ids and log-probability, whether it ended with [SEP],
/// and the lexical prefix words the decoder read (null when the run has no prefix).</summary>
public sealed record GeneratedCaption(string Id, string Caption, IReadOnlyList<int> Tokens, double LogProb, double Score, bool Finished, IReadOnlyList<string>? LexWords = null);

/// <summary>
/// Generates captions with a trained caption run (model.architecture = caption): its model from a checkpoint (by
/// default <c>last</c>: the trainer selects <c>best</c> by retrieval, not by captioning) and its data layer
/// (statistics, vocabulary, evaluation entries: one per clip, first frames, no randomness). Batched over motions.
/// </summary>
public sealed class CaptionRun
{
    public string RunDir { get; }
    public string CheckpointPath { get; }
    public RunData Data { get; }
    public CaptionModel Model { get; }

    /// <summary>The run's lexical prefix (model.captionLexWords &gt; 0), else null; its <see cref="CaptionLexPrefix.Notes"/> say when the cache was not used.</summary>
    public CaptionLexPrefix? LexPrefix { get; }

    private CaptionRun(string runDir, string checkpoint, RunData data, CaptionModel model, CaptionLexPrefix? lexPrefix)
    {
        RunDir = runDir;
        CheckpointPath = checkpoint;
        Data = data;
        Model = model;
        LexPrefix = lexPrefix;
    }

    /// <summary>Opens a caption run; another architecture is an error naming it.</summary>
    /// <param name="checkpoint">"last" (default), "best", or a checkpoint file.</param>
    public static CaptionRun Open(string runDir, string? checkpoint = null, string? dataDir = null)
    {
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"{runDir}: run folder not found (train one with mw train --set model.architecture=caption --out {runDir})");
        var config = RunConfig.Load(runDir);
        if (config.Model.Architecture != Architecture.Caption)
            throw new InvalidDataException($"{runDir}: the run's model is '{config.Model.Architecture}', not a caption model; train one with --set model.architecture=caption (and train.initFrom={runDir} to start from this run)");
        string path = checkpoint switch
        {
            null or "last" => Path.Combine(runDir, Checkpoint.LastFileName),
            "best" => Path.Combine(runDir, Checkpoint.BestFileName),
            var file => File.Exists(file) ? file : Path.Combine(runDir, file),
        };
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint not found (has {runDir} finished an epoch?)", path);
        var model = (CaptionModel)RunModels.Load(runDir, path);
        var data = RunData.ForRun(runDir, dataDir);
        var prefix = CaptionLexPrefix.Open(config, runDir, data);
        model.LexPrefix = prefix;
        return new CaptionRun(runDir, path, data, model, prefix);
    }

    /// <summary>Captions every evaluation entry of <paramref name="split"/> (in split order), <paramref name="batchSize"/> motions at a time.</summary>
    public IReadOnlyList<GeneratedCaption> CaptionSplit(string split, CaptionSearchOptions options, int batchSize = 32, int? limit = null, IProgress<(int Done, int Total)>? progress = null)
    {
        var samples = Data.EvalSamples(split);
        int n = limit is int l ? Math.Min(l, samples.Count) : samples.Count;
        return CaptionSamples(samples.Take(n).ToList(), options, batchSize, progress);
    }

    /// <summary>Captions the motions with these ids (their evaluation entries in <paramref name="split"/>, else in any split of the dataset).</summary>
    public IReadOnlyList<GeneratedCaption> CaptionMotions(IReadOnlyList<string> ids, CaptionSearchOptions options, string split = "test")
    {
        var samples = new List<TrainingSample>();
        foreach (var id in ids)
        {
            var s = FindSample(id, split) ?? throw new KeyNotFoundException($"{Data.Config.Data.Dir}: no motion '{id}' (in split '{split}' or any other of {string.Join(", ", Data.Dataset.SplitNames)})");
            samples.Add(s);
        }
        return CaptionSamples(samples, options, 32, null);
    }

    /// <summary>The evaluation entry of a motion id: in <paramref name="split"/> first, then in the dataset's other splits.</summary>
    public TrainingSample? FindSample(string id, string split = "test")
    {
        foreach (var name in new[] { split }.Concat(Data.Dataset.SplitNames.Where(s => s != split)))
        {
            IReadOnlyList<TrainingSample> list;
            try { list = Data.EvalSamples(name); }
            catch (InvalidDataException) { continue; }
            if (list.FirstOrDefault(s => s.Id == id) is { } hit) return hit;
        }
        return null;
    }

    private List<GeneratedCaption> CaptionSamples(IReadOnlyList<TrainingSample> samples, CaptionSearchOptions options, int batchSize, IProgress<(int, int)>? progress)
    {
        if (batchSize < 1) throw new ArgumentException($"caption batch size must be at least 1, got {batchSize}");
        var result = new List<GeneratedCaption>(samples.Count);
        var vocab = Data.Tokenizer.Vocabulary;
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            var batch = Data.EvalBatch(samples, start, Math.Min(batchSize, samples.Count - start));
            var hyps = Model.Generate(batch.Motion.RequirePatches("the caption model"), options, vocab, Model.PrefixIds(batch.Samples));
            for (int i = 0; i < hyps.Count; i++)
                result.Add(new GeneratedCaption(batch.Samples[i].Id, Data.Tokenizer.Decode(hyps[i].Tokens), hyps[i].Tokens, hyps[i].LogProb, hyps[i].Score, hyps[i].Finished,
                    LexPrefix?.WordsOf(batch.Samples[i]).Words));
            progress?.Report((result.Count, samples.Count));
        }
        return result;
    }
}

using MotionWorkbench.Data;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Training;

/// <summary>One search hit: the item (motion id or caption), its cosine similarity and its rank (1-based).</summary>
public sealed record SearchHit(int Rank, string Id, string Caption, double Score);

/// <summary>
/// Query API over a trained run and an embedded split: free text -> the k most similar motions (with their
/// captions), and a motion -> the k most similar captions of the split.
/// </summary>
public sealed class RetrievalIndex
{
    private readonly IRetrievalModel model;
    private readonly RunData data;

    public RetrievalIndex(IRetrievalModel model, RunData data, SplitEmbeddings embeddings)
    {
        this.model = model;
        this.data = data;
        Embeddings = embeddings;
    }

    public SplitEmbeddings Embeddings { get; }

    /// <summary>Opens a run (default checkpoint: best, else last) and embeds (or reads from the cache) a split.</summary>
    public static RetrievalIndex Open(string runDir, string? dataDir = null, string split = "test", string? checkpoint = null)
    {
        var data = RunData.ForRun(runDir, dataDir);
        var path = checkpoint ?? RunModels.DefaultCheckpoint(runDir);
        var model = RunModels.Load(runDir, path);
        var emb = Embedder.EmbedCached(runDir, path, data, split, () => model, 64);
        return new RetrievalIndex(model, data, emb);
    }

    /// <summary>The query's words that the run's vocabulary can only read as [UNK] (they carry no meaning for the model).</summary>
    public IReadOnlyList<string> UnknownWords(string text) => data.Tokenizer.UnknownWords(text);

    /// <summary>The text's embedding (L2-normalised).</summary>
    public float[] EmbedText(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("the query text is empty");
        using (Autograd.NoGrad())
        using (TensorScope.Begin())
        {
            var enc = data.Encode([text]);
            return model.EncodeText(enc).Data.ToArray();
        }
    }

    /// <summary>Free text -> the k motions of the split with the highest cosine similarity.</summary>
    public IReadOnlyList<SearchHit> SearchMotions(string text, int k = 5)
    {
        var q = EmbedText(text);
        return TopK(Embeddings.Motions, q, k).Select((x, r) => new SearchHit(r + 1, Embeddings.Ids[x.Index], Embeddings.Captions[x.Index], x.Score)).ToList();
    }

    /// <summary>A motion of the split (by id) -> the k captions of the split with the highest similarity.</summary>
    public IReadOnlyList<SearchHit> SearchCaptions(string motionId, int k = 5)
    {
        int i = Embeddings.Ids.ToList().IndexOf(motionId);
        if (i < 0) throw new ArgumentException($"motion '{motionId}' is not in the {Embeddings.Split} split");
        return TopK(Embeddings.Texts, Embeddings.Motions[i], k).Select((x, r) => new SearchHit(r + 1, Embeddings.Ids[x.Index], Embeddings.Captions[x.Index], x.Score)).ToList();
    }

    /// <summary>Whether the run is a Lex run (its embeddings are vectors over the vocabulary).</summary>
    public bool IsLexical => model is LexicalRetrievalModel;

    /// <summary>A Lex run: the k heaviest words of the text's lexical vector (L2-normalised weights).</summary>
    public IReadOnlyList<(string Word, float Weight)> ExplainText(string text, int k = 20)
    {
        RequireLexical();
        return LexicalWords.Top(EmbedText(text), data.Tokenizer.Vocabulary, k);
    }

    /// <summary>A Lex run: the k heaviest words of a motion's lexical vector (L2-normalised weights).</summary>
    public IReadOnlyList<(string Word, float Weight)> ExplainMotion(string motionId, int k = 20)
    {
        RequireLexical();
        int i = Embeddings.Ids.ToList().IndexOf(motionId);
        if (i < 0) throw new ArgumentException($"motion '{motionId}' is not in the {Embeddings.Split} split of {data.Config.Data.Dir}");
        return LexicalWords.Top(Embeddings.Motions[i], data.Tokenizer.Vocabulary, k);
    }

    /// <summary>
    /// A Lex run: how often a motion's top-k words name its own action (the dataset's actions.json) against shuffled
    /// labels (<see cref="LexicalInterpretability.Measure"/>). A dataset without actions.json is an error naming it.
    /// </summary>
    public ActionWordHits ActionWordHits(int k = 10, int seed = 1)
    {
        RequireLexical();
        return LexicalInterpretability.Measure(Embeddings, Vocabulary, ActionLabels(), k, seed);
    }

    /// <summary>The run's vocabulary (the ids of a Lex run's vectors).</summary>
    public MotionWorkbench.Text.WordPieceVocabulary Vocabulary => data.Tokenizer.Vocabulary;

    /// <summary>Action labels per clip of the dataset (its actions.json); an error naming the file when it has none.</summary>
    public IReadOnlyDictionary<string, string[]> ActionLabels()
    {
        var path = Path.Combine(data.Config.Data.Dir, ActionLabelSet.FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: the dataset has no action labels (actions.json); the action-word measures need them (synthetic sets and BABEL-labelled sets have them)", path);
        return ActionLabelSet.Load(path).LabelsByClip();
    }

    /// <summary>The first caption of a motion of the split.</summary>
    public string CaptionOf(string motionId)
    {
        int i = Embeddings.Ids.ToList().IndexOf(motionId);
        return i < 0 ? throw new ArgumentException($"motion '{motionId}' is not in the {Embeddings.Split} split") : Embeddings.Captions[i];
    }

    private void RequireLexical()
    {
        if (model is not LexicalRetrievalModel)
            throw new InvalidOperationException($"the run's model is '{data.Config.Model.Architecture}': its embeddings are not over the vocabulary; explaining needs a Lex run (model.architecture = lex)");
    }

    private static List<(int Index, double Score)> TopK(float[][] rows, float[] q, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1");
        var scored = rows.Select((r, i) => (Index: i, Score: (double)System.Numerics.Tensors.TensorPrimitives.Dot(r, q))).ToList();
        return scored.OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(k).ToList();
    }
}

/// <summary>Zero-shot action classification of a split with a trained run: prompts "A person {label}" per class.</summary>
public static class ZeroShot
{
    public sealed record Result(ClassificationResult Metrics, IReadOnlyList<string> Classes, IReadOnlyList<string> Prompts, int Samples, IReadOnlyList<string> Skipped);

    /// <summary>
    /// Classifies the motions of <paramref name="split"/> that carry action labels (the data folder's actions.json
    /// or the clips' own labels); each motion's label is its first one. Motions without a label are skipped and listed.
    /// </summary>
    public static Result Classify(string runDir, string dataDir, string split = "test", string template = ZeroShotPrompts.DefaultTemplate)
    {
        var data = RunData.ForRun(runDir, dataDir);
        var actionsPath = Path.Combine(dataDir, ActionLabelSet.FileName);
        var labelsByClip = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<string> classes;
        if (File.Exists(actionsPath))
        {
            var set = ActionLabelSet.Load(actionsPath);
            classes = set.Classes;
            foreach (var (id, labels) in set.LabelsByClip()) if (labels.Length > 0) labelsByClip[id] = labels[0];
        }
        else
        {
            foreach (var c in data.Dataset.Clips) if (c.Labels.Count > 0) labelsByClip[c.Id] = c.Labels[0];
            classes = labelsByClip.Values.Distinct().Order(StringComparer.Ordinal).ToArray();
        }
        if (classes.Count == 0) throw new InvalidDataException($"{dataDir}: no action labels (no {ActionLabelSet.FileName} and no labelled clips); zero-shot classification needs them");
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var samples = data.EvalSamples(split);
        var kept = new List<int>();
        var truth = new List<int>();
        var skipped = new List<string>();
        for (int i = 0; i < samples.Count; i++)
        {
            if (labelsByClip.TryGetValue(samples[i].Id, out var label) && classIndex.TryGetValue(label, out int ci)) { kept.Add(i); truth.Add(ci); }
            else skipped.Add($"{samples[i].Id}: no action label");
        }
        if (kept.Count == 0) throw new InvalidDataException($"{dataDir}: none of the {samples.Count} motions of split '{split}' has an action label");
        var path = RunModels.DefaultCheckpoint(runDir);
        var model = RunModels.Load(runDir, path);
        var emb = Embedder.EmbedCached(runDir, path, data, split, () => model, 64);
        var prompts = ZeroShotPrompts.Build(classes, template);
        var promptEmb = new float[prompts.Count][];
        using (Autograd.NoGrad())
        using (TensorScope.Begin())
        {
            var enc = data.Encode(prompts);
            var t = model.EncodeText(enc);
            int D = t.Shape[1];
            for (int c = 0; c < prompts.Count; c++) promptEmb[c] = t.Data.Slice(c * D, D).ToArray();
        }
        var motions = kept.Select(i => emb.Motions[i]).ToArray();
        var scores = Similarity.Compute(motions, promptEmb, threads: Par.Threads); // (samples, classes)
        var metrics = ZeroShotClassifier.Evaluate(scores, truth);
        return new Result(metrics, classes, prompts, kept.Count, skipped);
    }
}

using MotionWorkbench.Data;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Tensors;

namespace MotionWorkbench.Training;

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

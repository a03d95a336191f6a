using MotionWorkbench.Data;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Plots;
using MotionWorkbench.Render.Views;
using MotionWorkbench.Tensors;
using MotionWorkbench.Training;
using MotionWorkbench.Visuals;

namespace MotionWorkbench.Experiments;

/// <summary>
/// A trained run opened for queries (notebooks 01, 08 and 11): free-text -> motions, motion -> captions and zero-shot
/// classification with prompts. The split's embeddings are computed once per instance.
/// </summary>
public sealed class RunProbe
{
    private readonly IRetrievalModel model;
    private readonly RunData data;
    private readonly Dictionary<string, SplitEmbeddings> embedded = [];

    public RunProbe(string runDir, string? dataDir = null)
    {
        RunDir = runDir;
        model = RunModels.Load(runDir);
        data = Experiment.ForData(runDir, dataDir);
    }

    public string RunDir { get; }
    public MotionDataset Dataset => data.Dataset;

    /// <summary>The split's text and motion embeddings (first caption per motion).</summary>
    public SplitEmbeddings Embeddings(string split)
    {
        if (!embedded.TryGetValue(split, out var e)) embedded[split] = e = Embedder.Embed(model, data, split, batchSize: 64);
        return e;
    }

    /// <summary>L2-normalised text embeddings (rows) of free texts.</summary>
    public float[][] EmbedTexts(IReadOnlyList<string> texts)
    {
        if (texts.Count == 0) throw new ArgumentException("no texts to embed", nameof(texts));
        bool wasTraining = model.Module.Training;
        model.Module.Eval();
        try
        {
            using var _ = Autograd.NoGrad();
            var t = model.EncodeText(data.Encode(texts)); // (n, E)
            int E = t.Shape[1];
            return Enumerable.Range(0, texts.Count).Select(i => t.Data.Slice(i * E, E).ToArray()).ToArray();
        }
        finally { model.Module.Train(wasTraining); }
    }

    /// <summary>The <paramref name="k"/> motions of <paramref name="split"/> closest to a free-text query (<see cref="RetrievalIndex.SearchMotions"/>).</summary>
    public List<SearchHit> TextToMotion(string query, string split, int k = 5) => [.. Index(split).SearchMotions(query, k)];

    /// <summary>The <paramref name="k"/> captions of <paramref name="split"/> closest to a motion of that split (<see cref="RetrievalIndex.SearchCaptions"/>).</summary>
    public List<SearchHit> MotionToText(string id, string split, int k = 5)
    {
        var e = Embeddings(split);
        if (!e.Ids.Contains(id)) throw new KeyNotFoundException($"motion '{id}' is not in split '{split}' of {Dataset.Root} (first ids: {string.Join(", ", e.Ids.Take(5))})");
        return [.. Index(split).SearchCaptions(id, k)];
    }

    /// <summary>The motion a hit names (for its skeleton animation or patch image).</summary>
    public MotionClip Clip(SearchHit hit) =>
        Dataset.TryGet(hit.Id, out var clip) ? clip : throw new KeyNotFoundException($"motion '{hit.Id}' is not in {Dataset.Root}");

    /// <summary>
    /// Zero-shot classification of the split's motions by their first action label, prompts built from
    /// <paramref name="template"/> ("A person {label}") over the labels present. Returns the result and the class names.
    /// </summary>
    /// <param name="wordings">the words each label's prompt uses instead of the label itself (e.g. <see cref="ZeroShotWordings.Unseen"/>); every class needs one.</param>
    public (ClassificationResult Result, IReadOnlyList<string> Classes, int Unlabelled) ZeroShot(string split, string template = ZeroShotPrompts.DefaultTemplate, IReadOnlyDictionary<string, string>? wordings = null)
    {
        var e = Embeddings(split);
        var labels = new List<string?>();
        foreach (var id in e.Ids) labels.Add(Dataset.TryGet(id, out var clip) && clip.Labels.Count > 0 ? clip.Labels[0] : null);
        var classes = labels.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        if (classes.Count < 2) throw new InvalidDataException($"{Dataset.Root}: split '{split}' has {classes.Count} action label(s); zero-shot classification needs at least 2 (actions.json)");
        var rows = Enumerable.Range(0, e.Count).Where(i => labels[i] is not null).ToList();
        var missing = wordings is null ? [] : classes.Where(c => !wordings.ContainsKey(c)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"{Dataset.Root}: no prompt wording for the label(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} of split '{split}'", nameof(wordings));
        var prompts = EmbedTexts(ZeroShotPrompts.Build(wordings is null ? classes : classes.Select(c => wordings[c]), template));
        var scores = SimilarityMatrix.FromRows(rows.Select(i => prompts.Select(p => Dot(p, e.Motions[i])).ToArray()).ToList());
        var truth = rows.Select(i => classes.IndexOf(labels[i]!)).ToList();
        return (ZeroShotClassifier.Evaluate(scores, truth, Math.Min(5, classes.Count)), classes, e.Count - rows.Count);
    }

    private RetrievalIndex Index(string split) => new(model, data, Embeddings(split));

    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}

/// <summary>One motion's attention probabilities in a ViT: (layers, heads, tokens, tokens), token 0 the class token.</summary>
public sealed record AttentionCapture(MotionPatch Patch, float[] Probabilities, int Layers, int Heads, int Tokens)
{
    public int GridRows => Patch.Frames / Patch.PatchSize;

    /// <summary>The per-layer maps (or the rollout) drawn over the motion's patch image.</summary>
    public Figure Figure(AttentionMapOptions? options = null) =>
        AttentionMaps.Create(Probabilities, Layers, Heads, Tokens, GridRows, PatchOptions.PartCount,
            PatchImage.ToPng(Patch, PatchImageOptions.Plain with { Scale = 2 }),
            (options ?? new AttentionMapOptions()) with { Title = options?.Title ?? $"{Patch.Id}: attention per layer" });

    /// <summary>Class-token attention to each patch, head mean, per layer: [layer][patch] (windows x parts, row-major).</summary>
    public float[][] ClassTokenPerLayer() => Enumerable.Range(0, Layers)
        .Select(l => AttentionMaps.ClassTokenToPatches(AttentionMaps.HeadMean(Probabilities, l, Heads, Tokens), Tokens)).ToArray();
}

/// <summary>Attention maps of a ViT motion encoder over motion-patch images (paper Fig. 7).</summary>
public static class AttentionProbe
{
    /// <summary>The ViT of a run folder (its best checkpoint), or null when the run's architecture has no ViT.</summary>
    public static VisionTransformer? VitOf(string runDir) => RunModels.Load(runDir) is TransformerModel t ? t.Model.MotionEncoder as VisionTransformer : null;

    /// <summary>A freshly initialised ViT of a preset's shape (for looking at attention before any training).</summary>
    public static VisionTransformer Fresh(RunConfig config, ulong seed = 42)
    {
        var c = TransformerModel.ToModelConfig(config.Model with { Architecture = Architecture.Vit }, vocabularySize: 8);
        return (VisionTransformer)MotionEncoder.Create(c.Motion, seed);
    }

    /// <summary>Runs one motion patch through the ViT with attention kept. The patch must have the ViT's frame count and patch size.</summary>
    public static AttentionCapture Capture(VisionTransformer vit, MotionPatch patch)
    {
        var cfg = vit.Config;
        if (patch.Frames != cfg.Frames || patch.PatchSize != cfg.PatchSize)
            throw new ArgumentException($"patch of {patch.Id} is {patch.Frames} frames with N = {patch.PatchSize}, but the ViT expects {cfg.Frames} frames with N = {cfg.PatchSize}");
        bool wasTraining = vit.Training;
        vit.Eval();
        vit.KeepAttention = true;
        try
        {
            using (Autograd.NoGrad())
                vit.Forward(new MotionInput(Tensor.Wrap(patch.Data, [1, 3, patch.Frames, patch.Width]))); // (1, 3, T, 5N)
            var maps = vit.AttentionMaps();
            int layers = maps.Count, heads = maps[0].Shape[1], tokens = maps[0].Shape[2];
            var all = new float[layers * heads * tokens * tokens];
            for (int l = 0; l < layers; l++) maps[l].Probabilities.AsSpan(0, heads * tokens * tokens).CopyTo(all.AsSpan(l * heads * tokens * tokens));
            return new AttentionCapture(patch, all, layers, heads, tokens);
        }
        finally
        {
            vit.KeepAttention = false;
            vit.Train(wasTraining);
        }
    }
}

/// <summary>Ranked hits as a small HTML table (rank, id, similarity, caption; the ground truth marked when given).</summary>
public static class HitsView
{
    public static MotionWorkbench.Render.Views.HtmlView Table(string title, IEnumerable<SearchHit> hits, string? groundTruthId = null)
    {
        static string E(string s) => System.Net.WebUtility.HtmlEncode(s);
        var sb = new System.Text.StringBuilder();
        sb.Append("<table style=\"border-collapse:collapse;font:13px sans-serif\"><caption style=\"text-align:left;font-weight:bold\">").Append(E(title)).Append("</caption>");
        sb.Append("<tr><th style=\"padding:2px 8px\">rank</th><th style=\"padding:2px 8px\">motion</th><th style=\"padding:2px 8px\">similarity</th><th style=\"padding:2px 8px;text-align:left\">caption</th></tr>");
        foreach (var h in hits)
        {
            bool truth = groundTruthId is not null && h.Id == groundTruthId;
            sb.Append(truth ? "<tr style=\"background:#e6f4ea\">" : "<tr>")
              .Append($"<td style=\"padding:2px 8px\">{h.Rank}</td><td style=\"padding:2px 8px\">{E(h.Id)}{(truth ? " ✓" : "")}</td>")
              .Append(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"<td style=\"padding:2px 8px\">{h.Score:0.000}</td>"))
              .Append($"<td style=\"padding:2px 8px\">{E(h.Caption)}</td></tr>");
        }
        sb.Append("</table>");
        return new MotionWorkbench.Render.Views.HtmlView(sb.ToString());
    }
}

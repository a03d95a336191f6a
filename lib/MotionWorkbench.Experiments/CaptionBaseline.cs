using MotionWorkbench.Evaluation.Captioning;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>One motion of a captioned split: its id, the caption given to it, its reference captions and the retrieval score of that caption (NaN for the random control).</summary>
public sealed record CaptionedMotion(string Id, string Caption, IReadOnlyList<string> References, double Score);

/// <summary>
/// Captions of every motion of <see cref="Split"/> chosen from the <see cref="TrainingCaptions"/> distinct captions of
/// <see cref="TrainSplit"/>, with their <see cref="CaptionScores"/> against the motions' own captions.
/// </summary>
public sealed record NearestCaptionResult(string RunDir, string Method, string Split, string TrainSplit, int TrainingCaptions,
    IReadOnlyList<CaptionedMotion> Motions, CaptionScores Scores)
{
    /// <summary>The chosen captions, in motion order.</summary>
    public IReadOnlyList<string> Candidates => Motions.Select(m => m.Caption).ToArray();

    /// <summary>The reference sets, in motion order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> References => Motions.Select(m => m.References).ToArray();

    public override string ToString() =>
        $"{Method} on {Split} ({Motions.Count} motions, {TrainingCaptions} {TrainSplit} captions): BLEU@1 {Scores.Bleu1:0.00}, BLEU@4 {Scores.Bleu4:0.00}, ROUGE-L {Scores.RougeL:0.00}, CIDEr-D {Scores.CiderD:0.00}";
}

/// <summary>
/// The nearest-caption retrieval baseline of issue 17: each motion of a split is "captioned" with the training caption
/// that a trained retrieval run scores highest for it (cosine of the run's text and motion embeddings; any architecture
/// the run folder holds, loaded with <see cref="RunModels"/>, embedded with <see cref="Embedder"/>), and scored with the
/// COCO captioning metrics. It is the floor a caption decoder must beat. <see cref="RandomCaptions"/> is its control:
/// a uniformly random training caption per motion.
/// <para>The references of a motion are all its captions that describe the same span as the evaluation entry (the
/// entry is the clip's first caption line, <see cref="RunData.EvalSamples"/>): every whole-motion caption of the clip
/// when that line is a whole-motion caption, else the captions of that segment. The training captions are the distinct
/// caption strings of <see cref="RunData.TrainSamples"/> of the training split (the run's own clip limit applies).</para>
/// </summary>
public static class CaptionBaseline
{
    /// <summary>Captions every motion of <paramref name="split"/> with the best-scoring caption of <paramref name="trainSplit"/>.</summary>
    public static NearestCaptionResult Run(string runDir, string split = "test", string trainSplit = "train")
    {
        var data = Open(runDir, split, trainSplit);
        var train = TrainingCaptions(data, trainSplit);
        var checkpoint = RunModels.DefaultCheckpoint(runDir);
        var model = RunModels.Load(runDir, checkpoint);
        var motions = Embedder.EmbedCached(runDir, checkpoint, data, split, () => model, 64);
        var texts = EmbedTexts(model, data, train);
        var best = new int[motions.Count];
        var bestScore = new double[motions.Count];
        Parallel.For(0, motions.Count, new ParallelOptions { MaxDegreeOfParallelism = Par.Threads }, i =>
        {
            int arg = -1;
            double top = double.NegativeInfinity;
            for (int t = 0; t < texts.Length; t++)
            {
                double s = System.Numerics.Tensors.TensorPrimitives.Dot(motions.Motions[i], texts[t]);
                if (s > top) { top = s; arg = t; } // ties: the first training caption
            }
            best[i] = arg;
            bestScore[i] = top;
        });
        return Result(runDir, "nearest training caption", data, split, trainSplit, train, motions.Ids, i => train[best[i]], i => bestScore[i]);
    }

    /// <summary>The control: a uniformly random training caption per motion (System.Random with <paramref name="seed"/>).</summary>
    public static NearestCaptionResult RandomCaptions(string runDir, string split = "test", string trainSplit = "train", int seed = 1)
    {
        var data = Open(runDir, split, trainSplit);
        var train = TrainingCaptions(data, trainSplit);
        var ids = data.EvalSamples(split).Select(s => s.Id).ToArray();
        var rng = new Random(seed);
        var pick = ids.Select(_ => rng.Next(train.Count)).ToArray();
        return Result(runDir, $"random training caption (seed {seed})", data, split, trainSplit, train, ids, i => train[pick[i]], _ => double.NaN);
    }

    /// <summary>
    /// The reference captions of each evaluation entry of <paramref name="split"/>, in entry order: the clip's captions of
    /// the same span as its first caption line (all its whole-motion captions, or that segment's captions).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> ReferencesOf(RunData data, string split)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.EvalSamples(split).Select(s => ReferencesOf(data, s)).ToList();
    }

    /// <summary>The reference captions of one evaluation entry: the clip's captions of the same span as its first caption line.</summary>
    public static IReadOnlyList<string> ReferencesOf(RunData data, TrainingSample sample)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sample);
        if (!data.Dataset.TryGet(sample.Id, out var clip) || clip.Captions.Count == 0) return sample.Captions;
        var first = clip.Captions[0];
        return clip.Captions.Where(c => c.Start == first.Start && c.End == first.End).Select(c => c.Text).ToArray();
    }

    private static RunData Open(string runDir, string split, string trainSplit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDir);
        if (string.Equals(split, trainSplit, StringComparison.Ordinal))
            throw new ArgumentException($"split and trainSplit are both '{split}': every motion would be captioned with its own caption; caption another split than the one the captions come from");
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"{runDir}: run folder not found (train one with mw train --out {runDir})");
        return RunData.ForRun(runDir);
    }

    private static List<string> TrainingCaptions(RunData data, string trainSplit)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var s in data.TrainSamples(trainSplit))
            foreach (var c in s.Captions)
                if (!string.IsNullOrWhiteSpace(c) && seen.Add(c)) list.Add(c);
        if (list.Count == 0) throw new InvalidDataException($"{data.Config.Data.Dir}: split '{trainSplit}' has no captions to choose from");
        return list;
    }

    private static float[][] EmbedTexts(IRetrievalModel model, RunData data, IReadOnlyList<string> captions, int batchSize = 64)
    {
        var rows = new float[captions.Count][];
        using (Autograd.NoGrad())
        {
            for (int start = 0; start < captions.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, captions.Count - start);
                using var scope = TensorScope.Begin();
                var t = model.EncodeText(data.Encode(captions.Skip(start).Take(n).ToArray())); // (n, D), L2-normalised
                int d = t.Shape[1];
                for (int i = 0; i < n; i++) rows[start + i] = t.Data.Slice(i * d, d).ToArray();
            }
        }
        return rows;
    }

    private static NearestCaptionResult Result(string runDir, string method, RunData data, string split, string trainSplit, IReadOnlyList<string> train,
        IReadOnlyList<string> ids, Func<int, string> caption, Func<int, double> score)
    {
        var refs = ReferencesOf(data, split);
        var motions = ids.Select((id, i) => new CaptionedMotion(id, caption(i), refs[i], score(i))).ToArray();
        var scores = CaptionMetrics.Score(motions.Select(m => m.Caption).ToArray(), refs);
        return new NearestCaptionResult(runDir, method, split, trainSplit, train.Count, motions, scores);
    }
}

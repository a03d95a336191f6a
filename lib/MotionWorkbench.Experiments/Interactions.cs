using System.Diagnostics;
using MotionWorkbench.Data;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Optim;
using MotionWorkbench.Text;
using MotionWorkbench.Training;

namespace MotionWorkbench.Experiments;

/// <summary>The outcome of an interaction run: retrieval results on the test split and the loss per epoch.</summary>
public sealed record InteractionResult(string Label, int TrainPairs, int TestPairs, IReadOnlyList<RetrievalResult> Results, IReadOnlyList<double> EpochLosses, double TrainSeconds)
{
    public double?[] Short(string protocol = "all")
    {
        var r = Results.First(x => x.Protocol == protocol);
        return [r.TextToMotion.R1, r.TextToMotion.R5, r.TextToMotion.R10, r.TextToMotion.MedR, r.MotionToText.R1, r.MotionToText.R5, r.MotionToText.R10, r.MotionToText.MedR];
    }
}

/// <summary>
/// Two-person interaction retrieval (paper Table 7): one shared ViT encodes each person's motion patches, the two
/// features are concatenated and projected (<see cref="InteractionModel"/>). The trainer has no interaction mode, so
/// this is a compact contrastive loop with the preset's model shape, batch size and learning rates (Adam with the
/// motion/text/head groups, constant rates, no schedule); the last epoch is evaluated. Both people of a pair get the
/// same crop.
/// </summary>
public static class Interactions
{
    /// <summary>The synthetic InterHuman-format set (generated in memory; <paramref name="count"/> pairs, splits 80/5/15).</summary>
    public static InterHumanDataset Synthetic(int count, ulong seed = 42) => SyntheticInteractions.Generate(new InteractionOptions { Count = count, Seed = seed }).Set;

    public static InteractionResult TrainAndEvaluate(string label, RunConfig config, InterHumanDataset data, IEnumerable<string>? protocols = null, TextWriter? log = null)
    {
        config.Validate();
        if (config.Model.Architecture != "vit") throw new ArgumentException($"interactions need model.architecture = vit, got '{config.Model.Architecture}'");
        var train = Pairs(data, config.Data.TrainSplit, config.Data.MaxTrainClips);
        var test = Pairs(data, config.Data.TestSplit, config.Data.MaxEvalClips);
        var statistics = MotionStatistics.Compute(train.SelectMany(c => new[] { c.Person1, c.Person2 }), source: data.Name);
        var patches = new PatchBatchBuilder(new MotionPatchBuilder(statistics, new PatchOptions(config.Model.PatchSize, config.Model.MaxFrames)), config.Data.Workers);
        var tokenizer = new BertTokenizer(CaptionVocabulary.Build(train.SelectMany(c => c.Captions)), config.Data.MaxTokens);
        var model = InteractionModel.Create(VitModel.ToModelConfig(config.Model, tokenizer.Vocabulary.Count), (ulong)config.Train.Seed);
        var t = config.Train;
        var optimizer = new Adam(new ParameterStore(model), model.ParameterGroups().Select(g => new ParamGroup(g.Group, g.Parameters,
            g.Group switch { "motion" => t.MotionLr, "text" => t.TextLr, "temperature" => t.TemperatureLr, _ => t.HeadLr })).ToList());
        int batch = Math.Min(t.BatchSize, train.Count);
        if (batch < 2) throw new InvalidDataException($"{data.Name}: {train.Count} training pair(s); a contrastive batch needs at least 2");
        var rng = new Random(t.Seed);
        var losses = new List<double>();
        var watch = Stopwatch.StartNew();
        model.Train();
        for (int epoch = 0; epoch < t.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, train.Count).OrderBy(_ => rng.Next()).ToArray();
            double sum = 0; int steps = 0;
            for (int start = 0; start + batch <= order.Length; start += batch)
            {
                var members = order[start..(start + batch)].Select(i => train[i]).ToList();
                var captions = members.Select(c => c.Captions[rng.Next(c.Captions.Count)]).ToList();
                int seed = rng.Next();
                optimizer.ZeroGrad();
                var loss = model.ContrastiveLoss(model.EncodeText(tokenizer.EncodeBatch(captions)), Encode(model, patches, members, PatchMode.Train, seed));
                float value = loss.Item();
                if (!float.IsFinite(value)) throw new TrainingDivergedException($"{label}: interaction training diverged in epoch {epoch + 1}, batch {steps + 1} (loss {value})");
                loss.Backward();
                optimizer.Step();
                sum += value; steps++;
            }
            losses.Add(sum / Math.Max(1, steps));
            log?.WriteLine($"{label}: epoch {epoch + 1}/{t.Epochs}, mean loss {losses[^1]:0.0000} over {steps} batches");
        }
        double seconds = watch.Elapsed.TotalSeconds;
        model.Eval();
        var texts = new List<float[]>();
        var motions = new List<float[]>();
        using (Autograd.NoGrad())
        {
            for (int start = 0; start < test.Count; start += 64)
            {
                var members = test.Skip(start).Take(64).ToList();
                texts.AddRange(Rows(model.EncodeText(tokenizer.EncodeBatch(members.Select(c => c.Captions[0]).ToList()))));
                motions.AddRange(Rows(Encode(model, patches, members, PatchMode.Eval, 0)));
            }
        }
        var results = RetrievalProtocols.Evaluate(Similarity.Compute(texts, motions), test.Select(c => c.Captions[0]).ToList(), test.Select(c => c.Id).ToList(),
            protocols ?? Experiment.DefaultProtocols);
        log?.WriteLine($"{label}: trained in {seconds:0.0} s on {train.Count} pairs; all t2m R@1 {results[0].TextToMotion.R1:0.00} (n = {test.Count})");
        return new InteractionResult(label, train.Count, test.Count, results, losses, seconds);
    }

    private static List<InteractionClip> Pairs(InterHumanDataset data, string split, int? max)
    {
        var pairs = data.Split(split).Select(data.Get).Where(c => c.Captions.Count > 0).Take(max ?? int.MaxValue).ToList();
        if (pairs.Count == 0) throw new InvalidDataException($"{data.Root ?? data.Name}: split '{split}' has no captioned interactions");
        return pairs;
    }

    private static Tensor Encode(InteractionModel model, PatchBatchBuilder patches, IReadOnlyList<InteractionClip> members, PatchMode mode, int seed)
    {
        var p1 = patches.Build(members.Select(c => c.Person1).ToList(), mode, seed); // (B, 3, T, 5N); same seed: same crops
        var p2 = patches.Build(members.Select(c => c.Person2).ToList(), mode, seed);
        return model.EncodeMotion(new MotionInput(Tensor.Wrap(p1.Data, p1.Shape)), new MotionInput(Tensor.Wrap(p2.Data, p2.Shape))); // (B, D)
    }

    private static IEnumerable<float[]> Rows(Tensor t) // (n, D) -> n rows
    {
        int n = t.Shape[0], d = t.Shape[1];
        for (int i = 0; i < n; i++) yield return t.Data.Slice(i * d, d).ToArray();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Optim;

namespace MotionWorkbench.Training;

/// <summary>
/// The contrastive trainer (the reference's recipe): Adam (or AdamW) with parameter groups motion/text/heads
/// (+ temperature when learnable), each with its learning rate; a cosine schedule stepped every optimiser step with
/// period <see cref="TrainSpec.CosinePeriodFactor"/> x the run (2: the LR only halves) and an optional linear warm-up;
/// batches of random captions and random crops; gradient accumulation; optional clipping. After every epoch it
/// evaluates the selection split ("all" protocol), appends to <c>metrics.jsonl</c>, writes <c>last</c> and, when motion->text
/// R@1 is at least the best so far, <c>best</c>. Everything derives from the seed, so a run stopped mid-epoch and
/// resumed with <c>resume: true</c> ends with the same weights as an uninterrupted one.
/// </summary>
public sealed class Trainer
{
    private RunConfig config; // a run resolves its thread count into it (train.threads)
    private readonly string runDir;
    private StreamWriter? log;

    public Trainer(RunConfig config, string runDir)
    {
        this.config = config.Validate();
        this.runDir = runDir;
    }

    /// <summary>Receives progress after every step (the CLI's live bar, a notebook display).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Called after every optimiser step; return false to stop (the run saves <c>last</c> and can be resumed).</summary>
    public Func<TrainingStep, bool>? StepCallback { get; init; }

    /// <summary>Also write each step's loss to metrics.jsonl (default true).</summary>
    public bool LogSteps { get; init; } = true;

    public const string MetricsFileName = "metrics.jsonl";
    public const string LogFileName = "train.log";

    /// <summary>Trains (or, with <paramref name="resume"/>, continues from <c>last</c>) until the last epoch, a stop or cancellation.</summary>
    public TrainingResult Run(bool resume = false, CancellationToken cancellation = default)
    {
        TrainingEngines.Require(config.Train.Engine); // an engine this program has not registered: one error, before anything is written
        // pretrained motion-encoder weights that do not fit (another stage layout, a bad running variance): one error, before anything is written
        if (!resume && config.Train.InitMotionEncoder is string initMotion) MotionEncoderInit.Preflight(config, initMotion);
        // A fresh run refused or failed before its first step leaves the folder as it found it (RunFolderGuard).
        var before = resume ? null : RunFolderGuard.Begin(runDir);
        try
        {
            return RunLocked(resume, cancellation, before);
        }
        catch
        {
            if (guard is not null) guard.Rollback(); // only once the lock was ours: never another training's files
            throw;
        }
        finally
        {
            guard = null;
        }
    }

    private RunFolderGuard? guard;

    private TrainingResult RunLocked(bool resume, CancellationToken cancellation, RunFolderGuard? before)
    {
        using var runLock = RunLock.Acquire(runDir);
        guard = before;
        string lastPath = Path.Combine(runDir, Checkpoint.LastFileName), bestPath = Path.Combine(runDir, Checkpoint.BestFileName);
        string metricsPath = Path.Combine(runDir, MetricsFileName);
        if (!resume && File.Exists(lastPath))
            throw new InvalidOperationException($"{runDir} already holds a run ({Checkpoint.LastFileName}); pass --resume to continue it or choose another --out");
        // A fresh run starts a fresh log (a failed earlier attempt's log is replaced, not appended to); a resume appends.
        using var logWriter = new StreamWriter(Path.Combine(runDir, LogFileName), append: resume) { AutoFlush = true };
        log = logWriter;

        TrainerState state = new();
        ThreadSetting threads;
        IReadOnlyList<string> threadNotes = [];
        if (resume)
        {
            if (!File.Exists(lastPath)) throw new FileNotFoundException($"{lastPath}: nothing to resume (no 'last' checkpoint in {runDir})", lastPath);
            var saved = RunConfig.Load(runDir);
            if (!saved.SameRunAs(config))
                throw new InvalidOperationException($"{runDir}: the configuration differs from the run's config.json; resume with the saved configuration (mw train --resume --out {runDir})");
            (threads, threadNotes) = RunThreads.ForResume(saved, config);
            config = saved with { Train = saved.Train with { Threads = threads.Count } };
            if (threads.Count != saved.Train.Threads) config.Save(runDir); // the count the rest of the run uses
        }
        else
        {
            threads = RunThreads.ForRun(config);
            config = config with { Train = config.Train with { Threads = threads.Count } };
            config.Save(runDir);
            if (File.Exists(metricsPath)) File.Delete(metricsPath);
        }
        using var threadScope = Par.Scope(threads); // the run's count for everything it computes, restored afterwards

        Log($"{(resume ? "resuming" : "starting")} run '{config.Name}' (preset {config.Preset}) in {Path.GetFullPath(runDir)}");
        Log($"engine threads: {threads} on {Tensors.Kernels.CpuInfo.Current.ModelName ?? "an unknown CPU"} with {Environment.ProcessorCount} logical processors available");
        foreach (var note in threadNotes) Log(note);
        var init = !resume && config.Train.InitFrom is string from ? InitSource.Resolve(from) : null;
        var textInit = resume ? null : TextTowerInit.Resolve(config, log: Log);
        var data = resume ? RunData.ForRun(runDir) : RunData.ForTraining(config, runDir, init?.Vocabulary ?? textInit?.VocabularyPath);
        var samples = data.TrainSamples(config.Data.TrainSplit);
        var model = ModelFactory.Create(config.Model, data.Tokenizer.Vocabulary.Count, (ulong)config.Train.Seed, data.Statistics.JointCount,
            LexicalVocabulary.Resolve(config, data, runDir, init, resume, Log), CaptionMaskTokens.Of(data.Tokenizer.Vocabulary));
        if (model is CaptionModel { PrefixWords: > 0 } captionModel) captionModel.LexPrefix = CaptionLexPrefix.Prepare(config, runDir, data, Log); // lex-prefix.json
        if (!resume)
        {
            if (init is not null)
            {
                init.Apply(model, config);
                Log($"weights from {init.Checkpoint} (train.initFrom; sha256 {Checkpoint.Hash(init.Checkpoint)[..16]}), vocabulary from {init.Vocabulary}");
            }
            if (textInit is not null) Log($"{textInit.Setting}: {textInit.Apply(model)}; vocabulary {textInit.VocabularyPath ?? config.Data.VocabPath}");
            if (config.Train.InitMotionEncoder is string initMotionEncoder) Log($"motion encoder from {MotionEncoderInit.Apply(model, initMotionEncoder, Log)}");
            if (config.Train.MlmEpochs > 0) PretrainText(TextEncoderOf(model), data, samples, cancellation);
        }
        using var backend = TrainingEngines.Create(model, config);
        int stepsPerEpoch = data.EpochBatches(samples.Count, 0).Count;
        if (stepsPerEpoch == 0)
            throw new InvalidDataException($"{config.Data.Dir}: {samples.Count} training samples make no full batch of {config.Train.BatchSize}; lower train.batchSize");
        int totalSteps = stepsPerEpoch * config.Train.Epochs;
        var schedule = new CosineSchedule(Math.Max(1, (int)Math.Round(config.Train.CosinePeriodFactor * totalSteps)), config.Train.WarmupSteps);

        if (resume)
        {
            var (tensors, m, v, saved, _) = Checkpoint.Read(lastPath);   // read once: the trainer's state and the engine's weights
            backend.Restore(lastPath, tensors, m, v, saved);
            state = saved;
            TruncateMetrics(metricsPath, state.GlobalStep);
            Log($"resumed at epoch {state.Epoch + 1}, batch {state.BatchInEpoch}, step {state.GlobalStep}");
            if (state.Completed) Log("the run had already completed");
        }
        if (model.LossName != "contrastive") Log($"training loss: {model.LossName}");
        Log($"{samples.Count} training samples ({config.Data.TrainSplit}), {stepsPerEpoch} steps per epoch x {config.Train.Epochs} epochs; " +
            $"{backend.ParameterCount:N0} parameters; vocabulary {data.Tokenizer.Vocabulary.Count}; engine {backend.Engine} on {backend.Device}");
        for (int k = 0; k < data.MixSources.Count; k++)
            Log($"mixed into training: {samples.Count(s => s.Source == k + 1)} samples of {data.MixSources[k].Dir} ({data.MixSources[k].Dataset.Skeleton.Name}, normalised with its own statistics)");
        foreach (var n in data.StatisticsNotes) Log(n);
        foreach (var w in data.StatisticsWarnings) Log("WARNING: " + w);
        foreach (var s in data.Skipped) Log("skipped: " + s);
        // Files the dataset loaders skipped (corrupt, wrong shape, bad captions) are named here and in the result, never lost.
        var skippedFiles = data.Dataset.Report.Skipped.Concat(data.MixSources.SelectMany(m => m.Dataset.Report.Skipped)).Select(f => f.Message).ToList();
        foreach (var f in skippedFiles) Log("skipped file: " + f);

        var epochMetrics = ReadEpochMetrics(metricsPath);
        double? lastEpochLoss = null;
        var clock = Stopwatch.StartNew();
        double startElapsed = state.ElapsedSeconds;
        long samplesAtStart = state.SamplesSeen;
        backend.SetTraining(true);

        while (!state.Completed)
        {
            int epoch = state.Epoch;
            var batches = data.EpochBatches(samples.Count, epoch);
            // A resume in the middle of an epoch carries the losses of the batches before it (the epoch's true mean).
            double lossSum = state.EpochLossSum;
            int lossCount = state.EpochLossCount;
            for (int bi = state.BatchInEpoch; bi < batches.Count; bi++)
            {
                double loss = TrainStep(backend, schedule, data, samples, batches[bi], new StepPosition(state.GlobalStep, epoch, bi));
                guard?.Commit();
                lossSum += loss; lossCount++;
                state = state with
                {
                    EpochLossSum = lossSum, EpochLossCount = lossCount,
                    BatchInEpoch = bi + 1, GlobalStep = state.GlobalStep + 1, SamplesSeen = state.SamplesSeen + batches[bi].Length,
                    ElapsedSeconds = startElapsed + clock.Elapsed.TotalSeconds,
                };
                if (LogSteps) AppendMetrics(metricsPath, new JsonObject { ["type"] = "step", ["epoch"] = epoch + 1, ["step"] = state.GlobalStep, ["loss"] = Round(loss), ["lr"] = backend.LearningRates[0].LearningRate });
                double rate = (state.SamplesSeen - samplesAtStart) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                var eta = rate > 0 ? TimeSpan.FromSeconds((totalSteps - state.GlobalStep) * (double)config.Train.BatchSize / rate) : (TimeSpan?)null;
                Progress?.Report(new TrainingProgress("train", epoch + 1, config.Train.Epochs, bi + 1, batches.Count, state.GlobalStep, totalSteps, loss, rate, eta));
                bool stop = cancellation.IsCancellationRequested || (StepCallback is not null && !StepCallback(new TrainingStep(epoch, bi, state.GlobalStep, loss)));
                if (stop || (config.Train.CheckpointEverySteps > 0 && state.GlobalStep % config.Train.CheckpointEverySteps == 0 && bi + 1 < batches.Count))
                    SaveLast(lastPath, backend, state);
                if (stop)
                {
                    Log($"stopped at epoch {epoch + 1}, batch {bi + 1}/{batches.Count}, step {state.GlobalStep}; 'last' saved, continue with --resume");
                    return new TrainingResult(runDir, false, state, epochMetrics);
                }
            }

            // End of epoch: evaluate the selection split, log, checkpoint.
            bool evaluate = (epoch + 1) % config.Train.EvalEvery == 0 || epoch + 1 == config.Train.Epochs;
            var line = new JsonObject
            {
                ["type"] = "epoch", ["epoch"] = epoch + 1, ["step"] = state.GlobalStep,
                ["trainLoss"] = lossCount > 0 ? Round(lossSum / lossCount) : null,
                ["lr"] = backend.LearningRates.Aggregate(new JsonObject(), (o, g) => { o[g.Group] = g.LearningRate; return o; }),
                ["seconds"] = Round(startElapsed + clock.Elapsed.TotalSeconds),
            };
            state = state with { Epoch = epoch + 1, BatchInEpoch = 0, EpochLossSum = 0, EpochLossCount = 0, Completed = epoch + 1 >= config.Train.Epochs };
            if (lossCount > 0) lastEpochLoss = lossSum / lossCount;
            bool isBest = false;
            if (evaluate)
            {
                string split = SelectionSplit;
                Progress?.Report(new TrainingProgress("eval", epoch + 1, config.Train.Epochs, batches.Count, batches.Count, state.GlobalStep, totalSteps, lossSum / Math.Max(1, lossCount), 0, null, $"evaluating {split}"));
                var emb = backend.Embed(data, split, Math.Max(config.Train.BatchSize, 64));
                var all = emb.Evaluate([RetrievalProtocols.All])[0];
                double valLoss = EvalLoss(backend, emb, config.Train.BatchSize);
                double metric = all.MotionToText.R1;
                isBest = metric >= state.BestMetric;
                if (isBest) state = state with { BestMetric = metric, BestEpoch = epoch + 1 };
                line["selectionSplit"] = split;
                line["selection"] = config.Train.Selection == "test" ? "test-set selection (reference)" : "validation";
                line[$"{split}Loss"] = Round(valLoss);
                line[split] = JsonNode.Parse(all.ToJson());
                Log($"epoch {epoch + 1}/{config.Train.Epochs}: train loss {lossSum / Math.Max(1, lossCount):F4}, {split} loss {valLoss:F4}, {split} (all, n={all.N}) " +
                    $"t2m R@1 {all.TextToMotion.R1:F2} R@5 {all.TextToMotion.R5:F2}, m2t R@1 {all.MotionToText.R1:F2}{(isBest ? " (best)" : "")}");
            }
            else Log($"epoch {epoch + 1}/{config.Train.Epochs}: train loss {lossSum / Math.Max(1, lossCount):F4}");
            line["best"] = isBest;
            state = state with { ElapsedSeconds = startElapsed + clock.Elapsed.TotalSeconds };
            AppendMetrics(metricsPath, line);
            epochMetrics.Add(line);
            SaveLast(lastPath, backend, state);
            if (isBest) backend.Save(bestPath, config, state, withOptimizer: false);
            if (!state.Completed && (cancellation.IsCancellationRequested)) return new TrainingResult(runDir, false, state, epochMetrics);
        }
        Log($"finished: {state.GlobalStep} steps in {state.ElapsedSeconds:F1} s; best {SelectionSplit} motion->text R@1 {state.BestMetric:F2} at epoch {state.BestEpoch}" +
            (config.Train.Selection == "test" ? " (test-set selection, as the reference)" : ""));
        string? warning = model.TrainsContrastively ? DidNotLearn(lastEpochLoss ?? LastTrainLoss(epochMetrics), config.Train.BatchSize) : null;
        if (warning is not null) Log("WARNING: " + warning);
        return new TrainingResult(runDir, true, state, epochMetrics) { Warning = warning, SkippedFiles = skippedFiles, StatisticsWarnings = data.StatisticsWarnings };
    }

    /// <summary>
    /// The symmetric InfoNCE loss of a model that has learnt nothing is ln(batch) (uniform over the batch); a run whose last
    /// epoch ends within 2 % of it did not learn (e.g. a far too high learning rate), and says so instead of just "done".
    /// </summary>
    public static string? DidNotLearn(double? lastEpochLoss, int batchSize)
    {
        if (lastEpochLoss is not double loss || batchSize < 2) return null;
        double chance = Math.Log(batchSize);
        return loss >= 0.98 * chance
            ? $"the run did not learn: its last epoch's train loss {loss:F4} is at chance level (ln {batchSize} = {chance:F4}); check the learning rates and the data"
            : null;
    }

    private static double? LastTrainLoss(IReadOnlyList<JsonObject> epochMetrics) =>
        epochMetrics.Count > 0 && epochMetrics[^1]["trainLoss"] is JsonNode n ? n.GetValue<double>() : null;

    /// <summary>
    /// Masked-language-model pre-training of the text encoder on the training captions (BERT masking 15 %, 80/10/10),
    /// with its own Adam and a fresh MLM head tied to the word embeddings; the encoder's weights then start the
    /// contrastive phase. Runs only at the start of a fresh run (its result is in every later checkpoint).
    /// </summary>
    private void PretrainText(MotionWorkbench.Models.TextEncoder encoder, RunData data, IReadOnlyList<TrainingSample> samples, CancellationToken cancellation)
    {
        var t = config.Train;
        var mlm = new MotionWorkbench.Models.MaskedLanguageModel(encoder.Config, (ulong)t.Seed + 7);
        mlm.Encoder.LoadStateDict(encoder.StateDict(), strict: true, "the model's text encoder");
        var store = new ParameterStore(mlm);
        var optimizer = new Adam(store, t.MlmLr);
        var corpus = new MotionWorkbench.Text.CaptionCorpus(data.Tokenizer, samples.SelectMany(s => s.Captions));
        int step = 0;
        mlm.Train();
        for (int epoch = 0; epoch < t.MlmEpochs && !cancellation.IsCancellationRequested; epoch++)
        {
            double sum = 0;
            int count = 0;
            foreach (var raw in corpus.MaskedBatches(t.BatchSize, RunData.EpochSeed(t.Seed ^ 0x4D4C4D, epoch)))
            {
                if (raw.LabelCount == 0) continue;
                var batch = PadMasked(raw, data.Tokenizer.Vocabulary.PaddingId, config.Data.MaxTokens);
                optimizer.ZeroGrad();
                var loss = mlm.Loss(batch);
                float v = loss.Item();
                if (!float.IsFinite(v)) throw new TrainingDivergedException($"MLM pre-training diverged at step {step + 1} (epoch {epoch + 1}): the loss is {v}");
                loss.Backward();
                CheckGradients(store, step, epoch, count);
                optimizer.Step();
                sum += v; count++; step++;
                Progress?.Report(new TrainingProgress("mlm", epoch + 1, t.MlmEpochs, count, 0, step, 0, v, 0, null, "MLM pre-training of the text encoder"));
            }
            Log($"MLM epoch {epoch + 1}/{t.MlmEpochs}: masked-token loss {sum / Math.Max(1, count):F4} over {count} batches");
        }
        encoder.LoadStateDict(mlm.Encoder.StateDict(), strict: true, "the MLM-pre-trained text encoder");
    }

    private static MotionWorkbench.Models.TextEncoder TextEncoderOf(IRetrievalModel model) =>
        ModelTowers.Text(model) ?? throw new InvalidOperationException($"{model.GetType().Name} has no transformer text encoder to pre-train");

    private static MotionWorkbench.Text.MaskedLanguageModelBatch PadMasked(MotionWorkbench.Text.MaskedLanguageModelBatch b, int padId, int maxLength)
    {
        int L = Math.Min(maxLength, (b.Length + TextPadding.Multiple - 1) / TextPadding.Multiple * TextPadding.Multiple);
        if (L <= b.Length) return b;
        var ids = new int[b.BatchSize * L]; var mask = new int[b.BatchSize * L]; var labels = new int[b.BatchSize * L];
        Array.Fill(ids, padId);
        Array.Fill(labels, MotionWorkbench.Text.MaskedLanguageModelMasker.IgnoreLabel);
        for (int r = 0; r < b.BatchSize; r++)
        {
            b.InputIds.AsSpan(r * b.Length, b.Length).CopyTo(ids.AsSpan(r * L));
            b.AttentionMask.AsSpan(r * b.Length, b.Length).CopyTo(mask.AsSpan(r * L));
            b.Labels.AsSpan(r * b.Length, b.Length).CopyTo(labels.AsSpan(r * L));
        }
        return new MotionWorkbench.Text.MaskedLanguageModelBatch(ids, mask, labels, b.BatchSize, L);
    }

    /// <summary>The split used for model selection ("val" by default; the test split with selection=test).</summary>
    public string SelectionSplit => config.Train.Selection == "test" ? config.Data.TestSplit : config.Data.ValSplit;

    private double TrainStep(ITrainingBackend backend, CosineSchedule schedule, RunData data, IReadOnlyList<TrainingSample> samples, int[] members, StepPosition position)
    {
        int accum = config.Train.GradAccumulation, micro = members.Length / accum;
        MicroBatch Part(int a)
        {
            var part = a == accum - 1 ? members[(a * micro)..] : members[(a * micro)..((a + 1) * micro)];
            int index = position.BatchIndex * accum + a;
            ulong seed = unchecked((ulong)RunData.EpochSeed(config.Train.Seed ^ 0x4C4558, position.Epoch) * 1_000_003UL + (ulong)index);
            return new MicroBatch(data.TrainBatch(samples, part, position.Epoch, index), seed);
        }
        return backend.Step(accum, Part, position, schedule.Factor(position.GlobalStep));
    }

    /// <summary>Throws naming the parameter whose gradient holds a NaN or infinity.</summary>
    public static void CheckGradients(ParameterStore store, int globalStep, int epoch, int batchIndex)
    {
        var g = store.Grads;
        if (float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(g))) return; // fast path: a NaN/Inf anywhere makes the sum non-finite
        foreach (var (name, t, offset) in store.Entries)
            for (int i = 0; i < t.Size; i++)
                if (!float.IsFinite(g[offset + i]))
                    throw new TrainingDivergedException($"training diverged at step {globalStep + 1} (epoch {epoch + 1}, batch {batchIndex + 1}): the gradient of parameter '{name}' {Tensor.Format(t.Shape)} holds {g[offset + i]} at element {i}");
        // The sum overflowed with finite elements: not a divergence.
    }

    private static double EvalLoss(ITrainingBackend backend, SplitEmbeddings emb, int batchSize)
    {
        double sum = 0;
        int count = 0;
        using (Autograd.NoGrad())
        {
            for (int s = 0; s + batchSize <= emb.Count || (s == 0 && emb.Count >= 2); s += batchSize)
            {
                int n = Math.Min(batchSize, emb.Count - s);
                int D = emb.Texts[0].Length;
                var t = Tensor.Zeros(n, D);
                var m = Tensor.Zeros(n, D);
                for (int i = 0; i < n; i++) { emb.Texts[s + i].CopyTo(t.Data.Slice(i * D, D)); emb.Motions[s + i].CopyTo(m.Data.Slice(i * D, D)); }
                sum += backend.ContrastiveLoss(t, m);
                count++;
                if (n < batchSize) break;
            }
        }
        return count == 0 ? double.NaN : sum / count;
    }

    private void SaveLast(string path, ITrainingBackend backend, TrainerState state) => backend.Save(path, config, state, withOptimizer: true);

    private void Log(string message) => log?.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {message}");

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : v;

    private static void AppendMetrics(string path, JsonObject line)
    {
        using var w = new StreamWriter(path, append: true);
        w.Write(line.ToJsonString());
        w.Write('\n');
    }

    /// <summary>Keeps only lines up to <paramref name="globalStep"/> (steps logged after the checkpoint are dropped on resume), atomically.</summary>
    private static void TruncateMetrics(string path, int globalStep)
    {
        if (!File.Exists(path)) return;
        var keep = File.ReadAllLines(path).Where(l =>
        {
            if (string.IsNullOrWhiteSpace(l)) return false;
            try { return (JsonNode.Parse(l)?["step"]?.GetValue<int>() ?? 0) <= globalStep; }
            catch (JsonException) { return false; }
        }).ToList();
        Files.WriteLines(path, keep);
    }

    /// <summary>The epoch lines of a metrics file.</summary>
    public static List<JsonObject> ReadEpochMetrics(string path)
    {
        var list = new List<JsonObject>();
        if (!File.Exists(path)) return list;
        foreach (var l in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(l)) continue;
            if (JsonNode.Parse(l) is JsonObject o && (string?)o["type"] == "epoch") list.Add(o);
        }
        return list;
    }

    /// <summary>(step, loss) of every step line of a metrics file.</summary>
    public static List<(int Step, double Loss)> ReadStepLosses(string path)
    {
        var list = new List<(int, double)>();
        if (!File.Exists(path)) return list;
        foreach (var l in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(l)) continue;
            if (JsonNode.Parse(l) is JsonObject o && (string?)o["type"] == "step")
                list.Add((o["step"]!.GetValue<int>(), o["loss"]!.GetValue<double>()));
        }
        return list;
    }

    internal static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
}

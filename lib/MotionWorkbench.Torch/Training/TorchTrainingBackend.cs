using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Tensors.Nn;
using MotionWorkbench.Text;
using MotionWorkbench.Training;
using TorchSharp;
using TorchSharp.Modules;
using Tensor = MotionWorkbench.Tensors.Tensor;
using TT = TorchSharp.torch.Tensor;

namespace MotionWorkbench.Torch;

/// <summary>
/// <c>train.engine = torch</c>: the run's model as TorchSharp modules on the configured device (CPU, or CUDA where
/// TorchSharp-cuda-linux is installed), started from the own engine's initialisation (so a seed gives the same weights in
/// both engines), trained with the same Adam/AdamW update as the own engine (written with torch ops, so it runs on any
/// device), the same clipping and learning-rate groups. Checkpoints are the own engine's format: parameters under the
/// own names, Adam's moments flat in the own parameter order, plus torch's random-generator state for dropout.
/// </summary>
public sealed class TorchTrainingBackend : ITrainingBackend
{
    private readonly IRetrievalModel own;
    private readonly RunConfig config;
    private readonly TorchRetrievalModel model;
    private readonly (string Name, Parameter P, int Offset, int Size)[] parameters;
    private readonly Group[] groups;
    private readonly TT[] m, v;
    private readonly int momentLength;
    private int steps;

    private sealed class Group(string name, float baseLr, float weightDecay, int[] members)
    {
        public string Name { get; } = name;
        public float BaseLr { get; } = baseLr;
        public float WeightDecay { get; } = weightDecay;
        public int[] Members { get; } = members;
        public float Lr { get; set; } = baseLr;
    }

    public TorchTrainingBackend(IRetrievalModel own, RunConfig config)
    {
        if (TorchRuntime.UnavailableReason is string why) throw new InvalidOperationException($"train.engine = torch: {why}");
        this.own = own;
        this.config = config;
        var device = TorchRuntime.Resolve(config.Train.Device);
        torch.set_num_threads(MotionWorkbench.Tensors.Par.Threads); // LibTorch's intra-op threads: the run's engine threads (train.threads)
        torch.random.manual_seed(config.Train.Seed);
        if (device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(config.Train.Seed);
        model = TorchModels.Create(config.Model, own, device);
        // Lex's pre-training losses are parity-tested on the torch twin (their masks derive from the step's seed on the CPU).
        if (model is TorchLexicalModel lex) lex.PretrainingPhases = true;
        try
        {
            if (model.LossName != own.LossName)
            {
                throw new NotSupportedException($"train.engine = torch: the torch {config.Model.Architecture} model trains '{model.LossName}', this run's loss is '{own.LossName}': run it with train.engine = mw");
            }

            // The own engine's parameter order and flat offsets lay out Adam's moments in a checkpoint.
            var store = new ParameterStore(own.Module.NamedParameters().Select(p => (p.Name, p.Tensor.Detach())));
            var byName = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
            parameters = store.Entries.Select(e => byName.TryGetValue(e.Name, out var p)
                ? (e.Name, p, e.Offset, e.Tensor.Size)
                : throw new InvalidOperationException($"the torch model has no parameter '{e.Name}' of the own engine's model")).ToArray();
            if (byName.Count != parameters.Length)
                throw new InvalidOperationException($"the torch model has {byName.Count} parameters, the own engine's {parameters.Length}: {string.Join(", ", byName.Keys.Except(parameters.Select(p => p.Name)).Take(5))}");
            momentLength = store.Count;

            var index = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
            foreach (var (t, i) in own.Module.NamedParameters().Select((p, i) => (p.Tensor, i))) index.Add(t, i);
            var orderOf = store.Entries.Select((e, i) => (e.Name, i)).ToDictionary(x => x.Name, x => x.i);
            var ownNames = own.Module.NamedParameters().Select(p => p.Name).ToArray();
            groups = own.ParameterGroups().Select(g => new Group(g.Group, OwnTrainingBackend.BaseLearningRate(g.Group, config.Train),
                OwnTrainingBackend.WeightDecayOf(g.Group, config.Train),
                g.Parameters.Select(t => index.TryGetValue(t, out int i) ? orderOf[ownNames[i]]
                    : throw new InvalidOperationException($"a parameter of group '{g.Group}' is not among the model's parameters")).ToArray())).ToArray();
            using (torch.no_grad())
            {
                m = parameters.Select(p => torch.zeros_like(p.P)).ToArray();
                v = parameters.Select(p => torch.zeros_like(p.P)).ToArray();
            }
        }
        catch
        {
            model.Dispose();   // a check failed: the model's native tensors go now, not at finalisation
            throw;
        }
        Device = device.ToString();
    }

    public TrainingEngine Engine => TrainingEngine.Torch;
    public string Device { get; }
    public long ParameterCount => parameters.Sum(p => (long)p.Size);
    public IReadOnlyList<(string Group, float LearningRate)> LearningRates => groups.Select(g => (g.Name, g.Lr)).ToList();

    /// <summary>The torch model (tests, notebooks).</summary>
    public TorchRetrievalModel Model => model;

    public double Step(int parts, Func<int, MicroBatch> build, StepPosition position, float lrFactor)
    {
        using var scope = torch.NewDisposeScope();
        model.BeginStep(position.GlobalStep);
        model.ZeroGrad();
        double total = 0;
        for (int i = 0; i < parts; i++)
        {
            var part = build(i);
            var loss = model.TrainingLoss(part.Batch, part.Seed);
            float value = loss.item<float>();
            if (!float.IsFinite(value))
                throw new TrainingDivergedException($"training diverged at {position}: the {own.LossName} loss is {value}");
            (parts > 1 ? loss / parts : loss).backward();
            total += value / parts;
        }
        CheckGradients(position);
        if (config.Train.ClipGradNorm > 0) ClipGradNorm(config.Train.ClipGradNorm);
        foreach (var g in groups) g.Lr = g.BaseLr * lrFactor;
        AdamStep();
        return total;
    }

    private void CheckGradients(StepPosition position)
    {
        using var scope = torch.NewDisposeScope();
        var sum = torch.zeros(1, device: model.Device);
        foreach (var p in parameters) if (p.P.grad is TT g) sum += g.sum();
        if (float.IsFinite(sum.item<float>())) return;
        foreach (var p in parameters)
        {
            if (p.P.grad is not TT g) continue;
            var bad = torch.logical_not(torch.isfinite(g)).flatten().nonzero();
            if (bad.shape[0] == 0) continue;
            long at = bad[0, 0].item<long>();
            float value = g.flatten()[at].item<float>();
            throw new TrainingDivergedException($"training diverged at {position}: the gradient of parameter '{p.Name}' [{string.Join(", ", p.P.shape)}] holds {value} at element {at}");
        }
    }

    /// <summary>As the own engine: norm over every gradient; when norm &gt; max, all are scaled by max/(norm + 1e-6).</summary>
    private void ClipGradNorm(float maxNorm)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var sq = torch.zeros(1, dtype: torch.float64, device: model.Device);
        foreach (var p in parameters) if (p.P.grad is TT g) sq += g.to(torch.float64).square().sum();
        double norm = Math.Sqrt(sq.item<double>());
        float coef = maxNorm / ((float)norm + 1e-6f);
        if (coef < 1f) foreach (var p in parameters) p.P.grad?.mul_(coef);
    }

    /// <summary>The own engine's Adam (L2 decay added to the gradient) or AdamW (decoupled decay), element for element.</summary>
    private void AdamStep()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        bool decoupled = config.Train.Optimizer == "adamw";
        steps++;
        float bc1 = 1f - MathF.Pow(b1, steps), bc2 = 1f - MathF.Pow(b2, steps);
        foreach (var g in groups)
        {
            float stepSize = g.Lr / bc1, invSqrtBc2 = 1f / MathF.Sqrt(bc2);
            float l2 = decoupled ? 0f : g.WeightDecay, decay = decoupled ? 1f - g.Lr * g.WeightDecay : 1f;
            foreach (int i in g.Members)
            {
                var p = parameters[i].P;
                // A parameter the loss did not reach has a zero gradient in the own engine, which still decays and moves it by its moments.
                var grad = p.grad ?? torch.zeros_like(p);
                var gi = l2 != 0f ? grad + l2 * p : grad;
                if (decay != 1f) p.mul_(decay);
                m[i].mul_(b1).add_(gi, alpha: 1 - b1);
                v[i].mul_(b2).addcmul_(gi, gi, value: 1 - b2);
                p.addcdiv_(m[i], v[i].sqrt().mul_(invSqrtBc2).add_(eps), value: -stepSize);
            }
        }
    }

    public SplitEmbeddings Embed(RunData data, string split, int batchSize)
    {
        bool training = model.Training;
        model.Eval();
        try { return Embedder.Embed(new Facade(this), data, split, batchSize); }
        finally { model.Train(training); }
    }

    public double ContrastiveLoss(Tensor text, Tensor motion)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return model.ContrastiveLoss(text.ToTorch(model.Device), motion.ToTorch(model.Device)).item<float>();
    }

    /// <summary>The weights as own-engine tensors on the CPU, by the own names.</summary>
    public List<(string Name, Tensor Value)> StateDict() => parameters.Select(p => (p.Name, p.P.ToWorkbench())).ToList();

    public void Save(string path, RunConfig config, TrainerState state, bool withOptimizer)
    {
        if (!withOptimizer)
        {
            Checkpoint.Save(path, config, StateDict(), state with { Engine = Engine.Name });
            return;
        }
        var fm = new float[momentLength];
        var fv = new float[momentLength];
        for (int i = 0; i < parameters.Length; i++)
        {
            m[i].ToWorkbench().Data.CopyTo(fm.AsSpan(parameters[i].Offset, parameters[i].Size));
            v[i].ToWorkbench().Data.CopyTo(fv.AsSpan(parameters[i].Offset, parameters[i].Size));
        }
        using var rng = torch.random.get_rng_state();
        var s = state with { OptimizerSteps = steps, Engine = Engine.Name, EngineRandomState = Convert.ToBase64String(rng.data<byte>().ToArray()), DropoutCounters = [] };
        Checkpoint.Save(path, config, StateDict(), s, fm, fv);
    }

    public void Restore(string path, IReadOnlyDictionary<string, Tensor> tensors, float[]? fm, float[]? fv, TrainerState saved)
    {
        if (fm is null || fv is null || fm.Length != momentLength || fv.Length != momentLength)
            throw new InvalidDataException($"{path}: optimiser moments missing or of the wrong size for this model ({fm?.Length ?? 0} values, expected {momentLength})");
        // Strict, as the own engine's restore: a tensor the model does not have is an error, not ignored.
        var unexpected = tensors.Keys.Except(parameters.Select(p => p.Name)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{path}: unexpected parameters for this model: {MotionWorkbench.Tensors.Nn.Module.FirstFew(unexpected, ", ")}");
        using (torch.no_grad())
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                var (name, p, offset, size) = parameters[i];
                if (!tensors.TryGetValue(name, out var t)) throw new InvalidDataException($"{path}: no parameter '{name}'");
                if (t.Size != size) throw new InvalidDataException($"{path}: parameter '{name}' has {t.Size} values, the model {size}");
                using var src = t.ToTorch(model.Device);
                p.copy_(src.reshape(p.shape));
                using var ms = torch.tensor(fm.AsSpan(offset, size).ToArray(), p.shape, device: model.Device);
                using var vs = torch.tensor(fv.AsSpan(offset, size).ToArray(), p.shape, device: model.Device);
                m[i].copy_(ms);
                v[i].copy_(vs);
            }
        }
        steps = saved.OptimizerSteps;
        // A checkpoint of the own engine has no torch generator state: dropout masks start from the seed's stream.
        if (saved.EngineRandomState is string rng)
        {
            using var state = torch.tensor(Convert.FromBase64String(rng), dtype: torch.uint8);
            torch.random.set_rng_state(state);
        }
    }

    public void SetTraining(bool training) => model.Train(training);

    public void Dispose()
    {
        foreach (var t in m) t.Dispose();
        foreach (var t in v) t.Dispose();
        model.Dispose();
    }

    /// <summary>The torch model behind <see cref="IRetrievalModel"/>, so that the one <see cref="Embedder"/> embeds
    /// splits (outputs copied back to the CPU as own-engine tensors).</summary>
    private sealed class Facade(TorchTrainingBackend backend) : IRetrievalModel
    {
        public Module Module => backend.own.Module;
        public MotionRepresentation Representation => backend.own.Representation;

        public Tensor EncodeMotion(MotionBatch batch) => Run(() => backend.model.EncodeMotion(batch));

        public Tensor EncodeText(EncodedBatch batch) => Run(() => backend.model.EncodeText(batch));

        public Tensor ContrastiveLoss(Tensor text, Tensor motion) => Tensor.Scalar((float)backend.ContrastiveLoss(text, motion));

        public IReadOnlyList<(string Group, IReadOnlyList<Tensor> Parameters)> ParameterGroups() => backend.own.ParameterGroups();

        private static Tensor Run(Func<TT> encode)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            return encode().ToWorkbench();
        }
    }
}

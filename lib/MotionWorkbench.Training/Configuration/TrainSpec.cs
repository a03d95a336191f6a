using System.Text.Json.Serialization;

namespace MotionWorkbench.Training;

/// <summary>The optimisation recipe (reference: Adam, groups 1e-4/1e-5/1e-4, cosine with period 2x the run, batch 128).</summary>
public sealed record TrainSpec
{
    public int Epochs { get; init; } = 50;
    public int BatchSize { get; init; } = 128;
    public float MotionLr { get; init; } = 1e-4f;
    public float TextLr { get; init; } = 1e-5f;
    public float HeadLr { get; init; } = 1e-4f;
    public float TemperatureLr { get; init; } = 1e-4f;
    /// <summary>"adam" (L2 decay, the reference) or "adamw" (decoupled decay).</summary>
    public string Optimizer { get; init; } = "adam";
    public float WeightDecay { get; init; }
    public int WarmupSteps { get; init; }
    /// <summary>Cosine period as a multiple of the run's optimiser steps (the reference: 2, so the LR only halves).</summary>
    public float CosinePeriodFactor { get; init; } = 2f;
    /// <summary>Micro-batches per optimiser step (the batch is split into this many parts; gradients add up).</summary>
    public int GradAccumulation { get; init; } = 1;
    /// <summary>Global gradient-norm clip (0: none, the reference).</summary>
    public float ClipGradNorm { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>"val" (best validation motion->text R@1, the default) or "test" (the reference's test-set selection).</summary>
    public string Selection { get; init; } = "val";
    /// <summary>Evaluate (and select) every N epochs; the last epoch is always evaluated.</summary>
    public int EvalEvery { get; init; } = 1;
    /// <summary>Also save <c>last</c> every N optimiser steps inside an epoch (0: only at epoch ends and on interruption).</summary>
    public int CheckpointEverySteps { get; init; }
    /// <summary>Epochs of masked-language-model pre-training of the text encoder on the training captions before the
    /// contrastive phase (0: none, the reference; "vit" architecture only).</summary>
    public int MlmEpochs { get; init; }
    public float MlmLr { get; init; } = 5e-4f;
    /// <summary>Drop the last incomplete batch of an epoch (the reference: true).</summary>
    public bool DropLast { get; init; } = true;
    /// <summary>Start from the weights of another run instead of a fresh initialisation (fine-tuning, paper Tables 5
    /// and 11): a run folder (its best checkpoint, else last) or a checkpoint file of a run with the same model shape.
    /// The new run uses that run's vocabulary (unless data.vocabPath is set) and its own data's statistics; the
    /// optimiser and the schedule start afresh.</summary>
    public string? InitFrom { get; init; }
    /// <summary>Pretrained weights that initialise the motion encoder (paper Table 4 "pretrained"): for a ViT a timm ViT
    /// checkpoint (.safetensors; position embeddings resampled to the patch grid), for a ResNet the weights store's
    /// "resnet18-imagenet" (stages 2,2,2,3) or a torchvision-named .safetensors file (<see cref="MotionEncoderInit"/>).</summary>
    public string? InitMotionEncoder { get; init; }
    /// <summary>Starting weights of the text encoder (see <see cref="TextTowerInit"/>): a weights-store name
    /// (<c>minilm-l6</c>, <c>arctic-xs</c>; needs that <c>model.textKind</c>) or a <c>.safetensors</c> path (a converted
    /// store file, or a Hugging Face BERT/DistilBERT checkpoint whose vocabulary data.vocabPath names). Null: a pretrained
    /// model.textKind starts from its store entry, "bert"/"distilbert" from scratch. Left out of the JSON while null, so
    /// configuration files written before the setting existed round-trip byte for byte.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InitTextEncoder { get; init; }
    /// <summary>The engine that trains: "mw" (the workbench's own engine, the CPU default) or "torch" (TorchSharp/LibTorch,
    /// for GPUs; needs MotionWorkbench.Torch, which mw and the notebook kernel load). Both write the same run folder and
    /// checkpoints.</summary>
    public TrainingEngine Engine { get; init; } = TrainingEngine.Mw;
    /// <summary>"cpu", "cuda" (first GPU; "cuda:N" for another) or "auto" (CUDA when the torch engine sees one, else the CPU).
    /// The own engine runs on the CPU only.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Engine threads (kernels, GEMM splits, patch building, evaluation; the torch engine's intra-op threads): 0 =
    /// the process's setting (mw --threads, MW_THREADS, a notebook's threads, else the cores this process may use). A run
    /// writes the count it used here in config.json and a resume keeps it (<see cref="RunThreads"/>). Left out of the
    /// JSON while 0, so configuration files written before the setting existed round-trip byte for byte.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Threads { get; init; }
}

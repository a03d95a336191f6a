using System.Text.Json;

namespace MotionWorkbench.Training;

/// <summary>One settable key of <see cref="RunConfig"/>: its type, its value in a preset (the default) and what it means.</summary>
public sealed record RunConfigKey(string Key, string Type, string Default, string Meaning);

/// <summary><c>mw train --list-keys</c>: every <c>--set</c> key with its type, default and a one-line meaning.</summary>
public sealed partial record RunConfig
{
    /// <summary>Every settable key with its type, its value in <paramref name="defaults"/> (default: <see cref="RunConfig"/>'s
    /// own defaults) and its meaning; a key without a meaning is an error (a test holds every key to one).</summary>
    public static IReadOnlyList<RunConfigKey> KeyHelp(RunConfig? defaults = null)
    {
        var config = defaults ?? new RunConfig();
        return Keys().Select(k =>
        {
            var parts = k.Key.Split('.');
            object? owner = parts.Length == 1 ? config : typeof(RunConfig).GetProperty(parts[0], Flags)!.GetValue(config);
            object? v = owner!.GetType().GetProperty(parts[^1], Flags)!.GetValue(owner); // the value itself (some are left out of config.json at their default)
            string shown = v switch { null => "null", string s => s.Length == 0 ? "\"\"" : s, _ => JsonSerializer.Serialize(v, v.GetType(), Json).Trim('"') };
            return new RunConfigKey(k.Key, k.Type, shown, Meanings.TryGetValue(k.Key, out var m) ? m : "");
        }).ToList();
    }

    private const System.Reflection.BindingFlags Flags = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase;

    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        ["name"] = "the run's name (default: the --out folder's name)",
        ["model.architecture"] = "vit, resnet, raw, interaction, bag, lex or caption (see the README's model table)",
        ["model.motionEncoder"] = "interaction and caption: their motion-patch encoder, vit (model.vit*) or resnet (model.resnet*)",
        ["model.resnetStages"] = "ResNet encoders: BasicBlocks per stage, 2,2,2,3 (the store's resnet18-imagenet) or 2,2,2,2 (torchvision's resnet18)",
        ["model.resnetWidth"] = "ResNet encoders: channels of the stem and first stage (64 for ResNet-18; the features are 8x as wide)",
        ["model.resnetBatchNorm"] = "ResNet encoders: train (batch statistics, running ones updated) or frozen (running statistics kept as loaded)",
        ["model.patchSize"] = "motion-patch points per body part and frames per window (16 in the paper)",
        ["model.maxFrames"] = "frames of a motion patch image (a multiple of model.patchSize); longer motions are cropped",
        ["model.vitWidth"] = "ViT token width",
        ["model.vitDepth"] = "ViT transformer blocks",
        ["model.vitHeads"] = "ViT attention heads (must divide model.vitWidth)",
        ["model.vitMlp"] = "ViT MLP hidden width",
        ["model.vitPooling"] = "ViT pooling: mean (patch tokens + fc_norm, the reference) or cls",
        ["model.vitDropout"] = "dropout inside the ViT, in [0, 1)",
        ["model.textKind"] = "text encoder: bert or distilbert (trained from scratch), or minilm-l6 / arctic-xs (pretrained, from the weights store; fixes the tower's sizes and vocabulary)",
        ["model.textWidth"] = "text encoder width",
        ["model.textDepth"] = "text encoder layers",
        ["model.textHeads"] = "text encoder attention heads (must divide model.textWidth)",
        ["model.textFfn"] = "text encoder feed-forward width",
        ["model.textMaxPositions"] = "text encoder position embeddings (at least data.maxTokens)",
        ["model.textDropout"] = "dropout inside the text encoder, in [0, 1)",
        ["model.textPooling"] = "text pooling: cls (the reference) or mean (masked mean)",
        ["model.embeddingDim"] = "size of the shared motion-text embedding (projection heads' output)",
        ["model.headDropout"] = "dropout in the projection heads, in [0, 1)",
        ["model.temperature"] = "InfoNCE temperature (positive)",
        ["model.learnableTemperature"] = "learn the temperature (rate train.temperatureLr) instead of keeping it fixed",
        ["model.lexMotionEncoder"] = "lex only: the motion encoder under the lexical head, vit, resnet or raw",
        ["model.lexTemperature"] = "lex only: InfoNCE temperature on the lexical vectors (LexLIP: 0.05)",
        ["model.lexFlopsWeight"] = "lex only: weight of the FLOPS sparsity regulariser per tower (LexLIP: 0.002)",
        ["model.lexFlopsWarmupSteps"] = "lex only: steps over which the FLOPS weight ramps up quadratically (0: full weight at once)",
        ["model.lexPhase"] = "lex only: the phase this run trains, mlm, cmmm, mmm or cmlp (mw lex pretrain chains them)",
        ["model.lexVocabulary"] = "lex only: the lexical vectors' vocabulary, full (every word piece) or captions (those in the training captions)",
        ["model.captionDepth"] = "caption only: decoder layers",
        ["model.captionWidth"] = "caption only: decoder width (0: model.textWidth)",
        ["model.captionHeads"] = "caption only: decoder heads (0: model.textHeads)",
        ["model.captionMlp"] = "caption only: decoder MLP width (0: model.textFfn)",
        ["model.captionDropout"] = "caption only: decoder dropout, in [0, 1)",
        ["model.captionFreezeEncoder"] = "caption only: keep the motion encoder fixed (true) or fine-tune it with the decoder",
        ["model.captionContrastiveWeight"] = "caption only: weight of the retrieval InfoNCE added to the caption loss (0: none)",
        ["model.captionLexRun"] = "caption only: a Lex run whose top words prefix the decoder (empty: none)",
        ["model.captionLexWords"] = "caption only: how many of model.captionLexRun's top words prefix the decoder (0: none, up to 64)",
        ["data.dir"] = "dataset folder (HumanML3D/KIT-ML format or InterHuman); --data sets it",
        ["data.trainSplit"] = "split file the run trains on (e.g. train, train_val)",
        ["data.valSplit"] = "split used for model selection (train.selection = val)",
        ["data.testSplit"] = "split evaluated at the end and by mw eval by default",
        ["data.vocabPath"] = "a WordPiece vocab.txt (null: a word-level vocabulary built from the training captions)",
        ["data.maxTokens"] = "longest token sequence, [CLS] and [SEP] included (3 to model.textMaxPositions)",
        ["data.maxTrainClips"] = "use only the first N training clips (null: all)",
        ["data.maxEvalClips"] = "use only the first N clips of evaluation splits (null: all)",
        ["data.firstCaptionOnly"] = "train on each motion's first caption only instead of a random one per epoch",
        ["data.workers"] = "threads that build patch batches (0: the engine threads)",
        ["data.mixWith"] = "other dataset folders, separated by ';', whose training splits join training (Table 11 \"both\")",
        ["data.swapPersons"] = "two-person data: swap which person comes first with probability 1/2",
        ["train.epochs"] = "training epochs (at least 1)",
        ["train.batchSize"] = "motions per optimiser step (at least 2: a contrastive batch needs negatives)",
        ["train.motionLr"] = "learning rate of the motion encoder",
        ["train.textLr"] = "learning rate of the text encoder",
        ["train.headLr"] = "learning rate of the projection heads",
        ["train.temperatureLr"] = "learning rate of a learnable temperature",
        ["train.optimizer"] = "adam (L2 decay, the reference) or adamw (decoupled decay)",
        ["train.weightDecay"] = "weight decay (>= 0)",
        ["train.warmupSteps"] = "optimiser steps of linear learning-rate warm-up (0: none)",
        ["train.cosinePeriodFactor"] = "cosine period as a multiple of the run's optimiser steps (the reference: 2)",
        ["train.gradAccumulation"] = "micro-batches per optimiser step (must divide train.batchSize)",
        ["train.clipGradNorm"] = "global gradient-norm clip (0: none, the reference)",
        ["train.seed"] = "seed of the initialisation, data order and dropout",
        ["train.selection"] = "checkpoint selection split: val (default) or test (the reference's test-set selection)",
        ["train.evalEvery"] = "evaluate (and select) every N epochs; the last epoch always",
        ["train.checkpointEverySteps"] = "also save 'last' every N optimiser steps inside an epoch (0: at epoch ends only)",
        ["train.mlmEpochs"] = "epochs of masked-LM pre-training of the text encoder before the contrastive phase (0: none)",
        ["train.mlmLr"] = "learning rate of the masked-LM pre-training",
        ["train.dropLast"] = "drop the last incomplete batch of an epoch (the reference: true)",
        ["train.initFrom"] = "start from another run's weights and vocabulary (a run folder or a checkpoint file)",
        ["train.initMotionEncoder"] = "weights that initialise the motion encoder: a timm ViT .safetensors, or for a ResNet resnet18-imagenet (a store name) or a torchvision-named .safetensors",
        ["train.engine"] = "mw (the own engine, CPU) or torch (TorchSharp); --engine sets it",
        ["train.device"] = "cpu, cuda, cuda:N or auto; --device sets it (cuda needs train.engine = torch)",
        ["train.initTextEncoder"] = "weights that initialise the text encoder: a store name (minilm-l6, arctic-xs) or a .safetensors path (a converted store file or a Hugging Face BERT checkpoint)",
        ["train.threads"] = "engine threads (0: mw --threads, MW_THREADS, else the cores this process may use)",
    };
}

using MotionWorkbench.Data.Synthetic;
using MotionWorkbench.Models;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>One small synthetic dataset (written once per test run) shared by the tests of this project.</summary>
public sealed class SynthFixture : IDisposable
{
    public SynthFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "mw-training-tests-" + Guid.NewGuid().ToString("N")[..8]);
        DataDir = Path.Combine(Root, "data");
        SyntheticMotions.Write(DataDir, new SynthOptions { Count = 56, Seed = 7 });
        NoMirrorDir = Path.Combine(Root, "data-no-mirrors");
        SyntheticMotions.Write(NoMirrorDir, new SynthOptions { Count = 90, Seed = 11, Mirrors = false });
        KitDir = Path.Combine(Root, "data-kit");
        SyntheticMotions.Write(KitDir, new SynthOptions { Skeleton = "kit", Count = 40, Seed = 5, Mirrors = false });
        InterHumanDir = Path.Combine(Root, "data-interhuman");
        SyntheticInteractions.Write(InterHumanDir, new InteractionOptions { Count = 60, Seed = 3 });
    }

    /// <summary>A KIT-21 synthetic set (another skeleton), originals only.</summary>
    public string KitDir { get; }

    /// <summary>A synthetic two-person set in the InterHuman folder format.</summary>
    public string InterHumanDir { get; }

    public string Root { get; }
    public string DataDir { get; }

    /// <summary>Originals only (no mirrored copies, whose captions can be word-order swaps of each other).</summary>
    public string NoMirrorDir { get; }

    /// <summary>A fresh run folder under the fixture's root.</summary>
    public string NewRunDir(string name) => Path.Combine(Root, "runs", name + "-" + Guid.NewGuid().ToString("N")[..6]);

    /// <summary>
    /// A bag-of-patches model on 64 training pairs, 32-frame windows, evaluated on the same 64 pairs (so the overfit
    /// test can ask for R@1 = 100).
    /// </summary>
    public RunConfig Tiny(int epochs = 30) => (RunConfig.Smoke with
    {
        Name = "tiny",
        Model = TinyModel,
        Data = RunConfig.Smoke.Data with { Dir = DataDir, MaxTrainClips = 64, MaxEvalClips = 64, ValSplit = "train", TestSplit = "train", Workers = 1 },
        Train = RunConfig.Smoke.Train with { Epochs = epochs, BatchSize = 16, MotionLr = 3e-3f, TextLr = 3e-3f, HeadLr = 3e-3f, WarmupSteps = 0 },
    }).WithoutIgnoredSettings();

    /// <summary>The tiny sizes of every tower (32 wide, 32-d embeddings, one-layer transformers with MLP 64), on the bag
    /// model; <see cref="Tiny"/> keeps only those the bag reads (a run refuses a setting it would ignore).</summary>
    public static ModelSpec TinyModel { get; } = RunConfig.Smoke.Model with
    {
        Architecture = "bag", PatchSize = 16, MaxFrames = 64, VitWidth = 32, VitDepth = 1, VitHeads = 2, VitMlp = 64, TextWidth = 32, TextDepth = 1, TextHeads = 2, TextFfn = 64, EmbeddingDim = 32,
    };

    /// <summary>The tiny model of <paramref name="architecture"/> (<paramref name="change"/> applied), keeping only the settings
    /// that architecture reads: the others go back to the Smoke preset's values (<see cref="RunConfig.WithoutIgnoredSettings"/>),
    /// so a lex run has no 32-d dense heads and a bag run no dropout, exactly as it would train with them.</summary>
    public static ModelSpec TinyModelOf(Architecture architecture, Func<ModelSpec, ModelSpec>? change = null)
    {
        var model = TinyModel with { Architecture = architecture };
        return (RunConfig.Smoke with { Model = change is null ? model : change(model) }).WithoutIgnoredSettings().Model;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition("synth")]
public sealed class SynthCollection : ICollectionFixture<SynthFixture>;

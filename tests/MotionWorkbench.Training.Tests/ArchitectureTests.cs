using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>The raw-sequence and interaction architectures, data.mixWith and the initialisation options, end to end.</summary>
[Collection("synth")]
public sealed class ArchitectureTests(SynthFixture fx)
{
    private RunConfig Transformer(string architecture, int epochs = 2) => fx.Tiny(epochs) with
    {
        Name = architecture,
        Model = SynthFixture.TinyModelOf(architecture, m => m with { HeadDropout = 0f, TextDropout = 0f }),
    };

    [Fact]
    public void Raw_sequence_model_trains_on_frames_evaluates_and_reloads()
    {
        var dir = fx.NewRunDir("raw");
        var result = new Trainer(Transformer("raw"), dir) { LogSteps = false }.Run();
        Assert.True(result.Completed);

        var data = RunData.ForRun(dir);
        Assert.Equal(MotionRepresentation.RawSequence, data.Representation);
        var batch = data.EvalBatch(data.EvalSamples("train"), 0, 5);
        var raw = batch.Motion.RequireRaw("test");
        Assert.Equal([5, 64, 22 * 3], raw.Shape);
        for (int b = 0; b < 5; b++) Assert.Equal(raw.Lengths[b], (int)raw.Mask.AsSpan(b * 64, 64).ToArray().Sum()); // mask marks the real frames

        var model = Assert.IsType<TransformerModel>(RunModels.Load(dir));
        Assert.Equal(MotionRepresentation.RawSequence, model.Representation);
        var encoder = Assert.IsType<RawSequenceEncoder>(model.Model.MotionEncoder);
        Assert.Equal(66, encoder.Config.InputFeatures);
        var emb = Embedder.Embed(model, data, "train", 32);
        Assert.Equal(64, emb.Count);
        Assert.All(emb.Motions, m => Assert.True(Math.Abs(m.Sum(x => x * x) - 1f) < 1e-4f)); // L2-normalised
        var all = emb.Evaluate([RetrievalProtocols.All])[0];
        Assert.Equal(64, all.N);
        Assert.InRange(all.TextToMotion.MedR, 1, 64);

        // A patch batch given to the raw model is named as the wrong representation.
        var patches = MotionBatch.Of(new PatchBatchBuilder(new MotionPatchBuilder(data.Statistics, data.PatchOptions)).Build([data.Dataset.Clips[0]], PatchMode.Eval, 0));
        var e = Assert.Throws<ArgumentException>(() => model.EncodeMotion(patches));
        Assert.Contains("raw sequences", e.Message);
    }

    [Fact]
    public void Evaluating_a_run_on_another_skeleton_says_the_skeletons_differ()
    {
        var dir = fx.NewRunDir("smpl-on-kit");
        Assert.True(new Trainer(fx.Tiny(epochs: 1), dir) { LogSteps = false }.Run().Completed);
        var e = Assert.Throws<InvalidDataException>(() => RunEvaluation.Run(dir, fx.KitDir));
        Assert.Contains("the skeletons differ", e.Message);
        Assert.Contains("22 joints", e.Message);
        Assert.Contains("has 21", e.Message);
    }

    [Fact]
    public void Raw_and_interaction_cannot_mix_skeletons()
    {
        var raw = Transformer("raw") with { Data = fx.Tiny().Data with { MixWith = fx.KitDir } };
        var e = Assert.Throws<ArgumentException>(() => raw.Validate());
        Assert.Contains("data.mixWith", e.Message);
        var bag = fx.Tiny() with { Train = fx.Tiny().Train with { InitMotionEncoder = "vit.safetensors" } };
        Assert.Contains("train.initMotionEncoder", Assert.Throws<ArgumentException>(() => bag.Validate()).Message);
        var unknown = fx.Tiny() with { Model = fx.Tiny().Model with { Architecture = "lstm" } };
        Assert.Contains("vit, raw, interaction, bag", Assert.Throws<ArgumentException>(() => unknown.Validate()).Message);
    }

    [Fact]
    public void Mixed_skeletons_train_together_each_normalised_with_its_own_statistics()
    {
        var config = fx.Tiny(epochs: 1) with { Data = fx.Tiny().Data with { MixWith = fx.KitDir, Workers = 2 } };
        var dir = fx.NewRunDir("mix");
        var data = RunData.ForTraining(config, dir);
        var samples = data.TrainSamples("train");
        var kit = samples.Where(s => s.Source == 1).ToList();
        Assert.NotEmpty(kit);
        Assert.Contains(samples, s => s.Source == 0);
        Assert.All(kit, s => { Assert.Equal(21, s.Clip.JointCount); Assert.StartsWith(data.MixSources[0].Dataset.Name + "/", s.Id); });
        Assert.Equal(21, data.MixSources[0].Statistics.JointCount);
        Assert.Equal(22, data.Statistics.JointCount);

        // A batch that holds both skeletons: every row is the clip's own patch, normalised with its own dataset's
        // statistics, with the crop drawn from the row's seed.
        int smplIndex = samples.ToList().FindIndex(s => s.Source == 0), kitIndex = samples.ToList().FindIndex(s => s.Source == 1);
        int[] members = [kitIndex, smplIndex, kitIndex + 1];
        var batch = data.TrainBatch(samples, members, epoch: 0, batchIndex: 3).Motion.RequirePatches("test");
        int seed = PatchBatchBuilder.SampleSeed(RunData.EpochSeed(config.Train.Seed, 0), 3);
        for (int b = 0; b < members.Length; b++)
        {
            var s = samples[members[b]];
            var builder = s.Source == 0 ? new MotionPatchBuilder(data.Statistics, data.PatchOptions) : data.MixSources[0].Builder;
            var expected = new float[builder.PatchLength];
            builder.BuildInto(s.Clip, PatchMode.Train, new Random(PatchBatchBuilder.SampleSeed(seed, b)), expected);
            Assert.Equal(expected, batch.Sample(b).ToArray());
        }

        // Evaluation stays on data.dir; the whole run trains and evaluates.
        Assert.All(data.EvalSamples("train"), s => Assert.Equal(0, s.Source));
        var run = fx.NewRunDir("mix-run");
        Assert.True(new Trainer(config, run) { LogSteps = false }.Run().Completed);
        Assert.Contains("mixed", File.ReadAllText(Path.Combine(run, Trainer.LogFileName)));
    }

    [Fact]
    public void Interaction_model_trains_on_two_person_folders_with_person_swaps()
    {
        var config = Transformer("interaction") with
        {
            Data = fx.Tiny().Data with { Dir = fx.InterHumanDir, MaxTrainClips = 32, MaxEvalClips = 16, ValSplit = "test", TestSplit = "test" },
        };
        var dir = fx.NewRunDir("pairs");
        var data = RunData.ForTraining(config, dir);
        Assert.Equal(MotionRepresentation.PatchPair, data.Representation);
        var samples = data.TrainSamples("train");
        Assert.All(samples, s => Assert.NotNull(s.Partner));

        // Person swaps: row b of the first batch is person 1 or (swapped) person 2, and the other batch holds the other
        // person with the same crop seed.
        var members = Enumerable.Range(0, 16).ToArray();
        var pair = data.TrainBatch(samples, members, 0, 0).Motion.RequirePair("test");
        int seed = PatchBatchBuilder.SampleSeed(RunData.EpochSeed(config.Train.Seed, 0), 0);
        var builder = data.Batches.Patches;
        int swapped = 0;
        for (int b = 0; b < members.Length; b++)
        {
            var s = samples[members[b]];
            float[] Build(MotionWorkbench.Data.MotionClip c) { var x = new float[builder.PatchLength]; builder.BuildInto(c, PatchMode.Train, new Random(PatchBatchBuilder.SampleSeed(seed, b)), x); return x; }
            var (p1, p2) = (Build(s.Clip), Build(s.Partner!));
            bool straight = p1.AsSpan().SequenceEqual(pair.Person1.Sample(b).Span) && p2.AsSpan().SequenceEqual(pair.Person2.Sample(b).Span);
            bool swap = p2.AsSpan().SequenceEqual(pair.Person1.Sample(b).Span) && p1.AsSpan().SequenceEqual(pair.Person2.Sample(b).Span);
            Assert.True(straight || swap, $"row {b} is neither the pair nor the swapped pair");
            if (swap && !straight) swapped++;
        }
        Assert.InRange(swapped, 1, members.Length - 1);

        var run = fx.NewRunDir("pairs-run");
        Assert.True(new Trainer(config, run) { LogSteps = false }.Run().Completed);
        var model = Assert.IsType<InteractionRetrievalModel>(RunModels.Load(run));
        var runData = RunData.ForRun(run);
        var emb = Embedder.Embed(model, runData, "test", 4);
        Assert.Equal(runData.EvalSamples("test").Count, emb.Count);
        Assert.True(emb.Count >= 4, $"{emb.Count} test pairs");
        Assert.All(emb.Motions, m => Assert.True(float.IsFinite(m.Sum())));
    }

    [Fact]
    public void Architecture_and_folder_kind_must_agree()
    {
        var vitOnPairs = Transformer("vit") with { Data = fx.Tiny().Data with { Dir = fx.InterHumanDir } };
        Assert.Contains("model.architecture = interaction", Assert.Throws<InvalidDataException>(() => RunData.ForTraining(vitOnPairs, fx.NewRunDir("bad1"))).Message);
        var pairsOnSingles = Transformer("interaction");
        Assert.Contains("InterHuman folder", Assert.Throws<InvalidDataException>(() => RunData.ForTraining(pairsOnSingles, fx.NewRunDir("bad2"))).Message);
    }

    [Fact]
    public void InitFrom_starts_from_the_source_weights_and_vocabulary()
    {
        var source = fx.NewRunDir("source");
        Assert.True(new Trainer(fx.Tiny(epochs: 2), source) { LogSteps = false }.Run().Completed);

        // Zero learning rates: the fine-tuned run ends with exactly the weights it started from.
        var tiny = fx.Tiny(epochs: 1);
        var config = tiny with
        {
            Data = tiny.Data with { Dir = fx.NoMirrorDir },
            Train = tiny.Train with { InitFrom = source, MotionLr = 0, TextLr = 0, HeadLr = 0 }, // the temperature is fixed: no train.temperatureLr
        };
        var target = fx.NewRunDir("finetune");
        Assert.True(new Trainer(config, target) { LogSteps = false }.Run().Completed);
        var (start, _, _, _, _) = Checkpoint.Read(RunModels.DefaultCheckpoint(source));
        var (end, _, _, _, _) = Checkpoint.Read(Path.Combine(target, Checkpoint.LastFileName));
        Assert.Equal(start.Keys.Order(), end.Keys.Order());
        foreach (var (name, t) in start) Assert.Equal(t.ToArray(), end[name].ToArray());
        Assert.Equal(File.ReadAllText(Path.Combine(source, RunData.VocabFileName)), File.ReadAllText(Path.Combine(target, RunData.VocabFileName)));
        Assert.Contains("train.initFrom", File.ReadAllText(Path.Combine(target, Trainer.LogFileName)));

        // A source of another shape, or no source at all, is named.
        var wider = config with { Model = config.Model with { EmbeddingDim = 48 } };
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(wider, fx.NewRunDir("wider")).Run());
        Assert.Contains("train.initFrom", e.Message);
        var missing = config with { Train = config.Train with { InitFrom = Path.Combine(fx.Root, "no-such-run") } };
        Assert.Contains("no-such-run", Assert.Throws<FileNotFoundException>(() => new Trainer(missing, fx.NewRunDir("missing")).Run()).Message);
    }

    [Fact]
    public void InitMotionEncoder_loads_a_timm_vit_into_the_motion_encoder()
    {
        var timm = Path.Combine(AppContext.BaseDirectory, "Fixtures", "vit_tiny_timm.safetensors");
        var tiny = fx.Tiny(epochs: 1);
        var config = tiny with
        {
            Model = SynthFixture.TinyModelOf("vit", m => m with { VitWidth = 32, VitDepth = 2, VitHeads = 2, VitMlp = 64 }),
            Train = tiny.Train with { InitMotionEncoder = timm, MotionLr = 0, TextLr = 0, HeadLr = 0 },
        };
        var dir = fx.NewRunDir("timm");
        Assert.True(new Trainer(config, dir) { LogSteps = false }.Run().Completed);
        var (tensors, _) = Safetensors.Read(timm);
        var (saved, _, _, _, _) = Checkpoint.Read(Path.Combine(dir, Checkpoint.LastFileName));
        foreach (var name in new[] { "blocks.0.attn.qkv.weight", "blocks.1.mlp.fc2.weight", "patch_embed.proj.weight" })
            Assert.Equal(tensors[name].ToArray(), saved["motion_encoder." + name].ToArray());
        Assert.Contains("motion encoder from", File.ReadAllText(Path.Combine(dir, Trainer.LogFileName)));
    }
}

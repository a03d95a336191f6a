using MotionWorkbench.Evaluation;
using MotionWorkbench.Models;
using MotionWorkbench.Pretrained;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Training;

namespace MotionWorkbench.Training.Tests;

/// <summary>
/// model.textKind = minilm-l6 | arctic-xs and train.initTextEncoder: the overrides fill the tower, contradictions are one
/// error, every architecture with a text tower starts from the store's weights, and a run trains, evaluates (with TMR's
/// threshold protocol) and keeps the store's vocabulary. The store converts into this process's temp cache (MW_CACHE_DIR).
/// </summary>
[Collection("synth")]
public sealed class PretrainedTextTowerTests(SynthFixture fx)
{
    private static RunConfig SmokeWith(params string[] overrides) => RunConfig.Smoke.WithOverrides(overrides);

    [Fact]
    public void SetTextKind_FillsTheTower_WhateverTheOrder_AndKeepsAnExplicitPooling()
    {
        var laptop = RunConfig.Laptop.WithOverrides(["model.textKind=minilm-l6"]).Validate();
        var m = laptop.Model;
        Assert.Equal((384, 6, 12, 1536, 512, "mean"), (m.TextWidth, m.TextDepth, m.TextHeads, m.TextFfn, m.TextMaxPositions, m.TextPooling));
        Assert.Equal(RunConfig.Laptop.Model.VitWidth, m.VitWidth);
        var pooled = RunConfig.Laptop.WithOverrides(["model.textPooling=cls", "model.textKind=minilm-l6"]).Validate();
        Assert.Equal(("cls", 384), (pooled.Model.TextPooling, pooled.Model.TextWidth));
        Assert.Equal("cls", RunConfig.Laptop.WithOverrides(["model.textKind=arctic-xs"]).Model.TextPooling);
        // The resolved configuration round-trips (config.json) and today's files keep loading.
        Assert.Equal(laptop.ToJson(), RunConfig.FromJson(laptop.ToJson()).ToJson());
        var old = RunConfig.FromJson(RunConfig.Laptop.ToJson().Replace("\"textKind\": \"bert\"", "\"textKind\": \"distilbert\""));
        Assert.Equal(TextKind.DistilBert, old.Model.TextKind);
    }

    [Theory]
    [InlineData(new[] { "model.textKind=minilm-l6", "model.textWidth=256" }, "model.textWidth = 256 contradicts the weights of model.textKind = minilm-l6 (384)")]
    [InlineData(new[] { "model.textWidth=256", "model.textKind=minilm-l6" }, "model.textWidth = 256 contradicts the weights of model.textKind = minilm-l6 (384)")]
    [InlineData(new[] { "model.textKind=roberta" }, "model.textKind must be one of bert, distilbert, minilm-l6, arctic-xs, got 'roberta'")]
    [InlineData(new[] { "model.textKind=minilm-l6", "data.vocabPath=/x/vocab.txt" }, "data.vocabPath = /x/vocab.txt with model.textKind = minilm-l6: a pretrained tower reads its own vocabulary")]
    [InlineData(new[] { "model.textKind=minilm-l6", "model.architecture=bag" }, "model.textKind = minilm-l6 is a transformer text tower; model.architecture = bag has none")]
    [InlineData(new[] { "train.initTextEncoder=minilm-l6" }, "train.initTextEncoder = minilm-l6 is a pretrained tower (BERT 6 x 384 over bert-base-uncased's word pieces): choose it with model.textKind = minilm-l6")]
    [InlineData(new[] { "model.textKind=minilm-l6", "train.initTextEncoder=resnet18-imagenet" }, "train.initTextEncoder = resnet18-imagenet is not a text encoder")]
    [InlineData(new[] { "train.initTextEncoder=/x/bert.safetensors" }, "train.initTextEncoder = /x/bert.safetensors: give the weights' vocabulary with data.vocabPath")]
    [InlineData(new[] { "model.textKind=minilm-l6", "train.initTextEncoder=minilm-l6", "train.initFrom=runs/x" }, "train.initFrom and train.initTextEncoder both set")]
    public void Contradictions_AreOneErrorNamingTheSetting(string[] overrides, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => SmokeWith(overrides).Validate());
        Assert.Contains(message, e.Message);
        Assert.StartsWith("invalid run configuration:", e.Message);
    }

    [Theory]
    [InlineData("vit")]
    [InlineData("raw")]
    [InlineData("interaction")]
    [InlineData("lex")]
    [InlineData("caption")]
    public void EveryArchitecture_StartsItsTextEncoderFromTheStore(string architecture)
    {
        string[] settings = architecture == "lex"
            ? ["model.textKind=minilm-l6", $"model.architecture={architecture}", "model.lexVocabulary=captions"]
            : ["model.textKind=minilm-l6", $"model.architecture={architecture}"]; // lex-only settings on other runs are refused
        var config = SmokeWith(settings).Validate();
        var init = TextTowerInit.Resolve(config)!;
        Assert.Equal("model.textKind = minilm-l6", init.Setting);
        Assert.Equal(PretrainedCatalog.MiniLmL6, init.Weights.Source);
        Assert.Equal(30522, File.ReadLines(init.VocabularyPath!).Count());
        var model = ModelFactory.Create(config.Model, 30522, 42, jointCount: 22, activeWords: architecture == "lex" ? [1000, 2000, 2003] : null);
        var fresh = ModelFactory.Create(config.Model, 30522, 42, jointCount: 22, activeWords: architecture == "lex" ? [1000, 2000, 2003] : null);
        Assert.Contains("tensors loaded", init.Apply(model));

        var store = Safetensors.Read(init.Weights.Path).Tensors;
        var encoder = ModelTowers.Text(model)!;
        Assert.Equal(TextPooling.MaskedMean, encoder.Config.Pooling);
        foreach (var (name, t) in encoder.NamedParameters()) Assert.True(store[name].Data.SequenceEqual(t.Data), $"{architecture}: {name} differs from the store's");
        // Everything else keeps its fresh initialisation (the same seed gives the same weights).
        var freshOthers = fresh.Module.NamedParameters().Where(p => !IsTextEncoder(p.Name)).ToDictionary(p => p.Name, p => p.Tensor);
        foreach (var (name, t) in model.Module.NamedParameters().Where(p => !IsTextEncoder(p.Name)))
            Assert.True(freshOthers[name].Data.SequenceEqual(t.Data), $"{architecture}: {name} should start fresh");
        if (model is LexicalRetrievalModel lex)
        {
            // The text lexical head projects onto the pretrained word embeddings (tied), its Dense/LayerNorm are fresh.
            Assert.Same(lex.Model.TextEncoder.Embeddings.WordEmbeddings.Weight, lex.Model.TextLex.Projection);
            Assert.True(store["embeddings.word_embeddings.weight"].Data.SequenceEqual(lex.Model.TextLex.Projection.Data));
        }
    }

    private static bool IsTextEncoder(string name) => name.StartsWith("text_encoder.", StringComparison.Ordinal);

    [Fact]
    public void A_MiniLm_run_trains_with_the_store_vocabulary_and_evaluates_with_the_threshold_protocol()
    {
        var dir = fx.NewRunDir("minilm");
        var config = fx.Tiny(epochs: 1).WithOverrides(["model.architecture=vit", "model.textKind=minilm-l6", "train.batchSize=16", "data.maxTrainClips=32", "data.maxEvalClips=32"]);
        var result = new Trainer(config, dir) { LogSteps = false }.Run();
        Assert.True(result.Completed);
        var vocabulary = File.ReadAllLines(Path.Combine(dir, RunData.VocabFileName));
        Assert.Equal(30522, vocabulary.Length);
        Assert.Equal(["[PAD]", "[unused0]"], vocabulary[..2]);
        var log = File.ReadAllText(Path.Combine(dir, Trainer.LogFileName));
        Assert.Contains("model.textKind = minilm-l6: 101 tensors loaded (text encoder from minilm-l6 (", log);

        var evaluation = RunEvaluation.Run(dir, split: "train", protocols: RunEvaluation.Protocols);
        Assert.Equal(RunEvaluation.Protocols, evaluation.Results.Select(r => r.Protocol));
        var threshold = evaluation.Results[^1];
        Assert.Equal(ThresholdProtocol.EncoderLabel, threshold.SentenceEncoder);
        Assert.Equal(ThresholdProtocol.EncoderLabel, evaluation.ToJson()["results"]![4]!["sentenceEncoder"]!.GetValue<string>());
        Assert.Contains("minilm-l6 (all-MiniLM-L6-v2) sentence embeddings standing in for TMR&#39;s all-mpnet-base-v2", evaluation.ToHtml());
        // Similar captions can only help: threshold R@k >= TMR normal R@k.
        var normal = evaluation.Results.Single(r => r.Protocol == RetrievalProtocols.TmrNormal);
        Assert.True(threshold.TextToMotion.R10 >= normal.TextToMotion.R10);
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "cache"), "sentences-minilm-l6-*.safetensors"));
    }

    [Fact]
    public void InitTextEncoder_FromAnExportedFile_LoadsLikeTheStore_AndAMisfitNamesTheFile()
    {
        var store = EncoderWeights.Resolve("minilm-l6", "test");
        var copy = Path.Combine(fx.Root, "minilm-copy-" + Guid.NewGuid().ToString("N")[..6] + ".safetensors");
        File.Copy(store.Path, copy);
        var config = SmokeWith("model.textKind=minilm-l6", $"train.initTextEncoder={copy}").Validate();
        var init = TextTowerInit.Resolve(config)!;
        Assert.Equal(("train.initTextEncoder", copy), (init.Setting, init.Weights.Path));
        Assert.Equal(EncoderWeights.Resolve("minilm-l6", "test").VocabularyPath, init.VocabularyPath);

        // the same file into a bert-mini-sized tower: one error naming the setting, the file and the shapes
        var bert = SmokeWith($"train.initTextEncoder={copy}", "data.vocabPath=/x/vocab.txt").Validate();
        var model = ModelFactory.Create(bert.Model, 30522, 1);
        var e = Assert.Throws<InvalidDataException>(() => TextTowerInit.Resolve(bert)!.Apply(model));
        Assert.StartsWith($"train.initTextEncoder = {copy}: the weights do not fit the run's text encoder (Bert 64 x 2, 2 heads, FFN 128, 30,522 words, 64 positions)", e.Message);
    }
}

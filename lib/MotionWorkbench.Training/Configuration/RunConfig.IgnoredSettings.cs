using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>
/// The one rule for settings a run would ignore (issue 28: nothing is accepted silently): a setting changed from its
/// preset's value (the defaults for a custom configuration) on a run whose architecture, motion encoder or recipe never
/// reads it is an error naming the setting, its value and why. Comparing with the preset, not the defaults, keeps the
/// presets' sizes (they set the ViT's for every architecture) from counting as the user's change.
/// </summary>
public sealed partial record RunConfig
{
    /// <summary>
    /// One line per group of settings this run changed from <see cref="Baseline"/> and would ignore: the lex-only settings
    /// on a run that is not lex (the caption model, which reads a Lex run through its prefix, aside), the caption decoder's
    /// on a run that is not caption, the ResNet's without a ResNet motion encoder, the ViT's with a ResNet motion encoder
    /// (and model.vitPooling with a raw-sequence one, which has no pooling setting), train.temperatureLr with a fixed
    /// temperature, train.mlmLr without MLM pre-training, data.swapPersons on a run without two-person data, the
    /// transformer sizes, dropouts and pooling the bag model does not have, and the dense heads' settings (embedding
    /// width, head dropout, temperature) a lex run does not have. Empty when there are none.
    /// </summary>
    public IReadOnlyList<string> IgnoredSettings() => FindIgnored().Lines;

    /// <summary>
    /// This configuration with every setting <see cref="IgnoredSettings"/> names put back to its preset's value: for code
    /// that derives one architecture's configuration from another's (a sweep over architectures, a test fixture with one
    /// set of sizes for every tower), so that it passes only what the run reads. The run trains exactly as before (the
    /// settings were not read); a configuration a user wrote should be refused instead (<see cref="Validate"/>).
    /// </summary>
    public RunConfig WithoutIgnoredSettings()
    {
        var reset = FindIgnored().Reset;
        return reset.Count == 0 ? this : WithOverrides(reset.Select(r => $"{r.Key}={Show(r.Baseline)}").ToArray());
    }

    private (List<string> Lines, List<(string Key, object? Baseline)> Reset) FindIgnored()
    {
        var m = Model;
        var b = Baseline();
        var bm = b.Model;
        var lines = new List<string>();
        var reset = new List<(string Key, object? Baseline)>();
        void Group(string appliesTo, string thisRun, string remedy, params (string Key, object? Value, object? Baseline)[] settings)
        {
            var differing = settings.Where(s => !Equals(s.Value, s.Baseline)).ToList();
            if (differing.Count == 0) return;
            reset.AddRange(differing.Select(s => (s.Key, s.Baseline)));
            var changed = differing.Select(s => $"{s.Key} = {Show(s.Value)}").ToList();
            bool one = changed.Count == 1;
            lines.Add($"{string.Join(", ", changed)}: {(one ? "this setting applies" : "these settings apply")} to {appliesTo}, and this run {thisRun} (drop {(one ? "it" : "them")}{remedy})");
        }

        var architecture = m.Architecture;
        if (architecture != Architecture.Lex && architecture != Architecture.Caption)
            Group("model.architecture = lex only", $"is '{architecture}'", " or set model.architecture=lex",
                ("model.lexVocabulary", m.LexVocabulary, bm.LexVocabulary), ("model.lexPhase", m.LexPhase, bm.LexPhase),
                ("model.lexMotionEncoder", m.LexMotionEncoder, bm.LexMotionEncoder), ("model.lexTemperature", m.LexTemperature, bm.LexTemperature),
                ("model.lexFlopsWeight", m.LexFlopsWeight, bm.LexFlopsWeight), ("model.lexFlopsWarmupSteps", m.LexFlopsWarmupSteps, bm.LexFlopsWarmupSteps));
        if (architecture != Architecture.Caption)
            Group("model.architecture = caption only (the caption decoder)", $"is '{architecture}'", " or set model.architecture=caption",
                ("model.captionDepth", m.CaptionDepth, bm.CaptionDepth), ("model.captionWidth", m.CaptionWidth, bm.CaptionWidth),
                ("model.captionHeads", m.CaptionHeads, bm.CaptionHeads), ("model.captionMlp", m.CaptionMlp, bm.CaptionMlp),
                ("model.captionDropout", m.CaptionDropout, bm.CaptionDropout), ("model.captionFreezeEncoder", m.CaptionFreezeEncoder, bm.CaptionFreezeEncoder),
                ("model.captionContrastiveWeight", m.CaptionContrastiveWeight, bm.CaptionContrastiveWeight));
        var encoder = m.MotionEncoderKind();
        if (encoder != Architecture.Resnet)
            Group("a ResNet motion encoder only (model.architecture = resnet, or model.motionEncoder / model.lexMotionEncoder = resnet)",
                $"has a '{encoder}' motion encoder", "",
                ("model.resnetStages", m.ResnetStages, bm.ResnetStages), ("model.resnetWidth", m.ResnetWidth, bm.ResnetWidth),
                ("model.resnetBatchNorm", m.ResnetBatchNorm, bm.ResnetBatchNorm));
        if (encoder == Architecture.Resnet)
            Group("a ViT (or raw-sequence) motion encoder only", "has a 'resnet' motion encoder (sized by model.resnetStages and model.resnetWidth)", "",
                ("model.vitWidth", m.VitWidth, bm.VitWidth), ("model.vitDepth", m.VitDepth, bm.VitDepth), ("model.vitHeads", m.VitHeads, bm.VitHeads),
                ("model.vitMlp", m.VitMlp, bm.VitMlp), ("model.vitPooling", m.VitPooling, bm.VitPooling), ("model.vitDropout", m.VitDropout, bm.VitDropout));
        else if (encoder == Architecture.Raw)
            Group("a ViT motion encoder only", "has a 'raw' motion encoder (its own pooling)", "", ("model.vitPooling", m.VitPooling, bm.VitPooling));
        else if (architecture == Architecture.Bag)
            Group("the transformer encoders and dense heads (every architecture but bag)",
                "is 'bag' (bag-of-patches and bag-of-words encoders sized by model.vitWidth and model.textWidth, linear heads, no dropout)", "",
                ("model.vitDepth", m.VitDepth, bm.VitDepth), ("model.vitHeads", m.VitHeads, bm.VitHeads), ("model.vitMlp", m.VitMlp, bm.VitMlp),
                ("model.vitPooling", m.VitPooling, bm.VitPooling), ("model.vitDropout", m.VitDropout, bm.VitDropout),
                ("model.textDepth", m.TextDepth, bm.TextDepth), ("model.textHeads", m.TextHeads, bm.TextHeads), ("model.textFfn", m.TextFfn, bm.TextFfn),
                ("model.textDropout", m.TextDropout, bm.TextDropout), ("model.textPooling", m.TextPooling, bm.TextPooling), ("model.headDropout", m.HeadDropout, bm.HeadDropout));
        if (architecture == Architecture.Lex)
            Group("the dense projection heads and their InfoNCE (every architecture but lex)",
                "is 'lex' (lexical heads over the vocabulary, temperature model.lexTemperature)", "",
                ("model.embeddingDim", m.EmbeddingDim, bm.EmbeddingDim), ("model.headDropout", m.HeadDropout, bm.HeadDropout),
                ("model.temperature", m.Temperature, bm.Temperature), ("model.learnableTemperature", m.LearnableTemperature, bm.LearnableTemperature));
        var t = Train;
        if (!m.LearnableTemperature || architecture == Architecture.Lex)
            Group("a learnable temperature only (model.learnableTemperature = true)",
                architecture == Architecture.Lex ? "is 'lex', whose model.lexTemperature is fixed" : "keeps its temperature fixed",
                architecture == Architecture.Lex ? "" : " or set model.learnableTemperature=true",
                ("train.temperatureLr", t.TemperatureLr, b.Train.TemperatureLr));
        if (t.MlmEpochs == 0)
            Group("the text encoder's MLM pre-training only (train.mlmEpochs > 0)", "has none", " or set train.mlmEpochs", ("train.mlmLr", t.MlmLr, b.Train.MlmLr));
        if (architecture != Architecture.Interaction)
            Group("two-person data only (model.architecture = interaction)", $"is '{architecture}'", "", ("data.swapPersons", Data.SwapPersons, b.Data.SwapPersons));
        return (lines, reset);
    }

    /// <summary>What <see cref="IgnoredSettings"/> compares with: the preset this configuration names, else the defaults.</summary>
    private RunConfig Baseline() =>
        PresetNames.FirstOrDefault(p => string.Equals(p, Preset, StringComparison.OrdinalIgnoreCase)) is string preset ? FromPreset(preset) : new RunConfig();

    private static string Show(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

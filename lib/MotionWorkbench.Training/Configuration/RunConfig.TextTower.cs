using MotionWorkbench.Models;
using MotionWorkbench.Pretrained;

namespace MotionWorkbench.Training;

/// <summary>The text tower's part of <see cref="Validate"/>: model.textKind, its sizes and vocabulary, train.initTextEncoder.</summary>
public sealed partial record RunConfig
{
    /// <summary>
    /// This configuration with <paramref name="kind"/> as its text tower (<see cref="ModelSpec.WithTextKind"/>: a pretrained
    /// kind fills its sizes and pooling) and, when given, <paramref name="textLr"/> as the text encoder's learning rate
    /// (the Laptop preset's 5e-4 was raised for a tower trained from scratch; see the README for the rate measured for a
    /// pretrained one). <c>mw train --set model.textKind=minilm-l6 --set train.textLr=...</c> does the same.
    /// </summary>
    public RunConfig WithTextTower(TextKind kind, float? textLr = null) => this with
    {
        Model = Model.WithTextKind(kind),
        Train = textLr is float lr ? Train with { TextLr = lr } : Train,
    };

    private IEnumerable<string> TextTowerErrors()
    {
        var m = Model;
        var t = Train;
        if (Choice.Check(m.TextKind) is string unknown)
        {
            yield return unknown;
            yield break;
        }
        if (m.TextPooling is not ("mean" or "cls")) yield return $"model.textPooling must be 'mean' or 'cls', got '{m.TextPooling}'";
        if (m.TextKind.IsPretrained)
        {
            foreach (var conflict in m.TextKindConflicts()) yield return conflict;
            if (m.Architecture == Architecture.Bag) yield return $"model.textKind = {m.TextKind} is a transformer text tower; model.architecture = bag has none";
            if (Data.VocabPath is not null)
                yield return $"data.vocabPath = {Data.VocabPath} with model.textKind = {m.TextKind}: a pretrained tower reads its own vocabulary (bert-base-uncased's {TextKind.PretrainedVocabularySize:N0} word pieces, from the weights store); leave data.vocabPath unset";
        }
        if (t.InitTextEncoder is not string init) yield break;
        if (m.Architecture == Architecture.Bag) yield return "train.initTextEncoder initialises a transformer text encoder; model.architecture = bag has none";
        if (t.InitFrom is not null) yield return "train.initFrom and train.initTextEncoder both set: start either from a run or from text-encoder weights";
        if (PretrainedCatalog.TryFind(init) is { } source)
        {
            if (source.Kind != PretrainedKind.TextEncoder)
                yield return $"train.initTextEncoder = {init} is not a text encoder (the store's text encoders: {string.Join(", ", TextKind.Pretrained)})";
            else if (!m.TextKind.IsPretrained)
                yield return $"train.initTextEncoder = {init} is a pretrained tower (BERT 6 x 384 over bert-base-uncased's word pieces): choose it with model.textKind = {source.Name}, which fills its sizes and vocabulary";
        }
        else if (!m.TextKind.IsPretrained && Data.VocabPath is null)
            yield return $"train.initTextEncoder = {init}: give the weights' vocabulary with data.vocabPath (a vocabulary built from the captions would not match their word embeddings)";
    }
}

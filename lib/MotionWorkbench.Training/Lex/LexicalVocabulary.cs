using MotionWorkbench.Models;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// The vocabulary subset of a Lex run with model.lexVocabulary = captions (lex-facts §2 [D]): the word pieces that occur
/// in the training captions, special tokens excluded. The lexical heads score only those rows (for CPU speed); the
/// vectors keep the run vocabulary's ids, every other entry 0. The subset is written to the run folder
/// (<see cref="FileName"/>, one word piece per line, in id order), read back by evaluation and inherited by the next
/// phase (train.initFrom), so every phase of a pipeline ranges over the same words.
/// </summary>
public static class LexicalVocabulary
{
    public const string FileName = "lexical-vocabulary.txt";

    /// <summary>
    /// The active ids for a run being trained (null for a non-lex model; every word piece, special tokens excluded, for
    /// model.lexVocabulary = full; for captions: read from the run
    /// folder on resume, else inherited from the train.initFrom run, else collected from the training captions; written to
    /// the run folder. A phase whose vocabulary mode differs from the run it starts from is an error naming that run.
    /// </summary>
    public static int[]? Resolve(RunConfig config, RunData data, string runDir, InitSource? init, bool resume, Action<string>? log = null)
    {
        var vocabulary = data.Tokenizer.Vocabulary;
        var own = Path.Combine(runDir, FileName);
        if (config.Model.Architecture != Architecture.Lex) return null;
        string? inherited = init is null ? null : Path.Combine(Path.GetDirectoryName(init.Checkpoint)!, FileName);
        if (init is not null && init.SourceConfig.Model.Architecture == Architecture.Lex)
        {
            LexVocabularyMode from = init.SourceConfig.Model.LexVocabulary, to = config.Model.LexVocabulary;
            if (from != to)
                throw new InvalidDataException($"train.initFrom: {Path.GetDirectoryName(init.Checkpoint)} ranges its lexical vectors over the '{from}' vocabulary " +
                    $"(model.lexVocabulary = {from}), this phase over '{to}': the vocabularies differ between phases; set model.lexVocabulary = {from}");
        }
        if (config.Model.LexVocabulary != LexVocabularyMode.Captions)
        {
            if (!resume && File.Exists(own)) File.Delete(own);
            return WordPieces(vocabulary);
        }
        int[] ids;
        string source;
        if (resume && File.Exists(own)) { ids = Read(own, vocabulary); source = own; }
        else if (inherited is not null && File.Exists(inherited)) { ids = Read(inherited, vocabulary); source = $"{inherited} (train.initFrom)"; }
        else if (inherited is not null && init!.SourceConfig.Model.Architecture == Architecture.Lex)
            throw new FileNotFoundException($"{inherited}: train.initFrom's run uses model.lexVocabulary = captions but its {FileName} is missing", inherited);
        else { ids = FromCaptions(data.TrainSamples(config.Data.TrainSplit).SelectMany(s => s.Captions), data.Tokenizer); source = $"the {config.Data.TrainSplit} captions"; }
        if (ids.Length == 0) throw new InvalidDataException($"{config.Data.Dir}: the {config.Data.TrainSplit} captions hold no word piece for model.lexVocabulary = captions");
        Files.WriteLines(own, ids.Select(vocabulary.TokenOf));
        log?.Invoke($"lexical vocabulary: {ids.Length:N0} of {vocabulary.Count:N0} word pieces (model.lexVocabulary = captions, from {source})");
        return ids;
    }

    /// <summary>
    /// Every word piece of the vocabulary, the special tokens ([PAD], [UNK], [CLS], [SEP], [MASK]) excluded: the active
    /// words of model.lexVocabulary = full. A lexical vector has no weight on a special token (it names no word, and
    /// [CLS]/[SEP] occur in every caption, so they would light up in every vector).
    /// </summary>
    public static int[] WordPieces(WordPieceVocabulary vocabulary) =>
        Enumerable.Range(0, vocabulary.Count).Where(id => !vocabulary.IsSpecialId(id)).ToArray();

    /// <summary>The active ids of a trained Lex run: its <see cref="FileName"/> when its config says captions, else every
    /// word piece (<see cref="WordPieces"/>); null for other architectures.</summary>
    public static int[]? ForRun(string runDir, RunConfig config, WordPieceVocabulary vocabulary)
    {
        if (config.Model.Architecture != Architecture.Lex) return null;
        if (config.Model.LexVocabulary != LexVocabularyMode.Captions) return WordPieces(vocabulary);
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: the run uses model.lexVocabulary = captions but its lexical vocabulary file is missing", path);
        return Read(path, vocabulary);
    }

    /// <summary>Distinct ids (sorted) of the word pieces in <paramref name="captions"/>, special tokens excluded.</summary>
    public static int[] FromCaptions(IEnumerable<string> captions, BertTokenizer tokenizer)
    {
        var vocabulary = tokenizer.Vocabulary;
        var set = new SortedSet<int>();
        foreach (var caption in captions)
            foreach (var id in tokenizer.Encode(caption))
                if (!vocabulary.IsSpecialId(id)) set.Add(id);
        return [.. set];
    }

    /// <summary>Reads a lexical vocabulary file against the run's vocabulary; unknown, special or repeated word pieces are an error naming the file and line.</summary>
    public static int[] Read(string path, WordPieceVocabulary vocabulary)
    {
        var ids = new List<int>();
        var seen = new HashSet<int>();
        int line = 0;
        foreach (var word in File.ReadLines(path))
        {
            line++;
            if (word.Length == 0) continue;
            if (!vocabulary.TryGetId(word, out int id))
                throw new InvalidDataException($"{path}:{line}: '{word}' is not in the run's vocabulary ({vocabulary.Source}); the lexical vocabulary does not belong to this run");
            if (vocabulary.IsSpecialId(id)) throw new InvalidDataException($"{path}:{line}: '{word}' is a special token; a lexical vocabulary lists word pieces only");
            if (!seen.Add(id)) throw new InvalidDataException($"{path}:{line}: '{word}' is listed twice");
            ids.Add(id);
        }
        if (ids.Count == 0) throw new InvalidDataException($"{path}: the lexical vocabulary is empty");
        ids.Sort();
        return [.. ids];
    }
}

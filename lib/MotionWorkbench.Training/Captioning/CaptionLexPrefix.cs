using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotionWorkbench.Models;
using MotionWorkbench.Tensors;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>One motion's prefix words: the words, their ids in the caption run's vocabulary and their Lex weights, heaviest first.</summary>
public sealed record LexPrefixWords(IReadOnlyList<string> Words, IReadOnlyList<int> Ids, IReadOnlyList<float> Weights);

/// <summary>
/// The caption decoder's optional prefix (model.captionLexRun, model.captionLexWords = K): for each motion the top-K
/// entries of a Lex run's motion lexical vector (its <c>best</c> checkpoint, else <c>last</c>; eval mode, no gradient;
/// strictly positive weights only, so fewer than K when the vector is sparser; ties by lower id, as <see cref="LexicalWords.Top"/>),
/// mapped by string to the caption run's own vocabulary (a word it lacks, or a special token, is dropped and counted).
/// Our reconstruction of Lex's "optionally prefixed by the motion's top lexical words" (the paper publishes no decoder).
/// Computed once per motion on the own engine, batched, with the Lex run's statistics and patch settings over the caption
/// run's dataset, and cached in the caption run's <see cref="FileName"/> (Lex run, its checkpoint's SHA-256, K, the
/// caption vocabulary's SHA-256, the data folder; motion id -> words, ids, weights), written atomically; a cache that no
/// longer matches is recomputed. A motion the cache lacks is computed on the fly (not written back).
/// </summary>
public sealed class CaptionLexPrefix : ICaptionPrefix
{
    public const string FileName = "lex-prefix.json";
    public const int MaxWords = 64;
    private const int BatchSize = 32;

    private readonly Dictionary<string, LexPrefixWords> words;
    private readonly WordPieceVocabulary captionVocabulary;
    private readonly string dataDir;
    private (LexicalRetrievalModel Model, RunData Data)? lex;
    private readonly string? lexError;

    private CaptionLexPrefix(int k, string lexRun, string checkpoint, WordPieceVocabulary captionVocabulary, string dataDir, Dictionary<string, LexPrefixWords> words, string? lexError)
    {
        K = k;
        LexRun = lexRun;
        Checkpoint = checkpoint;
        this.captionVocabulary = captionVocabulary;
        this.dataDir = dataDir;
        this.words = words;
        this.lexError = lexError;
    }

    /// <summary>K: the most words per motion.</summary>
    public int K { get; }

    /// <summary>The Lex run folder (full path).</summary>
    public string LexRun { get; }

    /// <summary>The Lex checkpoint the words come from (full path).</summary>
    public string Checkpoint { get; }

    /// <summary>Lex words the caption vocabulary lacks (or special tokens), dropped over the motions computed so far.</summary>
    public int Dropped { get; private set; }

    /// <summary>The motions whose words are known (cached or computed).</summary>
    public IReadOnlyDictionary<string, LexPrefixWords> Motions => words;

    /// <summary>Notes for the reader of a caption run (a cache that was stale, missing or unusable), one line each.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>
    /// The Lex run of model.captionLexRun as a full path: the value as given (relative to the working directory, as
    /// train.initFrom), checked to be a Lex run over motion patches with a checkpoint; every problem is one error naming
    /// the key and the path.
    /// </summary>
    public static string ResolveLexRun(string value)
    {
        string dir = Path.GetFullPath(value);
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"model.captionLexRun: {value}: run folder not found (train a Lex run with mw train --set model.architecture=lex or mw lex pretrain)");
        if (!File.Exists(Path.Combine(dir, RunConfig.FileName)))
            throw new InvalidDataException($"model.captionLexRun: {value} is not a run folder (no {RunConfig.FileName})" +
                (Directory.Exists(Path.Combine(dir, "4-lexcmlp")) ? $"; name a phase of the Lex pipeline, e.g. {Path.Combine(value, "4-lexcmlp")}" : ""));
        var config = RunConfig.Load(dir);
        if (config.Model.Architecture != Architecture.Lex)
            throw new InvalidDataException($"model.captionLexRun: {value} is a '{config.Model.Architecture}' run, not a Lex run (model.architecture = lex)");
        if (!config.Model.LexMotionEncoder.IsPatchEncoder)
            throw new InvalidDataException($"model.captionLexRun: {value} is a Lex run over raw frames (model.lexMotionEncoder = {config.Model.LexMotionEncoder}); the prefix needs one whose motion encoder reads motion patches (vit or resnet)");
        if (!File.Exists(Path.Combine(dir, Training.Checkpoint.BestFileName)) && !File.Exists(Path.Combine(dir, Training.Checkpoint.LastFileName)))
            throw new FileNotFoundException($"model.captionLexRun: {value} holds no checkpoint ({Training.Checkpoint.BestFileName} or {Training.Checkpoint.LastFileName}); has it finished an epoch?");
        return dir;
    }

    /// <summary>
    /// For training a caption run in <paramref name="runDir"/>: the prefix words of every motion of the run's dataset
    /// (each split's evaluation entries, the training split up to data.maxTrainClips), from the cache when it matches,
    /// else computed and cached; logs where they came from and how many words were dropped.
    /// </summary>
    public static CaptionLexPrefix Prepare(RunConfig config, string runDir, RunData data, Action<string>? log = null)
    {
        int k = config.Model.CaptionLexWords;
        if (k < 1 || k > MaxWords) throw new ArgumentException($"model.captionLexWords must be 1 to {MaxWords} for a prefix, got {k}");
        var cachePath = Path.Combine(runDir, FileName);
        string? fallback = null;
        string lexRun;
        // a resume from another working directory: the cache names the full path the words were computed from
        try { lexRun = ResolveLexRun(config.Model.CaptionLexRun); }
        catch (Exception e) when ((e is IOException or InvalidDataException) && (fallback = CachedLexRun(cachePath)) is not null)
        {
            lexRun = fallback;
            log?.Invoke($"lexical prefix: model.captionLexRun = {config.Model.CaptionLexRun} is not found from {Environment.CurrentDirectory}; using {lexRun}, named by {FileName}");
        }
        var identity = Identity(lexRun, k, runDir, data);
        var (cached, stale) = ReadCache(cachePath, identity);
        var prefix = new CaptionLexPrefix(k, lexRun, identity.Checkpoint, data.Tokenizer.Vocabulary, identity.DataDir, cached ?? [], null);
        if (cached is not null)
        {
            prefix.Dropped = identity.CachedDropped;
            log?.Invoke($"lexical prefix: top-{k} words of {identity.Checkpoint} for {cached.Count} motions from {FileName}");
            log?.Invoke($"lexical prefix: {prefix.Dropped} Lex words dropped (not in the caption vocabulary)");
            return prefix;
        }
        if (stale is not null) log?.Invoke($"lexical prefix: {FileName} is stale ({stale}); recomputing");
        var samples = MotionsOf(data);
        prefix.Compute(samples);
        Files.WriteText(cachePath, prefix.ToJson(identity) + "\n");
        double mean = prefix.words.Count == 0 ? 0 : prefix.words.Values.Average(w => w.Ids.Count);
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"lexical prefix: top-{k} words of {identity.Checkpoint} for {prefix.words.Count} motions ({mean:F1} words each on average), cached in {FileName}"));
        log?.Invoke($"lexical prefix: {prefix.Dropped} Lex words dropped (not in the caption vocabulary)" +
            (prefix.droppedExamples.Count > 0 ? $", e.g. {string.Join(", ", prefix.droppedExamples.Take(8).Select(w => $"'{w}'"))}" : ""));
        if (data.Config.Data.MixDirs().Count > 0) log?.Invoke("lexical prefix: the samples of data.mixWith get no prefix words (the Lex words are computed over data.dir)");
        return prefix;
    }

    /// <summary>
    /// For captioning with a trained run: its cache when it matches the Lex run, K, vocabulary and data folder; else
    /// every motion on the fly (a <see cref="Notes"/> line says why). Null when the run has no prefix (K = 0).
    /// </summary>
    public static CaptionLexPrefix? Open(RunConfig config, string runDir, RunData data)
    {
        int k = config.Model.CaptionLexWords;
        if (k == 0) return null;
        var cachePath = Path.Combine(runDir, FileName);
        string? lexRun = null, error = null;
        try { lexRun = ResolveLexRun(config.Model.CaptionLexRun); }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // e.g. a relative path read from another working directory: the cache names the full path it was computed from
            error = e.Message;
            if (CachedLexRun(cachePath) is string cachedRun) { lexRun = cachedRun; error = null; }
        }
        if (lexRun is null)
        {
            // no Lex run to check against: trust the cache, and name the key when a motion outside it is asked for
            var (only, _) = ReadCache(cachePath, null);
            if (only is null) throw new InvalidDataException($"{error}; and {runDir} has no usable {FileName}");
            var p = new CaptionLexPrefix(k, Path.GetFullPath(config.Model.CaptionLexRun), "", data.Tokenizer.Vocabulary, Path.GetFullPath(data.Config.Data.Dir), only, error);
            p.Notes.Add($"lexical prefix: {FileName} used without checking it against the Lex run ({error})");
            return p;
        }
        var identity = Identity(lexRun, k, runDir, data);
        var (cached, stale) = ReadCache(cachePath, identity);
        var prefix = new CaptionLexPrefix(k, lexRun, identity.Checkpoint, data.Tokenizer.Vocabulary, identity.DataDir, cached ?? [], null);
        if (cached is null) prefix.Notes.Add($"lexical prefix: {(stale is null ? $"no {FileName}" : $"{FileName} is stale ({stale})")}; the words are computed on the fly from {identity.Checkpoint}");
        return prefix;
    }

    /// <summary>The Lex run a cache file names, when it is still a valid Lex run; else null.</summary>
    private static string? CachedLexRun(string cachePath)
    {
        try
        {
            if (!File.Exists(cachePath) || JsonNode.Parse(File.ReadAllText(cachePath))?["lexRun"]?.GetValue<string>() is not string cached) return null;
            return ResolveLexRun(cached);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or InvalidOperationException) { return null; }
    }

    /// <summary>The words of the caption run's cache file (motion id -> words), or null when it has none; nothing is checked.</summary>
    public static IReadOnlyDictionary<string, LexPrefixWords>? Cached(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        return File.Exists(path) ? ReadCache(path, null).Words : null;
    }

    /// <summary>A sample's prefix words: by its motion id, a segment ("ID#segN") by its clip's id, else computed now; none for a data.mixWith sample.</summary>
    public LexPrefixWords WordsOf(TrainingSample sample) => Lookup([sample])[0];

    /// <summary>B·K caption-vocabulary ids of the samples' prefix words (row b's first; -1 = absent).</summary>
    public int[] Ids(IReadOnlyList<TrainingSample> samples)
    {
        var found = Lookup(samples);
        var ids = new int[samples.Count * K];
        Array.Fill(ids, -1);
        for (int b = 0; b < found.Count; b++)
            for (int j = 0; j < Math.Min(K, found[b].Ids.Count); j++) ids[b * K + j] = found[b].Ids[j];
        return ids;
    }

    private static readonly LexPrefixWords None = new([], [], []);

    private List<LexPrefixWords> Lookup(IReadOnlyList<TrainingSample> samples)
    {
        var result = new LexPrefixWords?[samples.Count];
        var missing = new List<int>();
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            if (s.Source != 0) { result[i] = None; continue; }
            if (words.TryGetValue(s.Id, out var w)) result[i] = w;
            else if (s.Id.IndexOf("#seg", StringComparison.Ordinal) is int at && at > 0 && words.TryGetValue(s.Id[..at], out var whole)) result[i] = whole;
            else missing.Add(i);
        }
        if (missing.Count > 0)
        {
            Compute(missing.Select(i => samples[i]).ToList());
            foreach (int i in missing) result[i] = words[samples[i].Id];
        }
        return result.Select(r => r!).ToList();
    }

    private readonly List<string> droppedExamples = [];

    /// <summary>Computes (and keeps) the words of these samples' motions with the Lex model, <see cref="BatchSize"/> at a time.</summary>
    private void Compute(IReadOnlyList<TrainingSample> samples)
    {
        if (samples.Count == 0) return;
        if (lexError is not null) throw new InvalidDataException($"{lexError}: the lexical prefix of motion '{samples[0].Id}' is not in the cache and cannot be computed");
        var (model, data) = lex ??= OpenLex();
        var lexVocabulary = data.Tokenizer.Vocabulary;
        using var _ = Autograd.NoGrad();
        model.Module.Eval();
        for (int start = 0; start < samples.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, samples.Count - start);
            var batch = data.EvalBatch(samples, start, n);
            var vectors = model.Model.MotionLexical(TransformerModel.PatchInput(batch.Motion.RequirePatches("the Lex model (ViT encoder)"))); // (n, V)
            int V = vectors.Shape[1];
            var all = vectors.ToArray();
            for (int i = 0; i < n; i++)
            {
                var top = LexicalWords.Top(all.AsSpan(i * V, V).ToArray(), lexVocabulary, K);
                var w = new List<string>();
                var ids = new List<int>();
                var weights = new List<float>();
                foreach (var (word, weight) in top)
                {
                    if (captionVocabulary.TryGetId(word, out int id) && !captionVocabulary.IsSpecialId(id) && !lexVocabulary.IsSpecialId(lexVocabulary.IdOf(word)))
                    {
                        w.Add(word); ids.Add(id); weights.Add(weight);
                    }
                    else
                    {
                        Dropped++;
                        if (droppedExamples.Count < 8 && !droppedExamples.Contains(word)) droppedExamples.Add(word);
                    }
                }
                words[samples[start + i].Id] = new LexPrefixWords(w, ids, weights);
            }
        }
    }

    private (LexicalRetrievalModel, RunData) OpenLex()
    {
        var checkpoint = RunModels.DefaultCheckpoint(LexRun);
        if (Path.GetFullPath(checkpoint) != Checkpoint && Checkpoint.Length > 0)
            throw new InvalidDataException($"model.captionLexRun: {LexRun}: its checkpoint changed while the prefix was in use ({Checkpoint})");
        var model = RunModels.Load(LexRun, checkpoint) as LexicalRetrievalModel
            ?? throw new InvalidDataException($"model.captionLexRun: {LexRun} is not a Lex run");
        // the caption run's motions, patched with the Lex run's statistics and patch settings
        var data = RunData.ForRun(LexRun, dataDir);
        return (model, data);
    }

    /// <summary>The evaluation entry of every motion of every split (the training split up to max(data.maxTrainClips, data.maxEvalClips)).</summary>
    private static List<TrainingSample> MotionsOf(RunData data)
    {
        var d = data.Config.Data;
        var byId = new SortedDictionary<string, TrainingSample>(StringComparer.Ordinal);
        foreach (var split in data.Dataset.SplitNames)
        {
            int? cap = split == d.TrainSplit ? (d.MaxTrainClips is int t && d.MaxEvalClips is int e ? Math.Max(t, e) : null) : d.MaxEvalClips;
            IReadOnlyList<TrainingSample> list;
            try { list = RunData.EvalSamplesOf(data.Dataset, split, cap, []); }
            catch (InvalidDataException) { continue; }
            foreach (var s in list) byId.TryAdd(s.Id, s);
        }
        return byId.Values.ToList();
    }

    private sealed record CacheIdentity(string LexRun, string Checkpoint, string CheckpointSha256, long CheckpointBytes, DateTime CheckpointModified, int K, string VocabularySha256, string DataDir)
    {
        public int CachedDropped { get; set; }
    }

    private static CacheIdentity Identity(string lexRun, int k, string runDir, RunData data)
    {
        var checkpoint = Path.GetFullPath(RunModels.DefaultCheckpoint(lexRun));
        var info = new FileInfo(checkpoint);
        return new CacheIdentity(lexRun, checkpoint, Training.Checkpoint.Hash(checkpoint), info.Length, info.LastWriteTimeUtc, k,
            Training.Checkpoint.Hash(Path.Combine(runDir, RunData.VocabFileName)), Path.GetFullPath(data.Config.Data.Dir));
    }

    /// <summary>The cache's words when it matches <paramref name="identity"/> (or unchecked when null); else null and why.</summary>
    private static (Dictionary<string, LexPrefixWords>? Words, string? Stale) ReadCache(string path, CacheIdentity? identity)
    {
        if (!File.Exists(path)) return (null, null);
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("empty"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return (null, $"unreadable: {e.Message}"); }
        try
        {
            if (identity is not null)
            {
                var reasons = new List<string>();
                if (root["lexRun"]?.GetValue<string>() != identity.LexRun) reasons.Add($"Lex run {root["lexRun"]} -> {identity.LexRun}");
                if (root["checkpoint"]?.GetValue<string>() != identity.Checkpoint || root["checkpointSha256"]?.GetValue<string>() != identity.CheckpointSha256) reasons.Add("another Lex checkpoint");
                if (root["k"]?.GetValue<int>() != identity.K) reasons.Add($"K {root["k"]} -> {identity.K}");
                if (root["captionVocabularySha256"]?.GetValue<string>() != identity.VocabularySha256) reasons.Add("another caption vocabulary");
                if (root["dataDir"]?.GetValue<string>() != identity.DataDir) reasons.Add($"data {root["dataDir"]} -> {identity.DataDir}");
                if (reasons.Count > 0) return (null, string.Join("; ", reasons));
                identity.CachedDropped = root["droppedWords"]?.GetValue<int>() ?? 0;
            }
            var words = new Dictionary<string, LexPrefixWords>(StringComparer.Ordinal);
            foreach (var (id, node) in Need(root["words"], "words").AsObject())
            {
                var w = Need(node, id);
                var list = new LexPrefixWords(Need(w["words"], id).AsArray().Select(x => Need(x, id).GetValue<string>()).ToList(),
                    Need(w["ids"], id).AsArray().Select(x => Need(x, id).GetValue<int>()).ToList(), Need(w["weights"], id).AsArray().Select(x => Need(x, id).GetValue<float>()).ToList());
                if (list.Words.Count != list.Ids.Count || list.Ids.Count != list.Weights.Count) throw new JsonException($"motion '{id}': words, ids and weights differ in length");
                words[id] = list;
            }
            return (words, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (null, $"unreadable: {e.Message}");
        }
    }

    private static JsonNode Need(JsonNode? node, string what) => node ?? throw new JsonException($"'{what}' is missing");

    private string ToJson(CacheIdentity identity)
    {
        // the header indented, then one compact line per motion (id-sorted)
        var header = new JsonObject
        {
            ["lexRun"] = identity.LexRun, ["checkpoint"] = identity.Checkpoint, ["checkpointSha256"] = identity.CheckpointSha256,
            ["checkpointBytes"] = identity.CheckpointBytes, ["checkpointModified"] = identity.CheckpointModified.ToString("O", CultureInfo.InvariantCulture),
            ["k"] = identity.K, ["captionVocabularySha256"] = identity.VocabularySha256, ["dataDir"] = identity.DataDir,
            ["motions"] = words.Count, ["droppedWords"] = Dropped,
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var sb = new System.Text.StringBuilder(header[..header.LastIndexOf('}')].TrimEnd()).Append(",\n  \"words\": {");
        bool first = true;
        foreach (var (id, w) in words.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var line = new JsonObject
            {
                ["words"] = new JsonArray(w.Words.Select(x => (JsonNode)x).ToArray()),
                ["ids"] = new JsonArray(w.Ids.Select(x => (JsonNode)x).ToArray()),
                ["weights"] = new JsonArray(w.Weights.Select(x => (JsonNode)x).ToArray()),
            };
            sb.Append(first ? "\n    " : ",\n    ").Append(JsonSerializer.Serialize(id)).Append(": ").Append(line.ToJsonString());
            first = false;
        }
        return sb.Append("\n  }\n}").ToString();
    }
}

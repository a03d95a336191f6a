using System.Security.Cryptography;
using System.Text;
using MotionWorkbench.Data;
using MotionWorkbench.Data.Formats;
using MotionWorkbench.Models;
using MotionWorkbench.Patches;
using MotionWorkbench.Tensors.IO;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>
/// The data side of a run: the dataset, motion statistics (Mean_raw/Std_raw), the patch batch builder and the
/// tokenizer, and the sample lists of the reference (section 1.6): in training every whole-motion caption of a clip
/// is pooled on one entry and every segment caption (start/end in seconds) gets its own entry cut from the clip; in
/// evaluation only the first caption line is used (a segment caption there gives the cut segment).
/// Batches are built in the representation the model reads (<see cref="Representation"/>): patch images, raw
/// sequences or two-person patch pairs (an InterHuman folder). With <see cref="DataSpec.MixWith"/> the training split
/// of other datasets (other skeletons) joins the training data, each normalised with its own statistics; evaluation
/// and selection use <see cref="DataSpec.Dir"/>.
/// Batches are a pure function of (seed, epoch, batch index), so a resumed run sees exactly the same data.
/// </summary>
public sealed class RunData
{
    private readonly Dictionary<string, IReadOnlyList<TrainingSample>> trainCache = [];
    private readonly Dictionary<string, IReadOnlyList<TrainingSample>> evalCache = [];
    private readonly IReadOnlyDictionary<string, MotionClip>? partners;
    private readonly Lazy<IReadOnlyList<MixSource>> mixSources;
    private float[]? trainBuffer, partnerBuffer;

    /// <summary>A dataset of data.mixWith: its clips and the patch builder with its own statistics.</summary>
    public sealed record MixSource(string Dir, MotionDataset Dataset, MotionStatistics Statistics, MotionPatchBuilder Builder);

    private RunData(RunConfig config, MotionDataset dataset, MotionStatistics statistics, BertTokenizer tokenizer, IReadOnlyDictionary<string, MotionClip>? partners,
        IReadOnlyList<MixSource>? mix = null)
    {
        Config = config;
        Dataset = dataset;
        Statistics = statistics;
        Tokenizer = tokenizer;
        this.partners = partners;
        Representation = RepresentationOf(config.Model);
        PatchOptions = new PatchOptions(config.Model.PatchSize, config.Model.MaxFrames);
        // data.workers = 0: as many patch-building threads as the engine has (the run's train.threads while it trains)
        Batches = new PatchBatchBuilder(new MotionPatchBuilder(statistics, PatchOptions), config.Data.Workers > 0 ? config.Data.Workers : Tensors.Par.Threads);
        mixSources = mix is not null ? new Lazy<IReadOnlyList<MixSource>>(mix) : new Lazy<IReadOnlyList<MixSource>>(() => LoadMixSources(config, PatchOptions));
        if (Representation == MotionRepresentation.PatchPair && partners is null)
            throw new InvalidDataException($"{config.Data.Dir}: model.architecture = interaction needs an InterHuman folder (motions_processed/person1 and person2, annots/)");
        if (Representation != MotionRepresentation.PatchPair && partners is not null)
            throw new InvalidDataException($"{config.Data.Dir} is a two-person InterHuman folder; train it with model.architecture = interaction (got '{config.Model.Architecture}')");
    }

    public RunConfig Config { get; }
    public MotionDataset Dataset { get; }
    public MotionStatistics Statistics { get; }
    public BertTokenizer Tokenizer { get; }
    public PatchOptions PatchOptions { get; }
    public PatchBatchBuilder Batches { get; }
    public MotionRepresentation Representation { get; }

    /// <summary>The datasets of <see cref="DataSpec.MixWith"/> (loaded on first use).</summary>
    public IReadOnlyList<MixSource> MixSources => mixSources.Value;

    /// <summary>The second person of each clip of a two-person (InterHuman) dataset, by id; null for single-person data.</summary>
    public IReadOnlyDictionary<string, MotionClip>? Partners => partners;

    /// <summary>Where the statistics came from (dataset, user cache, computed now; and those of each data.mixWith folder), one line each.</summary>
    public IReadOnlyList<string> StatisticsNotes { get; private init; } = [];

    /// <summary>What to warn about the statistics: computed over very few motions, or shipped files older than the motions.</summary>
    public IReadOnlyList<string> StatisticsWarnings { get; private init; } = [];

    /// <summary>Entries skipped while building sample lists (split, id, why).</summary>
    public List<string> Skipped { get; } = [];

    public const string VocabFileName = "vocab.txt";

    /// <summary>The motion input a model architecture reads.</summary>
    public static MotionRepresentation RepresentationOf(ModelSpec model) => model.Architecture switch
    {
        _ when model.ReadsRawFrames() => MotionRepresentation.RawSequence,
        var a when a == Architecture.Interaction => MotionRepresentation.PatchPair,
        _ => MotionRepresentation.Patches,
    };

    /// <summary>
    /// Loads the data for a new run in <paramref name="runDir"/>: dataset, statistics (shipped with the dataset, or
    /// computed into the user cache keyed by the dataset's fingerprint, never into the dataset; copied into the run) and the vocabulary (from <see cref="DataSpec.VocabPath"/>, or
    /// <paramref name="vocabularyFrom"/> (the run a fine-tuning starts from), or built from the training captions of
    /// every training dataset; saved as <c>runDir/vocab.txt</c>).
    /// </summary>
    public static RunData ForTraining(RunConfig config, string runDir, string? vocabularyFrom = null)
    {
        var (dataset, partners) = LoadDataset(config.Data.Dir);
        var resolved = ResolveStatistics(config.Data.Dir, dataset, partners);
        var statistics = resolved.Statistics;
        Directory.CreateDirectory(runDir);
        StatisticsFiles.Save(statistics, runDir);
        var notes = new List<string> { resolved.Describe() + $"; copied into {Path.GetFullPath(runDir)}" };
        var warnings = resolved.Warnings.ToList();
        var mix = LoadMixSources(config, new PatchOptions(config.Model.PatchSize, config.Model.MaxFrames), notes, warnings);
        WordPieceVocabulary vocab;
        if (config.Data.VocabPath is not null) vocab = WordPieceVocabulary.Load(config.Data.VocabPath);
        else if (vocabularyFrom is not null) vocab = WordPieceVocabulary.Load(vocabularyFrom);
        else
        {
            var captions = dataset.ClipsOf(config.Data.TrainSplit).Concat(mix.SelectMany(m => SplitClips(m, config.Data.TrainSplit)))
                .SelectMany(c => c.Captions.Select(x => x.Text));
            vocab = CaptionVocabulary.Build(captions);
        }
        CaptionVocabulary.Save(vocab, Path.Combine(runDir, VocabFileName));
        return new RunData(config, dataset, statistics, new BertTokenizer(WordPieceVocabulary.Load(Path.Combine(runDir, VocabFileName)), config.Data.MaxTokens), partners, mix)
        {
            StatisticsNotes = notes, StatisticsWarnings = warnings,
        };
    }

    /// <summary>
    /// Loads data for evaluating the run in <paramref name="runDir"/>: its statistics and vocabulary, and the dataset
    /// in <paramref name="dataDir"/> (default: the one it was trained on). With <paramref name="dataStatistics"/> the
    /// motions are normalised with that dataset's own statistics instead of the run's (evaluating on another
    /// skeleton: the run's statistics describe the one it was trained on).
    /// </summary>
    public static RunData ForRun(string runDir, string? dataDir = null, bool dataStatistics = false)
    {
        var config = RunConfig.Load(runDir);
        var dir = dataDir ?? config.Data.Dir;
        var (dataset, partners) = LoadDataset(dir);
        // A run keeps its own copy of the statistics it was trained with (runs that already have them use them, as before).
        var resolved = !dataStatistics && StatisticsFiles.Exist(runDir) ? null : ResolveStatistics(dir, dataset, partners);
        var statistics = resolved?.Statistics ?? StatisticsFiles.Load(runDir);
        if (statistics.JointCount != dataset.Skeleton.JointCount)
            throw new InvalidDataException($"{runDir}: the skeletons differ: the run was trained on {statistics.JointCount} joints, "
                + $"{dir} has {dataset.Skeleton.JointCount} ({dataset.Skeleton.Name}); evaluate on data of the run's skeleton"
                + (config.Model.ReadsRawFrames() ? "" : ", or across skeletons with that dataset's own statistics (Experiment.Evaluate, notebook 07)"));
        var vocabPath = Path.Combine(runDir, VocabFileName);
        if (!File.Exists(vocabPath)) throw new FileNotFoundException($"{vocabPath}: the run's vocabulary is missing", vocabPath);
        return new RunData(config with { Data = config.Data with { Dir = dir } }, dataset, statistics, new BertTokenizer(WordPieceVocabulary.Load(vocabPath), config.Data.MaxTokens), partners)
        {
            StatisticsNotes = [resolved?.Describe() ?? $"statistics: the run's own {MotionStatistics.MeanFileName}/{MotionStatistics.StdFileName} in {Path.GetFullPath(runDir)}"],
            StatisticsWarnings = resolved?.Warnings ?? [],
        };
    }

    /// <summary>Loads only the run's tokenizer (for text queries).</summary>
    public static BertTokenizer TokenizerOf(string runDir, RunConfig config) =>
        new(WordPieceVocabulary.Load(Path.Combine(runDir, VocabFileName)), config.Data.MaxTokens);

    /// <summary>True when <paramref name="dir"/> is an InterHuman folder (motions_processed/person1 and person2).</summary>
    public static bool IsInterHuman(string dir) =>
        Directory.Exists(Path.Combine(dir, "motions_processed", "person1")) && Directory.Exists(Path.Combine(dir, "motions_processed", "person2"));

    private static (MotionDataset Dataset, IReadOnlyDictionary<string, MotionClip>? Partners) LoadDataset(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: dataset folder not found (generate one with 'mw data synth --out {dir}')");
        if (!IsInterHuman(dir)) return (MotionDataset.Load(dir, new DatasetLoadOptions { Threads = Tensors.Par.Threads }), null);
        // A two-person folder: person 1 (with the captions and labels) as the dataset, person 2 by id beside it.
        var set = InterHumanDataset.Load(dir, threads: Tensors.Par.Threads);
        if (set.Clips.Count == 0) throw new InvalidDataException($"{dir}: no interaction could be loaded ({set.Report})");
        var firsts = set.Clips.Select(c => new MotionClip(c.Id, c.Person1.Skeleton, c.Person1.Fps, c.Person1.Positions,
            c.Captions.Select(t => new Caption(t)).ToArray(), c.Labels, c.Person1.SourcePath)).ToList();
        var splits = set.SplitNames.ToDictionary(n => n, n => set.Split(n));
        var dataset = new MotionDataset(set.Name, set.Clips[0].Person1.Skeleton, set.Clips[0].Fps, firsts, splits, set.Root, set.Report);
        return (dataset, set.Clips.ToDictionary(c => c.Id, c => c.Person2, StringComparer.Ordinal));
    }

    /// <summary>
    /// The statistics of a dataset folder (<see cref="StatisticsFiles.Resolve(string, LoadReport, ZeroStdPolicy, MotionWorkbench.Data.Skeletons.Skeleton?, IProgress{double}?)"/>):
    /// shipped Mean_raw/Std_raw read from the folder, else the user cache's entry for its fingerprint, computed when
    /// absent; an InterHuman folder's over both people of every clip, fingerprinted over all its files. Nothing is
    /// written into the dataset folder.
    /// </summary>
    private static ResolvedStatistics ResolveStatistics(string dir, MotionDataset dataset, IReadOnlyDictionary<string, MotionClip>? partners)
    {
        if (partners is null) return StatisticsFiles.Resolve(dir, new LoadReport());
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not (MotionStatistics.MeanFileName or MotionStatistics.StdFileName) && !Path.GetFileName(f).StartsWith('.'))
            .ToList();
        return StatisticsFiles.Resolve(dir, files, "interhuman;zeroStd=Keep", () =>
            (MotionStatistics.Compute(dataset.Clips.Concat(partners.Values), source: Path.GetFullPath(dir)), dataset.Clips.Count + partners.Count));
    }

    private static IReadOnlyList<MixSource> LoadMixSources(RunConfig config, PatchOptions options, List<string>? notes = null, List<string>? warnings = null)
    {
        var list = new List<MixSource>();
        foreach (var dir in config.Data.MixDirs())
        {
            if (IsInterHuman(dir)) throw new InvalidDataException($"{dir}: data.mixWith takes single-person datasets (HumanML3D/KIT-ML format), not an InterHuman folder");
            var (dataset, _) = LoadDataset(dir);
            var resolved = StatisticsFiles.Resolve(dir, new LoadReport());
            notes?.Add($"{dir} (data.mixWith): {resolved.Describe()}");
            warnings?.AddRange(resolved.Warnings);
            list.Add(new MixSource(Path.GetFullPath(dir), dataset, resolved.Statistics, new MotionPatchBuilder(resolved.Statistics, options)));
        }
        return list;
    }

    private static IEnumerable<MotionClip> SplitClips(MixSource m, string split) =>
        m.Dataset.SplitNames.Contains(split) ? m.Dataset.ClipsOf(split)
        : throw new ArgumentException($"{m.Dir}: no split '{split}' to mix into training (splits: {string.Join(", ", m.Dataset.SplitNames)})");

    /// <summary>Training entries of a split: whole-motion captions pooled per clip, each segment caption its own cut entry.</summary>
    public IReadOnlyList<TrainingSample> TrainSamples(string split)
    {
        if (trainCache.TryGetValue(split, out var cached)) return cached;
        var list = WithPartners(SamplesOf(Dataset, split, Config.Data.FirstCaptionOnly, Config.Data.MaxTrainClips, Skipped), split);
        if (split == Config.Data.TrainSplit && MixSources.Count > 0)
        {
            var all = list.ToList();
            for (int k = 0; k < MixSources.Count; k++)
            {
                var m = MixSources[k];
                foreach (var s in SamplesOf(m.Dataset, split, Config.Data.FirstCaptionOnly, Config.Data.MaxTrainClips, Skipped))
                    all.Add(s with { Id = $"{m.Dataset.Name}/{s.Id}", Source = k + 1 });
            }
            all.Sort((a, b) => a.Clip.Frames.CompareTo(b.Clip.Frames) is var d && d != 0 ? d : string.CompareOrdinal(a.Id, b.Id));
            list = all;
        }
        trainCache[split] = list;
        return list;
    }

    /// <summary>Evaluation entries of a split: one per clip, its first caption line (a segment caption gives the cut segment).</summary>
    public IReadOnlyList<TrainingSample> EvalSamples(string split)
    {
        if (evalCache.TryGetValue(split, out var cached)) return cached;
        var list = WithPartners(EvalSamplesOf(Dataset, split, Config.Data.MaxEvalClips, Skipped), split);
        evalCache[split] = list;
        return list;
    }

    /// <summary>Attaches person 2 to every sample of a two-person dataset (its captions are whole-motion, so ids are clip ids).</summary>
    private IReadOnlyList<TrainingSample> WithPartners(IReadOnlyList<TrainingSample> samples, string split)
    {
        if (partners is null) return samples;
        var list = new List<TrainingSample>(samples.Count);
        foreach (var s in samples)
        {
            if (partners.TryGetValue(s.Id, out var p)) list.Add(s with { Partner = p });
            else Skipped.Add($"{split}/{s.Id}: no second person");
        }
        return list;
    }

    /// <summary>The training entries of a dataset split (see <see cref="TrainSamples"/>), sorted by length as the reference.</summary>
    public static IReadOnlyList<TrainingSample> SamplesOf(MotionDataset dataset, string split, bool firstCaptionOnly, int? max, List<string> skipped)
    {
        var list = new List<TrainingSample>();
        foreach (var clip in ClipsOf(dataset, split, max, skipped))
        {
            if (firstCaptionOnly)
            {
                if (clip.Captions.Count == 0) continue;
                var first = clip.Captions[0];
                var motion = first.IsWholeMotion ? clip : Segment(clip, first, 0, split, skipped);
                if (motion is not null) list.Add(new TrainingSample(clip.Id, motion, [first.Text]));
                continue;
            }
            var whole = clip.Captions.Where(c => c.IsWholeMotion).Select(c => c.Text).ToList();
            if (whole.Count > 0) list.Add(new TrainingSample(clip.Id, clip, whole));
            int k = 0;
            foreach (var c in clip.Captions.Where(c => !c.IsWholeMotion))
            {
                var seg = Segment(clip, c, k++, split, skipped);
                if (seg is not null) list.Add(new TrainingSample(seg.Id, seg, [c.Text]));
            }
        }
        list.Sort((a, b) => a.Clip.Frames.CompareTo(b.Clip.Frames) is var d && d != 0 ? d : string.CompareOrdinal(a.Id, b.Id)); // by length, as the reference
        if (list.Count == 0) throw new InvalidDataException($"{dataset.Root ?? dataset.Name}: split '{split}' has no captioned motions to train on");
        return list;
    }

    /// <summary>The evaluation entries of a dataset split (see <see cref="EvalSamples"/>), in split order.</summary>
    public static IReadOnlyList<TrainingSample> EvalSamplesOf(MotionDataset dataset, string split, int? max, List<string> skipped)
    {
        var list = new List<TrainingSample>();
        foreach (var clip in ClipsOf(dataset, split, max, skipped))
        {
            if (clip.Captions.Count == 0) { skipped.Add($"{split}/{clip.Id}: no caption"); continue; }
            var c = clip.Captions[0];
            var motion = c.IsWholeMotion ? clip : Segment(clip, c, 0, split, skipped);
            if (motion is null) continue;
            list.Add(new TrainingSample(clip.Id, motion, [c.Text]));
        }
        if (list.Count == 0) throw new InvalidDataException($"{dataset.Root ?? dataset.Name}: split '{split}' has no captioned motions to evaluate");
        return list;
    }

    private static List<MotionClip> ClipsOf(MotionDataset dataset, string split, int? max, List<string> skipped)
    {
        if (!dataset.SplitNames.Contains(split))
            throw new ArgumentException($"{dataset.Root ?? dataset.Name}: no split '{split}' (splits: {string.Join(", ", dataset.SplitNames)})");
        var clips = new List<MotionClip>();
        foreach (var id in dataset.Split(split))
        {
            if (max is int m && clips.Count >= m) break;
            if (dataset.TryGet(id, out var clip)) clips.Add(clip);
            else skipped.Add($"{split}/{id}: listed in the split but not loaded");
        }
        return clips;
    }

    private static MotionClip? Segment(MotionClip clip, Caption c, int k, string split, List<string> skipped)
    {
        int start = (int)(c.Start * clip.Fps), end = Math.Min(clip.Frames, (int)(c.End * clip.Fps));
        if (end - start < 1)
        {
            skipped.Add($"{split}/{clip.Id}: segment caption '{c.Text}' [{c.Start}, {c.End}] s covers no frames of {clip.Frames}");
            return null;
        }
        int stride = clip.JointCount * 3;
        var positions = clip.Positions.AsSpan(start * stride, (end - start) * stride).ToArray();
        return new MotionClip($"{clip.Id}#seg{k}", clip.Skeleton, clip.Fps, positions, [new Caption(c.Text)], clip.Labels, clip.SourcePath);
    }

    /// <summary>Seed of epoch <paramref name="epoch"/> (data order, captions and crops derive from it).</summary>
    public static int EpochSeed(int runSeed, int epoch) => PatchBatchBuilder.SampleSeed(runSeed, epoch);

    /// <summary>The batches (member indices into <paramref name="count"/> samples) of one training epoch.</summary>
    public IReadOnlyList<int[]> EpochBatches(int count, int epoch) =>
        PatchBatchBuilder.EpochOrder(count, Config.Train.BatchSize, shuffle: true, EpochSeed(Config.Train.Seed, epoch), Config.Train.DropLast)
            .Select(b => b.Members).ToList();

    /// <summary>
    /// A training batch: for each member a random caption (its own seeded draw per epoch) and a random crop of long
    /// motions (the batch seed), both derived from (run seed, epoch, batch index, sample index); two-person samples
    /// also swap which person comes first with probability 1/2 (InterGen's augmentation; data.swapPersons). Patch
    /// batches reuse this instance's buffers, so a batch is valid until the next call.
    /// </summary>
    public ContrastiveBatch TrainBatch(IReadOnlyList<TrainingSample> samples, int[] members, int epoch, int batchIndex)
    {
        int epochSeed = EpochSeed(Config.Train.Seed, epoch);
        var chosen = members.Select(i => samples[i]).ToArray();
        var captions = new string[members.Length];
        for (int b = 0; b < members.Length; b++)
        {
            var caps = chosen[b].Captions;
            captions[b] = caps.Count == 1 ? caps[0] : caps[new Random(PatchBatchBuilder.SampleSeed(epochSeed ^ 0x0C0FFEE, members[b])).Next(caps.Count)];
        }
        int seed = PatchBatchBuilder.SampleSeed(epochSeed, batchIndex);
        bool[]? swap = null;
        if (Representation == MotionRepresentation.PatchPair && Config.Data.SwapPersons)
            swap = members.Select(i => new Random(PatchBatchBuilder.SampleSeed(epochSeed ^ 0x5A5A5A, i)).Next(2) == 1).ToArray();
        var motion = BuildMotion(chosen, PatchMode.Train, seed, swap, reuseBuffers: true);
        return new ContrastiveBatch(motion, Encode(captions), captions, chosen);
    }

    /// <summary>An evaluation batch: first captions, first frames, no randomness.</summary>
    public ContrastiveBatch EvalBatch(IReadOnlyList<TrainingSample> samples, int start, int count)
    {
        var chosen = samples.Skip(start).Take(count).ToArray();
        var captions = chosen.Select(s => s.Captions[0]).ToArray();
        return new ContrastiveBatch(BuildMotion(chosen, PatchMode.Eval, 0, null, reuseBuffers: false), Encode(captions), captions, chosen);
    }

    private MotionBatch BuildMotion(TrainingSample[] chosen, PatchMode mode, int seed, bool[]? swap, bool reuseBuffers)
    {
        var clips = chosen.Select(s => s.Clip).ToArray();
        switch (Representation)
        {
            case MotionRepresentation.RawSequence:
                return new MotionBatch(MotionRepresentation.RawSequence, Raw: Batches.BuildRaw(clips, mode, seed));
            case MotionRepresentation.PatchPair:
            {
                var second = chosen.Select(s => s.Partner ?? throw new InvalidDataException($"{s.Id}: a two-person sample without its second person")).ToArray();
                if (swap is not null)
                    for (int b = 0; b < clips.Length; b++)
                        if (swap[b]) (clips[b], second[b]) = (second[b], clips[b]);
                var p1 = Batches.BuildInto(clips, mode, seed, Buffer(ref trainBuffer, clips.Length, reuseBuffers)); // same seed: both people get the same crop
                var p2 = Batches.BuildInto(second, mode, seed, Buffer(ref partnerBuffer, clips.Length, reuseBuffers));
                return new MotionBatch(MotionRepresentation.PatchPair, p1, Partner: p2);
            }
            default:
            {
                IReadOnlyList<MotionPatchBuilder>? builders = null;
                if (chosen.Any(s => s.Source != 0))
                    builders = chosen.Select(s => s.Source == 0 ? Batches.Patches : MixSources[s.Source - 1].Builder).ToArray();
                return MotionBatch.Of(Batches.BuildInto(clips, mode, seed, Buffer(ref trainBuffer, clips.Length, reuseBuffers), builders));
            }
        }
    }

    private float[] Buffer(ref float[]? buffer, int count, bool reuse)
    {
        long n = (long)count * Batches.Patches.PatchLength;
        if (n > Array.MaxLength) throw new ArgumentException($"a batch of {count} patches ({n} floats) is larger than one array can hold; use smaller batches");
        if (!reuse) return new float[n];
        if (buffer is null || buffer.Length < n) buffer = new float[n];
        return buffer;
    }

    /// <summary>Tokenises captions, padded to a multiple of <see cref="TextPadding.Multiple"/> tokens (masked), so few distinct shapes occur and the engine's buffer pool reuses its buffers.</summary>
    public EncodedBatch Encode(IReadOnlyList<string> captions) =>
        TextPadding.Pad(Tokenizer.EncodeBatch(captions), Tokenizer.Vocabulary.PaddingId, Config.Data.MaxTokens);

    /// <summary>A fingerprint of an evaluation split (ids, captions, frame counts, statistics, patch options, vocabulary).</summary>
    public string Fingerprint(string split)
    {
        var sb = new StringBuilder();
        sb.Append(PatchOptions).Append('|').Append(Representation).Append('|').Append(Tokenizer.Vocabulary.Count).Append('|').Append(Config.Data.MaxTokens).Append('\n');
        foreach (var v in Statistics.Mean) sb.Append(v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
        foreach (var v in Statistics.Std) sb.Append(v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
        sb.Append('\n');
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(sb.ToString()));
        foreach (var s in EvalSamples(split))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{s.Id}\t{s.Captions[0]}\t{s.Clip.Frames}\n"));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.Clip.Positions.AsSpan()));
            if (s.Partner is not null) hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.Partner.Positions.AsSpan()));
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}

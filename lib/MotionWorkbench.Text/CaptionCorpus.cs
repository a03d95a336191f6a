namespace MotionWorkbench.Text;

/// <summary>
/// A list of captions cut into tokenised batches, for text-encoder training (contrastive or masked-language-model).
/// Empty or whitespace-only captions are skipped and listed in <see cref="Skipped"/> with their index and reason.
/// </summary>
public sealed class CaptionCorpus
{
    private readonly List<string> _captions = [];
    private readonly List<string> _skipped = [];

    public CaptionCorpus(BertTokenizer tokenizer, IEnumerable<string?> captions)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(captions);
        Tokenizer = tokenizer;
        int index = 0;
        foreach (var caption in captions)
        {
            if (string.IsNullOrWhiteSpace(caption)) _skipped.Add($"caption {index}: empty or whitespace only");
            else _captions.Add(caption);
            index++;
        }
    }

    public BertTokenizer Tokenizer { get; }
    public IReadOnlyList<string> Captions => _captions;

    /// <summary>What was left out and why ("caption 7: empty or whitespace only").</summary>
    public IReadOnlyList<string> Skipped => _skipped;

    /// <summary>
    /// The captions in batches of <paramref name="batchSize"/> (the last one may be smaller), each padded to its own
    /// longest row. With a <paramref name="shuffleSeed"/> the order is a seeded Fisher-Yates shuffle; without it the
    /// captions keep their order.
    /// </summary>
    public IEnumerable<EncodedBatch> Batches(int batchSize, int? shuffleSeed = null)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        var order = Enumerable.Range(0, _captions.Count).ToArray();
        if (shuffleSeed is int seed) new Random(seed).Shuffle(order);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var texts = order.Skip(start).Take(batchSize).Select(i => _captions[i]).ToList();
            yield return Tokenizer.EncodeBatch(texts);
        }
    }

    /// <summary>The batches of <see cref="Batches"/>, masked for masked-language-model training with one masker seed.</summary>
    public IEnumerable<MaskedLanguageModelBatch> MaskedBatches(int batchSize, int seed)
    {
        var masker = new MaskedLanguageModelMasker(Tokenizer.Vocabulary, seed);
        foreach (var batch in Batches(batchSize, shuffleSeed: seed)) yield return masker.Mask(batch);
    }
}

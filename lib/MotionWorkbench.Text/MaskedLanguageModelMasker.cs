namespace MotionWorkbench.Text;

/// <summary>
/// BERT's masking for masked-language-model pre-training (as HF's DataCollatorForLanguageModeling): each real,
/// non-special token is chosen with probability <see cref="MaskProbability"/> (0.15); a chosen token becomes [MASK]
/// with probability 0.8, a random token with probability 0.1 and stays as it is with probability 0.1. Labels are the
/// original ids at chosen positions and -100 elsewhere. [CLS], [SEP], [PAD], [UNK], [MASK] and padding are never chosen.
/// Random replacements are drawn uniformly from the non-special ids. Deterministic for a given seed: the
/// <see cref="System.Random"/> seeded here is the only source of randomness, consumed in row-major order.
/// </summary>
public sealed class MaskedLanguageModelMasker
{
    public const int IgnoreLabel = -100;

    private readonly WordPieceVocabulary _vocabulary;
    private readonly int _maskId;
    private readonly int[] _replacementIds;
    private readonly Random _random;

    public MaskedLanguageModelMasker(WordPieceVocabulary vocabulary, int seed, double maskProbability = 0.15)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (maskProbability is <= 0 or > 1 || double.IsNaN(maskProbability))
            throw new ArgumentOutOfRangeException(nameof(maskProbability), maskProbability, "the masking probability must be in (0, 1]");
        _vocabulary = vocabulary;
        _maskId = vocabulary.RequireMaskId();
        _replacementIds = Enumerable.Range(0, vocabulary.Count).Where(id => !vocabulary.IsSpecialId(id)).ToArray();
        if (_replacementIds.Length == 0)
            throw new InvalidDataException($"vocabulary '{vocabulary.Source}' has no ordinary tokens to draw random replacements from");
        _random = new Random(seed);
        MaskProbability = maskProbability;
    }

    public double MaskProbability { get; }

    /// <summary>Masks a padded batch; the input batch is not modified.</summary>
    public MaskedLanguageModelBatch Mask(EncodedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ids = (int[])batch.InputIds.Clone();
        var labels = new int[ids.Length];
        Array.Fill(labels, IgnoreLabel);
        for (int i = 0; i < ids.Length; i++)
        {
            if (batch.AttentionMask[i] == 0 || _vocabulary.IsSpecialId(ids[i])) continue;
            if (_random.NextDouble() >= MaskProbability) continue;
            labels[i] = ids[i];
            double action = _random.NextDouble();
            if (action < 0.8) ids[i] = _maskId;
            else if (action < 0.9) ids[i] = _replacementIds[_random.Next(_replacementIds.Length)];
        }
        return new MaskedLanguageModelBatch(ids, (int[])batch.AttentionMask.Clone(), labels, batch.BatchSize, batch.Length);
    }
}

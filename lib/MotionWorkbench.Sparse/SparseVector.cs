namespace MotionWorkbench.Sparse;

/// <summary>A sparse vector over a vocabulary: strictly increasing term ids and their (non-negative) weights.</summary>
public sealed class SparseVector
{
    public int[] Terms { get; }
    public float[] Weights { get; }
    public int Count => Terms.Length;

    /// <summary>Takes the arrays as they are; terms must be strictly increasing and weights finite and non-negative.</summary>
    public SparseVector(int[] terms, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(weights);
        if (terms.Length != weights.Length) throw new ArgumentException($"{terms.Length} terms but {weights.Length} weights");
        for (int i = 0; i < terms.Length; i++)
        {
            if (terms[i] < 0) throw new ArgumentException($"negative term id {terms[i]}");
            if (i > 0 && terms[i] <= terms[i - 1]) throw new ArgumentException($"term ids must be strictly increasing ({terms[i - 1]} then {terms[i]})");
            if (!float.IsFinite(weights[i]) || weights[i] < 0)
                throw new ArgumentException($"weight {weights[i]} of term {terms[i]}: lexical vectors are finite and non-negative");
        }
        Terms = terms;
        Weights = weights;
    }

    /// <summary>The non-zero entries of a dense row (length = vocabulary size).</summary>
    public static SparseVector FromDense(ReadOnlySpan<float> dense)
    {
        int n = 0;
        foreach (var v in dense) if (v != 0) n++;
        var t = new int[n];
        var w = new float[n];
        int j = 0;
        for (int i = 0; i < dense.Length; i++)
            if (dense[i] != 0) { t[j] = i; w[j++] = dense[i]; }
        return new SparseVector(t, w);
    }

    /// <summary>Builds from unsorted (term, weight) pairs; zero weights are dropped, duplicate terms are an error.</summary>
    public static SparseVector FromPairs(IEnumerable<(int Term, float Weight)> pairs)
    {
        var list = pairs.Where(p => p.Weight != 0).OrderBy(p => p.Term).ToArray();
        return new SparseVector(list.Select(p => p.Term).ToArray(), list.Select(p => p.Weight).ToArray());
    }
}

/// <summary>Options of <see cref="SparseIndex.Build"/>.</summary>
public sealed record IndexBuildOptions
{
    /// <summary>Keep only the k largest weights per item (ties: smaller term id); null keeps all non-zeros.</summary>
    public int? TopK { get; init; }

    /// <summary>Quantisation scale: impact = round(weight x Scale), entries rounding to 0 are dropped.</summary>
    public int Scale { get; init; } = 100;
}

/// <summary>Search strategy; both return exactly the same top-k.</summary>
public enum SearchMode
{
    /// <summary>Term-at-a-time accumulation into an int score per item, then a top-k heap.</summary>
    Exhaustive,

    /// <summary>Term-at-a-time MaxScore: the high-bound (rare) terms' lists are added whole, then only the candidates that
    /// can still reach the k-th score are probed in the remaining (frequent, light) lists, skipping by block last item and
    /// block max impact; falls back to whole lists when probing would cost more.</summary>
    MaxScore,
}

/// <summary>One hit of a <see cref="SparseIndex"/> search: item index (build order), its id when the index has ids, the
/// integer score (sum of quantised query weight x impact) and that score divided by Scale^2 (the dot product of the
/// quantised vectors). Not a retrieval result of a run (Training's <c>SearchHit</c>: rank, id, caption, score).</summary>
public readonly record struct IndexHit(int Item, string? Id, long Score, double Dot);

/// <summary>Size figures of an index.</summary>
public sealed record IndexInfo(int Items, int VocabularySize, string VocabularyHash, int Scale, int? TopK, int Terms, long Postings, long Bytes)
{
    public double BytesPerItem => Items == 0 ? 0 : (double)Bytes / Items;
    public double MeanNnz => Items == 0 ? 0 : (double)Postings / Items;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"items {Items:N0}, vocabulary {VocabularySize:N0} (hash {VocabularyHash}), scale {Scale}, top-k {(TopK?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all")}, " +
        $"terms {Terms:N0}, postings {Postings:N0}, mean nnz {MeanNnz:F1}, {Bytes:N0} bytes ({BytesPerItem:F1} bytes/item)");
}

namespace MotionWorkbench.Sparse;

// The builder: streams items into per-term compressed postings with skip blocks, then freezes them into an index.
public sealed partial class SparseIndex
{
    /// <summary>Streams items into per-term compressed postings; <see cref="Build"/> freezes them into an index.</summary>
    public sealed class Builder
    {
        private readonly int vocabularySize;
        private readonly string vocabularyHash;
        private readonly IndexBuildOptions options;
        private readonly byte[][] buffers;
        private readonly int[] lengths, last, counts, maxImp, curBlockMax, curBlockStart;
        private readonly List<(int Term, int Last, int Max, int Offset)> blocks = [];
        private int items;

        public Builder(int vocabularySize, string vocabularyHash, IndexBuildOptions options)
        {
            if (vocabularySize < 1 || vocabularySize > MaxVocabularySize)
                throw new ArgumentException($"vocabulary size must be 1 to {MaxVocabularySize:N0}, got {vocabularySize:N0}");
            ArgumentNullException.ThrowIfNull(vocabularyHash);
            ArgumentNullException.ThrowIfNull(options);
            if (options.Scale < 1) throw new ArgumentException($"scale must be >= 1, got {options.Scale}");
            if (options.TopK is < 1) throw new ArgumentException($"top-k must be >= 1 (or none), got {options.TopK}");
            this.vocabularySize = vocabularySize;
            this.vocabularyHash = vocabularyHash;
            this.options = options;
            buffers = new byte[vocabularySize][];
            lengths = new int[vocabularySize];
            last = new int[vocabularySize];
            Array.Fill(last, -1);
            counts = new int[vocabularySize];
            maxImp = new int[vocabularySize];
            curBlockMax = new int[vocabularySize];
            curBlockStart = new int[vocabularySize];
        }

        public int Count => items;

        /// <summary>Adds the next item (its index is the number of items added before it).</summary>
        public void Add(SparseVector v)
        {
            ArgumentNullException.ThrowIfNull(v);
            if (v.Count > 0 && v.Terms[^1] >= vocabularySize)
                throw new ArgumentException($"item {items}: term {v.Terms[^1]} is outside the vocabulary of {vocabularySize} terms");
            var (terms, impacts) = Quantiser.Apply(v, options.Scale, options.TopK);
            AddQuantised(terms, impacts);
        }

        /// <summary>Adds an already quantised item: strictly increasing terms and positive impacts.</summary>
        public void AddQuantised(ReadOnlySpan<int> terms, ReadOnlySpan<int> impacts)
        {
            if (items == MaxItems) throw new InvalidOperationException($"too many items: an index holds at most {MaxItems:N0}");
            int item = items++;
            for (int i = 0; i < terms.Length; i++)
            {
                int t = terms[i], imp = impacts[i];
                if (imp <= 0) throw new ArgumentException($"item {item}: impact {imp} of term {t} must be positive");
                if (counts[t] > 0 && last[t] >= item) throw new ArgumentException($"item {item}: term {t} repeated");
                ref var buf = ref buffers[t];
                buf ??= new byte[16];
                WriteVarint(ref buf, ref lengths[t], (uint)(item - last[t]));
                WriteVarint(ref buf, ref lengths[t], (uint)imp);
                last[t] = item;
                if (imp > maxImp[t]) maxImp[t] = imp;
                if (imp > curBlockMax[t]) curBlockMax[t] = imp;
                if (++counts[t] % BlockSize == 0)
                {
                    blocks.Add((t, item, curBlockMax[t], curBlockStart[t]));
                    curBlockMax[t] = 0;
                    curBlockStart[t] = lengths[t];
                }
            }
        }

        public SparseIndex Build(IReadOnlyList<string>? ids = null)
        {
            if (ids is not null && ids.Count != items) throw new ArgumentException($"{ids.Count} ids for {items} items");
            int V = vocabularySize;
            for (int t = 0; t < V; t++)
                if (counts[t] % BlockSize != 0) blocks.Add((t, last[t], curBlockMax[t], curBlockStart[t]));
            var termStart = new int[V + 1];
            long total = 0;
            for (int t = 0; t < V; t++)
            {
                termStart[t] = (int)total;
                total += lengths[t];
                if (total > Array.MaxLength) throw new InvalidOperationException($"postings exceed {Array.MaxLength} bytes");
            }
            termStart[V] = (int)total;
            var blob = new byte[total];
            for (int t = 0; t < V; t++)
                if (lengths[t] > 0) buffers[t].AsSpan(0, lengths[t]).CopyTo(blob.AsSpan(termStart[t]));
            // Blocks were appended in time order; a stable counting sort by term keeps each term's blocks in item order.
            var termBlock = new int[V + 1];
            foreach (var b in blocks) termBlock[b.Term + 1]++;
            for (int t = 0; t < V; t++) termBlock[t + 1] += termBlock[t];
            var fill = termBlock[..V];
            int nb = blocks.Count;
            var bl = new int[nb];
            var bm = new int[nb];
            var bo = new int[nb];
            foreach (var b in blocks)
            {
                int j = fill[b.Term]++;
                bl[j] = b.Last;
                bm[j] = b.Max;
                bo[j] = termStart[b.Term] + b.Offset;
            }
            return new SparseIndex(items, V, vocabularyHash, options.Scale, options.TopK, ids?.ToArray(),
                (int[])counts.Clone(), (int[])maxImp.Clone(), termStart, termBlock, bl, bm, bo, blob);
        }
    }
}

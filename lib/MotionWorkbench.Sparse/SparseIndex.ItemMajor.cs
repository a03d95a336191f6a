namespace MotionWorkbench.Sparse;

// The item-major (CSR) view of an index, decoded from its postings.
public sealed partial class SparseIndex
{
    /// <summary>
    /// Every item's quantised (term, impact) pairs, item-major (CSR): item i owns entries [Offsets[i], Offsets[i+1]),
    /// terms ascending. One pass over all postings.
    /// </summary>
    public (int[] Offsets, int[] Terms, int[] Impacts) ItemMajor()
    {
        var offsets = new int[ItemCount + 1];
        for (int t = 0; t < VocabularySize; t++)
        {
            int pos = termStart[t], end = termStart[t + 1], doc = -1;
            while (pos < end)
            {
                doc += ReadVarint(blob, ref pos);
                ReadVarint(blob, ref pos);
                offsets[doc + 1]++;
            }
        }
        for (int i = 0; i < ItemCount; i++) offsets[i + 1] += offsets[i];
        long total = offsets[ItemCount];
        var terms = new int[total];
        var impacts = new int[total];
        var fill = offsets[..ItemCount];
        for (int t = 0; t < VocabularySize; t++)
        {
            int pos = termStart[t], end = termStart[t + 1], doc = -1;
            while (pos < end)
            {
                doc += ReadVarint(blob, ref pos);
                int imp = ReadVarint(blob, ref pos);
                int j = fill[doc]++;
                terms[j] = t;
                impacts[j] = imp;
            }
        }
        return (offsets, terms, impacts);
    }
}

namespace MotionWorkbench.Evaluation;

/// <summary>
/// A dense float32 similarity matrix, row-major (rows = queries of the text->motion direction, i.e. texts;
/// columns = motions). Every entry must be finite: a NaN or infinity is rejected with its row and column.
/// </summary>
public sealed class SimilarityMatrix
{
    public SimilarityMatrix(float[] values, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 1 || cols < 1) throw new ArgumentException($"a similarity matrix needs at least one row and column (got {rows} x {cols})");
        if (values.Length != (long)rows * cols)
            throw new ArgumentException($"similarity values hold {values.Length} entries, but {rows} x {cols} needs {(long)rows * cols}", nameof(values));
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"similarity[{i / cols}, {i % cols}] is {values[i]}; every similarity must be finite", nameof(values));
        Values = values;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>The entries, row-major: entry (r, c) is <c>Values[r * Cols + c]</c>.</summary>
    public float[] Values { get; }
    public int Rows { get; }
    public int Cols { get; }

    public float this[int row, int col] => Values[row * Cols + col];

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Cols, Cols);

    /// <summary>A matrix from jagged rows of equal length.</summary>
    public static SimilarityMatrix FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("a similarity matrix needs at least one row", nameof(rows));
        int cols = rows[0].Length;
        var values = new float[rows.Count * cols];
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != cols) throw new ArgumentException($"row {r} has {rows[r].Length} entries, row 0 has {cols}", nameof(rows));
            rows[r].CopyTo(values, r * cols);
        }
        return new SimilarityMatrix(values, rows.Count, cols);
    }

    /// <summary>The transpose (the motion->text direction), built in cache-sized tiles, rows in parallel.</summary>
    /// <param name="threads">Threads that compute it: 0 = as many as .NET reports processors (the workbench passes its engine threads).</param>
    public SimilarityMatrix Transpose(int threads = 0)
    {
        const int Tile = 64;
        var t = new float[Values.Length];
        int R = Rows, C = Cols;
        var src = Values;
        Parallel.For(0, (C + Tile - 1) / Tile, EvaluationParallelism.Options(threads), cb =>
        {
            int c0 = cb * Tile, c1 = Math.Min(C, c0 + Tile);
            for (int r0 = 0; r0 < R; r0 += Tile)
            {
                int r1 = Math.Min(R, r0 + Tile);
                for (int c = c0; c < c1; c++)
                    for (int r = r0; r < r1; r++)
                        t[c * R + r] = src[r * C + c];
            }
        });
        return new SimilarityMatrix(t, C, R, validated: true);
    }

    /// <summary>The square sub-matrix of the given items (row i and column i belong to item i).</summary>
    public SimilarityMatrix Submatrix(ReadOnlySpan<int> items)
    {
        int n = items.Length;
        var values = new float[n * n];
        for (int a = 0; a < n; a++)
        {
            var row = Row(items[a]);
            for (int b = 0; b < n; b++) values[a * n + b] = row[items[b]];
        }
        return new SimilarityMatrix(values, n, n, validated: true);
    }

    internal void RequireSquare(string protocol)
    {
        if (Rows != Cols)
            throw new ArgumentException($"the {protocol} protocol needs a square similarity matrix (item i = text i and motion i), got {Rows} x {Cols}");
    }

    private SimilarityMatrix(float[] values, int rows, int cols, bool validated)
    {
        _ = validated;
        Values = values;
        Rows = rows;
        Cols = cols;
    }
}

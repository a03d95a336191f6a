using MotionWorkbench.IO;


namespace MotionWorkbench.Sparse;

/// <summary>Reads lexical vectors and ids from files, refusing bad rows with the file and row named.</summary>
public static class VectorInput
{
    /// <summary>
    /// Rows of a (N, width) float .npy of dense lexical vectors as sparse vectors. NaN, infinite or negative entries
    /// and a width other than <paramref name="expectedWidth"/> (when given) are an <see cref="InvalidDataException"/>.
    /// </summary>
    public static (SparseVector[] Rows, int Width) ReadNpy(string path, int? expectedWidth = null)
    {
        var a = Npy.Read(path);
        if (a.Rank != 2) throw new InvalidDataException($"{path}: expected a (N, |V|) array of lexical vectors, got shape {a.ShapeText}");
        int n = a.Shape[0], width = a.Shape[1];
        if (expectedWidth is int w && w != width)
            throw new InvalidDataException($"{path}: rows are {width} wide, expected {w} (the vocabulary size); shape {a.ShapeText}");
        if (width < 1) throw new InvalidDataException($"{path}: rows are empty (shape {a.ShapeText})");
        var result = new SparseVector[n];
        for (int i = 0; i < n; i++)
        {
            var row = a.Data.AsSpan(i * width, width);
            for (int j = 0; j < width; j++)
            {
                float v = row[j];
                if (!float.IsFinite(v)) throw new InvalidDataException($"{path}: non-finite value {v} in row {i}, column {j}");
                if (v < 0) throw new InvalidDataException($"{path}: negative value {v} in row {i}, column {j} (lexical vectors are non-negative)");
            }
            result[i] = SparseVector.FromDense(row);
        }
        return (result, width);
    }

    /// <summary>One id per line (trailing empty line ignored); the count must be <paramref name="expected"/>, ids non-empty and unique.</summary>
    public static string[] ReadIds(string path, int expected)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        if (lines.Length != expected) throw new InvalidDataException($"{path}: {lines.Length} ids for {expected} vectors (one id per line)");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) throw new InvalidDataException($"{path}: line {i + 1} is an empty id");
            if (!seen.Add(lines[i])) throw new InvalidDataException($"{path}: line {i + 1}: duplicate id '{lines[i]}'");
        }
        return lines;
    }
}

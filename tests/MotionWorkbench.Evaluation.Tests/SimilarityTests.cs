namespace MotionWorkbench.Evaluation.Tests;

public class SimilarityTests
{
    [Fact]
    public void Compute_NormalisesAndMatchesDoubleReference()
    {
        var random = new Random(11);
        float[][] Make(int n, int d) => Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var texts = Make(70, 37);   // not multiples of the 64 tile or the vector width
        var motions = Make(130, 37);
        var s = Similarity.Compute(texts, motions);
        Assert.Equal(70, s.Rows);
        Assert.Equal(130, s.Cols);
        for (int i = 0; i < 70; i++)
            for (int j = 0; j < 130; j++)
            {
                double dot = 0, nt = 0, nm = 0;
                for (int d = 0; d < 37; d++) { dot += texts[i][d] * (double)motions[j][d]; nt += texts[i][d] * (double)texts[i][d]; nm += motions[j][d] * (double)motions[j][d]; }
                Assert.True(Math.Abs(dot / Math.Sqrt(nt * nm) - s[i, j]) < 1e-5, $"S[{i},{j}] = {s[i, j]}, double reference {dot / Math.Sqrt(nt * nm)}");
            }
    }

    [Fact]
    public void Compute_WithoutNormalising_IsThePlainDot()
    {
        var s = Similarity.Compute([[1f, 2f]], [[3f, 4f], [0f, 1f]], normalize: false);
        Assert.Equal([11f, 2f], s.Values);
    }

    [Fact]
    public void Compute_RejectsZeroRowsAndDimensionMismatch()
    {
        Assert.Contains("text embedding 1", Assert.Throws<ArgumentException>(() => Similarity.Compute([[1f, 0f], [0f, 0f]], [[1f, 0f]])).Message);
        Assert.Contains("dimensions", Assert.Throws<ArgumentException>(() => Similarity.Compute([[1f, 0f]], [[1f, 0f, 0f]])).Message);
    }

    [Fact]
    public void Transpose_And_Submatrix_MoveEntries()
    {
        var s = new SimilarityMatrix(Enumerable.Range(0, 70 * 70).Select(i => (float)i).ToArray(), 70, 70);
        var t = s.Transpose();
        Assert.Equal(s[3, 65], t[65, 3]);
        Assert.Equal(s[69, 0], t[0, 69]);
        var sub = s.Submatrix([5, 2]);
        Assert.Equal([s[5, 5], s[5, 2], s[2, 5], s[2, 2]], sub.Values);
    }
}

namespace MotionWorkbench.Evaluation;

/// <summary>
/// Zero-shot classification from a (samples x classes) similarity matrix between motion embeddings and class
/// prompt embeddings. Classes are ranked by descending similarity; tied classes are ordered by class index (the
/// lower index first), so the prediction is the first class with the highest similarity.
/// </summary>
public static class ZeroShotClassifier
{
    public static ClassificationResult Evaluate(SimilarityMatrix scores, IReadOnlyList<int> labels, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        int n = scores.Rows, C = scores.Cols;
        if (labels.Count != n) throw new ArgumentException($"{labels.Count} labels for {n} samples (similarity rows)", nameof(labels));
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k needs k >= 1");
        int k = Math.Min(topK, C);
        var confusion = new int[C][];
        for (int c = 0; c < C; c++) confusion[c] = new int[C];
        int top1 = 0, topk = 0;
        for (int i = 0; i < n; i++)
        {
            int y = labels[i];
            if ((uint)y >= (uint)C) throw new ArgumentException($"label {y} of sample {i} is outside the {C} classes", nameof(labels));
            var row = scores.Row(i);
            int rank = 0, predicted = 0;
            for (int c = 0; c < C; c++)
            {
                if (row[c] > row[y] || (row[c] == row[y] && c < y)) rank++;
                if (row[c] > row[predicted]) predicted = c;
            }
            confusion[y][predicted]++;
            if (rank == 0) top1++;
            if (rank < k) topk++;
        }
        double balancedSum = 0;
        int present = 0;
        for (int c = 0; c < C; c++)
        {
            int total = confusion[c].Sum();
            if (total == 0) continue;
            balancedSum += 100.0 * confusion[c][c] / total;
            present++;
        }
        return new ClassificationResult(n, C, 100.0 * top1 / n, 100.0 * topk / n, balancedSum / present, confusion);
    }
}

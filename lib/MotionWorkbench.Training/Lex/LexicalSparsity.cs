using System.Globalization;
using System.Text.Json.Nodes;
using MotionWorkbench.Models;

namespace MotionWorkbench.Training;

/// <summary>
/// Sparsity of a lexical run's vectors on a split (lex-facts §5): mean non-zeros per motion and per caption vector,
/// and the FLOPS metric Σ_j p_t(j)·p_m(j) with p(j) the fraction of items whose entry j is non-zero (the expected
/// multiply-adds of one query–item pair in an inverted index).
/// </summary>
public sealed record LexicalSparsity(int VocabularySize, double MeanNonZerosMotion, double MeanNonZerosText, double Flops)
{
    public static LexicalSparsity Of(IReadOnlyList<float[]> texts, IReadOnlyList<float[]> motions)
    {
        if (texts.Count == 0 || motions.Count == 0) throw new ArgumentException("lexical sparsity: no vectors");
        int V = texts[0].Length;
        if (texts.Concat(motions).Any(v => v.Length != V)) throw new ArgumentException($"lexical sparsity: vectors of different lengths (expected {V})");
        var (pt, nt) = Fractions(texts, V);
        var (pm, nm) = Fractions(motions, V);
        double flops = 0;
        for (int j = 0; j < V; j++) flops += pt[j] * pm[j];
        return new LexicalSparsity(V, nm, nt, flops);
    }

    private static (double[] P, double MeanNnz) Fractions(IReadOnlyList<float[]> rows, int V)
    {
        var p = new double[V];
        long nnz = 0;
        foreach (var r in rows)
            for (int j = 0; j < V; j++)
                if (r[j] != 0) { p[j]++; nnz++; }
        for (int j = 0; j < V; j++) p[j] /= rows.Count;
        return (p, (double)nnz / rows.Count);
    }

    /// <summary>Words the heads score: null for the whole vocabulary (model.lexVocabulary = full), else the size of the
    /// caption word-piece subset (model.lexVocabulary = captions).</summary>
    public int? ActiveWords { get; init; }

    /// <summary>"full" or "captions (N word pieces)": which vocabulary the vectors range over (reports must name it).</summary>
    public string VocabularyName => ActiveWords is int a ? $"captions ({a:N0} of {VocabularySize:N0} word pieces)" : $"full ({VocabularySize:N0} word pieces)";

    public JsonObject ToJson() => new()
    {
        ["vocabularySize"] = VocabularySize,
        ["vocabulary"] = (ActiveWords is null ? LexVocabularyMode.Full : LexVocabularyMode.Captions).Name,
        ["activeWords"] = ActiveWords ?? VocabularySize,
        ["meanNonZerosMotion"] = Math.Round(MeanNonZerosMotion, 3),
        ["meanNonZerosText"] = Math.Round(MeanNonZerosText, 3),
        ["flops"] = Math.Round(Flops, 4),
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"non-zeros per motion {MeanNonZerosMotion:F1}, per caption {MeanNonZerosText:F1} of {ActiveWords ?? VocabularySize:N0} words{(ActiveWords is null ? "" : $" (caption word pieces of {VocabularySize:N0})")}; FLOPS {Flops:F2}");
}

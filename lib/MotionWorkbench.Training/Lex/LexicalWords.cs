using System.Text.Json.Nodes;
using MotionWorkbench.Text;

namespace MotionWorkbench.Training;

/// <summary>The top-weighted words of a lexical vector ("which words does this motion light up?").</summary>
public static class LexicalWords
{
    /// <summary>The <paramref name="k"/> largest non-zero entries of <paramref name="vector"/> as (word, weight), heaviest first (ties: lower id).</summary>
    public static IReadOnlyList<(string Word, float Weight)> Top(float[] vector, WordPieceVocabulary vocabulary, int k = 20)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"k must be positive, got {k}");
        if (vector.Length != vocabulary.Count)
            throw new ArgumentException($"a lexical vector of {vector.Length} entries does not match the vocabulary of {vocabulary.Count} words");
        return Enumerable.Range(0, vector.Length).Where(j => vector[j] > 0)
            .OrderByDescending(j => vector[j]).ThenBy(j => j).Take(k)
            .Select(j => (vocabulary.TokenOf(j), vector[j])).ToList();
    }
}

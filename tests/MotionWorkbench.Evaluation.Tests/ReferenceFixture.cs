using System.Text.Json;

namespace MotionWorkbench.Evaluation.Tests;

/// <summary>Reads Fixtures/retrieval_reference.json (written by environment/reference/retrieval_reference.py).</summary>
internal static class ReferenceFixture
{
    private static readonly Lazy<JsonDocument> Doc = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(MotionWorkbench.Testing.SharedData.RepoRoot, "tests", "MotionWorkbench.Evaluation.Tests", "Fixtures", "retrieval_reference.json"))));

    public static JsonElement Root => Doc.Value.RootElement;

    public static JsonElement Case(string name) =>
        Root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static SimilarityMatrix Sims(JsonElement c)
    {
        int n = c.GetProperty("n").GetInt32();
        var values = c.GetProperty("sims").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return new SimilarityMatrix(values, n, n);
    }

    public static List<string> Strings(JsonElement c, string name) =>
        c.GetProperty(name).EnumerateArray().Select(v => v.GetString()!).ToList();

    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();
}

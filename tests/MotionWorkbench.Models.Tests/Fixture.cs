using System.Text.Json;
using MotionWorkbench.Tensors;
using MotionWorkbench.Testing;

namespace MotionWorkbench.Models.Tests;

/// <summary>A PyTorch reference fixture written by a script in environment/reference/ (models_fixtures.py, resnet_fixtures.py; JSON + safetensors).</summary>
internal sealed class Fixture
{
    public JsonElement Header { get; }
    private readonly Dictionary<string, (int[] Shape, float[] Data)> tensors = [];

    private Fixture(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(name + ".json")));
        Header = doc.RootElement.GetProperty("header").Clone();
        Assert.StartsWith("environment/reference/", Header.GetProperty("generator").GetString());
        foreach (var t in doc.RootElement.GetProperty("tensors").EnumerateObject())
            tensors[t.Name] = (t.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                               t.Value.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()).ToArray());
    }

    public static Fixture Load(string name) => new(name);

    public static string PathOf(string file) => Path.Combine(SharedData.RepoRoot, "tests", "MotionWorkbench.Models.Tests", "Fixtures", file);

    public float[] Data(string name) => tensors[name].Data;

    public int[] Shape(string name) => tensors[name].Shape;

    public int[] Ints(string name) => Array.ConvertAll(tensors[name].Data, v => (int)v);

    public int Int(string name) => Header.GetProperty(name).GetInt32();

    /// <summary>The motion input formula the fixture script uses: float32(((i·7919 + 13) mod 2001 − 1000) / 1000).</summary>
    public static Tensor FormulaInput(params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var d = t.Data;
        for (long i = 0; i < d.Length; i++) d[(int)i] = (float)((((i * 7919 + 13) % 2001) - 1000) / 1000.0);
        return t;
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) - rtol * Math.Abs(expected[i]);
            if (err > worst) { worst = err; at = i; }
        }
        if (worst > atol) Assert.Fail($"{what}: element {at}: expected {expected[at]:G9}, got {actual[at]:G9}");
    }
}
